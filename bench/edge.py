"""The edge run of ``make bench``: the site behind the shipped Varnish config.

On a copy of the benchmark's database (its 100,000 stories), the site runs
under gunicorn with the production settings and its own Redis, with varnishd
in front running deploy/varnish/newsroom.vcl and the site purging it by key
(EDGE_PURGE_URL). The servers are the edge tests' own (tests/edge/harness.py,
tests/faults/harness.py) and the editor is the two-node test's
(tests/cluster/harness.py): one way of starting them, kept working by those
tests.

1. Throughput (wrk) of a story and of the home page through Varnish, each as
   a ratio of Varnish serving a static object (target ≥ 0.9).
2. Publish → fresh at the edge: from the editor's admin save returning to the
   first fresh copy of each listing page (home, section, tag, author, feeds,
   sitemaps) through Varnish; p50/p95 over the publishes (target p95 ≤ 1 s).
3. 200 slow clients held open to Varnish, sending their headers a byte at a
   time and reconnecting when dropped: the story's p50 with and without them.
"""

import json
import shutil
import socket
import sqlite3
import statistics
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from tests.cluster.harness import Editor
from tests.edge.harness import Varnish, percentile, request
from tests.faults.harness import CHECKOUT, Gunicorn, Redis, manage, site_environment

EDITOR = ("bench-editor", "bench-editor-password-c41d")
TARGETS = {"ratio": 0.9, "publish_p95_s": 1.0, "slow_p50_ratio": 1.25}

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.urls import reverse
from articles.models import Article
user, _ = get_user_model().objects.get_or_create(
    username=%(username)r, defaults={"is_staff": True, "is_superuser": True})
user.set_password(%(password)r)
user.save()
from articles.sitemaps import ArticleSitemap
story = Article.objects.published().newest_first().filter(tags__isnull=False).first()
author, tag, section = story.authors.first(), story.tags.first(), story.section
next_id = Article.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
print(json.dumps({
    "site": {"section": section.pk, "author": author.pk, "tag": str(tag.pk)},
    "story": story.get_absolute_url(),
    # The page of the stories' sitemap of each story the publishes add, in
    # turn (up to 100 publishes).
    "new_stories_sitemap": [
        reverse("articles:sitemap_part", args=["articles"])
        + f"?p={ArticleSitemap.page_of(next_id + n)}"
        for n in range(100)
    ],
    "listing": {
        "home": "/",
        "section": section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "feed (RSS)": reverse("articles:feed"),
        "feed (Atom)": reverse("articles:feed_atom"),
        "section feed": reverse("articles:section_feed", args=[section.slug]),
        "sitemap index": reverse("articles:sitemap"),
        "news sitemap": reverse("articles:news_sitemap"),
    },
}))
"""


def missing():
    """Why the edge run cannot run here, or None."""
    for program, package in (
        ("varnishd", "varnish varnish-modules"),
        ("wrk", "wrk"),
        ("redis-server", "redis-server"),
    ):
        if not (shutil.which(program) or Path("/usr/sbin", program).exists()):
            return f"{program} is not installed (apt-get install {package})"
    return None


def copy_database(source, target):
    """A consistent copy of the benchmark's SQLite database (its write-ahead
    log included): the publishes write to the copy, never to the corpus."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


class Edge:
    """Redis, gunicorn and varnishd on free ports of 127.0.0.1, in ``workdir``."""

    def __init__(self, workdir, database):
        self.workdir = workdir
        self.redis = Redis(workdir)
        self.env = site_environment(CHECKOUT, workdir, f"sqlite:///{database}", "")
        self.site = Gunicorn(self.env, workdir)
        self.varnish = Varnish(workdir, self.site.port)
        self.base = f"http://127.0.0.1:{self.varnish.port}"

    def __enter__(self):
        self.redis.start()
        self.env.update(
            CACHE_URL=self.redis.url,
            EDGE_PURGE_URL=self.varnish.url,
            # The shipped probe asks for news.example.org.
            ALLOWED_HOSTS="127.0.0.1,localhost,news.example.org",
        )
        manage(CHECKOUT, self.env, "collectstatic", "--noinput", "--verbosity", "0")
        code = SETUP % {"username": EDITOR[0], "password": EDITOR[1]}
        output = manage(CHECKOUT, self.env, "shell", "--no-imports", "-c", code)
        self.info = json.loads(output.strip().splitlines()[-1])
        manifest = json.loads((self.workdir / "static" / "staticfiles.json").read_text())
        self.static = "/static/" + manifest["paths"]["articles/site.css"]
        self.site.start()
        self.varnish.start()
        return self

    def __exit__(self, *exc):
        self.varnish.stop()
        self.site.stop()
        self.redis.stop()

    @property
    def port(self):
        return self.varnish.port

    def get(self, path):
        return request(self.varnish.port, path, timeout=30)

    def keep(self, path, missing_ok=False):
        """Ask until Varnish holds ``path``; its body (None for a page not
        there yet, with ``missing_ok``)."""
        for _ in range(4):
            response = self.get(path)
            if response.status == 404 and missing_ok:
                return None
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status} through Varnish")
            if response.edge == "hit":
                return response.body
        raise SystemExit(f"Varnish does not keep {path} (X-Edge: {response.edge})")


