"""What readers get of a live story: its page's stream of entries, and the
small endpoint its page polls for new ones.

The page is the story's own page (``ArticleDetailView``, with
``LiveStoryMixin``): the pinned entry, the key events, then the entries newest
first, ``ENTRIES_PER_PAGE`` a page (``?page=2`` for older ones), in a fixed
number of queries however many entries there are.

The endpoint (``LiveUpdatesView``, ``/news/<slug>/live.json``) answers with the
newest ``UPDATES_SHOWN`` entries, rendered as the page renders them, and
whether the coverage is still open. It is page-cached like any page, with its
own dependency key (``live:<pk>``, ``lv<pk>`` at the edge) that only the
story's coverage and entries stamp: readers polling it every few seconds get a
cached copy, or a ``304 Not Modified`` when their copy is current, and an edge
cache in front can answer them all until an entry is posted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import get_template
from django.views.generic import View

from .models import Article
from .models.live import ENTRIES_PER_PAGE, KEY_EVENTS_SHOWN, UPDATES_SHOWN, page_of
from .pagecache import dependencies
from .pagecache.pages import CachedPageMixin
from .seo import iso_datetime

ENTRY_TEMPLATE = "articles/live/entry.html"


def live_poll_seconds():
    return getattr(settings, "NEWSROOM_LIVE_POLL_SECONDS", 10)


def coverage_of(article):
    """The story's ``LiveCoverage``, or None for a story that is not live.
    ``for_page()`` fetches it with the story: no query here."""
    return getattr(article, "live_coverage", None)


class StreamPaginator(Paginator):
    """The stream's pages, however far down: a page's entries are picked by
    their ids from the stream's index alone (its OFFSET skips index entries,
    not joined rows), then fetched with their authors, in the same query."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        chosen = self.object_list.filter(pk__in=self.object_list.values("pk")[bottom:top])
        return self._get_page(chosen, number, self)


@dataclass
class LivePage:
    coverage: object
    page_obj: object  # this page of the stream
    pinned: object  # the pinned entry, on the first page only
    key_events: list
    poll_url: str
    poll_seconds: int

    @property
    def entries(self):
        return self.page_obj.object_list

    @property
    def shown(self):
        return [*([self.pinned] if self.pinned else []), *self.entries]


def live_page(article, page_number):
    """The live part of a story's page: at most four queries (the stream's
    count and page, the pinned entry with the key events, and where the
    stream's pages start, for the key events' links), or none if it is not live."""
    coverage = coverage_of(article)
    if coverage is None:
        return None
    stream = StreamPaginator(article.live_entries.stream(), ENTRIES_PER_PAGE)
    page_obj = stream.get_page(page_number)
    page_obj.object_list = list(page_obj.object_list)
    highlights = list(article.live_entries.key_events_and_pinned())
    pinned = next((entry for entry in highlights if entry.is_pinned), None)
    key_events = [entry for entry in highlights if entry.is_key_event][:KEY_EVENTS_SHOWN]
    if key_events:
        starts = list(article.live_entries.page_starts())
        for entry in key_events:
            entry.page_number = page_of(entry, starts)
    return LivePage(
        coverage=coverage,
        page_obj=page_obj,
        pinned=pinned if page_obj.number == 1 else None,
        key_events=key_events,
        poll_url=f"{article.get_absolute_url()}live.json",
        poll_seconds=live_poll_seconds(),
    )


def entry_keys(entries):
    """An entry shows its author's name and a quoted expert's."""
    keys = set()
    for entry in entries:
        keys.add(f"author:{entry.author_id}")
        if entry.expert_id:
            keys.add(f"expert:{entry.expert_id}")
    return keys


class LiveStoryMixin:
    """For the story page: a live story's entries, and what they add to the
    page's declared dependencies (its entries change the story's page key)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        live = live_page(self.object, self.request.GET.get("page"))
        if live is not None:
            context.update(
                live=live, page_obj=live.page_obj, is_paginated=live.page_obj.has_other_pages()
            )
        return context

    def live_dependencies(self, context):
        live = context.get("live")
        if live is None:
            return dependencies.FIXED
        keys = entry_keys([*live.shown, *live.key_events])
        return dependencies.Dependencies(frozenset(keys))


class LiveUpdatesView(CachedPageMixin, View):
    """The newest entries of a live story, as JSON, for its page's script."""

    cache_query_params = ()

    def get(self, request, slug):
        self.article = get_object_or_404(
            Article.objects.visible_to(request.user).select_related("live_coverage"), slug=slug
        )
        coverage = coverage_of(self.article)
        if coverage is None:
            raise Http404("This story has no live coverage.")
        # One more than shown tells whether there are more, without a count.
        newest = list(self.article.live_entries.stream()[: UPDATES_SHOWN + 1])
        self.entries = newest[:UPDATES_SHOWN]
        # Entries need nothing of the request: no context processors, twenty times.
        template = get_template(ENTRY_TEMPLATE)
        return JsonResponse(
            {
                "open": coverage.is_open,
                "ended_at": iso_datetime(coverage.ended_at),
                "more": len(newest) > UPDATES_SHOWN,
                "entries": [
                    {
                        "id": entry.pk,
                        "version": entry.version,
                        "posted_at": entry.posted_at.isoformat(),
                        "html": template.render({"entry": entry}),
                    }
                    for entry in self.entries
                ],
            }
        )

    def get_dependencies(self, context):
        keys = {dependencies.story_key(self.article.pk), dependencies.live_key(self.article.pk)}
        return dependencies.Dependencies(frozenset(keys | entry_keys(self.entries)))
