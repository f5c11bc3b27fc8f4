from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline
from articles.search import search
from tests.factories import make_article, make_author
from tests.reader_helpers import make_grid, sqlite_plans
from tests.test_pages import _count

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def _found(query):
    return [article.headline for article in search(query)]


def _page(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response


def test_a_crosshead_and_the_paragraph_after_it_are_separate_words():
    make_article(headline="Ferries", body="<h2>Harbour</h2><p>Reopens today</p>")

    assert _found("harbour") == ["Ferries"]
    assert _found("reopens") == ["Ferries"]


def test_search_uses_the_databases_full_text_engine(client):
    make_article(headline="Harbour")
    with CaptureQueriesContext(connection) as queries:
        assert "1 result for <q>harbour</q>" in _page(client, "harbour").content.decode()
    sql = " ".join(query["sql"] for query in queries)
    if connection.vendor == "sqlite":
        assert "articles_search MATCH" in sql
    else:
        # The stored, GIN-indexed vectors, not vectors built per query.
        assert '."document" @@ (websearch_to_tsquery(' in sql
        assert "ts_rank_cd(" in sql
        assert "to_tsvector" not in sql
    assert "LIKE" not in sql.upper()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_search_starts_from_the_full_text_matches_never_the_status_index(client):
    # At 100k stories, once an index lacked statistics, SQLite walked every
    # live story's status entry and ran the match for each: seconds a search.
    make_grid(word="harbour")
    plans = sqlite_plans(client, f"{SEARCH}?q=harbour")
    searches = [plan for _, plan in plans if "articles_search" in plan]
    assert len(searches) == 2  # the count and the page
    for plan in searches:
        assert plan.startswith("SCAN articles_search VIRTUAL TABLE"), plan
        assert "article_status_pub" not in plan, plan


@pytest.mark.parametrize(
    "fields",
    [
        {"headline": "Lighthouse keepers strike"},
        {"dek": "The lighthouse keepers walked out."},
        {"body": "<p>Outside, the <strong>lighthouse</strong> stood dark.</p>"},
        {"tags": ["Lighthouse"]},
    ],
    ids=["headline", "dek", "body", "tag"],
)
def test_search_finds_words_in_each_part_of_a_story(fields):
    make_article(headline="Unrelated", body="<p>Nothing here.</p>")
    article = make_article(**{"headline": "Story", **fields})
    assert [a.pk for a in search("lighthouse")] == [article.pk]


def test_search_finds_bylines():
    author = make_author(name="Ingrid Solberg")
    article = make_article(authors=[author])
    make_article()
    assert [a.pk for a in search("Solberg")] == [article.pk]


def test_a_headline_match_ranks_above_a_passing_mention():
    make_article(headline="Budget talks", body="<p>The ferry budget was mentioned.</p>")
    make_article(headline="Ferry service returns", body="<p>The ferry runs again.</p>")
    assert _found("ferry") == ["Ferry service returns", "Budget talks"]


def test_a_headline_match_ranks_above_a_body_match_whatever_the_dates():
    now = timezone.now()
    make_article(
        headline="Council meets",
        body="<p>The lighthouse was discussed.</p>",
        published_at=now - timedelta(hours=1),
    )
    make_article(
        headline="Lighthouse restored",
        body="<p>Work is done.</p>",
        published_at=now - timedelta(days=30),
    )
    assert _found("lighthouse") == ["Lighthouse restored", "Council meets"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's web-search syntax")
def test_a_quoted_phrase_matches_the_phrase_only():
    make_article(headline="Terminal opens", body="<p>The new ferry terminal opened.</p>")
    make_article(headline="Quay rebuilt", body="<p>A new terminal for the old ferry.</p>")
    assert _found('"ferry terminal"') == ["Terminal opens"]
    assert sorted(_found("ferry terminal")) == ["Quay rebuilt", "Terminal opens"]


def test_all_words_must_match():
    make_article(headline="Port strike ends")
    make_article(headline="Port reopens")
    assert _found("port strike") == ["Port strike ends"]


def test_search_never_shows_unpublished_stories(client):
    grid = make_grid(word="zanzibar")
    for query in ("zanzibar", "story", "Grid Author", "Gridtag", "hidden"):
        found = [a.pk for a in search(query)]
        assert set(found) <= {grid.published.pk}, query
        html = _page(client, query).content.decode()
        assert "Hidden" not in html.replace(f"<q>{query}</q>", "")


def test_a_scheduled_story_appears_once_its_time_comes(client, monkeypatch):
    # Scheduled for the next month: the search reaches the month it is indexed
    # under once that month has come.
    now = timezone.now()
    going_live = now + timedelta(days=40)
    make_article(headline="Eclipse tonight", published_at=going_live)
    assert _found("eclipse") == []
    monkeypatch.setattr(timezone, "now", lambda: going_live - timedelta(seconds=1))
    assert _found("eclipse") == []
    monkeypatch.setattr(timezone, "now", lambda: going_live)
    assert _found("eclipse") == ["Eclipse tonight"]
    assert "1 result for <q>eclipse</q>" in _page(client, "eclipse").content.decode()


def test_a_story_is_found_only_while_it_is_live(client):
    now = timezone.now()
    article = make_article(headline="Glacier retreats", published_at=now - timedelta(days=400))
    make_article(headline="Glacier embargoed", embargoed_until=now + timedelta(hours=2))
    make_article(headline="Glacier draft", status=Article.Status.DRAFT)
    make_article(headline="Glacier scheduled", published_at=now + timedelta(hours=2))

    def headlines():
        html = _page(client, "glacier").content.decode()
        return sorted(h for h in ("retreats", "embargoed", "draft", "scheduled") if h in html)

    assert headlines() == ["retreats"]
    article.status = Article.Status.DRAFT
    article.save()
    assert headlines() == []
    article.status = Article.Status.PUBLISHED
    article.save()
    assert headlines() == ["retreats"]
    # Re-timed to today, from another month: found at its new time.
    article.published_at = now - timedelta(minutes=5)
    article.save()
    assert headlines() == ["retreats"]


def test_index_follows_edits_to_stories_tags_and_bylines():
    author = make_author(name="Olga Petrova")
    article = make_article(headline="Ferry news", authors=[author], tags=["Shipping"])
    assert _found("shipping") == ["Ferry news"]

    article.headline = "Rail news"
    article.save()
    assert _found("ferry") == []
    assert _found("rail") == ["Rail news"]

    article.tags.set(["Trains"])
    assert _found("shipping") == []
    assert _found("trains") == ["Rail news"]

    author.name = "Olga Ivanova"
    author.save()
    assert _found("petrova") == []
    assert _found("ivanova") == ["Rail news"]

    second = make_author(name="Kwame Mensah")
    Byline.objects.create(article=article, author=second, position=1)
    assert _found("mensah") == ["Rail news"]
    Byline.objects.filter(author=second).delete()
    assert _found("mensah") == []

    article.delete()
    assert _found("rail") == []


def test_merging_tags_updates_search():
    from articles.models import Tag

    article = make_article(tags=["Sea ports"])
    Tag.objects.create(name="Harbours", slug="harbours").merge(list(article.tags.all()))
    assert [a.pk for a in search("harbours")] == [article.pk]
    assert list(search("sea ports")) == []


def test_reindexing_a_batch_costs_the_same_few_queries_whatever_its_size():
    from articles.search import index_articles

    def reindex(count):
        stories = [make_article(authors=[make_author()], tags=["Ports"]) for _ in range(count)]
        gone = stories.pop()
        gone.delete()
        with _count() as queries:
            index_articles([story.pk for story in stories] + [gone.pk])
        return len(queries)

    # Read the stories, their tags and bylines; write them; drop the deleted one.
    assert reindex(2) == reindex(30) <= 5


def test_renaming_a_tag_updates_search():
    article = make_article(tags=["Helsinki"])
    tag = article.tags.get()
    tag.name = "Tampere"
    tag.save()
    assert [a.pk for a in search("tampere")] == [article.pk]
    assert list(search("helsinki")) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!",
        '"',
        "AND (",
        "NEAR(a b",
        "title:x*",
        "-",
        "a" * 1000,
        "word " * 1000,
        "x" * 5000,
        "Ⅻ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e ﷽ 🙂",
        "nul\x00byte",
        "' OR 1=1 --",
    ],
    ids=lambda q: repr(q[:12]),
)
def test_odd_queries_give_a_page_never_an_error(client, query):
    make_article(headline="Something")
    response = _page(client, query)
    assert "Search" in response.content.decode()