class SlowClients:
    """``count`` connections to Varnish that send a request's headers a byte
    at a time and open again when Varnish drops them (it gives a client
    ``timeout_idle``, 5 s, for its headers)."""

    def __init__(self, port, path, count=200, interval=0.5):
        self.port, self.count, self.interval = port, count, interval
        self.request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode()
        self.stopping, self.paused, self.idle = (threading.Event() for _ in range(3))
        self.opened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self):
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        connection.setblocking(False)
        self.opened += 1
        return [connection, 0]

    def pause(self):
        """Close every slow connection until ``resume()``."""
        self.paused.set()
        self.idle.wait(10)

    def resume(self):
        self.idle.clear()
        self.paused.clear()
        time.sleep(1)  # all of them open again

    def _run(self):
        while not self.stopping.is_set():
            if self.paused.is_set():
                self.idle.set()
                time.sleep(0.05)
                continue
            self._hold()

    def _hold(self):
        clients = [self._open() for _ in range(self.count)]
        while not self.stopping.wait(self.interval) and not self.paused.is_set():
            for client in clients:
                connection, sent = client
                try:
                    byte = self.request[sent : sent + 1] or b"x"
                    connection.send(byte)
                    client[1] = sent + 1
                except OSError:  # dropped by Varnish: a new one takes its place
                    connection.close()
                    client[:] = self._open()
        for connection, _ in clients:
            connection.close()

    def __enter__(self):
        self.thread.start()
        time.sleep(1)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(10)


def fresh_test(path, before, slug):
    """How to tell the fresh copy of a listing page: it links the new story
    (the sitemap index names no story: its ``lastmod`` changes instead)."""
    if path.endswith("sitemap.xml") and "news" not in path:
        return lambda body: body != before
    return lambda body: slug.encode() in body


def publish_to_fresh(edge, publishes, poll_every=0.02):
    """Seconds from each admin save returning to a fresh copy of every
    listing page through Varnish, and each page's own. Each page has its own
    reader, asking again every ``poll_every`` seconds until the copy is fresh,
    as readers of the different pages would."""
    editor = Editor(SimpleNamespace(port=edge.site.port), *EDITOR)
    sitemap_pages = edge.info["new_stories_sitemap"]
    names = [*edge.info["listing"], "sitemap of stories"]
    totals, per_page, errors = [], {name: [] for name in names}, []

    def reader(name, path, is_fresh, returned, new_page):
        while time.monotonic() - returned < 30:
            response = edge.get(path)
            if response.status == 404 and new_page:
                pass  # the story opens this page of the sitemap: not there yet
            elif response.status != 200:
                errors.append((path, response.status))
            elif is_fresh(response.body):
                per_page[name].append(time.monotonic() - returned)
                return
            time.sleep(poll_every)

    for n in range(publishes):
        # The stories' sitemap: the page of the new story's id (the site pages
        # that sitemap by ids, articles/sitemaps.py), new for a page's first story.
        listing = {**edge.info["listing"], "sitemap of stories": sitemap_pages[n]}
        before = {name: edge.keep(path, missing_ok=True) for name, path in listing.items()}
        slug = f"edge-bench-{n}-{uuid.uuid4().hex[:8]}"
        saved = editor.publish(edge.info["site"], f"Edge benchmark story {n}", slug, timeout=30)
        returned = time.monotonic()
        if not saved or saved[0] != 302:
            raise SystemExit(f"the admin save failed: {saved and saved[0]}")
        readers = [
            threading.Thread(
                target=reader,
                args=(
                    name,
                    path,
                    fresh_test(path, before[name], slug),
                    returned,
                    before[name] is None,
                ),
            )
            for name, path in listing.items()
        ]
        for thread in readers:
            thread.start()
        for thread in readers:
            thread.join()
        stale = [name for name in listing if len(per_page[name]) < n + 1]
        if stale:
            raise SystemExit(f"still stale 30 s after a publish: {', '.join(stale)}")
        totals.append(max(per_page[name][-1] for name in listing))
    return {
        "publishes": publishes,
        "p50_s": statistics.median(totals),
        "p95_s": percentile(totals, 0.95),
        "max_s": max(totals),
        "errors": len(errors),
        "pages": {
            name: {"p50_s": statistics.median(s), "p95_s": percentile(s, 0.95)}
            for name, s in per_page.items()
        },
    }


def run(source_db, workdir, *, seconds, publishes, load):
    """The edge figures; ``load`` is bench/run.py's wrk runner."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    print("  copying the corpus for the edge run ...", flush=True)
    copy_database(source_db, workdir / "site.sqlite3")
    results = {}
    with Edge(workdir, workdir / "site.sqlite3") as edge:
        story = edge.info["story"]

        def through_varnish(name, path, connections=16):
            edge.keep(path)
            return load(
                edge, [path], seconds=seconds, connections=connections, use_wrk=True,
                name=f"edge-{name}", headers=["Accept-Encoding: gzip"],
            )  # fmt: skip

        # Three rounds taking turns, each object's best: the static object,
        # the story and the home page measured one after the other met
        # different loads from the rest of the machine (0.82 to 1.41 in one run).
        objects = {"static": edge.static, "story": story, "home": "/"}
        for _ in range(3):
            for name, path in objects.items():
                row = through_varnish(name, path)
                if name not in results or row["req_per_s"] > results[name]["req_per_s"]:
                    results[name] = row
        static = results["static"]
        print(f"  static object     {static['req_per_s']:8.0f} req/s", flush=True)
        for name in ("story", "home"):
            row = results[name]
            row["ratio_to_static"] = row["req_per_s"] / static["req_per_s"]
            print(
                f"  {name:17} {row['req_per_s']:8.0f} req/s, {row['ratio_to_static']:.2f} "
                f"of static, {row['errors']} errors",
                flush=True,
            )

        # Twice each, taking turns, and the better of each pair: a sub-millisecond
        # p50 moves with whatever else the two cores are doing.
        quiet, attacked = [], []
        with SlowClients(edge.port, story) as slow:
            for _ in range(2):
                slow.pause()
                quiet.append(through_varnish("quiet", story, connections=8))
                slow.resume()
                attacked.append(through_varnish("attacked", story, connections=8))
            # A request on a new connection, as a new reader's browser opens one.
            answered = edge.get(story).status
        quiet = min(quiet, key=lambda row: row["p50"])
        attacked = min(attacked, key=lambda row: row["p50"])
        results["slow_clients"] = {
            "clients": slow.count,
            "connections_opened": slow.opened,
            "p50_ms_without": quiet["p50"],
            "p50_ms_with": attacked["p50"],
            "req_per_s_without": quiet["req_per_s"],
            "req_per_s_with": attacked["req_per_s"],
            "errors_with": attacked["errors"],
            "new_reader_status": answered,
        }
        print(
            f"  story p50 {quiet['p50']:.2f} ms, with 200 slow clients {attacked['p50']:.2f} ms "
            f"({attacked['errors']} errors, {slow.opened} slow connections opened)",
            flush=True,
        )

        results["publish_to_fresh"] = publish_to_fresh(edge, publishes)
        fresh = results["publish_to_fresh"]
        print(
            f"  publish → every listing page fresh: p50 {fresh['p50_s'] * 1000:.0f} ms, "
            f"p95 {fresh['p95_s'] * 1000:.0f} ms over {publishes} publishes",
            flush=True,
        )
    return results


def targets(results):
    from bench.report import target

    fresh, slow = results["publish_to_fresh"], results["slow_clients"]
    return {
        "story through Varnish ÷ static object": target(
            results["story"]["ratio_to_static"], "≥", TARGETS["ratio"]
        ),
        "home through Varnish ÷ static object": target(
            results["home"]["ratio_to_static"], "≥", TARGETS["ratio"]
        ),
        "publish → every listing page fresh at the edge, p95 (s)": target(
            fresh["p95_s"], "≤", TARGETS["publish_p95_s"]
        ),
        # "Unchanged" within what two runs of the same load differ by here.
        "story p50 with ÷ without 200 slow clients": target(
            slow["p50_ms_with"] / slow["p50_ms_without"], "≤", TARGETS["slow_p50_ratio"]
        ),
    }


def render(results):
    static, fresh, slow = results["static"], results["publish_to_fresh"], results["slow_clients"]
    lines = [
        "| through Varnish | req/s | p50 / p99 ms | ÷ static object |",
        "|---|--:|--:|--:|",
    ]
    for name in ("static", "story", "home"):
        row = results[name]
        lines.append(
            f"| {name} | {row['req_per_s']:.0f} | {row['p50']:.2f} / {row['p99']:.2f} "
            f"| {row['req_per_s'] / static['req_per_s']:.2f} |"
        )
    lines += [
        "",
        f"Publish → every listing page fresh at the edge ({fresh['publishes']} admin saves): "
        f"p50 {fresh['p50_s'] * 1000:.0f} ms, p95 {fresh['p95_s'] * 1000:.0f} ms, "
        f"max {fresh['max_s'] * 1000:.0f} ms; each page's p95: "
        + ", ".join(f"{name} {row['p95_s'] * 1000:.0f}" for name, row in fresh["pages"].items())
        + " ms.",
        "",
        f"200 slow clients held open to Varnish ({slow['connections_opened']} connections "
        f"opened): story p50 {slow['p50_ms_without']:.2f} ms without, "
        f"{slow['p50_ms_with']:.2f} ms with; {slow['req_per_s_without']:.0f} → "
        f"{slow['req_per_s_with']:.0f} req/s; {slow['errors_with']} errors.",
    ]
    return "\n".join(lines)
