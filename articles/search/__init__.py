"""Full-text search over published stories: headline, standfirst, body, tags, bylines.

``search(query)`` finds stories and ``index_articles(ids)`` keeps the index in
step. Each database searches with its own full-text engine, in a module of
its own; both keep one row per story in a table called ``articles_search``:

* PostgreSQL (``postgres.py``): a stored, weighted search vector per story
  (``SearchDocument``) under a GIN index, through ``django.contrib.postgres``.
* SQLite (``sqlite.py``): an FTS5 table, in the SQL FTS5 needs.

Whatever changes a story, its bylines or tags, or an author's or a tag's name
is recorded by ``articles.changes``, which calls ``index_articles`` once per
transaction, after it commits; ``manage.py rebuild_search_index`` refills the
index from scratch.
"""

import re
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import DateTimeField, Value

from ..html import body_text
from ..models import Article, Byline, TaggedArticle
from . import postgres, sqlite

# Longer queries are cut: nobody types more, and each word costs work.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 20
_WORD = re.compile(r"\w+", re.UNICODE)

# Stories re-indexed per round: one query to read them, one or two to write.
INDEX_BATCH = 500

_ENGINES = {"postgresql": postgres, "sqlite": sqlite}


def engine():
    """This database's search module, or None where there is no search."""
    return _ENGINES.get(connection.vendor)


def result_limit():
    """The most stories a search lists on this database (the newest matches),
    or None where it lists every match."""
    return postgres.RANKED_MATCHES if engine() is postgres else None


def search(query):
    """Live stories matching ``query``, best match first, ready to list.

    An empty query, or one with no words at all, matches nothing.
    """
    text = (query or "")[:MAX_QUERY_LENGTH]
    # Without Arabic vowel marks: \w does not match them, and would split a
    # vowelled word into letters.
    words = _WORD.findall(sqlite.plain_letters(text))[:MAX_QUERY_WORDS]
    articles = Article.objects.published().for_cards()
    if not words:
        return articles.none()
    if engine() is None:
        raise NotImplementedError(f"No full-text search for {connection.vendor}")
    return engine().search(articles, text, words)


class Document(NamedTuple):
    """What the index holds of one story, as plain text."""

    article_id: int
    headline: str
    dek: str
    body: str
    tags: str
    bylines: str
    # The story's language: PostgreSQL reads it with that language's configuration.
    language: str = ""
    # PostgreSQL keeps the month of it beside the vector, to find the newest matches.
    published_at: datetime | None = None


def documents(article_ids):
    """The documents of those of these stories that exist, in one query."""
    # Plain values, not model instances: a tag merge re-indexes thousands. The
    # stories, their tags and their bylines come as rows of one shape, (story,
    # kind, position, pk, text, text, text, language, time), sorted here: tags in
    # the order they were added, bylines in byline order.
    blank = Value("")
    no_time = Value(None, output_field=DateTimeField())
    stories = (
        Article.objects.filter(pk__in=article_ids)
        .order_by()
        .values_list(
            "pk",
            Value("story"),
            Value(0),
            "pk",
            "headline",
            "dek",
            "body",
            "language",
            "published_at",
        )
    )
    tags = (
        TaggedArticle.objects.filter(content_object_id__in=article_ids)
        .order_by()
        .values_list(
            "content_object_id",
            Value("tag"),
            Value(0),
            "pk",
            "tag__name",
            blank,
            blank,
            blank,
            no_time,
        )
    )
    bylines = (
        Byline.objects.filter(article_id__in=article_ids)
        .order_by()
        .values_list(
            "article_id",
            Value("byline"),
            "position",
            "pk",
            "author__name",
            blank,
            blank,
            blank,
            no_time,
        )
    )
    parts = {"story": {}, "tag": defaultdict(list), "byline": defaultdict(list)}
    # (story, kind, position, pk) is unique: the sort never compares the rest.
    for article_id, kind, _, _, *text in sorted(stories.union(tags, bylines, all=True)):
        if kind == "story":
            parts["story"][article_id] = text
        else:
            parts[kind][article_id].append(text[0])
    return [
        Document(
            pk,
            headline,
            dek,
            body_text(body),
            " ".join(parts["tag"][pk]),
            " ".join(parts["byline"][pk]),
            language,
            published_at,
        )
        for pk, (headline, dek, body, language, published_at) in parts["story"].items()
    ]


def index_articles(article_ids):
    """Write these stories' rows in the search index again, a batch at a time,
    dropping the rows of stories that no longer exist. A no-op on databases
    without search."""
    if engine() is None:
        return
    article_ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(article_ids), INDEX_BATCH):
        batch = article_ids[start : start + INDEX_BATCH]
        engine().write(documents(batch), replacing=batch)


def rebuild_index():
    """Empty the search index and index every story again; returns how many."""
    if engine() is None:
        return 0
    engine().clear()
    ids = list(Article.objects.values_list("pk", flat=True))
    index_articles(ids)
    return len(ids)
