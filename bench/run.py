"""The Newsroom benchmark: reader pages at archive scale, in one command.

    make bench                     # the full run, as in the README
    make bench BENCH_ARGS=--quick  # a short run while developing

1. Fills a separate SQLite database, bench/out/bench.sqlite3 (never the
   development database), with 100,000 articles, 2,000 authors, 500 experts,
   20,000 quotes, 5,000 tags and 20 sections (bench/corpus.py), unless it
   already holds exactly that corpus (``--refill`` to rebuild it).
2. In-process, with Django's test Client: p50/p95/p99 latency and requests per
   second of each reader page uncached (its cache entry is dropped before each
   request) and cached, and the queries each page makes.
3. Through gunicorn on 127.0.0.1 under wrk (installed with apt-get if missing,
   else a bounded Python load loop): each page's cached throughput, a static
   file from the same server as the ceiling, stories nobody asked for yet
   (uncached), a mixed load at saturation counting errors, and the peak memory
   of a worker.
4. The admin's add and change of a full story, timed with their queries
   (bench/admin_save.py).
5. With varnishd, wrk and redis-server installed: the edge run, the site
   behind the shipped Varnish config (bench/edge.py; ``--edge-only`` for it
   alone, ``--no-edge`` to leave it out).

``--scale N --database-url postgres://…`` runs bench/scale.py instead: the
pages at 100,000 and at N stories on PostgreSQL.

Prints a table and writes bench/out/results.json. Runs with production
settings (DEBUG off) and the local-memory cache: one cache per gunicorn worker.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB = OUT / "bench.sqlite3"
CORPUS = {
    "articles": 100_000,
    "authors": 2_000,
    "experts": 500,
    "quotes": 20_000,
    "tags": 5_000,
    "sections": 20,
}
PREFERRED_PORT = 8186
PAGES = [
    "home", "article", "author", "section", "tag", "expert",
    "feed", "sitemap", "sitemap-articles", "search",
]  # fmt: skip


def configure_environment():
    """Production settings against the benchmark's own database, whatever the
    caller's environment says."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.production",
            "SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": f"sqlite:///{DB}",
            "DATABASE_REPLICA_URL": "",
            "CACHE_URL": "locmem://",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(OUT / "static"),
            "LOG_LEVEL": "ERROR",
        }
    )


# -- the corpus -------------------------------------------------------------------


def ensure_corpus(corpus, refill):
    from django.core.management import call_command

    from bench import corpus as builder

    marker = OUT / "corpus.json"
    wanted = {**corpus, "seed": 7, "generator": builder.GENERATOR_VERSION}
    if not refill and DB.exists() and marker.exists():
        stored = json.loads(marker.read_text())
        if {key: stored.get(key) for key in wanted} == wanted and _holds_articles(corpus):
            print(
                f"Corpus: reusing {DB.relative_to(ROOT)} ({stored['fill_seconds']:.0f} s to fill)"
            )
            call_command("migrate", verbosity=0)
            return stored
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    print(f"Corpus: filling {DB.relative_to(ROOT)} ...", flush=True)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    counts = builder.build(**corpus)
    from django.db import connection

    with connection.cursor() as cursor:  # fold the fill's write-ahead log into the file
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    analyse()
    counts["fill_seconds"] = time.monotonic() - started
    print(f"Corpus: filled in {counts['fill_seconds']:.0f} s", flush=True)
    marker.write_text(json.dumps(counts, indent=2))
    return counts


def _holds_articles(corpus):
    from django.db import DatabaseError

    from articles.models import Article

    try:
        return Article.objects.count() == corpus["articles"]
    except DatabaseError:  # a half-written or damaged file: build it again
        return False


def analyse():
    """Table statistics for SQLite's query planner, as a maintained database has
    (README, "Performance"). Without them SQLite walks every live story to fill
    an author's or a tag's page instead of starting from their few bylines."""
    from django.db import connection

    with connection.cursor() as cursor:
        # A full ANALYZE (ten seconds here): sampled statistics
        # (analysis_limit) misjudge how few stories most tags have.
        cursor.execute("ANALYZE")


