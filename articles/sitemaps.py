"""Sitemaps for search engines: every live page, and a Google News sitemap.

Sections, authors, tags and experts are listed only when they have at least one
published story, so a tag or byline that exists only on a draft never shows.
Their ``lastmod`` is the latest change to one of those stories.

Each sitemap is paged by ranges of ids (``PagedById``), not by counting: an
object keeps its page for life, so a new story changes only the last page of
the stories' sitemap, which alone is refreshed (its own dependency key), and
the index of sitemaps finds each sitemap's number of pages with one step down
an index instead of counting every live story, tag and author.
"""

from datetime import timedelta
from math import ceil

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Func, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from . import languages
from .models import Article, Author, Byline, Expert, ExpertQuote, Section, Tag, TaggedArticle, live
from .models.article import OWNER_PATHS
from .pagecache import dependencies
from .seo import iso_datetime

# Google News: only stories from the last two days, at most 1,000 of them.
NEWS_MAX_AGE = timedelta(days=2)
NEWS_MAX_URLS = 1000


class NotAnIndexOnSQLite(Func):
    """``+column`` on SQLite, the plain column elsewhere: SQLite's way of saying
    "don't drive the query from an index on this column"."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def unindexed_on_sqlite(condition, *fields):
    """``condition``, lookups such as ``live()``'s, with ``fields`` (at the end
    of any relation) out of SQLite's choice of index. Its planner, misjudging
    how many stories a range of dates holds, walks every live story: for each
    tag when asked whether the tag has one, or to find the newest edit
    (seconds at 100k stories)."""
    children = [
        unindexed_on_sqlite(lookup, *fields)  # the embargo's "none, or ended"
        if isinstance(lookup, Q)
        else type(lookup)(NotAnIndexOnSQLite(lookup.lhs), lookup.rhs)
        if lookup.lhs.name.rsplit("__", 1)[-1] in fields
        else lookup
        for lookup in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def latest_live_change(articles):
    """When readers last saw a change to one of these stories that is live:
    the largest ``modified_at``. Two short walks down an index (the newest
    edit, the newest publication), where ``Max()`` reads every row."""
    newest_edit = articles.filter(unindexed_on_sqlite(live(), "published_at")).order_by(
        "-updated_at"
    )
    newest_publication = articles.published().order_by("-published_at")
    moments = (
        newest_edit.values_list("updated_at", flat=True).first(),
        newest_publication.values_list("published_at", flat=True).first(),
    )
    return max(filter(None, moments), default=None)


class PagesOfIds(Paginator):
    """Page ``n`` holds the objects with ids from ``(n - 1) * per_page + 1`` to
    ``n * per_page``; there are as many pages as the largest id needs. A page
    may hold fewer than ``per_page`` objects (drafts and deleted stories leave
    gaps), and is then smaller, never different in what it is."""

    @cached_property
    def num_pages(self):
        last = self.object_list.order_by("-pk").values_list("pk", flat=True).first()
        return max(1, ceil((last or 0) / self.per_page))

    def __init__(self, object_list, per_page, prepare):
        super().__init__(object_list, per_page)
        self.prepare = prepare  # what a page's objects need besides themselves

    def page(self, number):
        number = self.validate_number(number)
        first = (number - 1) * self.per_page
        objects = self.object_list.filter(pk__gt=first, pk__lte=first + self.per_page)
        return self._get_page(self.prepare(objects.order_by("pk")), number, self)


class PagedById(Sitemap):
    """A sitemap in pages of ``limit`` ids (``PagesOfIds``)."""

    # An entry costs about 0.1 ms (its URL reversed, its lastmod): a page of
    # 1,000 is rendered in about 0.1 s (the protocol allows 50,000), and the
    # page a publication changes is back at the edge soon after.
    limit = 1000

    @property
    def paginator(self):
        return PagesOfIds(self._items(), self.limit, self.page_objects)

    def page_objects(self, objects):
        """One page's objects, ready to list."""
        return objects

    @classmethod
    def page_of(cls, pk):
        """The page listing the object with this id."""
        return (pk - 1) // cls.limit + 1


class ArticleSitemap(PagedById):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        # Walked by id (the pages, and the largest id for their number):
        # SQLite would otherwise start from the status index and sort every
        # live story by id (40 ms at 100k stories, for the index of sitemaps).
        live_by_id = unindexed_on_sqlite(live(), "status", "published_at")
        return Article.objects.filter(live_by_id).only("slug", "published_at", "updated_at")

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        # Instead of Django's default of loading every item.
        return latest_live_change(Article.objects.all())


