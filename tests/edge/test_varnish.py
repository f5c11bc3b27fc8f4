"""The demo site under gunicorn (production settings, SQLite, its own Redis)
behind varnishd running the shipped deploy/varnish/newsroom.vcl, purged by
the site's own after-commit hook (EDGE_PURGE_URL=varnish://…).

Readers' pages are kept and shared; staff and previews pass; an edit purges
exactly the pages showing the story; a scheduled story appears at its time;
a stopped site is covered by stale copies; a purge Varnish refused is
retried by the task worker. The figures (publish → fresh at
the edge, throughput against a static file through the same Varnish) are
printed: run with ``-s``.

The tests run in this order and share the servers; the last one stops gunicorn.
"""

import json
import shutil
import statistics
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.edge.harness import (
    Varnish,
    Writer,
    percentile,
    request,
    wrk,
)
from tests.faults.harness import CHECKOUT, Gunicorn, Redis, manage, site_environment

FIGURES = {}
VARNISHD = Path("/usr/sbin/varnishd")  # Debian's, outside a non-root PATH


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    if not VARNISHD.exists() and not shutil.which("varnishd"):
        pytest.fail("varnishd is missing: apt-get install varnish varnish-modules")
    workdir = tmp_path_factory.mktemp("edge")
    redis = Redis(workdir)
    redis.start()
    env = site_environment(CHECKOUT, workdir, f"sqlite:///{workdir / 'site.sqlite3'}", redis.url)
    # The shipped probe asks for news.example.org.
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,news.example.org"
    site = Gunicorn(env, workdir)
    varnish = Varnish(workdir, site.port)
    env["EDGE_PURGE_URL"] = varnish.url
    writer = None
    try:
        for command in (("migrate", "--noinput"), ("load_demo",), ("collectstatic", "--noinput")):
            manage(CHECKOUT, env, *command)
        site.start()
        varnish.start()
        writer = Writer(env)
        manifest = json.loads((workdir / "static" / "staticfiles.json").read_text())
        yield SimpleNamespace(
            site=site,
            varnish=varnish,
            writer=writer,
            env=env,
            info=writer("info"),
            static="/static/" + manifest["paths"]["articles/site.css"],
        )
    finally:
        if writer:
            writer.stop()
        varnish.stop()
        site.stop()
        redis.stop()
        if FIGURES:
            print("\nEdge figures:", json.dumps(FIGURES, indent=2))


def get(edge, path, **headers):
    return request(edge.varnish.port, path, headers=headers)


def kept(edge, path):
    """Ask until the edge holds ``path`` (a hit)."""
    for _ in range(3):
        response = get(edge, path)
        assert response.status == 200, (path, response.status)
        if response.edge == "hit":
            return response
    raise AssertionError(f"{path} is not kept at the edge: {response.edge}")


def test_anonymous_readers_share_one_copy_of_each_page(edge):
    for path in (edge.info["story"]["story"], "/", edge.info["story"]["section"], "/feed/"):
        first = get(edge, path)
        assert first.status == 200
        again = get(edge, path, Cookie="analytics=abc; consent=yes")  # dropped at the edge
        assert again.edge == "hit", path
        assert len(again.headers["X-Varnish"].split()) == 2  # this request and the object's
        assert again.body == first.body
        assert "Set-Cookie" not in again.headers
        # Further caches may not keep it: no s-maxage, no keys.
        assert "s-maxage" not in again.headers["Cache-Control"]
        assert "max-age=0" in again.headers["Cache-Control"]
        for keys in ("Surrogate-Key", "Cache-Tag", "xkey"):
            assert keys not in again.headers, (path, keys)
    time.sleep(1.1)
    assert int(get(edge, "/").headers["Age"]) >= 1


def test_a_purger_may_see_the_keys_a_page_carries(edge):
    story = edge.info["story"]
    shown = get(edge, story["story"], **{"X-Edge-Debug": "1"})
    assert f"a{story['pk']}" in shown.headers["Surrogate-Key"].split()
    # Once: the copy holds the keys as xkey alone.
    assert "xkey" not in shown.headers and "Cache-Tag" not in shown.headers


