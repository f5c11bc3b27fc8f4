"""Purging the edge after a write (``articles/edge/``): exactly the changed
keys, in the request shapes and batches of Varnish (xkey), Fastly and
Cloudflare, against a fake server on 127.0.0.1. A purge that fails never
fails the save: run at once (no worker, the suite's default) it is sent again
with the next one; on the queue (``TASKS_BACKEND=database``) the worker tries
it again with backoff and the desk counts it. A configuration that cannot
work is a ``manage.py check`` error."""

import logging
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles import edge, tasks
from articles.edge.checks import check_edge_credentials, check_edge_settings
from articles.models import Article
from articles.pagecache import stamps
from articles.pagecache.dependencies import edge_keys
from newsroom.settings.base import caches_from_url
from tests.factories import make_article, make_author, make_section, make_staff
from tests.fake_http import FakeServer
from tests.test_admin import ADD_URL, article_form_data
from tests.test_outages import free_port
from tests.test_production import ROOT, production_env
from tests.workflow_helpers import logged_in

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
        edge.send(names)

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
        edge.send(names)

    assert [len(r.json()["tags"]) for r in cloudflare.requests] == [100, 100, 50]
    for request in cloudflare.requests:
        assert (request.method, request.path) == ("POST", f"/client/v4/zones/{ZONE}/purge_cache")
        assert request.headers["authorization"] == "Bearer cf-token"


def test_a_cloudflare_answer_without_success_is_a_failed_purge(use_edge):
    with FakeServer(body=b'{"success": false, "errors": [{"code": 1134}]}') as cloudflare:
        use_edge(f"cloudflare://{ZONE}?api={cloudflare.url}", token="cf-token")
        with pytest.raises(edge.PurgeFailed, match="did not report success"):
            edge.send(["a1"])


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


# --- On the queue: a worker retries, the desk counts -----------------------------------

PURGE = "articles.tasks.purge_edge"
RESULTS_URL = "admin:django_tasks_database_dbtaskresult_changelist"


def purge_jobs():
    return list(DBTaskResult.objects.filter(task_path=PURGE).order_by("enqueued_at"))


def due_now(job):
    """The job's retry (or its scheduled time) has come."""
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())


def desk(client):
    return client.get(reverse("admin:index")).content.decode()


def publish_in_the_admin(client, headline, when=None):
    """An editor's save of a published story (live now, or at ``when``): the
    page returns to the list, as the browser sees it."""
    data = article_form_data(
        make_section(),
        authors=[make_author()],
        headline=headline,
        slug=slugify(headline),
        status=Article.Status.PUBLISHED,
    )
    if when is not None:
        local = timezone.localtime(when)
        data.update(published_at_0=f"{local:%Y-%m-%d}", published_at_1=f"{local:%H:%M:%S}")
    DBTaskResult.objects.all().delete()  # the set-up's own
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get(headline=headline)


