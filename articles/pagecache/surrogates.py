"""What an edge cache in front (Varnish, Fastly, Cloudflare, a proxy) is told
about each page the page cache serves.

* ``Surrogate-Key`` (Varnish's xkey, Fastly) and ``Cache-Tag`` (Cloudflare):
  the page's declared dependencies under their short edge names
  (``dependencies.edge_key``), plus ``all``. ``articles.edge.purge`` purges
  the same names after a write.
* ``Cache-Control: max-age=0, s-maxage=N, stale-if-error=…``: browsers ask
  again each time (a 304 while the ETag matches); a shared cache may keep the
  page N seconds (``EDGE_TTL``, a day when purges are configured, none
  otherwise) and serve it while the site answers with errors.
  ``Surrogate-Control`` says the same to Fastly, with ``stale-while-revalidate``,
  which is not in ``Cache-Control`` because browsers would obey it and show
  a reader the page from before an edit.
* A list is kept no longer than until the next scheduled publication
  (``s-maxage`` ends then), so a scheduled story appears at its time with no
  purge.
* A page the edge must not keep gets ``s-maxage=0``: a last good copy served
  while the database is down, one that a write changed while it rendered
  (the write's purge may have reached the edge before this page did), and
  one with more keys than the header may carry.
"""

import math

from django.utils import timezone
from django.utils.cache import patch_cache_control

from ..edge.config import edge_config
from .dependencies import EDGE_SITE_KEY, edge_keys

SURROGATE_KEY = "Surrogate-Key"
CACHE_TAG = "Cache-Tag"
SURROGATE_CONTROL = "Surrogate-Control"
EDGE_HEADERS = (SURROGATE_KEY, CACHE_TAG, SURROGATE_CONTROL)
# Fastly and Cloudflare take 16 KB of keys; Varnish's default header limit is 8 KB.
MAX_KEYS_LENGTH = 8000
# How long an edge may serve a page it holds while fetching a newer copy.
STALE_WHILE_REVALIDATE = 30


def add_edge_headers(response, keys, *, valid_until, stale_if_error, keep=True):
    """Tell an edge cache which keys ``response`` carries and how long to keep it.

    ``valid_until``: when the page stops being right on its own (a list, at the
    next scheduled publication), or None. ``keep=False``: the edge must not keep
    this copy at all.
    """
    names = [EDGE_SITE_KEY, *edge_keys(keys)]
    if len(" ".join(names)) > MAX_KEYS_LENGTH:
        names, keep = [EDGE_SITE_KEY], False
    response[SURROGATE_KEY] = " ".join(names)
    response[CACHE_TAG] = ",".join(names)
    patch_cache_control(response, max_age=0, stale_if_error=stale_if_error)
    ttl = edge_config().ttl
    if not ttl:
        return response  # no edge should keep pages: it would never be purged
    if not keep:
        ttl = 0
    elif valid_until is not None:
        # Rounded down: an edge's copy expires before the story goes live, never after.
        left = math.floor((valid_until - timezone.now()).total_seconds())
        ttl = max(0, min(ttl, left))
    patch_cache_control(response, s_maxage=ttl)
    response[SURROGATE_CONTROL] = (
        f"max-age={ttl}, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={stale_if_error}"
    )
    return response


def copy_edge_headers(source, response):
    """A 304 answers for the page: an edge that revalidates its copy keeps the keys."""
    for name in EDGE_HEADERS:
        if source.has_header(name):
            response[name] = source[name]
    return response
