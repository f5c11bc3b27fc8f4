"""A live story with 2,000 entries: its page and its update endpoint.

Part of ``make bench`` (``bench/run.py`` calls ``run()`` on its corpus), or on
its own, on a throwaway SQLite database:

    .venv/bin/python bench/live.py [entries]

Measures, in-process with Django's test client, one request at a time:

* the live page (newest entries), and its last page (the oldest entries):
  uncached (the page cache entry dropped before each request) and cached;
* the update endpoint (``live.json``) that every open page polls: uncached,
  cached, and as a poll mostly is, a conditional GET answered 304;
* posting an entry (one save, its side effects after commit) and the first
  poll after it, which renders the endpoint afresh;
* the queries of each, which must not grow with the number of entries.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ENTRIES = 2_000
SLUG = "bench-live-coverage"


def ensure_live_story(entries=ENTRIES):
    """The benchmark's live story, made once (bulk inserts) and kept."""
    from django.utils import timezone

    from articles.models import Article, Author, Byline, LiveCoverage, LiveEntry, Section

    story = Article.objects.filter(slug=SLUG).first()
    if story is not None and story.live_entries.count() == entries:
        return story
    Article.objects.filter(slug=SLUG).delete()
    now = timezone.now()
    section = Section.objects.order_by("pk").first() or Section.objects.create(
        name="News", slug="news"
    )
    authors = list(Author.objects.order_by("pk")[:3]) or [
        Author.objects.create(name=f"Reporter {n}", slug=f"reporter-{n}") for n in range(3)
    ]
    story = Article.objects.create(
        headline="Election night: live results",
        slug=SLUG,
        dek="Every result as it comes in.",
        body="<p>The summary at the top of a live story.</p>",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=now - timedelta(hours=entries // 60 + 1),
    )
    for position, author in enumerate(authors):
        Byline.objects.create(article=story, author=author, position=position)
    LiveCoverage.objects.create(article=story, started_at=now - timedelta(hours=entries // 60 + 1))
    LiveEntry.objects.bulk_create(
        LiveEntry(
            article=story,
            author=authors[n % len(authors)],
            posted_at=now - timedelta(seconds=30 * (entries - n)),
            headline=f"Result {n}" if n % 25 == 0 else "",
            is_key_event=n % 25 == 0,
            is_pinned=n == entries // 2,
            text=f"<p>Update {n}: the count in district {n % 300} is finished, "
            "turnout was <strong>high</strong> and the result is in.</p>",
        )
        for n in range(entries)
    )
    return story


def _timed(client, url, *, forget=None, count, headers=None):
    samples = []
    for _ in range(count):
        if forget is not None:
            forget([url])
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 304):
            raise SystemExit(f"{url} answered {response.status_code}")
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1] if len(samples) > 1 else samples[0],
        "requests": len(samples),
        "status": response.status_code,
    }


def _queries(client, url, forget):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forget([url])
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def run(client, *, forget, quick=False, entries=ENTRIES):
    """The live story's figures, as a dict for results.json; printed as it goes."""
    from articles.models import LiveEntry
    from articles.models.live import ENTRIES_PER_PAGE

    story = ensure_live_story(entries)
    page_url = story.get_absolute_url()
    last_page = (entries - 1 + ENTRIES_PER_PAGE - 1) // ENTRIES_PER_PAGE
    from articles.models import Article

    plain = Article.objects.published().exclude(slug=SLUG).filter(live_coverage=None).first()
    urls = {
        "live page": page_url,
        f"live page {last_page} (oldest)": f"{page_url}?page={last_page}",
        "live.json": f"{page_url}live.json",
    }
    if plain is not None:  # the same machine's figure for a story that is not live
        urls["story page, not live"] = plain.get_absolute_url()
    count = 30 if quick else 200
    results = {"entries": entries}
    print(f"Live story, {entries} entries (in-process):", flush=True)
    for name, url in urls.items():
        row = results[name] = {"queries": _queries(client, url, forget)}
        row["uncached"] = _timed(client, url, forget=forget, count=count)
        client.get(url)
        row["cached"] = _timed(client, url, count=count * 5)
        print(
            f"  {name:24} uncached p50 {row['uncached']['p50']:6.1f} ms, "
            f"cached p50 {row['cached']['p50']:5.2f} ms, {row['queries']} queries",
            flush=True,
        )
    etag = client.get(urls["live.json"])["ETag"]
    poll = results["live.json"]["304"] = _timed(
        client, urls["live.json"], count=count * 5, headers={"If-None-Match": etag}
    )
    print(f"  {'live.json, 304':24} p50 {poll['p50']:5.2f} ms (status {poll['status']})")

    author = story.bylines.first().author
    posts, first_polls = [], []
    for n in range(10 if quick else 40):
        started = time.perf_counter()
        LiveEntry.objects.create(article=story, author=author, text=f"<p>Bench post {n}.</p>")
        posts.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        fresh = client.get(urls["live.json"])
        first_polls.append((time.perf_counter() - started) * 1000)
        assert f"Bench post {n}." in fresh.content.decode()
    LiveEntry.objects.filter(article=story, text__startswith="<p>Bench post").delete()
    results["post entry"] = {"p50": statistics.median(posts)}
    results["first poll after a post"] = {"p50": statistics.median(first_polls)}
    print(
        f"  post an entry p50 {statistics.median(posts):.1f} ms; the first poll after it "
        f"p50 {statistics.median(first_polls):.1f} ms (renders afresh)",
        flush=True,
    )
    return results


def main(entries=ENTRIES):
    """On its own: a throwaway database with just the live story."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    database = Path(tempfile.mkdtemp()) / "live.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.production",
            "SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{database}",
            "DATABASE_REPLICA_URL": "",
            "CACHE_URL": "locmem://",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "ERROR",
            "STATIC_ROOT": str(database.parent / "static"),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.run import forget

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    story = ensure_live_story(entries)
    from tests.factories import make_article

    make_article(section=story.section, authors=[story.bylines.first().author])
    print(f"Filled a live story with {entries} entries in {time.perf_counter() - started:.1f} s")
    run(Client(), forget=forget, entries=entries)
    database.unlink()


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
