"""Full-text search over published stories: headline, standfirst, body, tags, bylines.

``search(query)`` is the one entry point. It picks the database's own
full-text engine:

* PostgreSQL: ``articles_search`` holds one stored, weighted ``tsvector`` per
  article under a GIN index (migration 0010), ranked with ``ts_rank_cd``; the
  query is read like a web search box (``websearch_to_tsquery``), which has no
  syntax errors. (Building the vectors at query time scanned the whole archive
  on every search: minutes at 100k stories.)
* SQLite: ``articles_search`` is an FTS5 table (migration 0007), ranked with
  ``bm25()``. Readers' words are quoted one by one, so FTS5 operators in a
  query are just text.

Either table is kept in step by ``articles.changes``, which calls
``index_articles`` once per transaction; ``manage.py rebuild_search_index``
refills it from scratch.
"""

import re
from collections import defaultdict

from django.conf import settings
from django.db import connection

from .html import body_text
from .models import Article, Byline, TaggedArticle

FTS_TABLE = "articles_search"
# Longer queries are cut: nobody types more, and each word costs work.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 20
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# PostgreSQL text-search configurations for NEWSROOM_LANGUAGE; others use "simple".
POSTGRES_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "sv": "swedish",
}


def postgres_config(language):
    """The PostgreSQL text-search configuration for a language code like "en-gb"."""
    return POSTGRES_CONFIGS.get(language.split("-")[0], "simple")


def search_words(query):
    """The words of a reader's query, without punctuation or operators."""
    return _WORD.findall((query or "")[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]


def search(query):
    """Published articles matching ``query``, best match first, ready to list.

    An empty query, or one with no words at all, matches nothing.
    """
    words = search_words(query)
    # The full-text index finds the few matches; let no planner start from the
    # status index instead (SQLite did, at 100k stories: seconds per search).
    articles = Article.objects.published(unindexed={"status"}).for_listing()
    if not words:
        return articles.none()
    if connection.vendor == "postgresql":
        # PostgreSQL refuses NUL in text; other control characters mean nothing here.
        cleaned = _CONTROL.sub(" ", query[:MAX_QUERY_LENGTH])
        return _search_postgres(articles, cleaned)
    if connection.vendor == "sqlite":
        return _search_sqlite(articles, words)
    raise NotImplementedError(f"No full-text search for {connection.vendor}")


# -- PostgreSQL -------------------------------------------------------------------


def _search_postgres(articles, query):
    # Joined like the FTS5 table below: the GIN index finds the matches and the
    # rank is computed only for them.
    table = Article._meta.db_table
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    params = [postgres_config(settings.NEWSROOM_LANGUAGE), query]
    return articles.extra(
        select={"rank": f"ts_rank_cd({FTS_TABLE}.document, {tsquery})"},
        select_params=params,
        tables=[FTS_TABLE],
        where=[
            f"{FTS_TABLE}.document @@ {tsquery}",
            f'{FTS_TABLE}.article_id = "{table}"."id"',
        ],
        params=params,
    ).order_by("-rank", "-published_at", "-pk")


# -- SQLite FTS5 ------------------------------------------------------------------

# bm25() weights per column, in the table's column order; lower scores are better.
_BM25 = "bm25(articles_search, 10.0, 4.0, 1.0, 5.0, 3.0)"


def _fts5_query(words):
    # Each word becomes a quoted string, so AND, OR, NEAR, "*" and brackets in
    # what a reader typed are searched for as words, never run as syntax.
    return " ".join('"{}"'.format(word.replace('"', '""')) for word in words)


def _search_sqlite(articles, words):
    # The FTS5 table joins the query itself, so bm25() is computed in the one
    # full-text scan that finds the matches. (A correlated rank subquery per
    # matching row re-runs the search for each: at 100k stories a common word
    # took minutes.) extra() is the ORM's only way to add a table to FROM.
    table = Article._meta.db_table
    return articles.extra(
        select={"rank": _BM25},
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE} MATCH %s", f'{FTS_TABLE}.rowid = "{table}"."id"'],
        params=[_fts5_query(words)],
    ).order_by("rank", "-published_at", "-pk")


def _uses_fts5():
    """Whether this database keeps an ``articles_search`` table to write to."""
    return connection.vendor in {"sqlite", "postgresql"}


INDEX_BATCH = 500


def index_article(article_id):
    """(Re)write one article's row in the search table."""
    index_articles([article_id])


def index_articles(article_ids):
    """(Re)write these articles' rows in the search table, a batch at a time
    (three queries per batch), dropping rows of articles that no longer exist.
    A no-op on databases without one."""
    if not _uses_fts5():
        return
    article_ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(article_ids), INDEX_BATCH):
        batch = article_ids[start : start + INDEX_BATCH]
        # Plain values, not model instances: a tag merge re-indexes thousands.
        names = {"tags": defaultdict(list), "bylines": defaultdict(list)}
        tagged = TaggedArticle.objects.filter(content_object_id__in=batch).order_by("pk")
        for article_id, name in tagged.values_list("content_object_id", "tag__name"):
            names["tags"][article_id].append(name)
        bylines = Byline.objects.filter(article_id__in=batch).order_by("position", "pk")
        for article_id, name in bylines.values_list("article_id", "author__name"):
            names["bylines"][article_id].append(name)
        rows = [
            (
                pk,
                headline,
                dek,
                body_text(body),
                " ".join(names["tags"][pk]),
                " ".join(names["bylines"][pk]),
            )
            for pk, headline, dek, body in Article.objects.filter(pk__in=batch).values_list(
                "pk", "headline", "dek", "body"
            )
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _write_postgres_rows(cursor, batch, rows)
                continue
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in batch])
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, headline, dek, body, tags, bylines) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )


# Headline A, tags and standfirst B, bylines C, body D (as migration 0010 fills it).
_POSTGRES_DOCUMENT = (
    "setweight(to_tsvector(%(c)s::regconfig, %(headline)s), 'A')"
    " || setweight(to_tsvector(%(c)s::regconfig, %(tags)s), 'B')"
    " || setweight(to_tsvector(%(c)s::regconfig, %(dek)s), 'B')"
    " || setweight(to_tsvector(%(c)s::regconfig, %(bylines)s), 'C')"
    " || setweight(to_tsvector(%(c)s::regconfig, %(body)s), 'D')"
)


def _write_postgres_rows(cursor, batch, rows):
    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE article_id = ANY(%s)", [list(batch)])
    config = postgres_config(settings.NEWSROOM_LANGUAGE)
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (article_id, document) VALUES (%(pk)s, {_POSTGRES_DOCUMENT})",
        [
            {
                "c": config,
                "pk": pk,
                "headline": headline,
                "dek": dek,
                "body": body,
                "tags": tags,
                "bylines": bylines,
            }
            for pk, headline, dek, body, tags, bylines in rows
        ],
    )


def rebuild_index():
    """Empty the FTS5 table and index every article again; returns how many."""
    if not _uses_fts5():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
    ids = list(Article.objects.values_list("pk", flat=True))
    index_articles(ids)
    return len(ids)
