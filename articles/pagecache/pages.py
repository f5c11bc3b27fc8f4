"""The page cache around public views: anonymous readers get a stored copy
until something the page declared it shows changes.

Conditional GET: every cached page carries a strong ETag (a hash of its bytes)
and a Last-Modified (when it was rendered). HTTP dates have one-second
resolution, so a client sending only If-Modified-Since can miss a change made
in the same second as its copy was rendered; browsers also send If-None-Match,
which wins, and the ETag is exact.

Stale-if-error: each page stored is also kept as the page's *last good copy*,
under a key of its own with a much longer expiry
(``NEWSROOM_STALE_PAGE_SECONDS``, a week), which no invalidation touches.
When the page must be rendered and the database cannot be reached, readers
get that copy, however old, marked with ``Age``, ``Warning: 110`` and
``X-Cache: stale``, instead of an error; a page never stored raises on to the
503 page (``newsroom/outages.py``). Every cached page says
``Cache-Control: stale-if-error`` so that a CDN in front may do the same.

With a read replica (``newsroom/routers.py``), a reader's miss renders from
the replica, which may not have the latest commits yet: the page is kept as
if rendered ``DATABASE_REPLICA_PIN_SECONDS`` earlier, so that a change made in
that time leaves it stale, and a page whose keys changed within that time is
rendered from the primary. One render after a change brings a page up to date.
"""

import hashlib
import math
import re
import time
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode

from newsroom import routers
from newsroom.outages import DATABASE_UNREACHABLE, database

from .dependencies import BANNER, story_list
from .stamps import (
    banner_changes_at,
    ensure_stamps,
    next_publication,
    stamped_since,
    stamps_are_older_than,
)
from .surrogates import add_edge_headers, copy_edge_headers

PAGE_PREFIX = "newsroom:page:2:"  # bump the number if CachedPage changes shape
LAST_GOOD_PREFIX = "newsroom:last-good:2:"  # the same CachedPage
CACHE_HEADER = "X-Cache"
# Page-number values worth a cache entry: real page numbers. Anything else is
# served (forgivingly) but not stored, so junk URLs cannot fill the cache.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def page_cache_seconds():
    return getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 600)


def last_good_copy_seconds():
    return getattr(settings, "NEWSROOM_STALE_PAGE_SECONDS", 7 * 24 * 3600)


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
        return stamps_are_older_than(self.keys, self.rendered_at)

    def to_response(self):
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def page_cache_key(request, query_params):
    """The page's address without the port: a proxy that connects on another
    port (or names it in the Host header) asks for the same page."""
    query = urlencode(sorted((name, request.GET.getlist(name)) for name in query_params), True)
    host, _port = split_domain_port(request.get_host())
    url = f"{request.scheme}://{host}{request.path}?{query}"
    return PAGE_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def last_good_key(key):
    return LAST_GOOD_PREFIX + key.removeprefix(PAGE_PREFIX)


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


def with_validators(request, response, page, state, keep_at_edge=True):
    """ETag, Last-Modified, a cache-state header and the edge's headers; a
    matching conditional request gets 304 Not Modified instead of the page."""
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.rendered_at)
    response[CACHE_HEADER] = state
    # Browsers may keep the page but must ask again each time: a 304 is cheap.
    # A cache in front may serve its copy while we answer with errors, and an
    # edge keeps it until a purge of one of its keys (surrogates.py).
    add_edge_headers(
        response,
        page.keys,
        valid_until=page.valid_until,
        stale_if_error=last_good_copy_seconds(),
        keep=keep_at_edge,
    )
    conditional = get_conditional_response(
        request, etag=page.etag, last_modified=int(page.rendered_at), response=response
    )
    return copy_edge_headers(response, conditional)


def serve_cached(request, query_params, render, dependencies_of):
    """The page cache around one request.

    ``render()`` produces the response; ``dependencies_of(response)`` returns
    the page's declared ``Dependencies``, or None if it must not be stored.
    """
    if not is_cacheable_request(request, query_params):
        return render()
    key = page_cache_key(request, query_params)
    page = cache.get(key)
    if page is not None and page.is_fresh():
        return with_validators(request, page.to_response(), page, "hit")

    # A page changed within the replica's lag renders from the primary (see above).
    from_replica = routers.reads_replica() and not (
        page is not None and stamped_since(page.keys, time.time() - routers.pin_seconds())
    )
    started, now = time.time(), timezone.now()
    try:
        with nullcontext() if from_replica else routers.primary():
            response = render()
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
    except DATABASE_UNREACHABLE as error:
        last_good = page or cache.get(last_good_key(key))
        # A read replica that failed: the outage middleware runs the view again
        # on the primary, and only what fails there gets the last good copy.
        if last_good is None or from_replica:
            raise
        database.failed(error)
        return serve_last_good_copy(request, last_good)
    dependencies = dependencies_of(response) if is_storable_response(request, response) else None
    if dependencies is None:
        response[CACHE_HEADER] = "miss"
        return response
    if from_replica:
        # The replica may lag: the page is kept as if rendered that much
        # earlier, so a change committed in that time still makes it stale.
        started -= routers.pin_seconds()
    try:
        page = keep(key, response, dependencies, started, now)
    except DATABASE_UNREACHABLE as error:  # gone since the page rendered: serve it, unkept
        database.failed(error)
        response[CACHE_HEADER] = "miss"
        return response
    # A write that committed while this page rendered has sent its purge to the
    # edge already, maybe before this page gets there: the edge must not keep it.
    return with_validators(
        request, response, page, "miss", keep_at_edge=not stamped_since(page.keys, started)
    )


