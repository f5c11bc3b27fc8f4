"""Purging the edge cache in front of the site (Varnish, Fastly, Cloudflare).

Pages carry their declared dependencies as surrogate keys
(``articles/pagecache/surrogates.py``). After a write commits,
``articles.changes.apply_changes`` calls ``purge(keys)`` with exactly the
keys it changed, once it has invalidated the page cache: the edge's next
request for a purged page then meets a fresh page here, not the old one.

A purge never fails the write that caused it. An edge that refuses or does
not answer is logged once (and again once it answers), and the keys stay
*pending* in this process: the next purge sends them too. While it is down,
purges are not tried for ``RETRY_AFTER`` seconds, so saves do not each wait
for its timeout. The desk shows the outage.
"""

import threading

from newsroom.outages import Outage

from ..pagecache.dependencies import edge_keys
from .backends import PurgeFailed, purger
from .config import edge_config

RETRY_AFTER = 5.0  # seconds without purge attempts after a failure

_pending = set()  # edge keys (``a12``) not yet purged
_pending_lock = threading.Lock()
_outages = {}


def outage_for(config):
    """One ``Outage`` per configured edge and process."""
    where = config.describe()
    if where not in _outages:
        _outages[where] = Outage(
            f"The edge cache ({where})",
            "readers may get pages from before recent changes; the purges are kept "
            "and sent with the next change once it answers",
            skip_for=RETRY_AFTER,
        )
    return _outages[where]


def purge(keys):
    """Purge from the edge every page that carries one of these dependency keys
    (``article:12``), and any keys still pending. Never raises."""
    send(edge_keys(keys))


def send(names, soft=True):
    """Purge these edge keys (``a12``), and any pending. True if the edge took them."""
    config = edge_config()
    target = purger(config)
    if target is None:
        return True
    with _pending_lock:
        batch = sorted(_pending.union(names))
        _pending.clear()
    if not batch:
        return True
    outage = outage_for(config)
    if not outage.available():
        _keep(batch)
        return False
    try:
        target.purge(batch, soft=soft)
    except PurgeFailed as error:
        _keep(batch)
        outage.failed(error)
        return False
    outage.succeeded()
    return True


def _keep(names):
    with _pending_lock:
        _pending.update(names)


def pending_purges():
    """The edge keys this process has yet to purge."""
    with _pending_lock:
        return frozenset(_pending)


def unreachable_edges():
    """The edge's ``Outage`` while its purges fail, for the desk's health line."""
    return [outage for outage in _outages.values() if outage.is_down]