def test_on_the_queue_a_refused_purge_never_touches_the_save_and_the_worker_retries_it(
    work_the_queue, use_edge, superuser_client
):
    with FakeServer(status=503) as varnish:
        use_edge(f"varnish://127.0.0.1:{varnish.port}")
        story = publish_in_the_admin(superuser_client, "Ferry strike called off")

        # The save asked the queue and returned: the edge has not been asked yet.
        assert varnish.requests == []
        [job] = purge_jobs()
        keys = job.args_kwargs["args"][0]
        assert {f"article:{story.pk}", "list:home", "sitemap"} <= set(keys)
        assert 'id="desk-edge-purges"' not in desk(superuser_client)

        work_the_queue()  # the edge answers 503

        job.refresh_from_db()
        assert (job.status, len(job.worker_ids)) == (TaskResultStatus.READY, 1)
        assert "503" in job.traceback and "PurgeFailed" in job.exception_class_path
        assert len(varnish.requests) == 1
        results = reverse(RESULTS_URL)
        assert f'<a href="{results}?task_path__exact={PURGE}">Edge purges: 1 pending.' in desk(
            superuser_client
        )
        # The job, as the admin lists it: its keys, its attempts and its error.
        listed = superuser_client.get(results, {"task_path__exact": PURGE}).content.decode()
        assert f"article-page:{story.pk}, article:{story.pk}, list:author:" in listed
        assert '<td class="field-attempts">1</td>' in listed and "PurgeFailed" in listed

        work_the_queue()  # its retry is not due yet
        assert len(varnish.requests) == 1

        varnish.status = 200
        due_now(job)
        work_the_queue()

    job.refresh_from_db()
    assert (job.status, len(job.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 2)
    assert purged(varnish)[-1] == set(edge_keys(keys))
    assert 'id="desk-edge-purges"' not in desk(superuser_client)
    assert edge.pending_purges() == frozenset()  # the queue keeps them, not the process


def test_on_the_queue_a_purge_that_fails_every_try_is_left_failed_and_the_desk_says_so(
    work_the_queue, use_edge, superuser_client
):
    use_edge(f"varnish://127.0.0.1:{free_port()}")  # nothing listens
    publish_in_the_admin(superuser_client, "Harbour closed")
    [job] = purge_jobs()
    for _ in tasks.RETRY_DELAYS:
        work_the_queue()
        due_now(job)
    work_the_queue()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert len(job.worker_ids) == len(tasks.RETRY_DELAYS) + 1
    page = desk(superuser_client)
    assert "Edge purges: 1 failed after every try in the last day." in page
    assert "the worker tries again" not in page
    # A reporter sees the line too, without the link to results they may not open.
    reporter_desk = desk(logged_in(make_staff("reporter")))
    assert (
        '<p class="errornote desk-health" role="status" id="desk-edge-purges">Edge purges: 1 failed'
        in reporter_desk
    )


def test_on_the_queue_a_scheduled_story_is_purged_again_at_its_time(
    work_the_queue, varnish, superuser_client
):
    goes_live = timezone.now().replace(microsecond=0) + timedelta(days=2)
    story = publish_in_the_admin(superuser_client, "Budget day", when=goes_live)
    now_job, at_its_time = purge_jobs()
    assert now_job.args_kwargs == at_its_time.args_kwargs
    assert at_its_time.run_after == goes_live
    assert {f"article:{story.pk}", "list:home"} <= set(at_its_time.args_kwargs["args"][0])

    work_the_queue()
    assert len(varnish.requests) == 1  # the save's purge; the other waits for its time
    assert 'id="desk-edge-purges"' not in desk(superuser_client)  # it is not failing

    due_now(at_its_time)
    work_the_queue()

    assert len(varnish.requests) == 2 and f"l-s{story.section_id}" in purged(varnish)[1]
    assert {job.status for job in purge_jobs()} == {TaskResultStatus.SUCCESSFUL}


def test_on_the_queue_an_edit_that_moves_nothing_is_purged_once_and_no_edge_no_job(queue, use_edge):
    story = make_article(published_at=timezone.now() + timedelta(days=1))
    with FakeServer() as server:
        use_edge(f"varnish://127.0.0.1:{server.port}")
        DBTaskResult.objects.all().delete()
        story.headline = "Still on for Tuesday"
        story.save()
        assert len(purge_jobs()) == 1  # its time is unchanged: purged then already
    use_edge("none://")
    story.headline = "And no edge"
    story.save()
    assert len(purge_jobs()) == 1


def test_run_at_once_a_scheduled_story_is_purged_once_and_its_lists_expire_at_its_time(
    varnish, client
):
    section = make_section()
    varnish.requests.clear()
    make_article(section=section, published_at=timezone.now() + timedelta(hours=1))
    assert len(varnish.requests) == 1  # the save's; no worker to purge it at its time
    home = client.get(reverse("articles:home"))
    assert 0 < int(home["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 3600


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
        (f"cloudflare://{ZONE}?api=https://", "token", "", "api= must be"),
        (f"cloudflare://{ZONE}?apl=https://proxy", "token", "", "?apl= is not a setting"),
        ("varnish://127.0.0.1:6081?api=http://x", "", "", "a Varnish URL takes none"),
        ("varnish://127.0.0.1:6081/purge", "", "", "'/purge' follows the address"),
        ("fastly://SU1Z0isxPaozGVKXdv0eY", "Fastly-Key: abc", "", "not one word"),
        (f"cloudflare://{ZONE}", "abc\ndef", "", "not one word"),
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


@pytest.mark.parametrize(
    "status, body, found",
    [
        (200, b'{"success": true}', None),
        (403, b'{"success": false}', "newsroom.E103"),
        (401, b'{"success": false}', "newsroom.E103"),
        (200, b'{"success": false, "errors": [{"code": 10000}]}', "newsroom.E103"),
        (503, b"", "newsroom.W104"),
    ],
)
def test_check_deploy_asks_the_edge_to_purge_and_a_refusal_is_an_error(
    use_edge, status, body, found
):
    with FakeServer(status=status, body=body) as cloudflare:
        use_edge(f"cloudflare://{ZONE}?api={cloudflare.url}", token="cf-token")
        messages = check_edge_credentials()
        [probe] = cloudflare.requests
    assert probe.json() == {"tags": ["newsroom-check"]}  # a key no page carries
    assert probe.headers["authorization"] == "Bearer cf-token"
    assert [message.id for message in messages] == ([found] if found else [])


def test_manage_py_check_deploy_fails_on_refused_credentials_and_plain_check_asks_nothing(
    use_edge,
):
    with FakeServer(status=403) as varnish:  # this host is not in the purgers ACL
        use_edge(f"varnish://127.0.0.1:{varnish.port}")
        call_command("check", "--tag", "edge")
        assert varnish.requests == []
        with pytest.raises(SystemCheckError, match="newsroom.E103"):
            call_command("check", "--deploy", "--tag", "edge")
        assert varnish.requests[0].headers["xkey"] == "newsroom-check"
    use_edge(f"varnish://127.0.0.1:{free_port()}")  # not started yet: a warning
    [warning] = check_edge_credentials()
    assert warning.id == "newsroom.W104" and "did not take a test purge" in warning.msg


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