def test_empty_query_shows_just_the_form(client):
    make_article()
    response = _page(client, "")
    html = response.content.decode()
    assert 'name="q"' in html and "result" not in html


def test_query_is_echoed_escaped(client):
    make_article(headline="Alert")
    html = _page(client, '<script>alert("x")</script>').content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html


def test_results_are_paginated_and_page_links_keep_the_query(client):
    now = timezone.now()
    for n in range(25):
        make_article(headline=f"Harbour story {n}", published_at=now - timedelta(hours=n + 1))
    first = _page(client, "harbour")
    assert len(first.context["articles"]) == 20
    assert "25 results for <q>harbour</q>" in first.content.decode()
    assert 'href="?q=harbour&amp;page=2"' in first.content.decode()
    second = _page(client, "harbour", page=2)
    assert len(second.context["articles"]) == 5
    for page in ("abc", "-1", "99999"):
        assert _page(client, "harbour", page=page).status_code == 200


def test_search_page_query_count_is_flat(client, django_assert_max_num_queries):
    make_article(headline="Harbour one", authors=[make_author()])
    with django_assert_max_num_queries(6), _count() as one:
        _page(client, "harbour")
    for n in range(19):
        make_article(headline=f"Harbour {n}", authors=[make_author(), make_author()])
    with django_assert_max_num_queries(len(one)):
        response = _page(client, "harbour")
    assert len(response.context["articles"]) == 20


