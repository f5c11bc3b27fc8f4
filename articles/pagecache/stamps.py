"""Stamps: when each dependency key last changed.

A cached page is served only while every one of its keys was last stamped
before the page began to render: one ``get_many`` per hit. Comparing times
rather than version tokens closes the race where an edit commits while a page
is rendering: that page began earlier, so it is stale. Keys are stamped after
the write commits (``articles/changes.py``), so a page rendered before the
commit, with the old content, is always older than the stamp.

Scheduled stories need no purge: a list page is kept no later than the moment
the next scheduled story goes live (``next_publication``), checked against
``timezone.now()`` like ``published()`` itself.
"""

import time

from django.core.cache import cache

from ..models import Article
from .dependencies import HOME_LIST

STAMP_PREFIX = "newsroom:stamp:"
NEXT_PUBLICATION_KEY = "newsroom:next-publication"


def invalidate(keys):
    """Mark every page showing one of these keys as stale. Called once per
    transaction, after it commits, by ``articles.changes``."""
    keys = frozenset(keys)
    if not keys:
        return
    cache.set_many({STAMP_PREFIX + key: time.time() for key in keys}, timeout=None)
    if HOME_LIST in keys:
        # A listed story changed: the writer pays for the next publication
        # time, so that readers' cache misses never do.
        _refresh_next_publication()


def stamps_are_older_than(keys, moment):
    stamps = cache.get_many([STAMP_PREFIX + key for key in keys])
    # A missing stamp (never written, or evicted) means "unknown": not fresh.
    return len(stamps) == len(keys) and all(stamp < moment for stamp in stamps.values())


def ensure_stamps(keys, started):
    """Give keys that have never been stamped a stamp just before this render
    began. ``add`` never overwrites a stamp written meanwhile by an edit, and a
    stamp lost to eviction comes back newer than any page rendered before it."""
    stamped = cache.get_many([STAMP_PREFIX + key for key in keys])
    for key in keys:
        if STAMP_PREFIX + key not in stamped:
            cache.add(STAMP_PREFIX + key, started - 1e-6, timeout=None)


def next_publication(now):
    """When the next scheduled story goes live anywhere on the site, or None.

    Every list page (and feed and sitemap) is kept no later than this. It is
    site-wide rather than per list so that a cache miss costs no query for it:
    it is computed when a listed story changes (which stamps ``list:home``) and
    kept in the cache until the next such change or until the moment passes.
    The price: each scheduled publication refreshes every list once, not only
    the lists the story joins."""
    known = cache.get_many([NEXT_PUBLICATION_KEY, STAMP_PREFIX + HOME_LIST])
    entry, stamp = known.get(NEXT_PUBLICATION_KEY), known.get(STAMP_PREFIX + HOME_LIST)
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
    ensure_stamps({HOME_LIST}, computed_at)
    cache.set(NEXT_PUBLICATION_KEY, {"at": at, "computed_at": computed_at}, None)
    return at
