"""What the site does while a service it depends on does not answer.

* ``Outage``: one service's state as this process sees it. It logs one line
  when the service stops answering and one when it answers again (a 20-second
  outage is two lines in the log, not a traceback per request), and can tell
  callers to skip a service known to be down for a moment.
* The cache (``newsroom/cache.py``) fails open: an error is a miss.
* The database: ``DatabaseOutageMiddleware`` runs a GET or HEAD whose
  connection had dropped once more on a new connection (what a PostgreSQL
  restart does to persistent connections that a health check could not catch
  in time), reading the primary where it read a read replica, and answers
  what still fails with the 503 page and a ``Retry-After``. The page cache
  answers first with its last good copy of the page when it has one
  (``articles/pagecache/pages.py``).
"""

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from .routers import primary

logger = logging.getLogger(__name__)

# What a refused, dropped or broken database connection raises (the driver's
# errors arrive wrapped as Django's). Other database errors are bugs: a 500.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
SAFE_METHODS = ("GET", "HEAD")
# What the 503 page asks clients to wait: a restart or failover takes seconds.
RETRY_AFTER_SECONDS = 30


class Outage:
    """One service's health in this process.

    ``failed()`` and ``succeeded()`` are told about every call; they log the
    start and the end of an outage once each. With ``skip_for`` seconds,
    ``available()`` is False for that long after each failure, so that no
    request waits on a service known to be down; the first call after that
    probes it again.
    """

    def __init__(self, name, consequence, skip_for=0.0):
        self.name = name
        self.consequence = consequence
        self.skip_for = skip_for
        self.down_since = None  # time.time() of the outage's first failure
        self.failures = 0
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self):
        return self.down_since is not None

    @property
    def since(self):
        """When the outage began, as an aware datetime (None while up)."""
        down_since = self.down_since
        return None if down_since is None else datetime.fromtimestamp(down_since, tz=UTC)

    def available(self):
        return self.down_since is None or time.monotonic() >= self._retry_at

    def failed(self, error):
        with self._lock:
            self.failures += 1
            self._retry_at = time.monotonic() + self.skip_for
            if self.down_since is not None:
                return
            self.down_since = time.time()
        logger.warning(
            "%s is unreachable (%s: %s); %s.",
            self.name,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "no detail",
            self.consequence,
        )

    def succeeded(self):
        if self.down_since is None:  # the common case: no lock
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds, failures = time.time() - self.down_since, self.failures
            self.down_since, self.failures = None, 0
        logger.warning(
            "%s is reachable again after %.1f s (%d failed calls).", self.name, seconds, failures
        )


database = Outage(
    "The database",
    "readers get the last good copy of cached pages, other requests the 503 page",
)


def _connected(sender, connection, **kwargs):
    database.succeeded()


connection_created.connect(_connected, dispatch_uid="newsroom-outages-database-connected")


def service_unavailable():
    """The 503 page. Like the 500 page it needs no database and no context
    processor: the database is what is missing."""
    content = loader.get_template("503.html").render({"site_name": settings.NEWSROOM_SITE_NAME})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # The outage is logged once (``database``), not once per request: Django's
    # request logger skips responses marked as logged already.
    response._has_been_logged = True
    return response


def drop_connections():
    """Close the connections a failure may have left broken, so that the next
    query opens a new one. A connection inside a transaction is left to the
    code that opened it: only that code can tell what to redo."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            with contextlib.suppress(DatabaseError):
                connection.close()


class DatabaseOutageMiddleware:
    """A view that fails because the database cannot be reached: a GET or HEAD
    runs once more on a new connection (reads are safe to repeat; writes are
    not, as the first attempt may have committed); what still fails gets the
    503 page with ``Retry-After`` instead of a 500 and a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNREACHABLE):
            return None
        database.failed(exception)
        if request.method in SAFE_METHODS and request.resolver_match is not None:
            drop_connections()
            try:
                return self._run_view_again(request)
            except DATABASE_UNREACHABLE as again:
                database.failed(again)
        return service_unavailable()

    @staticmethod
    def _run_view_again(request):
        match = request.resolver_match
        # On the primary: what failed may have been a read replica (newsroom/routers.py).
        with primary():
            response = match.func(request, *match.args, **match.kwargs)
            # Render here, where a failure can still be caught, rather than in the handler.
            if callable(getattr(response, "render", None)):
                response = response.render()
        return response
