"""Search timings on PostgreSQL, on a corpus of the benchmark's kind in a database of its own.

    .venv/bin/python bench/search_postgres.py \
        --database-url postgres://postgres@127.0.0.1:5432/newsroom_search_bench

The database is created if missing and filled once (20,000 stories by default,
the other counts scaled as ``make bench`` scales them), then the search index
is rebuilt (timed) and the search page is asked for the benchmark's words,
uncached, through Django's test Client.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402


def create_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not found.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per word")
    args = parser.parse_args()

    create_database(args.database_url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
            "DATABASE_URL": args.database_url,
            "DATABASE_REPLICA_URL": "",
            "CACHE_URL": "locmem://",
            "DEBUG": "false",
        }
    )
    # No collected static files here: whitenoise's warning about it is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from articles.search import rebuild_index, search
    from bench import corpus

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        scale = args.articles / run.CORPUS["articles"]
        counts = {key: max(1, round(value * scale)) for key, value in run.CORPUS.items()}
        counts["sections"] = run.CORPUS["sections"]
        corpus.build(**counts)
    started = time.monotonic()
    indexed = rebuild_index()
    print(f"rebuild_index: {indexed} stories in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        # The rebuild left every old row dead: clear them, as autovacuum would.
        cursor.execute("VACUUM ANALYZE")

    words = [corpus.RARE_WORDS[rank] for rank in (20, 50, 100, 200, 400, 800, 1600, 3000)]
    client = Client()
    samples = []
    for word in [*words, "harbour"]:
        url = f"/search/?q={word}"
        assert client.get(url).status_code == 200  # warm
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        samples.extend(timings)
        results = len(search(word))
        print(f"  {word:>10}: {results:6d} results, p50 {run.percentiles(timings)['p50']:.1f} ms")
    figures = run.percentiles(samples)
    print("search p50 / p95 / p99 ms: " + " / ".join(f"{figures[p]:.1f}" for p in figures))


if __name__ == "__main__":
    main()
