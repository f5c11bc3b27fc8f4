from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import editions, feeds, views, views_live
from .interchange.views import ArticleNinjsView
from .pagecache.pages import cached_for_readers
from .sitemaps import NEWS_SITEMAPS, SITEMAPS, sitemap_dependencies

app_name = "articles"

# A tag's slug is made from its name in any script (taggit keeps the letters:
# "موانئ"), so tag addresses take any slug (``str``) and an unknown one is a 404;
# the other slugs are ASCII, checked by their forms.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("news/<slug:slug>/live.json", views_live.LiveUpdatesView.as_view(), name="article_live"),
    path("news/<slug:slug>/ninjs.json", ArticleNinjsView.as_view(), name="article_ninjs"),
    path(
        "news/<slug:slug>/share-<str:shape>.png",
        views.ShareCardView.as_view(),
        name="article_share_card",
    ),
    path("authors/", views.AuthorListView.as_view(), name="authors"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("experts/<slug:slug>/", views.ExpertDetailView.as_view(), name="expert"),
    path("search/", views.SearchView.as_view(), name="search"),
    # Feeds: RSS at feed/, Atom at feed/atom/, for the site and each section, author, tag.
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.AtomArticleFeed(), name="feed_atom"),
    path("section/<slug:slug>/feed/", feeds.SectionFeed(), name="section_feed"),
    path("section/<slug:slug>/feed/atom/", feeds.AtomSectionFeed(), name="section_feed_atom"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<slug:slug>/feed/atom/", feeds.AtomAuthorFeed(), name="author_feed_atom"),
    path("tags/<str:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<str:slug>/feed/atom/", feeds.AtomTagFeed(), name="tag_feed_atom"),
    # Search engines: a sitemap index, its parts, the Google News sitemap, robots.txt.
    path(
        "sitemap.xml",
        cached_for_readers(sitemap_views.index, sitemap_dependencies),
        {
            "sitemaps": SITEMAPS,
            "sitemap_url_name": "articles:sitemap_part",
            "template_name": "sitemaps/index.xml",
        },
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_for_readers(sitemap_views.sitemap, sitemap_dependencies),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/urlset.xml"},
        name="sitemap_part",
    ),
    path(
        "news-sitemap.xml",
        cached_for_readers(sitemap_views.sitemap, sitemap_dependencies),
        {"sitemaps": NEWS_SITEMAPS, "template_name": "sitemaps/news.xml"},
        name="news_sitemap",
    ),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("preview/<str:token>/", views.SharedPreviewView.as_view(), name="preview"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    # The language editions, /ar/ and the like: last, so no other page is taken for one.
    *editions.urlpatterns,
]
