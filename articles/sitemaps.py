"""Sitemaps for search engines: every live page, and a Google News sitemap.

Sections, authors, tags and experts are listed only when they have at least one
published story, so a tag or byline that exists only on a draft never shows.
Their ``lastmod`` is the latest change to one of those stories.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from .models import Article, Author, Expert, Section, Tag
from .seo import iso_datetime

# Google News: only stories from the last two days, at most 1,000 of them.
NEWS_MAX_AGE = timedelta(days=2)
NEWS_MAX_URLS = 1000


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    # Pages of 5,000 (the protocol allows 50,000): at 100k stories a page of
    # 50,000 takes tens of seconds to build whenever a story changes.
    limit = 5000

    def items(self):
        return Article.objects.published().newest_first().only("slug", "published_at", "updated_at")

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default of loading every item.
        latest = Article.objects.published().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        return max(filter(None, latest.values()), default=None)


class FrontPagesSitemap(Sitemap):
    """The front page and the authors index: they change with every story."""

    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:authors"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        return ArticleSitemap().get_latest_lastmod()


class _LatestStorySitemap(Sitemap):
    """Objects with published stories, ``lastmod`` their latest story's change."""

    changefreq = "daily"
    priority = 0.5
    model = None
    articles_path = None  # the lookup from the model to Article

    def items(self):
        live = Article.objects.published()
        return (
            self.model.objects.filter(**{f"{self.articles_path}__in": live})
            # filter() then annotate() on one relation: the Max only sees live stories.
            .annotate(latest_change=Max(f"{self.articles_path}__updated_at"))
            .order_by("pk")
        )

    def lastmod(self, obj):
        return obj.latest_change

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("latest_change"))["latest"]


class SectionSitemap(_LatestStorySitemap):
    model = Section
    articles_path = "articles"


class AuthorSitemap(_LatestStorySitemap):
    model = Author
    articles_path = "bylines__article"


class TagSitemap(_LatestStorySitemap):
    model = Tag
    articles_path = "tagged_articles__content_object"


class ExpertSitemap(_LatestStorySitemap):
    model = Expert
    articles_path = "quotes__article"
    priority = 0.3


class GoogleNewsSitemap(Sitemap):
    """Stories published in the last two days, for Google News.

    Rendered with ``templates/sitemaps/news.xml``, which adds the
    ``news:`` elements; the publication's name and language come from settings.
    """

    limit = NEWS_MAX_URLS

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=timezone.now() - NEWS_MAX_AGE)
            .newest_first()
            .only("slug", "headline", "published_at", "updated_at")[:NEWS_MAX_URLS]
        )

    def lastmod(self, article):
        return article.modified_at

    def get_urls(self, page=1, site=None, protocol=None):
        publication = {
            "name": settings.NEWSROOM_SITE_NAME,
            "language": settings.NEWSROOM_LANGUAGE,
        }
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["publication"] = publication
            url["publication_date"] = iso_datetime(url["item"].published_at)
        return urls


SITEMAPS = {
    "pages": FrontPagesSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "experts": ExpertSitemap,
}
NEWS_SITEMAPS = {"news": GoogleNewsSitemap}
