"""Full-text search over published stories: headline, standfirst, body, tags, bylines.

``search(query)`` is the one entry point. It picks the database's own
full-text engine:

* PostgreSQL: ``django.contrib.postgres.search``, a weighted ``SearchVector``
  ranked with ``SearchRank``; the query is read like a web search box
  (``websearch_to_tsquery``), which has no syntax errors.
* SQLite: an FTS5 table, ``articles_search`` (created by migration 0002),
  ranked with ``bm25()``. Readers' words are quoted one by one, so FTS5
  operators in a query are just text.

The FTS5 table is kept in step with articles, bylines, authors and tags by the
signal receivers at the bottom of this module; ``manage.py
rebuild_search_index`` refills it from scratch.
"""

import re
from collections import defaultdict
from html import unescape

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import strip_tags

from .models import Article, Author, Byline, Tag, TaggedArticle

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


def search_words(query):
    """The words of a reader's query, without punctuation or operators."""
    return _WORD.findall((query or "")[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]


def search(query):
    """Published articles matching ``query``, best match first, ready to list.

    An empty query, or one with no words at all, matches nothing.
    """
    words = search_words(query)
    articles = Article.objects.published().for_listing()
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
    from django.contrib.postgres.aggregates import StringAgg
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = POSTGRES_CONFIGS.get(settings.NEWSROOM_LANGUAGE.split("-")[0], "simple")

    def names(model, article_field, name_field):
        """One article's tag or byline names as a single string, for its vector."""
        return Subquery(
            model.objects.filter(**{article_field: OuterRef("pk")})
            .values(article_field)
            .annotate(names=StringAgg(name_field, delimiter=" "))
            .values("names")[:1]
        )

    tag_names = names(TaggedArticle, "content_object", "tag__name")
    byline_names = names(Byline, "article", "author__name")
    # The body is HTML: PostgreSQL's parser reads tags as tags and indexes only words.
    vector = (
        SearchVector("headline", weight="A", config=config)
        + SearchVector(tag_names, weight="B", config=config)
        + SearchVector("dek", weight="B", config=config)
        + SearchVector(byline_names, weight="C", config=config)
        + SearchVector("body", weight="D", config=config)
    )
    search_query = SearchQuery(query, search_type="websearch", config=config)
    return (
        articles.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
        .order_by("-rank", "-published_at", "-pk")
    )


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
    return connection.vendor == "sqlite"


INDEX_BATCH = 500


def index_article(article_id):
    """(Re)write one article's row in the FTS5 table; a no-op elsewhere."""
    index_articles([article_id])


def index_articles(article_ids):
    """(Re)write these articles' rows in the FTS5 table, a batch at a time
    (three queries per batch), dropping rows of articles that no longer exist.
    A no-op on other databases."""
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
                unescape(strip_tags(body)),
                " ".join(names["tags"][pk]),
                " ".join(names["bylines"][pk]),
            )
            for pk, headline, dek, body in Article.objects.filter(pk__in=batch).values_list(
                "pk", "headline", "dek", "body"
            )
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in batch])
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, headline, dek, body, tags, bylines) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
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


# -- keeping the FTS5 table in step ---------------------------------------------
# taggit's add/set/remove/clear save and delete TaggedArticle rows one by one,
# so the TaggedArticle receivers see every tag change made through it. Bulk
# updates and fixtures (raw saves) send no per-row signal: code that bulk-updates
# calls ``index_articles`` itself (``Tag.merge`` does); otherwise run
# ``manage.py rebuild_search_index``.


@receiver(post_save, sender=Article)
def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(instance.pk)


@receiver(post_delete, sender=Article)
def _article_deleted(sender, instance, **kwargs):
    index_article(instance.pk)


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def _link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(
            instance.content_object_id if sender is TaggedArticle else instance.article_id
        )


@receiver(post_save, sender=Author)
def _author_renamed(sender, instance, raw=False, **kwargs):
    if not raw and _uses_fts5():
        index_articles(Byline.objects.filter(author=instance).values_list("article_id", flat=True))


@receiver(post_save, sender=Tag)
def _tag_renamed(sender, instance, raw=False, **kwargs):
    if not raw and _uses_fts5():
        index_articles(
            TaggedArticle.objects.filter(tag=instance).values_list("content_object_id", flat=True)
        )
