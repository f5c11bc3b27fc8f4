"""Purging the edge after a write (``articles/edge/``): exactly the changed
keys, in the request shapes and batches of Varnish (xkey), Fastly and
Cloudflare, against a fake server on 127.0.0.1; a purge that fails never
fails the save and is sent again with the next one; a configuration that
cannot work is a ``manage.py check`` error."""

import logging
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles import edge
from articles.edge.checks import check_edge_settings
from articles.models import Article
from articles.pagecache import stamps
from articles.pagecache.dependencies import edge_keys
from newsroom.settings.base import caches_from_url
from tests.factories import make_article, make_author, make_section
from tests.fake_http import FakeServer
from tests.test_admin import ADD_URL, article_form_data
from tests.test_outages import free_port
from tests.test_production import ROOT, production_env

pytestmark = pytest.mark.django_db

ZONE = "023e105f4ecef8ad9ca31a8372d0c353"


@pytest.fixture(autouse=True)
def retry_at_once(monkeypatch):
    """A failed edge is tried again at the next purge unless a test says otherwise
    (``no_edge_history`` in conftest.py forgets what earlier tests left)."""
    monkeypatch.setattr(edge, "RETRY_AFTER", 0.0)


@pytest.fixture
def use_edge(settings):
    def use(purge_url, token="", ttl=""):
        settings.NEWSROOM_EDGE = {"PURGE_URL": purge_url, "TOKEN": token, "TTL": ttl}

    return use


@pytest.fixture
def varnish(use_edge):
    with FakeServer() as server:
        use_edge(f"varnish://127.0.0.1:{server.port}")
        yield server


@pytest.fixture
def invalidated(monkeypatch):
    """The keys each ``stamps.invalidate`` call was given."""
    calls = []
    real = stamps.invalidate

    def record(keys):
        calls.append(frozenset(keys))
        return real(keys)

    monkeypatch.setattr(stamps, "invalidate", record)
    return calls


def purged(server):
    return [set(request.headers["xkey"].split()) for request in server.requests]


def test_a_save_purges_exactly_the_keys_it_invalidated_in_the_page_cache(varnish, invalidated):
    story = make_article(authors=[make_author()])
    varnish.requests.clear()
    invalidated.clear()

    story.headline = "A new headline"
    story.save()

    assert len(invalidated) == 1 and len(varnish.requests) == 1
    request = varnish.requests[0]
    assert (request.method, request.path) == ("PURGE", "/")
    assert request.headers["xkey"] == " ".join(edge_keys(invalidated[0]))
    assert {f"a{story.pk}", f"ap{story.pk}", "sitemap"} <= purged(varnish)[0]
    assert "l-home" not in purged(varnish)[0]  # the story did not move in any list


def test_a_write_that_changes_nothing_public_purges_nothing(varnish):
    draft = make_article(status=Article.Status.DRAFT)
    varnish.requests.clear()
    draft.headline = "Still a draft"
    draft.save()
    assert purged(varnish) == [{f"a{draft.pk}", f"ap{draft.pk}"}]


def test_publishing_in_the_admin_purges_every_list_the_story_joins(superuser_client, varnish):
    section, author = make_section(), make_author()
    data = article_form_data(
        section, authors=[author], headline="From the desk", status=Article.Status.PUBLISHED
    )
    assert superuser_client.post(ADD_URL, data).status_code == 302

    story = Article.objects.get(headline="From the desk")
    keys = set().union(*purged(varnish))
    assert {
        f"a{story.pk}",
        "l-home",
        f"l-s{section.pk}",
        f"l-au{author.pk}",
        "sitemap",
    } <= keys


def test_each_varnish_named_is_purged(use_edge):
    with FakeServer() as first, FakeServer() as second:
        use_edge(f"varnish://127.0.0.1:{first.port},127.0.0.1:{second.port}")
        story = make_article()
        for server in (first, second):
            assert f"a{story.pk}" in set().union(*purged(server))


