"""The benchmark's corpus (bench/corpus.py) is what the site would hold: its
search index finds, and ranks, what the site's own indexing would. On
PostgreSQL the corpus writes with COPY and computes the search vectors in SQL
from each body's pieces; the site's ``rebuild_index()`` must agree."""

import pytest
from django.db import connection

from articles.models import Article, Byline, ExpertQuote, SearchDocument, TaggedArticle
from articles.search import rebuild_index, search
from bench import corpus

pytestmark = pytest.mark.django_db(transaction=True)

COUNTS = {"articles": 300, "authors": 12, "experts": 5, "quotes": 40, "tags": 30, "sections": 4}


def ranked(word):
    return [article.pk for article in search(word)[:50]]


def test_the_corpus_writes_every_row_it_counts():
    counts = corpus.build(**COUNTS)
    assert Article.objects.count() == 300
    assert Byline.objects.count() == counts["bylines"] >= 300
    assert TaggedArticle.objects.count() == counts["tagged_items"]
    assert ExpertQuote.objects.count() == 40
    assert Article.objects.published().exists()
    assert Article.objects.filter(
        published_at__gt=Article.objects.published().latest("published_at").published_at
    ).exists()  # fmt: skip (the scheduled few)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's vectors in SQL")
def test_the_search_vectors_computed_in_sql_match_the_sites_own():
    corpus.build(**COUNTS)
    assert SearchDocument.objects.count() == 300
    words = [corpus.RARE_WORDS[rank] for rank in (0, 5, 20, 50)]
    story = Article.objects.published().first()
    words += [story.bylines.first().author.name.split()[-1], story.headline.split()[0]]
    tag = story.tags.first()
    if tag:
        words.append(tag.name.split()[0])
    found = {word: ranked(word) for word in words}
    assert all(found.values()), found

    rebuild_index()
    assert {word: ranked(word) for word in words} == found
