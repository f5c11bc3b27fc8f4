"""Shared set-up for the reader-surface tests (feeds, sitemaps, search, pages)."""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_expert, make_section

UNPUBLISHED = {
    "draft": {"status": Article.Status.DRAFT},
    "in review": {"status": Article.Status.IN_REVIEW},
    "scheduled": {"published_at_offset": timedelta(days=1)},
}


@dataclass
class Grid:
    section: object
    author: object
    tag: str
    expert: object
    published: Article
    hidden: dict  # state name -> Article that readers must never see


def make_grid(word="zanzibar"):
    """One published story and a draft, an in-review and a scheduled one, all
    sharing a section, an author, a tag and an expert. Hidden headlines carry
    the state's name so a leak says which state leaked."""
    section = make_section(name="Grid desk", slug="grid-desk")
    author = make_author(name="Grid Author", slug="grid-author")
    expert = make_expert(name="Grid Expert", slug="grid-expert")
    tag = "Gridtag"

    def story(headline, **fields):
        offset = fields.pop("published_at_offset", -timedelta(hours=1))
        return make_article(
            headline=headline,
            dek=f"A {word} dek",
            body=f"<p>The {word} body.</p>",
            section=section,
            authors=[author],
            tags=[tag],
            quotes=[(expert, f"Quote in {headline}")],
            published_at=timezone.now() + offset,
            **fields,
        )

    published = story("Published story")
    hidden = {
        state: story(f"Hidden {state} story", **dict(fields))
        for state, fields in UNPUBLISHED.items()
    }
    return Grid(section, author, tag, expert, published, hidden)


def sqlite_plans(client, url):
    """SQLite's plan for each query ``url`` makes: ``(sql, plan)`` pairs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if query["sql"].startswith(("SAVEPOINT", "RELEASE")):
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append((query["sql"], " / ".join(row[-1] for row in cursor.fetchall())))
    return plans


def public_patterns(patterns=None, prefix=""):
    """``(route name, pattern)`` of every named URL outside the admin: what the
    every-URL tests (declared dependencies, embargo leaks) walk."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from public_patterns(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry
