"""The cache fails open: a cache that does not answer is a cache miss.

The cache only makes the site faster, so it must never be what stops it.
``FailOpenRedisCache`` is Django's Redis backend with these differences:

* every call gives up after the socket timeouts of ``CACHES["default"]
  ["OPTIONS"]`` (100 ms in the settings), and redis-py makes no retries;
* any Redis error is a miss: ``get`` returns the default, ``get_many`` finds
  nothing, ``add``/``set``/``delete`` do nothing, and ``set_many`` returns
  every key as not stored (Django's contract for keys that failed, which the
  page cache reads to keep the invalidations it could not write, see
  ``articles/pagecache/stamps.py``);
* after a failure the cache is skipped for ``SKIP_FOR`` seconds (each call is
  an instant miss), then the next call probes it: with Redis stopped or frozen
  no request waits more than one timeout, and few wait at all;
* the outage is logged once when it starts and once when it ends.

Pages render from the database meanwhile, and saves commit as usual.
"""

from urllib.parse import urlsplit

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from .outages import Outage

SKIP_FOR = 1.0  # seconds
HEALTH_KEY = "newsroom:health"

_outages = {}


def _outage_for(location):
    """One ``Outage`` per cache server and process, shared by every thread's
    backend instance (Django makes one per thread)."""
    if location not in _outages:
        parts = urlsplit(location) if "://" in location else None
        # Never a password from the URL in the log.
        where = f"{parts.hostname}:{parts.port or 6379}" if parts else location
        _outages[location] = Outage(
            f"The cache ({where})",
            "pages are rendered from the database and saves go on; "
            "page invalidations are kept and written when it is back",
            skip_for=SKIP_FOR,
        )
    return _outages[location]


class FailOpenCache:
    """Mixin for a cache backend whose errors (``redis.RedisError``) are misses."""

    def __init__(self, location, params):
        super().__init__(location, params)
        self.outage = _outage_for(str(location))

    def _fail_open(self, miss, operation, *args):
        if not self.outage.available():
            return miss
        try:
            result = operation(*args)
        except redis.RedisError as error:
            self.outage.failed(error)
            return miss
        self.outage.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._fail_open(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._fail_open({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._fail_open(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._fail_open(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        result = self._fail_open(None, super().incr, key, delta, version)
        if result is None:  # as for a key that is not there
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def clear(self):
        return self._fail_open(False, super().clear)


class FailOpenRedisCache(FailOpenCache, RedisCache):
    """``CACHE_URL=redis://…``: Django's Redis cache, failing open."""


def unreachable_caches():
    """The ``Outage`` of each configured cache that does not answer now, for
    the health line on the desk. Asks each (one short call, or none while it
    is known to be down)."""
    down = []
    for alias in caches:
        backend = caches[alias]
        outage = getattr(backend, "outage", None)
        if outage is None:
            continue  # a backend that cannot fail (local memory)
        backend.has_key(HEALTH_KEY)
        if outage.is_down:
            down.append(outage)
    return down
