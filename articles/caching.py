"""Whole-page caching for anonymous readers, invalidated by what each page shows.

A cached page records *dependency keys* for everything it shows:

* ``article:12``, ``author:3``, ``section:2``, ``tag:5``, ``expert:7`` — an object
  whose own fields appear on the page (a headline, a byline, a tag's name);
* ``article-page:12`` — what only a story's own page shows: its quotes, tags
  and corrections;
* ``list:home``, ``list:section:2``, ``list:author:3``, ``list:tag:5``,
  ``list:expert:7`` — a list the page is one page of, which changes when a story
  joins, leaves or moves in it;
* ``sitemap`` — the sitemaps, which list every live story and everything with one;
* ``nav`` — the section navigation at the top of every page, which is also the
  only place a page shows a section's name (a story's kicker links to it too).

Saving or deleting an article, author, section, tag, expert or quote, or a
byline or tag on a story, *stamps* exactly the keys of the pages that show it
with the current time (the signal receivers at the end of this module; connected
in ``ArticlesConfig.ready``). A cached page is served only while every one of
its keys was last stamped before the page began to render: one ``get_many`` per
hit. Comparing times rather than version tokens closes the race where an edit
commits while a page is rendering: that page began earlier, so it is stale.
Each stamp is written twice, at once and again after the transaction commits,
so a page rendered between the two cannot keep pre-commit content.

Scheduled stories need no purge: a list page is kept no later than the moment
the next scheduled story that would join it goes live (an indexed query at
render time), checked against ``timezone.now()`` like ``published()`` itself.

Conditional GET: every cached page carries a strong ETag (a hash of its bytes)
and a Last-Modified (when it was rendered). HTTP dates have one-second
resolution, so a client sending only If-Modified-Since can miss a change made
in the same second as its copy was rendered; browsers also send If-None-Match,
which wins, and the ETag is exact.

Writes that bypass model signals (``QuerySet.update()``, ``bulk_create()``)
must call :func:`invalidate` themselves; pages also expire after
``NEWSROOM_PAGE_CACHE_SECONDS`` whatever happens.
"""

import hashlib
import math
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, urlencode

from .models import (
    Article,
    Author,
    Byline,
    Correction,
    Expert,
    ExpertQuote,
    Section,
    Tag,
    TaggedArticle,
)

STAMP_PREFIX = "newsroom:stamp:"
PAGE_PREFIX = "newsroom:page:1:"  # bump the number if CachedPage changes shape
CACHE_HEADER = "X-Cache"
# The object a list page belongs to, by its context name, and how to reach its
# articles from Article: used to find the next scheduled story of that list.
LIST_OWNERS = {
    "section": "section",
    "author": "bylines__author",
    "tag": "tags",
    "expert": "quotes__expert",
}
# Page-number values worth a cache entry: real page numbers. Anything else is
# served (forgivingly) but not stored, so junk URLs cannot fill the cache.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def page_cache_seconds():
    return getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600)


# -- stamps -------------------------------------------------------------------


def invalidate(*keys):
    """Mark everything showing these dependency keys as stale, now and again
    after the current transaction commits."""
    keys = frozenset(key for key in keys if key)
    if not keys:
        return
    _stamp(keys)
    transaction.on_commit(lambda: _stamp(keys))


def _stamp(keys):
    moment = time.time()
    cache.set_many({STAMP_PREFIX + key: moment for key in keys}, timeout=None)
    if "list:home" in keys:
        # A listed story changed: the writer pays for the next publication
        # time, so that readers' cache misses never do.
        _refresh_next_publication()


def _stamps_are_older_than(keys, moment):
    stamps = cache.get_many([STAMP_PREFIX + key for key in keys])
    # A missing stamp (never written, or evicted) means "unknown": not fresh.
    return len(stamps) == len(keys) and all(stamp < moment for stamp in stamps.values())