def test_search_page_is_not_indexed_and_robots_txt_says_so(client):
    html = _page(client, "x").content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "Disallow: /search/" in client.get("/robots.txt").content.decode()


def test_search_index_follows_renamed_tags_and_authors_and_deleted_articles():
    author = make_author(name="Maria Lindqvist")
    article = make_article(headline="Ferry timetable", authors=[author], tags=["Harbours"])
    assert _found("harbours") == ["Ferry timetable"]
    tag = article.tags.get()
    tag.name = "Seaports"
    tag.save()
    assert _found("harbours") == [] and _found("seaports") == ["Ferry timetable"]
    author.name = "Maria Berg"
    author.save()
    assert _found("lindqvist") == [] and _found("berg") == ["Ferry timetable"]
    article.delete()
    assert _found("seaports") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bound on ranking")
def test_a_common_word_lists_only_its_newest_matches_best_first(client, monkeypatch):
    from articles.search import postgres

    monkeypatch.setattr(postgres, "RANKED_MATCHES", 3)
    now = timezone.now()
    make_article(headline="Harbour harbour harbour", published_at=now - timedelta(days=9))
    for n in range(3):
        make_article(
            headline=f"Story {n}",
            body="<p>The harbour</p>",
            published_at=now - timedelta(hours=n + 1),
        )
    make_article(
        headline="Harbour harbour", body="<p>harbour</p>", published_at=now - timedelta(minutes=90)
    )

    # The oldest story ranks best but is not among the newest three matches.
    assert _found("harbour") == ["Harbour harbour", "Story 0", "Story 1"]
    html = _page(client, "harbour").content.decode()
    assert "At least 3 results for <q>harbour</q>: the newest 3, best match first" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bound on ranking")
def test_matches_within_the_bound_all_show_with_their_count(client, monkeypatch):
    from articles.search import postgres

    monkeypatch.setattr(postgres, "RANKED_MATCHES", 3)
    make_article(headline="Harbour")
    make_article(headline="Ferry", body="<p>harbour</p>")
    assert _found("harbour") == ["Harbour", "Ferry"]
    assert "2 results for <q>harbour</q>" in _page(client, "harbour").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bound on ranking")
def test_the_newest_matches_are_taken_across_months_and_years(client, monkeypatch):
    from articles.search import postgres

    monkeypatch.setattr(postgres, "RANKED_MATCHES", 3)
    now = timezone.now()
    ages = {"today": 0, "last month": 35, "two months ago": 65, "last year": 400}
    for name, days in ages.items():
        make_article(
            headline=f"Harbour {name}",
            body="<p>harbour</p>",
            published_at=now - timedelta(days=days, hours=1),
        )
    # The best match of all is the oldest: not among the newest three.
    make_article(headline="Harbour harbour harbour", published_at=now - timedelta(days=3000))
    # Newer than all, but not live.
    make_article(headline="Harbour embargoed", embargoed_until=now + timedelta(hours=1))

    assert _found("harbour") == ["Harbour today", "Harbour last month", "Harbour two months ago"]
    html = _page(client, "harbour").content.decode()
    assert "At least 3 results for <q>harbour</q>: the newest 3, best match first" in html

    # A word only the oldest stories have is found however far back they are.
    make_article(headline="Lighthouse", published_at=now - timedelta(days=4000))
    assert _found("lighthouse") == ["Lighthouse"]
    assert "1 result for <q>lighthouse</q>" in _page(client, "lighthouse").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bound on ranking")
def test_a_word_with_few_recent_matches_takes_the_newest_older_ones_next(client, monkeypatch):
    from articles.search import postgres

    monkeypatch.setattr(postgres, "RANKED_MATCHES", 3)
    now = timezone.now()
    for days in (3000, 900, 10, 1200, 800):
        make_article(headline=f"Ferry {days}", published_at=now - timedelta(days=days, hours=1))
    assert _found("ferry") == ["Ferry 10", "Ferry 800", "Ferry 900"]
    html = _page(client, "ferry").content.decode()
    assert "At least 3 results for <q>ferry</q>: the newest 3, best match first" in html

    # Enough in the last month: nothing older is listed.
    for days in (20, 30):
        make_article(headline=f"Ferry {days}", published_at=now - timedelta(days=days, hours=1))
    assert _found("ferry") == ["Ferry 10", "Ferry 20", "Ferry 30"]
