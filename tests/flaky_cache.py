"""A cache for tests that can be switched off and on again, keeping what it
held (as a frozen Redis does): local memory behind the fail-open mixin."""

import redis
from django.core.cache.backends.locmem import LocMemCache

from newsroom.cache import FailOpenCache


class SwitchableLocMemCache(LocMemCache):
    down = False

    def _answer(self):
        if type(self).down:
            raise redis.ConnectionError("Error 111 connecting to the test cache: refused.")


def _switchable(name):
    def method(self, *args, **kwargs):
        self._answer()
        return getattr(LocMemCache, name)(self, *args, **kwargs)

    method.__name__ = name
    return method


# get_many and set_many too: Django's own would call get/set one key at a time
# through the fail-open layer, which would hide the failure from set_many.
for _name in (
    "add", "get", "set", "touch", "incr", "has_key", "delete", "clear", "get_many", "set_many",
    "delete_many",
):  # fmt: skip
    setattr(SwitchableLocMemCache, _name, _switchable(_name))


class FlakyCache(FailOpenCache, SwitchableLocMemCache):
    pass