def _ensure_stamps(keys, started):
    """Give keys that have never been stamped a stamp just before this render
    began. ``add`` never overwrites a stamp written meanwhile by an edit, and a
    stamp lost to eviction comes back newer than any page rendered before it."""
    stamped = cache.get_many([STAMP_PREFIX + key for key in keys])
    for key in keys:
        if STAMP_PREFIX + key not in stamped:
            cache.add(STAMP_PREFIX + key, started - 1e-6, timeout=None)


# -- what a page shows ----------------------------------------------------------


def card_keys(article):
    """An article as a list shows it: its fields and bylines. Its section's name
    and link change only with ``nav``, which every page depends on."""
    keys = {f"article:{article.pk}"}
    keys.update(f"author:{byline.author_id}" for byline in article.bylines.all())
    return keys


def article_page_keys(article):
    """An article's own page: the card's keys, its quotes and experts, its tags."""
    keys = card_keys(article) | {f"article-page:{article.pk}"}
    keys.update(f"expert:{quote.expert_id}" for quote in article.quotes.all())
    keys.update(f"tag:{tag.pk}" for tag in article.tags.all())
    return keys


def keys_for_context(context):
    """The dependency keys of a page, read from the context its view rendered."""
    keys = {"nav"}
    if (article := context.get("article")) is not None:
        keys |= article_page_keys(article)
    for article in context.get("articles") or ():
        keys |= card_keys(article)
    for quote in context.get("quotes") or ():
        keys.add(f"article:{quote.article_id}")
    owner_name, owner = list_owner(context)
    if owner is not None:
        keys |= {f"{owner_name}:{owner.pk}", f"list:{owner_name}:{owner.pk}"}
    elif "articles" in context:
        keys.add("list:home")
    return keys


def list_owner(context):
    for name in LIST_OWNERS:
        if context.get(name) is not None and ("articles" in context or "quotes" in context):
            return name, context[name]
    return None, None


NEXT_PUBLICATION_KEY = "newsroom:next-publication"


def next_publication(now):
    """When the next scheduled story goes live anywhere on the site, or None.

    Every list page (and feed and sitemap) is kept no later than this. It is
    site-wide rather than per list so that a cache miss costs no query for it:
    it is computed when a listed story changes (which stamps ``list:home``) and
    kept in the cache until the next such change or until the moment passes.
    The price: each scheduled publication refreshes every list once, not only
    the lists the story joins."""
    known = cache.get_many([NEXT_PUBLICATION_KEY, STAMP_PREFIX + "list:home"])
    entry, stamp = known.get(NEXT_PUBLICATION_KEY), known.get(STAMP_PREFIX + "list:home")
    if (
        entry is not None
        and stamp is not None
        and stamp < entry["computed_at"]
        and (entry["at"] is None or now < entry["at"])
    ):
        return entry["at"]
    return _refresh_next_publication(now)


def _refresh_next_publication(now=None):
    computed_at = time.time()
    at = Article.objects.next_publication_time(after=now)
    _ensure_stamps({"list:home"}, computed_at)
    cache.set(NEXT_PUBLICATION_KEY, {"at": at, "computed_at": computed_at}, None)
    return at


# -- the page cache -------------------------------------------------------------


@dataclass
class CachedPage:
    content: bytes
    status: int
    headers: list
    keys: frozenset
    rendered_at: float  # time.time() when rendering began: compared with stamps
    valid_until: datetime | None  # the next scheduled publication that changes it
    etag: str

    def is_fresh(self):
        if self.valid_until is not None and timezone.now() >= self.valid_until:
            return False
        return _stamps_are_older_than(self.keys, self.rendered_at)

    def to_response(self):
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def page_cache_key(request, query_params):
    query = urlencode(sorted((name, request.GET.getlist(name)) for name in query_params), True)
    url = request.build_absolute_uri(request.path)
    return PAGE_PREFIX + hashlib.sha256(f"{url}?{query}".encode()).hexdigest()


