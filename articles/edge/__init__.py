"""Purging the edge cache in front of the site (Varnish, Fastly, Cloudflare).

Pages carry their declared dependencies as surrogate keys
(``articles/pagecache/surrogates.py``). After a write commits,
``articles.changes.apply_changes`` invalidates the page cache and then asks
for a purge of exactly the keys it changed: the ``purge_edge`` task
(``articles/tasks.py``), which calls ``purge(keys)`` here. The edge's next
request for a purged page then meets a fresh page, not the old one.

A purge never fails the write that caused it: it runs after the commit, and

* with a worker (``TASKS_BACKEND=database``), a purge the edge refuses or
  does not answer raises ``PurgeFailed`` in the worker; the queue tries it
  again after each of ``tasks.RETRY_DELAYS``, and the desk counts the purges
  waiting for a try and those that failed after every try;
* run at once (no worker), nothing would try it again: ``purge_or_keep``
  keeps the keys *pending* in this process and sends them with its next
  purge, and the desk says the edge does not answer.

An edge that fails is logged once (and again once it answers), and for
``RETRY_AFTER`` seconds this process does not try it, so that saves, or a
worker's jobs, do not each wait for its timeout.
"""

import threading

from newsroom.outages import Outage

from ..pagecache.dependencies import edge_keys
from .backends import PurgeFailed, purger
from .config import edge_config

__all__ = ["PurgeFailed", "purge", "purge_or_keep", "send"]

RETRY_AFTER = 5.0  # seconds without purge attempts after a failure

_pending = set()  # edge keys (``a12``) not yet purged, when purges run at once
_pending_lock = threading.Lock()
_outages = {}


def outage_for(config):
    """One ``Outage`` per configured edge and process."""
    where = config.describe()
    if where not in _outages:
        _outages[where] = Outage(
            f"The edge cache ({where})",
            "readers may get pages from before recent changes; the purges are kept "
            "and sent again once it answers",
            skip_for=RETRY_AFTER,
        )
    return _outages[where]


def purge(keys, soft=True):
    """Purge from the edge every page that carries one of these dependency keys
    (``article:12``). ``PurgeFailed`` unless the edge took them all."""
    send(edge_keys(keys), soft=soft)


def purge_or_keep(keys):
    """``purge``, for a purge run in the process that saved (no worker): the
    keys of earlier purges that failed go too, and when the edge does not take
    them all they are kept for the next one. Never raises."""
    with _pending_lock:
        batch = _pending.union(edge_keys(keys))
        _pending.clear()
    try:
        send(batch)
    except PurgeFailed:
        with _pending_lock:
            _pending.update(batch)


def send(names, soft=True):
    """Purge these edge keys (``a12``): ``PurgeFailed`` unless the edge took
    them all, or when it failed less than ``RETRY_AFTER`` seconds ago."""
    config = edge_config()
    target = purger(config)
    if target is None or not names:
        return
    outage = outage_for(config)
    if not outage.available():
        raise PurgeFailed(f"{config.describe()} failed less than {RETRY_AFTER:g} s ago: not tried")
    try:
        target.purge(sorted(names), soft=soft)
    except PurgeFailed as error:
        outage.failed(error)
        raise
    outage.succeeded()


def pending_purges():
    """The edge keys this process has yet to purge (purges run at once)."""
    with _pending_lock:
        return frozenset(_pending)


def unreachable_edges():
    """The edge's ``Outage`` while its purges fail, for the desk's health line."""
    return [outage for outage in _outages.values() if outage.is_down]