def test_purges_come_only_from_the_purgers_acl(edge):
    outsider = request(edge.varnish.port, "/", method="PURGE", headers={"xkey": "all"},
                       source="127.0.0.2")  # fmt: skip
    assert outsider.status == 403
    assert get(edge, "/").edge == "hit"
    inside = request(edge.varnish.port, "/", method="PURGE", headers={"xkey": "no-such-key"})
    assert inside.status == 200


def test_a_request_body_over_the_limit_is_refused_at_the_edge(edge):
    refused = request(
        edge.varnish.port,
        "/admin/login/",
        method="POST",
        headers={"Content-Length": str(17 * 1024 * 1024), "Content-Type": "text/plain"},
        body=b"",
    )
    assert refused.status == 413


def log_in(edge, username="edge-editor", password="edge-password-7f3a"):
    """The admin's login form, through the edge, as a browser fills it in."""
    edge.writer("staff", username=username, password=password)
    form = get(edge, "/admin/login/")
    csrf_cookie = form.cookies()["csrftoken"]
    token = form.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = f"csrfmiddlewaretoken={token}&username={username}&password={password}&next=/admin/"
    logged_in = request(
        edge.varnish.port,
        "/admin/login/?next=/admin/",
        method="POST",
        headers={"Cookie": csrf_cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body=body.encode(),
    )
    assert logged_in.status == 302, logged_in.text[:500]
    return f"{csrf_cookie}; {logged_in.cookies()['sessionid']}"


def test_staff_pass_the_edge_and_see_what_readers_do_not(edge):
    cookie = log_in(edge)
    desk = get(edge, "/admin/", Cookie=cookie)
    assert desk.status == 200 and desk.edge == "pass"
    draft = edge.info["draft"]
    for _ in range(2):
        staff_view = get(edge, draft["url"], Cookie=cookie)
        assert staff_view.status == 200 and staff_view.edge == "pass"
        assert draft["headline"] in staff_view.text
    assert get(edge, draft["url"]).status == 404  # what a reader gets meanwhile
    story = get(edge, edge.info["story"]["story"], Cookie=cookie)
    assert story.edge == "pass" and "private" in story.headers["Cache-Control"]


def test_a_preview_link_passes_the_edge(edge):
    draft = edge.info["draft"]
    for _ in range(2):
        preview = get(edge, draft["preview"])
        assert preview.status == 200 and preview.edge == "pass"
        assert draft["headline"] in preview.text
        assert "no-store" in preview.headers["Cache-Control"]


def showing(info):
    story = info["story"]
    return [
        story["story"],
        story["home"],
        story["section"],
        *story["authors"],
        *story["tags"],
        *story["feeds"],
        *story["sitemaps"],
    ]


def test_an_edit_purges_exactly_the_pages_that_show_the_story(edge):
    story, unrelated = edge.info["story"], edge.info["unrelated"]
    others = [unrelated["story"], unrelated["section"], *unrelated["authors"], edge.static]
    for path in showing(edge.info) + others:
        kept(edge, path)

    headline = f"Edited at the edge {uuid.uuid4().hex[:8]}"
    reply = edge.writer("edit", pk=story["pk"], headline=headline)
    assert reply["pending"] == []

    for path in showing(edge.info):
        fresh = get(edge, path)
        assert fresh.status == 200 and fresh.edge == "miss", (path, fresh.edge)
        if "sitemap" not in path or "news" in path:
            assert headline in fresh.text, path
    for path in others:
        assert get(edge, path).edge == "hit", path
    edge.info["story"]["headline"] = headline


def test_a_purge_varnish_refused_waits_on_the_queue_and_the_worker_gets_it_through(edge):
    """With a worker (TASKS_BACKEND=database): Varnish refuses purges; an
    editor's save returns as usual and leaves its purge on the queue; the
    worker's try is refused and the edge keeps serving the old page; once
    Varnish takes purges again the worker's retry makes the page fresh."""
    story = edge.info["story"]
    pages = [story["story"], "/", story["section"]]
    queued_env = {**edge.env, "TASKS_BACKEND": "database"}
    editor = Writer(queued_env)

    def worker():
        manage(CHECKOUT, queued_env, "db_worker", "--batch", "--no-reload",
               "--no-startup-delay", "--verbosity", "0")  # fmt: skip
        return editor("purge_jobs")["jobs"][-1]

    try:
        before = {path: kept(edge, path).body for path in pages}
        edge.varnish.refuse_purges()
        headline = f"Edited while the edge refused {uuid.uuid4().hex[:6]}"
        started = time.monotonic()
        reply = editor("edit", pk=story["pk"], headline=headline)
        assert time.monotonic() - started < 1.0  # the save asked no edge
        job = editor("purge_jobs")["jobs"][-1]
        assert (job["status"], job["tries"]) == ("READY", 0)
        assert f"article:{story['pk']}" in job["keys"] and reply["pending"] == []

        job = worker()
        assert (job["status"], job["tries"]) == ("READY", 1)
        assert job["error"] == "articles.edge.backends.PurgeFailed"
        for path in pages:  # refused: the edge still serves its old copy
            served = get(edge, path)
            assert (served.edge, served.body) == ("hit", before[path]), path

        edge.varnish.take_purges()
        assert editor("retry_now")["due"] == 1
        job = worker()
        assert (job["status"], job["tries"]) == ("SUCCESSFUL", 2)
        for path in pages:
            fresh = get(edge, path)
            assert fresh.edge == "miss" and headline in fresh.text, path
    finally:
        edge.varnish.take_purges()
        editor.stop()
    edge.info["story"]["headline"] = headline


def test_a_live_storys_updates_are_kept_at_the_edge_until_an_entry_is_posted(edge):
    live = edge.writer("live_story")
    shown = get(edge, live["updates"], **{"X-Edge-Debug": "1"})
    assert f"lv{live['pk']}" in shown.headers["Surrogate-Key"].split()
    polled = kept(edge, live["updates"])
    # A reader's poll revalidates its copy: the edge answers 304 by itself.
    again = get(edge, live["updates"], **{"If-None-Match": polled.headers["ETag"]})
    assert again.status == 304 and again.edge == "hit"
    kept(edge, live["story"])
    kept(edge, "/")

    text = f"Posted at the edge {uuid.uuid4().hex[:8]}"
    reply = edge.writer("live_entry", pk=live["pk"], text=f"<p>{text}</p>")
    assert reply["pending"] == []

    fresh = get(edge, live["updates"], **{"If-None-Match": polled.headers["ETag"]})
    assert fresh.status == 200 and fresh.edge == "miss" and text in fresh.text
    assert get(edge, live["story"]).edge == "miss"
    assert get(edge, "/").edge == "hit"  # an entry changes no list


def test_readers_asking_at_once_for_a_purged_page_wait_for_one_fetch(edge):
    kept(edge, "/")
    purge = request(edge.varnish.port, "/", method="PURGE", headers={"xkey": "l-home"})
    assert purge.status == 200
    before = edge.site.requests_for("/")
    answers = []
    readers = [
        threading.Thread(target=lambda: answers.append(get(edge, "/").status)) for _ in range(8)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(30)
    assert answers == [200] * 8
    assert edge.site.requests_for("/") - before == 1


def listing_pages(info):
    story = info["story"]
    return [
        "/",
        story["section"],
        story["authors"][0],
        story["tags"][0],
        "/feed/",
        "/news-sitemap.xml",
    ]


def test_a_published_story_is_on_every_listing_page_at_the_edge_within_a_second(edge):
    pages = listing_pages(edge.info)
    seconds, first_request_fresh = [], 0
    for n in range(20):
        for path in pages:
            kept(edge, path)
        headline = f"Edge publication {n} {uuid.uuid4().hex[:6]}"
        edge.writer("publish", like=edge.info["story"]["pk"], headline=headline,
                    slug=f"edge-publication-{n}-{uuid.uuid4().hex[:6]}")  # fmt: skip
        returned = time.monotonic()
        waiting = set(pages)
        first = {path: get(edge, path) for path in pages}
        first_request_fresh += all(headline in r.text for r in first.values())
        waiting = {path for path in pages if headline not in first[path].text}
        while waiting and time.monotonic() - returned < 10:
            waiting = {path for path in waiting if headline not in get(edge, path).text}
        assert not waiting, f"still stale after 10 s: {waiting}"
        seconds.append(time.monotonic() - returned)
        time.sleep(0.2)
    FIGURES["publish_to_fresh"] = {
        "publishes": len(seconds),
        "listing_pages": pages,
        "p50_ms": round(1000 * statistics.median(seconds)),
        "p95_ms": round(1000 * percentile(seconds, 0.95)),
        "max_ms": round(1000 * max(seconds)),
        "publishes_fresh_on_the_first_request_to_every_page": first_request_fresh,
    }
    print("\npublish → every listing page fresh at the edge:", FIGURES["publish_to_fresh"])
    assert first_request_fresh == len(seconds)
    assert percentile(seconds, 0.95) <= 1.0


def test_a_scheduled_story_appears_on_the_listing_at_its_time(edge):
    headline = f"Scheduled for the edge {uuid.uuid4().hex[:6]}"
    reply = edge.writer("publish", like=edge.info["story"]["pk"], headline=headline,
                        slug=f"scheduled-{uuid.uuid4().hex[:8]}", in_seconds=4)  # fmt: skip
    at = reply["at"]
    early_hits, seen_at = 0, None
    while time.time() < at + 5:
        home = get(edge, "/")
        if headline in home.text:
            seen_at = time.time()
            break
        assert time.time() < at + 0.05 or home.edge != "hit", "a kept listing outlived its time"
        early_hits += home.edge == "hit"
        time.sleep(0.1)
    assert seen_at is not None, "the story never appeared"
    assert seen_at >= at  # never early
    FIGURES["scheduled_seen_after_its_time_ms"] = round(1000 * (seen_at - at))
    print(f"\nscheduled story on the home page {seen_at - at:.3f} s after its time")
    assert seen_at - at <= 1.5
    assert early_hits > 10  # the edge kept the home page until then


def test_throughput_through_the_edge_against_a_static_file(edge):
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (apt-get install wrk): no throughput figures")
    base = f"http://127.0.0.1:{edge.varnish.port}"
    paths = {"static": edge.static, "story": edge.info["story"]["story"], "home": "/"}
    rates = {}
    for name, path in paths.items():
        kept(edge, path)
        rate, errors = wrk(base + path, seconds=5, connections=16)
        assert errors == 0, (name, errors)
        rates[name] = rate
    FIGURES["throughput"] = {
        **{f"{name}_rps": round(rate) for name, rate in rates.items()},
        "story_over_static": round(rates["story"] / rates["static"], 2),
        "home_over_static": round(rates["home"] / rates["static"], 2),
    }
    print("\nthrough Varnish (wrk -t2 -c16 -d5s):", FIGURES["throughput"])
    assert rates["story"] > 0 and rates["home"] > 0


def test_with_the_site_stopped_the_edge_serves_its_copies(edge):
    story = edge.info["story"]
    pages = [story["story"], "/", story["section"]]
    copies = {path: kept(edge, path).body for path in pages}
    # A soft-purged page too: while the site answers it is refetched; now it cannot be.
    request(edge.varnish.port, "/", method="PURGE", headers={"xkey": f"a{story['pk']}"})

    edge.site.stop()
    for moment in ("before the probe notices", "once the probe marks the site sick"):
        for path in pages * 3:
            served = get(edge, path)
            assert served.status == 200, (moment, path, served.status)
            assert served.body == copies[path], (moment, path)
        assert get(edge, "/news/never-asked-for/").status == 503
        time.sleep(3.5)  # the probe: 2 failures in a window of 3, a second apart
    assert get(edge, story["story"]).edge == "stale"
