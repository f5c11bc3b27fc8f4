"""Concurrent writers on one SQLite file: no "database is locked", no lost write.

Starts WRITERS processes (like gunicorn workers) that all begin at the same
moment and each make SAVES saves on one SQLite database file, with the
project's SQLite settings (WAL, busy timeout, IMMEDIATE transactions). Each
save is a transaction that reads a shared counter, increments it and adds an
article: if two transactions ever overlapped, an increment would be lost.

    .venv/bin/python bench/sqlite_writers.py --writers 4 --saves 25
    # For contrast, Django's default transaction mode:
    .venv/bin/python bench/sqlite_writers.py --transaction-mode DEFERRED

Prints one JSON object (writes/s, errors, counts) and exits 1 if any write
failed or was lost. tests/test_sqlite_concurrency.py runs it.
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database, transaction_mode):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DATABASE_REPLICA_URL"] = ""
    os.environ["CACHE_URL"] = "locmem://"  # each process its own, as the writes are the point
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings.base"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = transaction_mode


def write(writer, database, transaction_mode, saves, start, results):
    setup_django(database, transaction_mode)
    from django.db import transaction

    from articles.models import Article, Section

    errors, latencies = [], []
    start.wait()
    for i in range(saves):
        began = time.perf_counter()
        try:
            with transaction.atomic():
                desk = Section.objects.get(slug="desk")
                desk.position += 1  # read, then write: lost if another writer overlapped
                desk.save(update_fields=["position"])
                Article.objects.create(
                    headline=f"Writer {writer}, story {i}",
                    slug=f"writer-{writer}-story-{i}",
                    section=desk,
                    body=f"<p>Story {i} from writer {writer}.</p>",
                )
        except Exception as error:  # noqa: BLE001 - every failure is the result
            errors.append(f"{type(error).__name__}: {error}")
        latencies.append(time.perf_counter() - began)
    results.put({"writer": writer, "errors": errors, "latencies": latencies})


def run(writers, saves, transaction_mode, folder):
    database = Path(folder) / "writers.sqlite3"
    setup_django(database, transaction_mode)
    from django.core.management import call_command

    from articles.models import Article, Section

    call_command("migrate", verbosity=0)
    Section.objects.create(name="Desk", slug="desk", position=0)

    # Fresh interpreters, like gunicorn workers: no connection shared by fork.
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=write, args=(n, database, transaction_mode, saves, start, results))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    time.sleep(2)  # let every process import Django and wait at the start line
    began = time.perf_counter()
    start.set()
    reports = [results.get(timeout=300) for _ in processes]
    seconds = time.perf_counter() - began
    for process in processes:
        process.join()

    errors = [error for report in reports for error in report["errors"]]
    latencies = sorted(latency for report in reports for latency in report["latencies"])
    expected = writers * saves
    return {
        "writers": writers,
        "saves_per_writer": saves,
        "transaction_mode": transaction_mode,
        "seconds": round(seconds, 3),
        "writes_per_second": round(Article.objects.count() / seconds, 1),
        "slowest_write_ms": round(latencies[-1] * 1000, 1),
        "median_write_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "errors": len(errors),
        "first_errors": errors[:3],
        "articles_expected": expected,
        "articles_saved": Article.objects.count(),
        "counter": Section.objects.get(slug="desk").position,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--saves", type=int, default=25)
    parser.add_argument("--transaction-mode", default="IMMEDIATE")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsroom-writers-") as folder:
        result = run(options.writers, options.saves, options.transaction_mode, folder)
    print(json.dumps(result, indent=2))
    ok = result["errors"] == 0 and (
        result["articles_saved"] == result["counter"] == result["articles_expected"]
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
