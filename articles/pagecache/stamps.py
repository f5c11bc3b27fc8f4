"""Stamps: when each dependency key last changed.

A cached page is served only while every one of its keys was last stamped
before the page began to render: one ``get_many`` per hit. Comparing times
rather than version tokens closes the race where an edit commits while a page
is rendering: that page began earlier, so it is stale. Keys are stamped after
the write commits (``articles/changes.py``), so a page rendered before the
commit, with the old content, is always older than the stamp.

Scheduled stories need no purge: a list page is kept no later than the moment
the next scheduled story goes live (``next_publication``), checked against
``timezone.now()`` like ``published()`` itself. Likewise a page showing a
breaking-news banner with an end time is kept no later than that time
(``shown_banner``).

Invalidations are not lost to a cache outage. The cache fails open
(``newsroom/cache.py``): stamps it cannot write come back from ``set_many``
as not stored, and this process keeps their keys as *owed*. Owed keys are
written with the next invalidation, by a background thread that tries every
half second while any are owed, and once more when the process exits; each
is stamped with the time it is finally written. Every page rendered before
the write is older than that stamp, so once the cache answers again, stale
pages can be served for a second or two at most (until the thread's next
try). A cache that restarted empty has no stamps at all, which means "not
fresh" too. Only a process killed while it still owes keys loses them; the
page entries' own expiry (``NEWSROOM_PAGE_CACHE_SECONDS``) bounds that case.
"""

import atexit
import logging
import threading
import time
from datetime import timedelta

from django.core.cache import cache

from newsroom.routers import primary

from ..models import Article, Banner
from .dependencies import BANNER, HOME_LIST

STAMP_PREFIX = "newsroom:stamp:"
NEXT_PUBLICATION_KEY = "newsroom:next-publication"
SHOWN_BANNER_KEY = "newsroom:shown-banner"
RETRY_OWED_EVERY = 0.5  # seconds
HIDDEN_BANNER_RECHECK = timedelta(minutes=1)

logger = logging.getLogger(__name__)

_owed = {}  # key -> when the cache last failed to take its stamp
_owed_lock = threading.Lock()
_retrying = False  # a thread is writing the owed keys


def invalidate(keys):
    """Mark every page showing one of these keys as stale. Called once per
    transaction, after it commits, by ``articles.changes``."""
    keys = frozenset(keys)
    if keys and _stamp(keys) and HOME_LIST in keys:
        # A listed story changed: the writer pays for the next publication
        # time, so that readers' cache misses never do.
        _refresh_next_publication()


def _stamp(keys):
    """Stamp ``keys``, and any keys owed, now. True if the cache took them;
    if not, they are all owed. Owed keys stay owed until written."""
    with _owed_lock:
        owed = frozenset(_owed)
    keys = keys | owed
    if not keys:
        return True
    now = time.time()
    if cache.set_many({STAMP_PREFIX + key: now for key in keys}, timeout=None):
        _owe(keys)  # set_many returned the keys it could not store
        return False
    if owed:
        with _owed_lock:
            # Not a key that failed again, in another thread, after this stamp.
            paid = [key for key in owed if _owed.get(key, now + 1) <= now]
            for key in paid:
                del _owed[key]
        if paid:
            logger.warning("The cache took the %d page invalidations it was owed.", len(paid))
    return True


def _owe(keys):
    global _retrying
    failed_at = time.time()
    with _owed_lock:
        _owed.update(dict.fromkeys(keys, failed_at))
        if _retrying:
            return
        _retrying = True
    logger.warning(
        "Page invalidations could not reach the cache; this process keeps them and "
        "writes them when it answers again."
    )
    threading.Thread(target=_retry_owed, name="newsroom-owed-stamps", daemon=True).start()


def _retry_owed():
    global _retrying
    while True:
        time.sleep(RETRY_OWED_EVERY)
        with _owed_lock:
            if not _owed:
                _retrying = False
                return
        _stamp(frozenset())


def owed_invalidations():
    """The keys this process has yet to stamp."""
    with _owed_lock:
        return frozenset(_owed)


atexit.register(_stamp, frozenset())


def stamps_are_older_than(keys, moment):
    stamps = cache.get_many([STAMP_PREFIX + key for key in keys])
    # A missing stamp (never written, or evicted) means "unknown": not fresh.
    return len(stamps) == len(keys) and all(stamp < moment for stamp in stamps.values())


def stamped_since(keys, moment):
    """Whether a write stamped one of ``keys`` at ``moment`` or later. Unlike
    freshness, a missing stamp (no cache, or none that answers) says nothing
    happened: this asks about writes seen, not about proof of their absence."""
    stamps = cache.get_many([STAMP_PREFIX + key for key in keys])
    return any(stamp >= moment for stamp in stamps.values())


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
    # From the primary: a story scheduled a moment ago may not be on a read
    # replica yet, and an answer without it would be kept until the next change.
    with primary():
        at = Article.objects.next_publication_time(after=now)
    ensure_stamps({HOME_LIST}, computed_at)
    cache.set(NEXT_PUBLICATION_KEY, {"at": at, "computed_at": computed_at}, None)
    return at


def shown_banner(now):
    """The breaking-news banner readers see now, or None.

    Every reader page shows it, so a render asks the cache, not the database:
    the banner found is kept until the banner stamp moves (a banner saved or
    deleted) or until its end time passes, whichever comes first. With no
    stamp yet the database is asked every time; the first page kept stamps
    it (``ensure_stamps``) as of before its render, hence before this lookup."""
    known = cache.get_many([SHOWN_BANNER_KEY, STAMP_PREFIX + BANNER])
    entry, stamp = known.get(SHOWN_BANNER_KEY), known.get(STAMP_PREFIX + BANNER)
    if entry is not None and stamp is not None and stamp < entry["computed_at"]:
        banner, recheck_at = entry["banner"], entry.get("recheck_at")
        if (banner is None or banner.ends_at is None or now < banner.ends_at) and (
            recheck_at is None or now < recheck_at
        ):
            return banner
    computed_at = time.time()
    banner = Banner.objects.showing(now).first()
    entry = {"banner": banner, "computed_at": computed_at, "recheck_at": None}
    entry["story_slug"] = banner.story_slug if banner is not None else None
    if banner is not None and (story := banner.story_not_yet_public()) is not None:
        # It leads to a story under embargo (or not yet live): asked again when
        # the story is due, or soon for one that has no time.
        entry.update(banner=None, recheck_at=story.goes_live_at or now + HIDDEN_BANNER_RECHECK)
    cache.set(SHOWN_BANNER_KEY, entry, None)
    return entry["banner"]


def banner_changes_at(now):
    """When what the banner line shows changes by itself: the shown banner's
    end, or the release of the story a waiting banner leads to. None: never."""
    banner = shown_banner(now)
    if banner is not None:
        return banner.ends_at
    entry = cache.get(SHOWN_BANNER_KEY)
    return entry.get("recheck_at") if entry is not None else None


def banner_leads_to(article_pks):
    """Whether the banner readers were last shown (or that waits for its story)
    leads to one of these stories: their going live or off the site changes it.
    Asks the database only when the banner leads to a story at all."""
    entry = cache.get(SHOWN_BANNER_KEY)
    slug = entry.get("story_slug") if entry is not None else None
    return slug is not None and Article.objects.filter(pk__in=article_pks, slug=slug).exists()
