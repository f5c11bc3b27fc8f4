"""The archive at scale on PostgreSQL: the same pages at 100,000 stories and
at ``--scale`` stories (a million by default), each in a database of its own.

    make bench-scale BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench
    make bench BENCH_ARGS="--scale 1000000 --database-url postgres://postgres@127.0.0.1:5432/bench"

The URL names the server and the databases' prefix: ``bench100k`` and
``bench1m`` here, created if missing and filled once with the benchmark's
corpus (bench/corpus.py: COPY, search vectors computed in SQL; the other counts
grow with the stories, as ``make bench --articles`` scales them, 20 sections
always). A database already holding its corpus is reused. Each size is
measured in a process of its own, in-process with Django's test Client and
the production settings: the uncached story, list pages, sitemap index and
search. Prints a table and writes bench/out/scale.json.

Targets: each page's p50 at the larger size ≤ 1.2× its 100k figure; search
p95 ≤ 50 ms at the larger size.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report, run  # noqa: E402

BASELINE = 100_000
PAGES = ["article", "home", "section", "tag", "author", "expert", "feed", "sitemap", "search"]
TARGETS = {"p50_ratio": 1.2, "search_p95_ms": 50}


def label(articles):
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if articles % size == 0:
            return f"{articles // size}{unit}"
    return str(articles)


def database_url(base_url, articles):
    parts = urlsplit(base_url)
    return parts._replace(path=f"{parts.path.rstrip('/')}{label(articles)}").geturl()


def measure_in_child(url, articles, quick):
    command = [sys.executable, __file__, "--one", url, "--articles", str(articles)]
    child = subprocess.Popen(
        command + (["--quick"] if quick else []), stdout=subprocess.PIPE, text=True
    )
    result = None
    for line in child.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        else:
            print(line, end="", flush=True)
    if child.wait() != 0 or result is None:
        raise SystemExit(f"the run at {articles:,} stories failed")
    return result


def main(scale, base_url, *, quick=False, rounds=2):
    if not base_url or not base_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--scale needs --database-url postgres://user@host:port/prefix")
    print(f"Load average (1, 5, 15 min): {report.load_average()}", flush=True)
    sizes = {}
    # Taking turns, and each page's best round: other work on the machine
    # comes and goes, and would otherwise land on one size more than the other.
    for round_ in range(1, rounds + 1):
        for articles in dict.fromkeys((BASELINE, scale)):
            url = database_url(base_url, articles)
            name = urlsplit(url).path.lstrip("/")
            print(f"{articles:,} stories in {name}, round {round_} of {rounds}:", flush=True)
            result = measure_in_child(url, articles, quick)
            if articles in sizes:
                best = sizes[articles]["pages"]
                for page, row in result["pages"].items():
                    if row["p50"] < best[page]["p50"]:
                        best[page] = row
            else:
                sizes[articles] = result

    small, large = sizes[BASELINE], sizes[scale]
    results = {
        "sizes": {label(n): sizes[n] for n in sizes},
        "targets": {},
        "load_average": report.load_average(),
        "rounds": rounds,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    for page in PAGES:
        if page != "search":
            ratio = large["pages"][page]["p50"] / small["pages"][page]["p50"]
            results["targets"][f"{page} p50 at {label(scale)} ÷ at 100k"] = report.target(
                ratio, "≤", TARGETS["p50_ratio"]
            )
    results["targets"][f"search p95 at {label(scale)} (ms)"] = report.target(
        large["pages"]["search"]["p95"], "≤", TARGETS["search_p95_ms"]
    )
    (run.OUT / "scale.json").write_text(json.dumps(results, indent=2))
    print()
    print(render(results, small, large, scale))
    print(f"\nWritten to {(run.OUT / 'scale.json').relative_to(ROOT)}")
    return 0 if all(row["met"] for row in results["targets"].values()) else 1


def render(results, small, large, scale):
    big = label(scale)
    lines = [
        f"| page (uncached, in-process) | queries | 100k p50 / p95 ms | {big} p50 / p95 ms "
        f"| {big} ÷ 100k (p50) |",
        "|---|--:|--:|--:|--:|",
    ]
    for page in PAGES:
        a, b = small["pages"][page], large["pages"][page]
        lines.append(
            f"| {page} | {b['queries']} | {a['p50']:.1f} / {a['p95']:.1f} "
            f"| {b['p50']:.1f} / {b['p95']:.1f} | {b['p50'] / a['p50']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"| search word | matches at 100k | page p50 ms | search alone p50 ms "
        f"| matches at {big} | page p50 ms | search alone p50 ms |"
    )
    lines.append("|---|--:|--:|--:|--:|--:|--:|")
    for word, a in small.get("words", {}).items():
        b = large.get("words", {}).get(word, {"matches": 0, "p50": 0, "query_p50": 0})
        lines.append(
            f"| {word} | {a['matches']} | {a['p50']:.1f} | {a['query_p50']:.1f} "
            f"| {b['matches']} | {b['p50']:.1f} | {b['query_p50']:.1f} |"
        )
    lines.append("")
    a, b = small["search_query"], large["search_query"]
    lines.append(
        f"The search alone (the newest 500 matches ranked, the first page's 20 stories "
        f"read), over the eight words: p50 / p95 {a['p50']:.1f} / {a['p95']:.1f} ms at 100k, "
        f"{b['p50']:.1f} / {b['p95']:.1f} ms at {big}."
    )
    lines.append("")
    lines.append(
        f"Fill: 100k in {small['fill_seconds']:.0f} s, {big} in {large['fill_seconds']:.0f} s "
        "(COPY and search vectors in SQL, then VACUUM ANALYZE)."
    )
    lines += ["", report.target_lines(results["targets"])]
    lines.append(f"\nLoad average (1, 5, 15 min) at the end: {results['load_average']}")
    return "\n".join(lines)


# -- one size, in a process of its own ----------------------------------------------


def corpus_counts(articles):
    ratio = articles / run.CORPUS["articles"]
    counts = {key: max(1, round(value * ratio)) for key, value in run.CORPUS.items()}
    counts["sections"] = run.CORPUS["sections"]
    return counts


def ensure_database(url, counts):
    """The database holding exactly this corpus: reused, or made afresh and
    filled. Returns the seconds its fill took."""
    import psycopg

    from bench import corpus  # after django.setup(): it imports the models

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    marker = run.OUT / f"scale-{name}.json"
    wanted = {**counts, "generator": corpus.GENERATOR_VERSION}
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() and marker.exists():
            stored = json.loads(marker.read_text())
            if {key: stored.get(key) for key in wanted} == wanted:
                with psycopg.connect(url) as database:
                    found = database.execute("SELECT count(*) FROM articles_article").fetchone()
                if found[0] == counts["articles"]:
                    print(f"  reusing it ({stored['fill_seconds']:.0f} s to fill)", flush=True)
                    return stored["fill_seconds"]
        marker.unlink(missing_ok=True)
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return None


def fill(counts):
    from django.core.management import call_command
    from django.db import connection

    from bench import corpus

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    corpus.build(**counts)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def one(url, articles, quick):
    run.OUT.mkdir(parents=True, exist_ok=True)
    counts = corpus_counts(articles)
    run.configure_environment()
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench import corpus

    fill_seconds = ensure_database(url, counts)  # before Django's first connection

    if fill_seconds is None:
        print("  filling it ...", flush=True)
        fill_seconds = fill(counts)
        print(f"  filled in {fill_seconds:.0f} s", flush=True)
        name = urlsplit(url).path.lstrip("/")
        marker = {**counts, "generator": corpus.GENERATOR_VERSION, "fill_seconds": fill_seconds}
        (run.OUT / f"scale-{name}.json").write_text(json.dumps(marker, indent=2))
    else:
        call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    urls, _ = run.pick_urls()
    requests, seconds = (40, 4) if quick else (200, 15)
    client = Client()
    pages = {}
    for page in PAGES:
        for url_ in urls[page]:  # the stamps and the next publication's time exist
            client.get(url_)
        row = run.measure_in_process(
            client, urls[page], cached=False, max_requests=requests, max_seconds=seconds
        )
        row["queries"] = run.count_queries(client, urls[page][0])
        pages[page] = row
        print(
            f"  {page:9} p50 {row['p50']:7.1f} ms, p95 {row['p95']:7.1f} ms, "
            f"{row['queries']} queries",
            flush=True,
        )
    # Each search word alone: how the time grows with the stories it matches.
    from articles.search import search

    words, query_times = {}, []
    for url_ in urls["search"]:
        word = url_.split("q=")[1]
        row = run.measure_in_process(
            client, [url_], cached=False, max_requests=requests // 8, max_seconds=seconds / 4
        )
        # The search itself, without the page around it: the newest 500
        # matches ranked, and the first page's 20 stories read.
        times = []
        for _ in range(max(5, requests // 8)):
            started = time.perf_counter()
            list(search(word)[:20])
            times.append((time.perf_counter() - started) * 1000)
        query_times += times
        words[word] = {
            "matches": len(search(word)),
            "p50": row["p50"],
            "query_p50": run.percentiles(times)["p50"],
        }
        print(
            f"    {word:>10}: {words[word]['matches']:7d} matches, p50 {row['p50']:7.1f} ms "
            f"(the search alone {words[word]['query_p50']:5.1f} ms)"
        )
    search_query = run.percentiles(query_times)
    result = {
        "pages": pages,
        "words": words,
        "search_query": search_query,
        "fill_seconds": fill_seconds,
        **counts,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", metavar="DATABASE_URL", required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    one(arguments.one, arguments.articles, arguments.quick)
