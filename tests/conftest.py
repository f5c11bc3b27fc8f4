import pytest

from tests.factories import make_staff


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_staff("chief", superuser=True))
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: on CI the cache is a shared Redis."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
