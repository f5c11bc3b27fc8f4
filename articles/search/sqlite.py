"""SQLite full-text search: the FTS5 table ``articles_search`` (migration 0007).

One row per story, its rowid the story's id, a column per part; ranked with
``bm25()``. FTS5 has no ORM API, so this module is the one place with SQL for
it. Readers' words are quoted one by one, so FTS5 operators in a query are
just text.
"""

import re

from django.db import connection

FTS_TABLE = "articles_search"

# bm25() weights per column, in the table's column order; lower scores are better.
_BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0, 5.0, 3.0)"
_COLUMNS = "rowid, headline, dek, body, tags, bylines"


# Arabic short vowels and other marks (tashkeel, U+064B-065F, U+0670) and the
# stretching tatweel (U+0640): optional in writing, so a word is indexed and
# searched without them. unicode61's remove_diacritics folds Latin letters
# only; the "arabic" configuration does this on PostgreSQL.
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")


def plain_letters(text):
    return _ARABIC_MARKS.sub("", text)


def _fts5_query(words):
    # Each word becomes a quoted string, so AND, OR, NEAR, "*" and brackets in
    # what a reader typed are searched for as words, never run as syntax.
    return " ".join('"{}"'.format(plain_letters(word).replace('"', '""')) for word in words)


def search(articles, text, words):
    """``articles`` containing every one of ``words``, best ``bm25()`` first."""
    # The FTS5 table joins the query itself, so bm25() is computed in the one
    # full-text scan that finds the matches. (A correlated rank subquery per
    # matching row re-runs the search for each: at 100k stories a common word
    # took minutes.) extra() is the ORM's only way to add a table to FROM.
    #
    # "+rowid" hides the join from the FTS5 table's side: the matches must
    # drive the query, each story then found by its id. Left to choose, SQLite
    # has started from an index of the stories and run the match once per
    # live story (3-9 s a search at 100k stories).
    table = articles.model._meta.db_table
    return articles.extra(
        select={"rank": _BM25},
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE} MATCH %s", f'+{FTS_TABLE}.rowid = "{table}"."id"'],
        params=[_fts5_query(words)],
    ).order_by("rank", "-published_at", "-pk")


def write(documents, replacing=()):
    """Store these documents, each over its story's row (FTS5 takes REPLACE on
    the rowid), and drop the rows of the stories in ``replacing`` that have
    none: they were deleted."""
    gone = set(replacing) - {doc.article_id for doc in documents}
    with connection.cursor() as cursor:
        if gone:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in gone])
        cursor.executemany(
            f"INSERT OR REPLACE INTO {FTS_TABLE} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
            [(doc.article_id, *(plain_letters(part) for part in doc[1:6])) for doc in documents],
        )


def clear():
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
