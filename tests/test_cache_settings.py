"""``CACHE_URL``: the caches the site knows, "no page cache" as a setting, and
an unknown value as a startup error rather than a silent local-memory cache."""

import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings.base import caches_from_url
from tests.factories import make_article
from tests.test_production import ROOT, production_env

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, backend",
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://10.0.0.5:6379/0", "newsroom.cache.FailOpenRedisCache"),
        ("rediss://cache.internal:6380/1", "newsroom.cache.FailOpenRedisCache"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
    ],
)
def test_each_known_cache_url_gives_its_backend(url, backend):
    assert caches_from_url(url)["default"]["BACKEND"] == backend


@pytest.mark.parametrize("url", ["memcached://10.0.0.5:11211", "dummy", "redis:/x", ""])
def test_an_unknown_cache_url_is_an_error_naming_the_choices(url):
    with pytest.raises(ImproperlyConfigured, match=r"CACHE_URL=.*redis://.*dummy://"):
        caches_from_url(url)


def test_the_site_refuses_to_start_with_an_unknown_cache_url(tmp_path):
    env = production_env(tmp_path, CACHE_URL="memcache://10.0.0.5:11211")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "memcache://10.0.0.5:11211" in result.stderr


@pytest.fixture
def no_page_cache(settings):
    settings.CACHES = caches_from_url("dummy://")


def test_with_no_page_cache_every_page_is_rendered_and_edits_show_at_once(client, no_page_cache):
    story = make_article(headline="First words")
    url = story.get_absolute_url()
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response["X-Cache"] == "miss"
        assert "First words" in response.content.decode()
    story.headline = "Second words"
    story.save()
    assert "Second words" in client.get(url).content.decode()
    home = client.get("/")
    assert home.status_code == 200 and "Second words" in home.content.decode()
    # An edge in front is still told what the pages show.
    assert f"a{story.pk}" in home["Surrogate-Key"].split()


def test_after_a_cache_clear_the_home_page_is_stored_by_its_first_render(client):
    make_article(published_at=None, status="draft")  # nothing scheduled, nothing listed
    make_article()
    cache.clear()
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"
