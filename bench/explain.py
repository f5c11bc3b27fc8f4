"""Query plans of every query the reader pages make, on the benchmark corpus.

    make explain                                    # SQLite: bench/out/bench.sqlite3
    make explain EXPLAIN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench

Each page is requested once, uncached, through Django's test Client; every
query it made is then shown with the database's plan for it (SQLite:
``EXPLAIN QUERY PLAN``; PostgreSQL: ``EXPLAIN``). A database with no articles
is filled with the benchmark corpus first (bench/corpus.py) and analysed.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402

PAGES = ["home", "article", "author", "section", "tag", "expert", "feed", "sitemap", "search"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("EXPLAIN_DATABASE_URL"))
    args = parser.parse_args()

    run.OUT.mkdir(parents=True, exist_ok=True)
    run.configure_environment()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    if args.database_url:
        call_command("migrate", verbosity=0)
        if not Article.objects.exists():
            from bench import corpus

            print("Filling the database with the benchmark corpus ...", flush=True)
            corpus.build(**run.CORPUS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        run.ensure_corpus(run.CORPUS, refill=False)

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    urls, _ = run.pick_urls()
    client = Client()
    print(f"Database: {connection.vendor} ({Article.objects.count()} articles)\n")
    for page in PAGES:
        url = urls[page][0]
        client.get(url)  # warm: the stamps and next-publication time exist
        run.forget([url])
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        print(f"=== {page}: {url} ({len(captured.captured_queries)} queries)")
        for number, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            print(f"--- {number}. {sql[:300]}{' …' if len(sql) > 300 else ''}")
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("    " + " ".join(str(part) for part in row))
        print()


if __name__ == "__main__":
    main()
