"""PostgreSQL full-text search through ``django.contrib.postgres.search``.

One stored, weighted search vector per story (``SearchDocument``, the table
``articles_search``) under a GIN index: the index finds the matches and the
rank is computed only for them. (Building the vectors at query time scanned
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
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, TextField, Value

from .. import languages
from ..languages import default_language
from ..models import SearchDocument

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
    # PostgreSQL finds the newest matches either from the full-text index (a
    # rare word) or by walking the live stories newest first, testing each
    # (a common one): either way it reads a few thousand vectors, not all.
    newest = (
        articles.filter(search_document__document=query)
        .order_by("-published_at", "-pk")
        .values("pk")[:RANKED_MATCHES]
    )
    return (
        articles.filter(pk__in=newest)
        .annotate(rank=SearchRank(F("search_document__document"), query, cover_density=True))
        .order_by("-rank", "-published_at", "-pk")
    )


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
            )
            for doc in documents
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["document"],
    )
    gone = set(replacing) - {doc.article_id for doc in documents}
    if gone:
        SearchDocument.objects.filter(article_id__in=gone).delete()


def clear():
    SearchDocument.objects.all().delete()