def is_cacheable_request(request, query_params):
    """Anonymous GET/HEAD with no query parameters but the ones the page uses:
    staff, previews (signed links carry a parameter) and forms are never cached."""
    if request.method not in ("GET", "HEAD"):
        return False
    if not set(request.GET) <= set(query_params):
        return False
    if any(
        not PAGE_NUMBER.fullmatch(value)
        for name in query_params
        for value in request.GET.getlist(name)
    ):
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def is_storable_response(request, response):
    """Only a plain public page: no cookie, no per-user variation, no form token."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Vary"):
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-cache", "no-store")):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


def with_validators(request, response, page, state):
    """ETag, Last-Modified and a cache-state header; a matching conditional
    request gets 304 Not Modified instead of the page."""
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.rendered_at)
    response[CACHE_HEADER] = state
    # Browsers may keep the page but must ask again each time: a 304 is cheap.
    patch_cache_control(response, max_age=0)
    return get_conditional_response(
        request, etag=page.etag, last_modified=int(page.rendered_at), response=response
    )


def serve_cached(request, query_params, render, describe):
    """The page cache around one request.

    ``render()`` produces the response; ``describe(response)`` returns the
    dependency keys of what it shows and whether it is a list (kept no later
    than the next scheduled publication), or None if it must not be stored.
    """
    if not is_cacheable_request(request, query_params):
        return render()
    key = page_cache_key(request, query_params)
    page = cache.get(key)
    if page is not None and page.is_fresh():
        return with_validators(request, page.to_response(), page, "hit")

    started, now = time.time(), timezone.now()
    response = render()
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    description = describe(response) if is_storable_response(request, response) else None
    if description is None:
        response[CACHE_HEADER] = "miss"
        return response
    keys, is_list = description
    valid_until = next_publication(now) if is_list else None
    timeout = page_cache_seconds()
    if valid_until is not None:
        timeout = min(timeout, max(1, math.ceil((valid_until - now).total_seconds())))
    page = CachedPage(
        content=response.content,
        status=response.status_code,
        headers=list(response.items()),
        keys=frozenset(keys),
        rendered_at=started,
        valid_until=valid_until,
        etag=f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
    )
    _ensure_stamps(page.keys, started)
    cache.set(key, page, timeout)
    return with_validators(request, response, page, "miss")


class CachedPageMixin:
    """For public class-based views: serve anonymous readers from the cache
    until something the page shows changes, with ETag/Last-Modified and 304s.

    Dependency keys come from the rendered context (``keys_for_context``); a
    view may override ``get_cache_keys``.
    """

    cache_query_params = ("page",)

    def get_cache_keys(self, context):
        return keys_for_context(context)

    def dispatch(self, request, *args, **kwargs):
        return serve_cached(
            request,
            self.cache_query_params,
            lambda: super(CachedPageMixin, self).dispatch(request, *args, **kwargs),
            self._describe,
        )

    def _describe(self, response):
        context = getattr(response, "context_data", None)
        if context is None:
            return None
        # ``?page=99`` of a three-page list shows page 3: serve it, don't keep it.
        requested, page_obj = self.request.GET.get("page"), context.get("page_obj")
        if requested is not None and (page_obj is None or str(page_obj.number) != requested):
            return None
        return self.get_cache_keys(context), is_list_context(context)


def is_list_context(context):
    return "articles" in context or "quotes" in context


_feed_shown = ContextVar("feed_shown", default=None)


class CachedFeedMixin:
    """For ``contrib.syndication`` feeds: the same cache as the pages. A feed
    shows its owner (if any) and its entries: their fields, bylines and tags."""

    def __call__(self, request, *args, **kwargs):
        shown = {}
        token = _feed_shown.set(shown)
        try:
            return serve_cached(
                request,
                (),
                lambda: super(CachedFeedMixin, self).__call__(request, *args, **kwargs),
                lambda response: (self.get_cache_keys(shown), True) if shown else None,
            )
        finally:
            _feed_shown.reset(token)

    # The two per-feed and per-entry hooks of ``Feed.get_feed`` record what the
    # feed shows (``items()`` itself is the feeds' own business).
    def feed_extra_kwargs(self, obj):
        if (shown := _feed_shown.get()) is not None:
            shown.update(owner=obj, articles=[])
        return super().feed_extra_kwargs(obj)

    def item_extra_kwargs(self, item):
        if (shown := _feed_shown.get()) is not None:
            shown["articles"].append(item)
        return super().item_extra_kwargs(item)

    def get_cache_keys(self, shown):
        context = {"articles": shown["articles"]}
        if owner_model := getattr(self, "owner_model", None):  # a section's, author's, tag's
            context[owner_model._meta.model_name] = shown["owner"]
        keys = keys_for_context(context) - {"nav"}  # a feed has no navigation
        for article in shown["articles"]:
            keys.add(f"article-page:{article.pk}")  # entries list their tags
            keys.update(f"tag:{tag.pk}" for tag in article.tags.all())
        return keys


def cached_for_readers(view, keys, is_list=True):
    """The page cache for a function view (sitemaps) with fixed dependency keys."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_cached(
            request,
            ("p",),  # sitemaps paginate with ?p=
            lambda: view(request, *args, **kwargs),
            lambda response: (keys, is_list),
        )

    return wrapper