def keep(key, response, dependencies, started, now):
    """Store a rendered page, and as its last good copy."""
    # Stamps first: the lookups below then find the keys the page shows stamped
    # as of before it rendered, and keep their answers.
    ensure_stamps(dependencies.keys, started)
    valid_until = valid_until_of(dependencies, now)
    timeout = page_cache_seconds()
    if valid_until is not None:
        timeout = min(timeout, max(1, math.ceil((valid_until - now).total_seconds())))
    page = CachedPage(
        content=response.content,
        status=response.status_code,
        headers=list(response.items()),
        keys=dependencies.keys,
        rendered_at=started,
        valid_until=valid_until,
        etag=f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
    )
    cache.set(key, page, timeout)
    cache.set(last_good_key(key), page, last_good_copy_seconds())
    return page


def valid_until_of(dependencies, now):
    """When a page stops being right by itself, with no edit: a list when the
    next scheduled story goes live, a page with the banner when the banner ends
    (or appears: one that waits for its story's release)."""
    moments = []
    if dependencies.is_list:
        moments.append(next_publication(now))
    if BANNER in dependencies.keys:
        moments.append(banner_changes_at(now))
    return min((moment for moment in moments if moment is not None), default=None)


def serve_last_good_copy(request, page):
    """A page the database cannot refresh now, however old, saying so."""
    response = page.to_response()
    response["Age"] = str(max(0, int(time.time() - page.rendered_at)))
    response["Warning"] = '110 - "Response is Stale"'
    return with_validators(request, response, page, "stale", keep_at_edge=False)


class CachedPageMixin:
    """For public class-based views: serve anonymous readers from the cache
    until something the page shows changes, with ETag/Last-Modified and 304s.

    Each view declares what its page shows in ``get_dependencies(context)``,
    built with ``articles.pagecache.dependencies``.
    """

    cache_query_params = ("page",)

    def get_dependencies(self, context):
        raise ImproperlyConfigured(
            f"{type(self).__name__} is page-cached but does not declare what it shows: "
            "define get_dependencies(context)."
        )

    def dispatch(self, request, *args, **kwargs):
        return serve_cached(
            request,
            self.cache_query_params,
            lambda: super(CachedPageMixin, self).dispatch(request, *args, **kwargs),
            self._dependencies_of,
        )

    def _dependencies_of(self, response):
        context = getattr(response, "context_data", None) or {}
        # ``?page=99`` of a three-page list shows page 3: serve it, don't keep it.
        requested, page_obj = self.request.GET.get("page"), context.get("page_obj")
        if requested is not None and (page_obj is None or str(page_obj.number) != requested):
            return None
        return self.get_dependencies(context)


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
                lambda response: self.get_dependencies(**shown) if shown else None,
            )
        finally:
            _feed_shown.reset(token)

    # The per-feed and per-entry hooks of ``Feed.get_feed`` record what the
    # feed shows (``items()`` itself is the feeds' own business).
    def feed_extra_kwargs(self, obj):
        if (shown := _feed_shown.get()) is not None:
            shown.update(owner=obj, entries=[])
        return super().feed_extra_kwargs(obj)

    def item_extra_kwargs(self, item):
        if (shown := _feed_shown.get()) is not None:
            shown["entries"].append(item)
        return super().item_extra_kwargs(item)

    def get_dependencies(self, owner, entries):
        return story_list(entries, owner, with_tags=True, nav=False)


def cached_for_readers(view, dependencies_of):
    """The page cache for a function view (sitemaps); ``dependencies_of(request,
    **kwargs)`` declares what the page it renders shows."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_cached(
            request,
            ("p",),  # sitemaps paginate with ?p=
            lambda: view(request, *args, **kwargs),
            lambda response: dependencies_of(request, **kwargs),
        )

    return wrapper
