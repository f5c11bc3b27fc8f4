"""PostgreSQL full-text search through ``django.contrib.postgres.search``.

One stored, weighted search vector per story (``SearchDocument``, the table
``articles_search``), with the month the story is dated, under one GIN index
of both: the index finds the matches, a month at a time, and the rank is
computed only for them. (Building the vectors at query time scanned
the whole archive on every search: minutes at 100k stories.) The query is read
like a web search box (``websearch``): "quoted words" are a phrase, ``or``
and ``-word`` work, and nothing a reader types is a syntax error.

A search ranks at most the newest ``RANKED_MATCHES`` live matches, as a news
site's search does: readers want recent stories, and ranking every match of a
common word (one story in five: 185,000 at a million stories) with its
stored vector read and counted took seconds.
"""

import operator
import re
from datetime import UTC
from functools import reduce

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections
from django.db.models import F, IntegerField, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.utils import timezone

from .. import languages
from ..languages import default_language
from ..models import SearchDocument
from .ranked import RankedStories

# PostgreSQL's text-search configurations, by language; others use "simple"
# (words as written, no stemming). Each story is indexed in its own language.
POSTGRES_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "el": "greek",
    "eu": "basque",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "lt": "lithuanian",
    "ne": "nepali",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
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

# Weights of a story's parts, from A (most) to D (least).
WEIGHTS = {"headline": "A", "tags": "B", "dek": "B", "bylines": "C", "body": "D"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The newest matches a search ranks (and counts); older ones are not shown.
RANKED_MATCHES = 500


def postgres_config(language):
    """The PostgreSQL text-search configuration for a language code like "en-gb"."""
    return POSTGRES_CONFIGS.get(language.split("-")[0], "simple")


def _configs():
    """The configurations of the site's languages, the site's own first."""
    return list(dict.fromkeys(postgres_config(code) for code in languages.site_languages()))


def search(articles, text, words):
    """The newest ``RANKED_MATCHES`` of ``articles`` matching ``text``, ranked
    by cover density (``ts_rank_cd``).

    Each story's vector is in its own language's configuration, so the query
    is read in each of the site's: "ports" finds "port" in English stories,
    "الموانئ" finds "ميناء"'s forms in Arabic ones."""
    # PostgreSQL refuses NUL in text; other control characters mean nothing here.
    text = _CONTROL.sub(" ", text)
    query = reduce(
        operator.or_,
        (SearchQuery(text, search_type="websearch", config=config) for config in _configs()),
    )
    return RankedStories(articles, _ranked_ids(articles, query))


def month_of(moment):
    """The month of ``moment`` as ``published_month`` stores it: months since
    year 0, in UTC (migration 0022 computes the same in SQL)."""
    moment = moment.astimezone(UTC)
    return moment.year * 12 + moment.month - 1


def _ranked_ids(articles, query):
    """The ids of the newest ``RANKED_MATCHES`` of ``articles`` that match
    ``query``, best match first, in one query: the page then counts them
    without a query and reads only its own stories.

    The months are searched one at a time, from this one back to the oldest
    story's, and the search stops as soon as it has enough: a word in one
    story in five needs this month's matches alone, a rare word costs one
    short look per month of the archive (0.06 ms each). Each month's matches
    come from the GIN index of the vector and the month together
    (``btree_gin``), which reads only the stories that match both. The chosen
    ones are ranked last, from the rows the matches read: the month that
    completes them may hold a thousand more. (Walking the live stories newest
    first and testing each vector read tens of thousands of vectors for a word
    in one story in a hundred; taking every match of the vector alone and
    sorting them read 200,000 rows for a common word, at a million stories.
    Older months are not read by the word alone either: that reads every
    match of a word that was common once; nor as a range of months, which the
    GIN index answers by reading every story of those months.)
    """
    in_month = (
        articles.filter(
            search_document__document=query,
            search_document__published_month=RawSQL("search_month.month", ()),
        )
        .order_by("-published_at", "-pk")
        .values("id", "published_at", document=F("search_document__document"))[:RANKED_MATCHES]
    )
    oldest = articles.order_by("published_at").values(
        month=Cast(
            ExtractYear("published_at", tzinfo=UTC) * 12
            + ExtractMonth("published_at", tzinfo=UTC)
            - 1,
            IntegerField(),
        )
    )[:1]
    rank = SearchRank(
        RawSQL("newest.document", (), output_field=SearchVectorField()), query, cover_density=True
    )
    compiler = in_month.query.get_compiler(articles.db)
    rank_sql, rank_params = compiler.compile(rank.resolve_expression(in_month.query))
    in_month_sql, in_month_params = in_month.query.sql_with_params()
    oldest_sql, oldest_params = oldest.query.sql_with_params()
    # Hand-written: the ORM has no LATERAL join. A nested loop returns each
    # month's rows in turn, newest month first, and the LIMIT stops the loop.
    newest = (
        f"SELECT found.* FROM generate_series(%s, ({oldest_sql}), -1) AS search_month(month) "
        f"CROSS JOIN LATERAL ({in_month_sql}) AS found LIMIT %s"
    )
    with connections[articles.db].cursor() as cursor:
        cursor.execute(
            f"SELECT newest.id FROM ({newest}) AS newest "
            f"ORDER BY {rank_sql} DESC, newest.published_at DESC, newest.id DESC",
            (
                month_of(timezone.now()),
                *oldest_params,
                *in_month_params,
                RANKED_MATCHES,
                *rank_params,
            ),
        )
        return [pk for (pk,) in cursor.fetchall()]


def _vector(document, config):
    # One vector per part, joined with ||, as migration 0010 filled the table:
    # rows written either way rank alike.
    return reduce(
        operator.add,
        (
            SearchVector(
                Value(getattr(document, part), output_field=TextField()),
                config=config,
                weight=weight,
            )
            for part, weight in WEIGHTS.items()
        ),
    )


def write(documents, replacing=()):
    """Store these documents (one upsert), and drop the rows of the stories in
    ``replacing`` that have none: they were deleted."""
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                article_id=doc.article_id,
                document=_vector(doc, postgres_config(doc.language or default_language())),
                published_month=month_of(doc.published_at) if doc.published_at else None,
            )
            for doc in documents
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["document", "published_month"],
    )
    gone = set(replacing) - {doc.article_id for doc in documents}
    if gone:
        SearchDocument.objects.filter(article_id__in=gone).delete()


def clear():
    SearchDocument.objects.all().delete()