# -- invalidation rules ---------------------------------------------------------
# Each receiver stamps the keys of exactly the pages that show what changed.

LISTED = Article.Status.PUBLISHED  # live or scheduled: in lists now or at its time


def _remember(instance, fields):
    """The saved row as it was before this save, for "what did it show before"."""
    if instance._state.adding or instance.pk is None:
        instance._cache_before = None
    else:
        manager = type(instance)._base_manager
        instance._cache_before = manager.filter(pk=instance.pk).values(*fields).first()


def _is_listed(article_id):
    return Article.objects.filter(pk=article_id, status=LISTED).exists()


def _lists_containing(article_id):
    """The author, tag and expert lists an article appears in."""
    authors = Byline.objects.filter(article_id=article_id).values_list("author_id", flat=True)
    tags = TaggedArticle.objects.filter(content_object_id=article_id).values_list(
        "tag_id", flat=True
    )
    experts = ExpertQuote.objects.filter(article_id=article_id).values_list("expert_id", flat=True)
    return (
        {f"list:author:{pk}" for pk in authors}
        | {f"list:tag:{pk}" for pk in tags}
        | {f"list:expert:{pk}" for pk in experts}
    )


@receiver(pre_save, sender=Article, dispatch_uid="caching_article_before")
def _article_before(sender, instance, **kwargs):
    _remember(instance, ("status", "published_at", "section_id"))


@receiver(post_save, sender=Article, dispatch_uid="caching_article_saved")
def _article_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_cache_before", None) or {}
    keys = {f"article:{instance.pk}"}
    if LISTED in (instance.status, before.get("status")):
        keys.add("sitemap")  # lastmod is the story's latest change
        sections = {instance.section_id, before.get("section_id")} - {None}
        moved = created or any(
            before.get(field) != getattr(instance, field) for field in ("status", "published_at")
        )
        if moved:
            # It joined, left, or moved in (or got a new time in) every list it is in.
            keys |= {"list:home", *(f"list:section:{pk}" for pk in sections)}
            if not created:
                keys |= _lists_containing(instance.pk)
        elif len(sections) > 1:
            keys |= {f"list:section:{pk}" for pk in sections}
    invalidate(*keys)


@receiver(pre_delete, sender=Article, dispatch_uid="caching_article_deleted")
def _article_deleted(sender, instance, **kwargs):
    # Before the cascade removes bylines, tags and quotes: they say where it was listed.
    keys = {f"article:{instance.pk}"}
    if instance.status == LISTED:
        keys |= {"sitemap", "list:home", f"list:section:{instance.section_id}"}
        keys |= _lists_containing(instance.pk)
    invalidate(*keys)


@receiver(pre_save, sender=Section, dispatch_uid="caching_section_before")
def _section_before(sender, instance, **kwargs):
    _remember(instance, ("name", "slug", "position"))


@receiver(post_save, sender=Section, dispatch_uid="caching_section_saved")
def _section_saved(sender, instance, **kwargs):
    keys = {f"section:{instance.pk}", "sitemap"}
    before = getattr(instance, "_cache_before", None)
    now = {"name": instance.name, "slug": instance.slug, "position": instance.position}
    # The navigation on every page lists sections by name, in order.
    if before != now:
        keys.add("nav")
    invalidate(*keys)


