"""The editor's save, timed on the benchmark corpus: the admin's add and change
of a published story with 3 bylines, 2 expert quotes and 5 tags, posted with
Django's test Client by a logged-in editor, after-commit work included (the
re-index and the page invalidations run when the admin's transaction commits,
inside the request). The stories it adds are deleted afterwards, leaving the
corpus as it was."""

import statistics
import time

from tests.workflow_helpers import ADD_URL, change_url, form_data, inline_rows, management


def _editor():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin-editor", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def _post(client, url, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        context = response.context
        errors = [context["adminform"].form.errors] if context else [response.status_code]
        raise SystemExit(f"the admin refused the benchmark's save: {errors}")
    return elapsed, len(captured.captured_queries)


def measure(saves):
    """Times (ms) and query counts of ``saves`` adds and as many changes."""
    from django.test import Client

    from articles.models import Article, Author, Expert, Section, Tag

    client = Client()
    client.force_login(_editor())
    authors, experts = list(Author.objects.all()[:3]), list(Expert.objects.all()[:2])
    tags = [str(pk) for pk in Tag.objects.order_by("pk").values_list("pk", flat=True)[:5]]
    section = Section.objects.first()
    client.get(ADD_URL)  # as on a server at work: the session and content types in use
    adds, changes, added = [], [], []
    try:
        for n in range(saves):
            slug = f"bench-admin-save-{n}-{time.time_ns()}"
            adds.append(
                _post(
                    client,
                    ADD_URL,
                    {
                        "headline": f"Harbour strike ends, day {n}",
                        "slug": slug,
                        "dek": "Crews return tonight after three weeks of talks.",
                        "section": str(section.pk),
                        "status": Article.Status.PUBLISHED,
                        "published_at_0": "",
                        "published_at_1": "",
                        "body": "<h2>Talks</h2><p>The strike is over.</p>" * 6,
                        "tags": tags,
                        "hero_caption": "",
                        "hero_credit": "",
                        "hero_alt": "",
                        **inline_rows(authors, experts),
                        **management("corrections"),
                    },
                )
            )
            article = Article.objects.get(slug=slug)
            added.append(article.pk)
            data = form_data(
                article,
                headline=f"Harbour strike ends after talks, day {n}",
                tags=tags,
                **management("corrections"),
                **inline_rows(
                    authors,
                    experts,
                    bylines=list(article.bylines.order_by("position")),
                    quotes=list(article.quotes.order_by("position")),
                ),
            )
            changes.append(_post(client, change_url(article), data))
    finally:
        for article in Article.objects.filter(pk__in=added):
            article.delete()

    def summary(rows):
        times = [ms for ms, _ in rows]
        return {
            "saves": len(rows),
            "p50_ms": statistics.median(times),
            "max_ms": max(times),
            "queries": max(queries for _, queries in rows),
        }

    return {"add": summary(adds), "change": summary(changes)}