def pick_urls(seed=11):
    """Deterministic samples of each page's URLs from the corpus."""
    from django.urls import reverse

    from articles.models import Article, Author, Expert, Section, Tag
    from bench import corpus

    rng = random.Random(seed)
    live = list(Article.objects.published().values_list("slug", flat=True))
    authors = list(Author.objects.values_list("slug", flat=True))
    tags = list(Tag.objects.values_list("slug", flat=True))
    experts = list(Expert.objects.values_list("slug", flat=True))
    # Topic words of the corpus's rarer vocabulary: from about 5% of stories
    # down to a fraction of one percent, as readers' searches do.
    words = [corpus.RARE_WORDS[rank] for rank in (20, 50, 100, 200, 400, 800, 1600, 3000)]
    urls = {
        "home": ["/"],
        "article": [
            reverse("articles:article", args=[s]) for s in rng.sample(live, min(200, len(live)))
        ],
        "author": [
            reverse("articles:author", args=[s])
            for s in rng.sample(authors, min(100, len(authors)))
        ],
        "section": [s.get_absolute_url() for s in Section.objects.all()],
        "tag": [reverse("articles:tag", args=[s]) for s in rng.sample(tags, min(100, len(tags)))],
        "expert": [
            reverse("articles:expert", args=[s])
            for s in rng.sample(experts, min(100, len(experts)))
        ],
        "feed": [reverse("articles:feed")],
        "sitemap": [reverse("articles:sitemap")],
        "sitemap-articles": [reverse("articles:sitemap_part", args=["articles"])],
        "search": [f"{reverse('articles:search')}?q={word}" for word in words],
    }
    # Stories nobody has asked for yet: an uncached load through the server.
    cold = [reverse("articles:article", args=[s]) for s in rng.sample(live, min(20_000, len(live)))]
    return urls, cold


# -- in-process -------------------------------------------------------------------


def percentiles(samples_ms):
    if len(samples_ms) < 2:
        value = samples_ms[0] if samples_ms else 0.0
        return {"p50": value, "p95": value, "p99": value}
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def forget(urls):
    """Drop these URLs' page-cache entries (and nothing else: the stamps and the
    next-publication time stay, as they would in production)."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from articles.pagecache.pages import page_cache_key

    factory = RequestFactory()
    keys = [
        page_cache_key(factory.get(url), params)
        for url in urls
        for params in (("page",), (), ("p",))
    ]
    cache.delete_many(keys)


def measure_in_process(client, urls, *, cached, max_requests, max_seconds):
    if cached:
        for url in urls:
            client.get(url)
    samples, cpu_samples, deadline, i, misses = [], [], time.monotonic() + max_seconds, 0, 0
    while i < max_requests and time.monotonic() < deadline:
        url = urls[i % len(urls)]
        if not cached:
            forget([url])
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        misses += response.get("X-Cache") != "hit"
        i += 1
    result = percentiles(samples)
    result["requests"] = len(samples)
    result["req_per_s"] = len(samples) / (sum(samples) / 1000)
    # CPU time of this process: what a request costs, less the waiting for a
    # core that a busy machine adds to the wall-clock figures.
    result["cpu_p50"] = statistics.median(cpu_samples)
    result["cache_misses"] = misses
    return result


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forget([url])
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


# -- through gunicorn -------------------------------------------------------------

WRK_SCRIPT = """
local paths = {}
local counter = 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def ensure_wrk():
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (apt-get) ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
    return shutil.which("wrk") is not None


def spare_port():
    for port in (PREFERRED_PORT, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise SystemExit("no free port on 127.0.0.1")


class Server:
    """gunicorn on 127.0.0.1 with the benchmark's settings, stopped on exit."""

    def __init__(self, workers, threads):
        self.port = spare_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--error-logfile",
                str(OUT / "gunicorn.log"),
                "--timeout",
                "60",
            ],  # fmt: skip
            cwd=ROOT,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=10) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {OUT / 'gunicorn.log'}")

    def warm(self, paths, tries=8):
        """Until each path is a hit three times in a row: each worker has its
        own local-memory cache, and any of them may answer a new connection."""
        for path in paths:
            streak = 0
            for _ in range(tries):
                with urllib.request.urlopen(self.base + path, timeout=120) as response:
                    response.read()
                    streak = streak + 1 if response.headers.get("X-Cache") == "hit" else 0
                if streak == 3:
                    break

    def worker_pids(self):
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                pids.append(int(status.parent.name))
        return pids

    def peak_worker_rss_mb(self):
        peaks = []
        for pid in self.worker_pids():
            match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks) if peaks else None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def load(server, paths, *, seconds, connections, use_wrk, name, headers=()):
    """Requests over ``paths`` in turn for ``seconds``; returns rates, latency
    percentiles and errors (socket errors, timeouts, non-2xx/3xx answers)."""
    paths_file = OUT / f"paths-{name}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    if use_wrk:
        script = OUT / "report.lua"
        script.write_text(WRK_SCRIPT)
        threads = min(2, connections)
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                *(part for header in headers for part in ("-H", header)),
                "-s",
                str(script),
                server.base,
                "--",
                str(paths_file),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(line for line in completed.stdout.splitlines() if line.startswith("JSON "))
        raw = json.loads(line[5:])
        errors = sum(raw[key] for key in ("connect", "read", "write", "status", "timeout"))
        return {
            "requests": raw["requests"],
            "req_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50": raw["p50_us"] / 1000,
            "p95": raw["p95_us"] / 1000,
            "p99": raw["p99_us"] / 1000,
            "errors": errors,
            "error_detail": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
            "tool": "wrk",
        }
    return python_load(server, paths, seconds=seconds, connections=connections)