def test_fastly_gets_batches_of_256_keys_with_its_token_as_soft_purges(use_edge):
    with FakeServer(body=b"{}") as fastly:
        use_edge(f"fastly://SU1Z0isxPaozGVKXdv0eY?api={fastly.url}", token="fastly-token")
        names = [f"a{pk}" for pk in range(600)]
        assert edge.send(names)

    assert [len(r.json()["surrogate_keys"]) for r in fastly.requests] == [256, 256, 88]
    assert sorted(key for r in fastly.requests for key in r.json()["surrogate_keys"]) == sorted(
        names
    )
    for request in fastly.requests:
        assert (request.method, request.path) == ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
        assert request.headers["fastly-key"] == "fastly-token"
        assert request.headers["fastly-soft-purge"] == "1"
        assert request.headers["content-type"] == "application/json"


def test_cloudflare_gets_batches_of_100_tags_with_a_bearer_token(use_edge):
    with FakeServer(body=b'{"success": true, "errors": [], "result": {"id": "x"}}') as cloudflare:
        use_edge(f"cloudflare://{ZONE}?api={cloudflare.url}/client/v4", token="cf-token")
        names = [f"t{pk}" for pk in range(250)]
        assert edge.send(names)

    assert [len(r.json()["tags"]) for r in cloudflare.requests] == [100, 100, 50]
    for request in cloudflare.requests:
        assert (request.method, request.path) == ("POST", f"/client/v4/zones/{ZONE}/purge_cache")
        assert request.headers["authorization"] == "Bearer cf-token"


def test_a_cloudflare_answer_without_success_is_a_failed_purge(use_edge):
    with FakeServer(body=b'{"success": false, "errors": [{"code": 1134}]}') as cloudflare:
        use_edge(f"cloudflare://{ZONE}?api={cloudflare.url}", token="cf-token")
        assert not edge.send(["a1"])
    assert edge.pending_purges() == {"a1"}


@pytest.fixture(params=["refused with 500", "refused with 403", "timed out", "down"])
def failing_edge(request, use_edge):
    """A Varnish that refuses, hangs past the timeout, or is not there."""
    if request.param == "down":
        use_edge(f"varnish://127.0.0.1:{free_port()}")
        yield None
        return
    status, delay = {"refused with 500": (500, 0), "refused with 403": (403, 0)}.get(
        request.param, (200, 3.0)
    )
    with FakeServer(status=status, delay=delay) as server:
        use_edge(f"varnish://127.0.0.1:{server.port}")
        yield server


def edge_warnings(caplog):
    return [r for r in caplog.records if r.getMessage().startswith("The edge cache")]


def test_a_failed_purge_never_fails_the_save_and_is_logged_once(failing_edge, caplog):
    caplog.set_level(logging.WARNING)
    story = make_article()
    for headline in ("One", "Two"):
        started = time.monotonic()
        story.headline = headline
        story.save()
        assert time.monotonic() - started < 2.5  # the purge's timeout is a second
    assert Article.objects.get(pk=story.pk).headline == "Two"
    assert {f"a{story.pk}", f"ap{story.pk}"} <= edge.pending_purges()
    assert len(edge_warnings(caplog)) == 1


def test_pending_keys_go_with_the_next_purge_once_the_edge_answers(use_edge, caplog):
    caplog.set_level(logging.WARNING)
    with FakeServer(status=503) as server:
        use_edge(f"varnish://127.0.0.1:{server.port}")
        first, second = make_article(), make_article()
        first.headline = "Edited while the edge refused"
        first.save()
        assert f"a{first.pk}" in edge.pending_purges()

        server.status = 200
        server.requests.clear()
        second.headline = "Edited once it answered"
        second.save()

    assert {f"a{first.pk}", f"a{second.pk}"} <= purged(server)[0]
    assert edge.pending_purges() == frozenset()
    assert "reachable again" in edge_warnings(caplog)[-1].getMessage()


def test_while_an_edge_is_down_saves_do_not_each_wait_for_it(use_edge, monkeypatch):
    monkeypatch.setattr(edge, "RETRY_AFTER", 30.0)
    with FakeServer(delay=3.0) as server:
        use_edge(f"varnish://127.0.0.1:{server.port}")
        story = make_article()  # waits for the timeout once
        tried = len(server.requests)
        started = time.monotonic()
        for n in range(3):
            story.headline = f"Edit {n}"
            story.save()
        assert time.monotonic() - started < 0.5
        assert len(server.requests) == tried
    assert f"a{story.pk}" in edge.pending_purges()