class FrontPagesSitemap(Sitemap):
    """The front page, the authors index and, on a site in several languages,
    each language's edition (``/ar/``): they change with every story."""

    changefreq = "hourly"
    priority = 1.0

    def items(self):
        editions = [("articles:edition", (code,)) for code, _, _ in languages.editions()]
        return [("articles:home", ()), ("articles:authors", ()), *editions]

    def location(self, page):
        name, args = page
        return reverse(name, args=args)

    def lastmod(self, name):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        return ArticleSitemap().get_latest_lastmod()


class _LatestStorySitemap(PagedById):
    """Objects with published stories, ``lastmod`` their latest story's change.

    Whether an object has a live story is a per-object subquery that starts
    from the link (a byline, a tagging, a quote; the story itself for a
    section) and stops at the first live story. The latest change of a page's
    objects is one query grouped by object over their links
    (``page_objects``): two subqueries an object, each sorting all the
    object's stories, took 8.7 s for the page of the most used tags at a
    million stories, the grouped query 1.7 s.
    """

    changefreq = "daily"
    priority = 0.5
    model = None
    links = None  # the model whose rows tie a story to ``model``
    link_to_object = None  # the field of ``links`` that points at ``model``
    link_to_story = ""  # the path from ``links`` to Article ("" if it is Article)

    def _live_links(self):
        return self.links.objects.filter(unindexed_on_sqlite(live(self.link_to_story), "status"))

    def items(self):
        # A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into one
        # semi-join of every link with every live story (1.1-4 s for the tags
        # at 1M stories); this one stops at each object's first live story,
        # from two indexes alone (0.27 s).
        first_live_link = Subquery(
            self._live_links()
            .filter(**{self.link_to_object: OuterRef("pk")})
            .order_by()
            .values(self.link_to_object)[:1]
        )
        return self.model.objects.alias(first_live_link=first_live_link).filter(
            first_live_link__isnull=False
        )

    def page_objects(self, objects):
        objects = list(objects)
        newest = (
            self._live_links()
            .filter(**{f"{self.link_to_object}__in": objects})
            .order_by()
            .values_list(self.link_to_object)
            .annotate(
                Max(f"{self.link_to_story}updated_at"), Max(f"{self.link_to_story}published_at")
            )
        )
        # Like Article.modified_at: a story scheduled days after its last edit
        # changes the page when it goes live.
        latest = {pk: max(update, publication) for pk, update, publication in newest}
        for obj in objects:
            obj.latest_change = latest[obj.pk]
        return objects

    def lastmod(self, obj):
        return obj.latest_change

    def get_latest_lastmod(self):
        # Linked by the relation's first step ("quotes", not "quotes__expert"):
        # a quote's expert is never empty, and asked for it SQLite walks every
        # quote by expert (70 ms at 100k stories) instead of the newest stories.
        relation = OWNER_PATHS[self.model._meta.model_name].split("__")[0]
        return latest_live_change(Article.objects.filter(**{f"{relation}__isnull": False}))


class SectionSitemap(_LatestStorySitemap):
    model, links = Section, Article
    link_to_object = "section"

    def page_objects(self, sections):
        # A section's stories are many (all of them, over twenty sections) but
        # its newest are one step down the story indexes: a subquery each.
        def newest(field):
            stories = self._live_links().filter(section=OuterRef("pk")).order_by(f"-{field}")
            return Subquery(stories.values(field)[:1])

        sections = sections.annotate(
            latest_update=newest("updated_at"), latest_publication=newest("published_at")
        )
        for section in sections:
            section.latest_change = max(section.latest_update, section.latest_publication)
        return sections


class AuthorSitemap(_LatestStorySitemap):
    model, links = Author, Byline
    link_to_object, link_to_story = "author", "article__"


class TagSitemap(_LatestStorySitemap):
    model, links = Tag, TaggedArticle
    link_to_object, link_to_story = "tag", "content_object__"


class ExpertSitemap(_LatestStorySitemap):
    model, links = Expert, ExpertQuote
    link_to_object, link_to_story = "expert", "article__"
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
            .only("slug", "headline", "language", "published_at", "updated_at")[:NEWS_MAX_URLS]
        )

    def lastmod(self, article):
        return article.modified_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            # Each story in its own language: Google News counts the site
            # in each language as a publication of its own.
            url["publication"] = {
                "name": settings.NEWSROOM_SITE_NAME,
                "language": url["item"].language,
            }
            url["publication_date"] = iso_datetime(url["item"].published_at)
        return urls


def sitemap_dependencies(request, section=None, **view_kwargs):
    """What a sitemap shows: a page of the stories' sitemap, the stories of its
    ids; any other, every live story (their times are its ``lastmod``)."""
    if section == "articles":
        page = request.GET.get("p", "1")
        if page.isdigit():
            return dependencies.story_sitemap(int(page))
    return dependencies.SITEMAPS


SITEMAPS = {
    "pages": FrontPagesSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "experts": ExpertSitemap,
}
NEWS_SITEMAPS = {"news": GoogleNewsSitemap}
