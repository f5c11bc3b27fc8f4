"""When the cache or the database stops answering: readers still get pages,
saves still commit and say so, and nothing stale outlives the outage.

The cache fails open (newsroom/cache.py); the page cache keeps a last good
copy of each page for when the database is unreachable, and the database
middleware retries reads and answers the rest with a 503 (newsroom/outages.py).
The same faults on real servers, under load, are in tests/faults/."""

import contextlib
import socket
import time
import uuid

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article
from articles.pagecache import stamps
from articles.pagecache.pages import page_cache_key
from newsroom import outages
from tests.factories import make_article
from tests.flaky_cache import FlakyCache
from tests.test_admin import article_form_data
from tests.workflow_helpers import change_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_answers():
    """The tests' one connection is never reopened, which is what ends an
    outage in production (``connection_created``): end it by hand."""
    outages.database.succeeded()
    yield
    outages.database.succeeded()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def use_cache(settings):
    """Point the site at another cache for one test. Invalidations it was
    owed are dropped before the usual cache comes back, so that they do not
    land there."""

    def use(backend, location, **options):
        settings.CACHES = {
            "default": {"BACKEND": backend, "LOCATION": location, "OPTIONS": options}
        }

    yield use
    with stamps._owed_lock:
        stamps._owed.clear()


@pytest.fixture
def redis_at_a_closed_port(use_cache):
    use_cache(
        "newsroom.cache.FailOpenRedisCache",
        f"redis://127.0.0.1:{free_port()}/0",
        socket_connect_timeout=0.1,
        socket_timeout=0.1,
    )


@pytest.fixture
def redis_that_never_answers(use_cache):
    """A port that accepts connections (the kernel does, into the backlog) and
    never answers: what a frozen Redis looks like to its clients."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        use_cache(
            "newsroom.cache.FailOpenRedisCache",
            f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
            socket_connect_timeout=0.1,
            socket_timeout=0.1,
        )
        yield


@pytest.fixture
def flaky_cache(use_cache):
    """A cache that keeps its contents while "down"; ``flaky_cache.down = True``."""
    use_cache("tests.flaky_cache.FlakyCache", f"flaky-{uuid.uuid4()}")
    yield FlakyCache
    FlakyCache.down = False


def outage_warnings(caplog, name):
    return [r for r in caplog.records if name in r.getMessage() and "unreachable" in r.getMessage()]


def timed_get(client, url, **extra):
    started = time.monotonic()
    response = client.get(url, **extra)
    return response, time.monotonic() - started


# --- The cache fails open, fast -------------------------------------------------


@pytest.mark.parametrize("cache", ["redis_at_a_closed_port", "redis_that_never_answers"])
def test_pages_render_from_the_database_quickly_when_the_cache_does_not_answer(
    request, client, caplog, cache
):
    request.getfixturevalue(cache)
    article = make_article(headline="Harbour reopens")
    for url in ["/", article.get_absolute_url()] * 4:
        response, seconds = timed_get(client, url)
        assert response.status_code == 200
        assert response["X-Cache"] == "miss"
        assert seconds < 1.0, (url, seconds)
    assert "Harbour reopens" in response.content.decode()
    # One line for the whole outage, and no traceback.
    warnings = outage_warnings(caplog, "The cache")
    assert len(warnings) == 1
    assert warnings[0].exc_info is None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_save_while_the_cache_is_down_commits_and_reports_success(superuser_client, flaky_cache):
    article = make_article(status=Article.Status.DRAFT)
    flaky_cache.down = True
    data = article_form_data(
        article.section, headline="Saved while the cache was down", slug=article.slug
    )
    response = superuser_client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.headline == "Saved while the cache was down"
    assert stamps.owed_invalidations()  # kept for when the cache is back


def test_invalidations_the_cache_missed_are_written_when_it_answers_again(client, flaky_cache):
    article = make_article(headline="First version")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    flaky_cache.down = True
    article.headline = "Second version"
    article.save()  # its invalidation cannot reach the cache
    assert stamps.owed_invalidations()
    flaky_cache.down = False  # back, with the old page still in it

    deadline = time.monotonic() + 5
    while stamps.owed_invalidations() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not stamps.owed_invalidations()
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert "Second version" in response.content.decode()


def test_the_desk_says_when_the_cache_is_unreachable(superuser_client, redis_at_a_closed_port):
    content = superuser_client.get(reverse("admin:index")).content.decode()
    assert "has not answered since" in content
    assert "pages are rendered from the database" in content


def test_the_desk_says_nothing_while_the_cache_answers(superuser_client):
    content = superuser_client.get(reverse("admin:index")).content.decode()
    assert "has not answered since" not in content


# --- Stale-if-error ---------------------------------------------------------------


@contextlib.contextmanager
def database_unreachable(failures=None):
    """Every query fails as with a dropped connection; or only the first
    ``failures`` of them. Yields the number of queries tried, in a list."""
    real_execute = CursorWrapper.execute
    tried = [0]

    def execute(self, sql, params=None):
        tried[0] += 1
        if failures is None or tried[0] <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", execute)
        yield tried


def test_a_reader_gets_the_last_good_copy_of_a_changed_page_while_the_database_is_down(
    client, caplog
):
    article = make_article(headline="Before the edit")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    article.headline = "After the edit"
    article.save()  # the cached page is now stale

    with database_unreachable():
        response = client.get(url)

    assert response.status_code == 200
    assert "Before the edit" in response.content.decode()
    assert response["X-Cache"] == "stale"
    assert response["Warning"] == '110 - "Response is Stale"'
    assert int(response["Age"]) >= 0
    assert "stale-if-error=" in response["Cache-Control"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_the_last_good_copy_outlives_the_page_cache_entry(client):
    article = make_article(headline="Kept for a week")
    url = article.get_absolute_url()
    client.get(url)
    from django.core.cache import cache

    cache.delete(page_cache_key(RequestFactory().get(url), ("page",)))  # as if expired

    with database_unreachable():
        response = client.get(url)
    assert response.status_code == 200
    assert response["X-Cache"] == "stale"
    assert "Kept for a week" in response.content.decode()


def test_a_page_never_cached_gets_a_503_with_retry_after_while_the_database_is_down(client, caplog):
    article = make_article()
    with database_unreachable():
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    content = response.content.decode()
    assert "Back in a moment" in content
    assert "Traceback" not in content and "OperationalError" not in content
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(outage_warnings(caplog, "The database")) == 1


def test_a_save_while_the_database_is_down_gets_the_503_page_and_is_not_retried(
    superuser_client,
):
    article = make_article(status=Article.Status.DRAFT)
    with database_unreachable() as tried:
        response = superuser_client.post(change_url(article), {"headline": "x"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert tried[0] == 1


def test_a_read_whose_connection_dropped_runs_again_and_succeeds(client):
    article = make_article(headline="Served on the second try")
    with database_unreachable(failures=1) as tried:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert tried[0] > 1
    assert "Served on the second try" in response.content.decode()


def test_the_page_cache_key_does_not_depend_on_the_port(client):
    article = make_article()
    url = article.get_absolute_url()
    assert client.get(url, HTTP_HOST="testserver:8301")["X-Cache"] == "miss"
    assert client.get(url, HTTP_HOST="testserver")["X-Cache"] == "hit"
    assert client.get(url, HTTP_HOST="testserver:8302")["X-Cache"] == "hit"


def test_the_error_handler_answers_an_unreachable_database_outside_a_view_with_the_503_page():
    from newsroom.views import server_error

    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