def python_load(server, paths, *, seconds, connections, max_requests=200_000):
    """The fallback load tool: keep-alive connections in threads, bounded in
    time and in count, to 127.0.0.1 only."""
    samples, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(max_requests))

    def worker(offset):
        connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
        i = offset
        while time.monotonic() < deadline and next(counter, None) is not None:
            started = time.perf_counter()
            try:
                connection.request("GET", paths[i % len(paths)])
                response = connection.getresponse()
                response.read()
                failed = response.status >= 400
            except OSError:
                connection.close()
                connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
                failed = True
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples.append(elapsed)
                errors[0] += failed
            i += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = percentiles(samples)
    result.update(
        requests=len(samples),
        req_per_s=len(samples) / (time.monotonic() - started),
        errors=errors[0],
        tool="python",
    )
    return result


# -- the run ----------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short timings, for development")
    parser.add_argument("--refill", action="store_true", help="rebuild the corpus")
    parser.add_argument(
        "--articles", type=int, default=CORPUS["articles"], help="corpus size (others scale)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-edge", action="store_true", help="leave out the edge run")
    parser.add_argument("--edge-only", action="store_true", help="the edge run alone")
    parser.add_argument(
        "--scale",
        type=int,
        help="instead: the PostgreSQL run at this many stories against 100,000 (bench/scale.py)",
    )
    parser.add_argument("--database-url", help="the PostgreSQL server and base name of --scale")
    args = parser.parse_args()
    if args.scale or args.database_url:
        sys.path.insert(0, str(ROOT))
        from bench import scale

        return scale.main(args.scale or 1_000_000, args.database_url, quick=args.quick)

    OUT.mkdir(parents=True, exist_ok=True)
    # Stopped with SIGTERM, still stop gunicorn (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    configure_environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client

    from bench import admin_save, edge, report

    print(f"Load average (1, 5, 15 min): {report.load_average()}", flush=True)
    scale = args.articles / CORPUS["articles"]
    corpus = {key: max(1, round(value * scale)) for key, value in CORPUS.items()}
    corpus["sections"] = CORPUS["sections"]
    corpus_info = ensure_corpus(corpus, args.refill)
    if args.edge_only:
        return edge_only(args.quick)
    call_command("collectstatic", interactive=False, verbosity=0)
    urls, cold = pick_urls()

    quick = args.quick
    uncached_budget = (40, 3) if quick else (400, 20)  # requests, seconds per page
    cached_budget = (300, 2) if quick else (3000, 5)
    load_seconds = 3 if quick else 10
    saturation_seconds = 10 if quick else 60

    client = Client()
    results = {"pages": {}, "corpus": corpus_info}
    print("In-process (Django test Client, one request at a time):", flush=True)
    for page in PAGES:
        row = results["pages"][page] = {}
        row["queries"] = count_queries(client, urls[page][0])
        row["uncached"] = measure_in_process(
            client, urls[page], cached=False,
            max_requests=uncached_budget[0], max_seconds=uncached_budget[1],
        )  # fmt: skip
        if page != "search":  # every search is different: never page-cached
            row["cached"] = measure_in_process(
                client, urls[page], cached=True,
                max_requests=cached_budget[0], max_seconds=cached_budget[1],
            )  # fmt: skip
            row["speedup"] = row["cached"]["req_per_s"] / row["uncached"]["req_per_s"]
        print(
            f"  {page:17} uncached p50 {row['uncached']['p50']:7.1f} ms"
            + (f", cached p50 {row['cached']['p50']:6.2f} ms" if "cached" in row else "")
            + f", {row['queries']} queries",
            flush=True,
        )

    from bench import live  # a live story with 2,000 entries (bench/live.py)

    results["live"] = live.run(client, forget=forget, quick=quick)

    use_wrk = ensure_wrk()
    print(
        f"Through gunicorn ({args.workers} workers x {args.threads} threads, "
        f"{'wrk' if use_wrk else 'Python load loop'}):",
        flush=True,
    )
    server = Server(args.workers, args.threads)
    try:
        static_path = static("articles/site.css")
        results["static"] = load(
            server, [static_path], seconds=load_seconds, connections=16,
            use_wrk=use_wrk, name="static",
        )  # fmt: skip
        print(f"  static file       {results['static']['req_per_s']:8.0f} req/s", flush=True)
        for page in PAGES:
            if page != "search":  # never cached: nothing to warm
                server.warm(urls[page])
            row = load(
                server, urls[page], seconds=load_seconds, connections=16,
                use_wrk=use_wrk, name=page,
            )  # fmt: skip
            row["ratio_to_static"] = row["req_per_s"] / results["static"]["req_per_s"]
            results["pages"][page]["server"] = row
            print(
                f"  {page:17} {row['req_per_s']:8.0f} req/s, p50 {row['p50']:6.1f} ms, "
                f"{row['ratio_to_static']:.2f} of static, {row['errors']} errors",
                flush=True,
            )
        results["cold_articles"] = load(
            server, cold, seconds=load_seconds, connections=16, use_wrk=use_wrk, name="cold"
        )
        print(
            f"  article, uncached {results['cold_articles']['req_per_s']:8.0f} req/s, "
            f"p50 {results['cold_articles']['p50']:6.1f} ms",
            flush=True,
        )
        mix = [url for page in PAGES for url in urls[page]] + cold[:2000]
        random.Random(3).shuffle(mix)
        results["saturation"] = load(
            server, mix, seconds=saturation_seconds, connections=64,
            use_wrk=use_wrk, name="saturation",
        )  # fmt: skip
        results["saturation"]["seconds"] = saturation_seconds
        print(
            f"  saturation {saturation_seconds} s: {results['saturation']['req_per_s']:.0f} req/s,"
            f" {results['saturation']['errors']} errors",
            flush=True,
        )
        results["peak_worker_rss_mb"] = server.peak_worker_rss_mb()
    finally:
        server.stop()

    print("The admin's save (test Client, a logged-in editor):", flush=True)
    results["admin_save"] = admin_save.measure(5 if quick else 20)
    for action, row in results["admin_save"].items():
        print(f"  {action:6} p50 {row['p50_ms']:6.1f} ms, {row['queries']} queries", flush=True)

    skipped = "--no-edge" if args.no_edge else edge.missing()
    if skipped:
        print(f"Edge run skipped: {skipped}.", flush=True)
    else:
        print("Through Varnish (deploy/varnish/newsroom.vcl, gunicorn 2 workers, Redis):")
        results["edge"] = edge.run(DB, OUT / "edge", seconds=load_seconds, publishes=20, load=load)

    article = results["pages"]["article"]
    results["targets"] = {
        "uncached article p50 in-process (ms)": report.target(article["uncached"]["p50"], "≤", 15),
        "cached / uncached article req/s": report.target(article["speedup"], "≥", 10),
        "errors in the saturation load": report.target(results["saturation"]["errors"], "≤", 0),
    }
    if "edge" in results:
        results["targets"].update(edge.targets(results["edge"]))
    results["run"] = {
        "mode": "quick" if quick else "full",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        "load_tool": "wrk" if use_wrk else "python",
        "load_seconds": load_seconds,
        "load_average": report.load_average(),
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print()
    print(report.render_table(results))
    print(f"\nWritten to {(OUT / 'results.json').relative_to(ROOT)}")
    return 0 if all(target["met"] for target in results["targets"].values()) else 1


def edge_only(quick):
    from bench import edge, report

    skipped = edge.missing()
    if skipped:
        print(f"Edge run skipped: {skipped}.")
        return 0
    print("Through Varnish (deploy/varnish/newsroom.vcl, gunicorn 2 workers, Redis):")
    results = edge.run(DB, OUT / "edge", seconds=3 if quick else 10, publishes=20, load=load)
    (OUT / "edge.json").write_text(json.dumps(results, indent=2))
    print("\n" + edge.render(results) + "\n")
    print(report.target_lines(edge.targets(results)))
    print(f"\nLoad average (1, 5, 15 min) at the end: {report.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