def test_the_desk_says_when_the_edge_does_not_take_purges(superuser_client, use_edge):
    use_edge(f"varnish://127.0.0.1:{free_port()}")
    make_article()
    content = superuser_client.get(reverse("admin:index")).content.decode()
    assert "The edge cache (varnish://127.0.0.1:" in content
    assert "has not answered since" in content


def test_purge_edge_purges_every_page_or_named_keys_hard(varnish):
    call_command("purge_edge", "--all")
    call_command("purge_edge", "--hard", "a12", "l-home")
    assert varnish.requests[0].headers["xkey"] == "all"
    assert varnish.requests[1].headers["xkey-purge"] == "a12 l-home"
    assert "xkey" not in varnish.requests[1].headers


def test_purge_edge_says_when_there_is_no_edge_or_it_refuses(use_edge):
    with pytest.raises(CommandError, match="none://"):
        call_command("purge_edge", "--all")
    use_edge(f"varnish://127.0.0.1:{free_port()}")
    with pytest.raises(CommandError, match="did not take the purge"):
        call_command("purge_edge", "--all")


# --- The configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    "purge_url, token, ttl",
    [
        ("none://", "", ""),
        ("varnish://127.0.0.1:6081", "", ""),
        ("varnish://10.0.0.5:6081,10.0.0.6:6081,[::1]:6081", "", "3600"),
        ("fastly://SU1Z0isxPaozGVKXdv0eY", "token", ""),
        (f"cloudflare://{ZONE}", "token", "0"),
    ],
)
def test_a_purge_configuration_that_can_work_passes_the_check(settings, purge_url, token, ttl):
    settings.NEWSROOM_EDGE = {"PURGE_URL": purge_url, "TOKEN": token, "TTL": ttl}
    settings.CACHES = caches_from_url("dummy://")  # not per process, as it must not be
    assert check_edge_settings() == []


@pytest.mark.parametrize(
    "purge_url, token, ttl, complaint",
    [
        ("akamai://x", "", "", "scheme must be"),
        ("varnish://", "", "", "names no Varnish"),
        ("varnish://10.0.0.5:99999", "", "", "not a host:port"),
        ("varnish://10.0.0.5 6081", "", "", "not a host:port"),
        ("fastly://SU1Z0isxPaozGVKXdv0eY", "", "", "needs EDGE_PURGE_TOKEN"),
        ("fastly://", "token", "", "Fastly service id"),
        ("cloudflare://example.org", "token", "", "Cloudflare zone id"),
        (f"cloudflare://{ZONE}?api=ftp://x", "token", "", "api= must be"),
        ("varnish://127.0.0.1:6081", "", "a day", "EDGE_TTL"),
        ("varnish://127.0.0.1:6081", "", "-5", "EDGE_TTL"),
    ],
)
def test_a_purge_configuration_that_cannot_work_is_a_check_error(
    settings, purge_url, token, ttl, complaint
):
    settings.NEWSROOM_EDGE = {"PURGE_URL": purge_url, "TOKEN": token, "TTL": ttl}
    [error] = check_edge_settings()
    assert error.id == "newsroom.E101"
    assert complaint in error.msg


def test_an_edge_kept_between_purges_over_a_per_process_page_cache_is_a_warning(settings):
    settings.NEWSROOM_EDGE = {"PURGE_URL": "varnish://127.0.0.1:6081", "TOKEN": "", "TTL": ""}
    settings.CACHES = caches_from_url("locmem://")
    [warning] = check_edge_settings()
    assert warning.id == "newsroom.W102"
    for shared in ("redis://127.0.0.1:6379/0", "dummy://"):
        settings.CACHES = caches_from_url(shared)
        assert check_edge_settings() == []


def test_manage_py_check_fails_on_a_purge_configuration_that_cannot_work(tmp_path):
    env = production_env(tmp_path, EDGE_PURGE_URL="fastly://SU1Z0isxPaozGVKXdv0eY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "newsroom.E101" in result.stderr and "EDGE_PURGE_TOKEN" in result.stderr


def test_a_configuration_that_cannot_work_means_no_purges_and_no_edge_keeping(
    client, use_edge, caplog
):
    use_edge("fastly://SU1Z0isxPaozGVKXdv0eY")  # no token
    story = make_article()
    response = client.get(story.get_absolute_url())
    assert "s-maxage" not in response["Cache-Control"]
    assert edge.pending_purges() == frozenset()
