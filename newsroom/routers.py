"""Reads from a read replica, writes to the primary (``DATABASE_REPLICA_URL``).

With a replica configured, the settings install ``PrimaryReplicaRouter`` and
``ReplicaReadsMiddleware``; without one, neither: one database.

Only readers' requests read the replica: a GET or HEAD from someone who is not
staff and whose session has not written lately (``ReplicaReadsMiddleware``
decides). Everything else reads the primary: staff, and so the admin (editors
see their own saves, and the version check and the row lock read what they
are about to overwrite), every POST, and all work outside a request (task
workers, management commands). So does a transaction, which must see its own
writes.

Read-your-writes: a request's first write sends the rest of it to the primary
(the version check's read after its conditional UPDATE, the after-commit hook
reading the story's listing, search indexing when it runs at once), and pins
its session to the primary for ``DATABASE_REPLICA_PIN_SECONDS``, the time the
replica is taken to catch up in. The page cache's share of this is in
``articles/pagecache/pages.py``.

Writes always go to the primary, and so do migrations: the replica gets its
tables by replication.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# The session key holding the time.time() until which the session reads the primary.
PINNED_UNTIL = "newsroom_primary_until"

SAFE_METHODS = ("GET", "HEAD")


@dataclass
class _Reads:
    """Where the current request reads."""

    replica: bool  # the middleware found the request may read the replica
    wrote: bool = False
    primary_blocks: int = 0  # open ``primary()`` blocks

    def from_replica(self):
        return self.replica and not self.wrote and not self.primary_blocks


# One per request; a mutable object, so that a write seen in a copied context
# (a sync view under ASGI) still reaches the request's.
_reads = ContextVar("newsroom_reads", default=None)


def pin_seconds():
    return getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 30)


def reads_replica():
    """Whether a read made here and now would go to the replica."""
    reads = _reads.get()
    return reads is not None and reads.from_replica()


@contextmanager
def primary():
    """Reads in this block go to the primary: for what must see the latest
    commit even while serving a reader."""
    reads = _reads.get()
    if reads is None:
        yield
        return
    reads.primary_blocks += 1
    try:
        yield
    finally:
        reads.primary_blocks -= 1


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or not reads.from_replica():
            return PRIMARY
        # A transaction reads its own writes, in its own snapshot.
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may
        # point at an object read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Decides where each request reads, and pins a session that wrote.

    Placed after ``AuthenticationMiddleware`` (it asks whether the user is
    staff) and inside ``SessionMiddleware`` (its pin is saved with the session).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads = _Reads(replica=self.may_read_replica(request))
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.wrote:
            self.pin(request)
        return response

    def may_read_replica(self, request):
        # Asked before this request's reads are routed: the session and the
        # user come from the primary, so a login a moment ago is found.
        if request.method not in SAFE_METHODS:
            return False
        # No session, nobody to recognise: and no session is touched, so
        # readers' pages stay as cacheable as they are without a replica.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return True
        if request.session.get(PINNED_UNTIL, 0) > time.time():
            return False
        return not request.user.is_staff

    @staticmethod
    def pin(request):
        """A session that wrote reads the primary until the replica has the write.
        A reader without a session is not given one for it (nor one who has just
        logged out): an incidental write while serving a page, a queued task,
        is nothing they read back."""
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            session[PINNED_UNTIL] = time.time() + pin_seconds()