@receiver(post_delete, sender=Section, dispatch_uid="caching_section_deleted")
def _section_deleted(sender, instance, **kwargs):
    invalidate(f"section:{instance.pk}", "nav", "sitemap")


@receiver(post_save, sender=Author, dispatch_uid="caching_author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="caching_author_deleted")
@receiver(post_save, sender=Expert, dispatch_uid="caching_expert_saved")
@receiver(post_delete, sender=Expert, dispatch_uid="caching_expert_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="caching_tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="caching_tag_deleted")
def _owner_changed(sender, instance, **kwargs):
    invalidate(f"{sender._meta.model_name}:{instance.pk}", "sitemap")


def _link_changed(instance, article_id, list_name, list_field, shown_on="article"):
    """A byline, quote or tag on a story: the story's pages (bylines show on
    every card, quotes and tags only on its own page), and the list of the
    author, expert or tag (before and after) if the story is listed."""
    keys = {f"{shown_on}:{article_id}"}
    if _is_listed(article_id):
        before = getattr(instance, "_cache_before", None) or {}
        owners = {getattr(instance, list_field), before.get(list_field)} - {None}
        keys |= {f"list:{list_name}:{pk}" for pk in owners} | {"sitemap"}
    invalidate(*keys)


@receiver(pre_save, sender=Byline, dispatch_uid="caching_byline_before")
def _byline_before(sender, instance, **kwargs):
    _remember(instance, ("author_id",))


@receiver(post_save, sender=Byline, dispatch_uid="caching_byline_saved")
@receiver(post_delete, sender=Byline, dispatch_uid="caching_byline_deleted")
def _byline_changed(sender, instance, **kwargs):
    _link_changed(instance, instance.article_id, "author", "author_id")


@receiver(m2m_changed, sender=Byline, dispatch_uid="caching_bylines_added")
def _bylines_added(sender, instance, action, reverse, pk_set, **kwargs):
    # article.authors.add() writes bylines with bulk_create: no post_save.
    # Removing and clearing delete row by row, so post_delete covers them.
    if action != "post_add" or not pk_set:
        return
    pairs = (
        [(pk, instance.pk) for pk in pk_set] if reverse else [(instance.pk, pk) for pk in pk_set]
    )
    for article_id, author_id in pairs:
        _link_changed(
            Byline(article_id=article_id, author_id=author_id), article_id, "author", "author_id"
        )


@receiver(pre_save, sender=ExpertQuote, dispatch_uid="caching_quote_before")
def _quote_before(sender, instance, **kwargs):
    _remember(instance, ("expert_id",))


@receiver(post_save, sender=ExpertQuote, dispatch_uid="caching_quote_saved")
@receiver(post_delete, sender=ExpertQuote, dispatch_uid="caching_quote_deleted")
def _quote_changed(sender, instance, **kwargs):
    _link_changed(instance, instance.article_id, "expert", "expert_id", "article-page")


@receiver(post_save, sender=TaggedArticle, dispatch_uid="caching_tagging_saved")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="caching_tagging_deleted")
def _tagging_changed(sender, instance, **kwargs):
    # taggit adds with get_or_create and removes with QuerySet.delete(): both signal.
    _link_changed(instance, instance.content_object_id, "tag", "tag_id", "article-page")


@receiver(post_save, sender=Correction, dispatch_uid="caching_correction_saved")
@receiver(post_delete, sender=Correction, dispatch_uid="caching_correction_deleted")
def _correction_changed(sender, instance, **kwargs):
    # The story's page lists its corrections (and its JSON-LD its latest change).
    invalidate(f"article-page:{instance.article_id}")


def links_rewritten(article):
    """For code that rewrites a story's bylines or tags without model signals
    (``bulk_create``): refresh its pages and every list it is now in."""
    keys = {f"article:{article.pk}", f"article-page:{article.pk}"}
    if _is_listed(article.pk):
        keys |= _lists_containing(article.pk) | {"sitemap"}
    invalidate(*keys)
