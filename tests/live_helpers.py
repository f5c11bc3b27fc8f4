"""Live stories for the tests: a story with open coverage and entries."""

from datetime import timedelta

from django.utils import timezone

from articles.models import LiveCoverage, LiveEntry
from tests.factories import make_article, make_author


def make_live_story(*, entries=0, authors=None, start=None, **fields):
    """A live story (published, coverage open) with ``entries`` entries, one a
    minute, the newest a minute ago, by its first byline."""
    authors = authors or [make_author()]
    article = make_article(authors=authors, **fields)
    started = start or timezone.now() - timedelta(minutes=entries + 5)
    LiveCoverage.objects.create(article=article, started_at=started)
    add_entries(article, entries, author=authors[0])
    return article


def add_entries(article, count, *, author=None, **fields):
    author = author or article.bylines.first().author
    now = timezone.now()
    return [
        LiveEntry.objects.create(
            article=article,
            author=author,
            posted_at=now - timedelta(minutes=count - n),
            text=f"<p>Update number {n + 1}.</p>",
            **fields,
        )
        for n in range(count)
    ]
