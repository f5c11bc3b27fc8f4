"""RSS and Atom feeds: the whole site, each section, each author and each tag.

Every feed lists ``Article.objects.published()`` only, newest first, with the
bylines and tags fetched up front so a feed costs the same few queries
however many entries it carries.

Each entry carries the standfirst as its summary (RSS ``description``, Atom
``summary``) and the whole story as HTML (RSS ``content:encoded``, Atom
``content``), so feed readers can show the story without a visit. Each of its
authors is named on their own (an RSS ``dc:creator``, an Atom ``<author>``
each), so a story by two people reads as theirs, not as one "A, B".

What goes out is decided by the generator (``PlainTextFeed``), not by each
feed: every field is plain text unless it is one of the few named HTML
fields, whatever a feed method returns and however the row was stored.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from .html import clean_body_for_elsewhere, clean_text
from .models import Article, Author, Section, Tag
from .models.live import latest_entries
from .pagecache.pages import CachedFeedMixin

FEED_LENGTH = 30


class PlainTextFeed:
    """Mixed into a feed generator: every text field is written as plain
    text, so a new field, or a value stored before names were cleaned, never
    carries markup into a feed reader.

    Three kinds of field, decided here once:

    - ``description`` (an entry's summary, the RSS channel's description):
      readers show it as HTML, so it is plain text, escaped.
    - ``content_html`` (the story): the body allow-list, with every link
      made absolute against the entry's own address (only here, with the
      request behind the feed, is that address known).
    - everything else (titles, names, categories, links, ids): plain text;
      the XML writer escapes it.
    """

    def write(self, outfile, encoding):
        self.feed = self._plain(self.feed)
        self.items = [self._plain(item) for item in self.items]
        return super().write(outfile, encoding)

    @classmethod
    def _plain(cls, fields):
        cleaned = {name: cls._plain_value(value) for name, value in fields.items()}
        if cleaned.get("description"):
            cleaned["description"] = escape(cleaned["description"])
        if fields.get("content_html"):
            cleaned["content_html"] = clean_body_for_elsewhere(
                fields["content_html"], base_url=fields["link"]
            )
        return cleaned

    @classmethod
    def _plain_value(cls, value):
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, list | tuple):
            return type(value)(cls._plain_value(item) for item in value)
        return value  # dates, numbers, enclosures: no text of their own


class FullTextRssFeed(PlainTextFeed, Rss201rev2Feed):
    """RSS 2.0 with the RSS content module's ``content:encoded`` for the story
    and a Dublin Core ``dc:creator`` for each author (RSS's own ``<author>``
    is an email address, which we do not publish)."""

    CONTENT_MODULE = "http://purl.org/rss/1.0/modules/content/"
    DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": self.CONTENT_MODULE,
            "xmlns:dc": self.DUBLIN_CORE,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _path in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullTextAtomFeed(PlainTextFeed, Atom1Feed):
    """Atom 1.0 with an ``<author>`` for each author and the story in
    ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, path in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            # The entry's own address is absolute; the author's page is on the same site.
            handler.addQuickElement("uri", urljoin(item["link"], path))
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class ArticleFeed(CachedFeedMixin, Feed):
    """The latest published stories of the whole site (RSS 2.0)."""

    feed_type = FullTextRssFeed
    language = settings.NEWSROOM_LANGUAGE

    # -- the feed ---------------------------------------------------------
    def title(self, obj):
        return settings.NEWSROOM_SITE_NAME

    def link(self, obj):
        return reverse("articles:home")

    def description(self, obj):
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."

    def subtitle(self, obj):
        return self.description(obj)

    def author_name(self, obj):
        return settings.NEWSROOM_SITE_NAME

    def stories(self, obj):
        """The live stories this feed lists: the site's, or its owner's."""
        stories = Article.objects.published()
        return stories if obj is None else stories.for_owner(obj)

    def items(self, obj):
        stories = self.stories(obj).newest_first().for_listing().select_related("live_coverage")
        stories = list(stories.prefetch_related("tags")[:FEED_LENGTH])
        # Only a feed with a live story in it pays the query for its entries.
        live = [story for story in stories if getattr(story, "live_coverage", None)]
        prefetch_related_objects(live, latest_entries())
        return stories

    # -- each entry -------------------------------------------------------
    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.dek  # escaped by the generator: readers show it as HTML

    def item_extra_kwargs(self, item):
        return {
            **super().item_extra_kwargs(item),
            "content_html": _live_updates(item) + item.body,
            # (name, page) of each author in byline order; the generator writes one
            # element each. ``item_author_name`` stays empty so Django writes none.
            "authors": [
                (author.name, author.get_absolute_url()) for author in item.ordered_bylines()
            ],
        }

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # A live story's item is updated with each entry: feed readers that
        # show updated items (Atom's <updated>) bring it back to the top.
        entries = getattr(item, "latest_live_entries", None) or ()
        return max([item.modified_at, *(entry.edited_at or entry.posted_at for entry in entries)])

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


def _live_updates(story):
    """A live story's newest entries, above its summary: a feed carries a live
    story as one item that is updated, not as an item per entry, which would
    bury every other story of the feed under one night's updates."""
    if getattr(story, "live_coverage", None) is None:
        return ""
    return render_to_string(
        "articles/live/feed_updates.html",
        {
            "coverage": story.live_coverage,
            "entries": story.latest_live_entries,
            "story_url": story.get_absolute_url(),
        },
    )


class AtomArticleFeed(ArticleFeed):
    feed_type = FullTextAtomFeed


class _OwnedArticleFeed(ArticleFeed):
    """The stories of one section, author or tag; an unknown slug is a 404."""

    owner_model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.owner_model, slug=slug)

    def title(self, obj):
        return f"{obj.name} — {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The latest stories in {obj.name} from {settings.NEWSROOM_SITE_NAME}."


class SectionFeed(_OwnedArticleFeed):
    owner_model = Section


class AuthorFeed(_OwnedArticleFeed):
    owner_model = Author

    def description(self, obj):
        return f"The latest stories by {obj.name} for {settings.NEWSROOM_SITE_NAME}."


class TagFeed(_OwnedArticleFeed):
    owner_model = Tag

    def description(self, obj):
        return f"The latest stories about {obj.name} from {settings.NEWSROOM_SITE_NAME}."


class AtomSectionFeed(SectionFeed):
    feed_type = FullTextAtomFeed


class AtomAuthorFeed(AuthorFeed):
    feed_type = FullTextAtomFeed


class AtomTagFeed(TagFeed):
    feed_type = FullTextAtomFeed
