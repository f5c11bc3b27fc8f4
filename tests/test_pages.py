from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_story_as_readers_expect(client):
    author = make_author(name="Maria Lindqvist")
    expert = make_expert(
        name="Elias Varga", title="researcher in international affairs", affiliation="IBS"
    )
    article = make_article(
        headline="Northern summit leaves questions",
        dek="Leaders promised co-operation.",
        section=make_section(name="World", slug="world"),
        body="<p>Intro.</p><h2>What the president said</h2><p>She spoke.</p>",
        authors=[author],
        quotes=[(expert, "Without a budget it stays on paper.")],
        tags=["Finland"],
        published_at=timezone.make_aware(timezone.datetime(2023, 5, 8, 18, 10)),
    )

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 class="story__headline">Northern summit leaves questions</h1>' in html
    assert "Leaders promised co-operation." in html
    assert f'href="{author.get_absolute_url()}" rel="author">Maria Lindqvist</a>' in html
    assert '<time datetime="2023-05-08T18:10:00+01:00">Monday 8 May 2023, 18:10 BST</time>' in html
    assert '<h2 id="what-the-president-said">What the president said</h2>' in html
    assert "“Without a budget it stays on paper.”" in html
    assert "Elias Varga</a>, researcher in international affairs, IBS" in html
    assert 'href="/tags/finland/" rel="tag">Finland</a>' in html
    assert 'href="/section/world/">World</a>' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in-review", "scheduled"],
)
def test_unpublished_articles_are_404_to_the_public_and_missing_from_lists(client, fields):
    author = make_author()
    article = make_article(authors=[author], headline="Secret story", **fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    for url in ("/", author.get_absolute_url(), article.section.get_absolute_url()):
        assert "Secret story" not in client.get(url).content.decode()


def test_author_page_lists_published_articles_newest_first_paginated(client, settings):
    author = make_author(name="Tomás Okafor", role="Political editor", bio="Covers parliament.")
    now = timezone.now()
    for days in range(25):
        make_article(
            authors=[author], headline=f"Story {days:02d}", published_at=now - timedelta(days=days)
        )
    make_article(authors=[author], headline="Draft story", status=Article.Status.DRAFT)

    first = client.get(author.get_absolute_url())
    html = first.content.decode()
    assert "Tomás Okafor" in html and "Political editor" in html and "Covers parliament." in html
    listed = [a.headline for a in first.context["articles"]]
    assert listed == [f"Story {d:02d}" for d in range(20)]
    second = client.get(author.get_absolute_url(), {"page": 2})
    assert [a.headline for a in second.context["articles"]] == [
        f"Story {d:02d}" for d in range(20, 25)
    ]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", ""])
def test_nonsense_page_numbers_never_error(client, page):
    make_article()
    assert client.get("/", {"page": page}).status_code == 200


def test_home_page_with_nothing_placed_leads_with_the_latest_published_article(client):
    make_article(headline="Older", published_at=timezone.now() - timedelta(days=2))
    make_article(headline="Newer", published_at=timezone.now() - timedelta(hours=1))
    response = client.get("/")
    front = response.context["front"]
    assert [teaser.headline for teaser in front.teasers] == ["Newer", "Older"]


def _article_with(count):
    authors = [make_author() for _ in range(count)]
    expert = make_expert()
    return make_article(
        authors=authors,
        quotes=[(expert, f"Quote {i}") for i in range(count)],
        tags=[f"tag {i}" for i in range(count)],
    )


def test_article_page_query_count_stays_flat_as_bylines_quotes_and_tags_grow(
    client, django_assert_max_num_queries, django_assert_num_queries, site_wide_lookups_warm
):
    small = _article_with(1)
    with django_assert_max_num_queries(10) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200

    big = make_article(
        authors=[make_author() for _ in range(3)],
        quotes=[(make_expert(), f"Q{i}") for i in range(5)],
        tags=[f"big tag {i}" for i in range(8)],
    )
    with django_assert_num_queries(len(small_queries)):
        assert client.get(big.get_absolute_url()).status_code == 200

    huge = _article_with(20)
    with django_assert_num_queries(len(small_queries)):
        assert client.get(huge.get_absolute_url()).status_code == 200


def test_list_pages_query_count_stays_flat_as_items_grow(
    client, django_assert_num_queries, site_wide_lookups_warm
):
    author = make_author()
    # The home page's lead and top stories, and one story for a section block.
    for _ in range(6):
        make_article(authors=[author])
    urls = ["/", author.get_absolute_url()]
    counts = {}
    for url in urls:
        with _count() as captured:
            assert client.get(url).status_code == 200, url
        counts[url] = len(captured)
    for _ in range(14):
        make_article(authors=[author, make_author()], tags=["x", "y"])
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200, url


def _count():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    return CaptureQueriesContext(connection)


def test_a_paraphrase_is_not_dressed_up_as_a_direct_quote(client):
    expert = make_expert(name="Noor Haddad")
    article = make_article(quotes=[(expert, "Freight costs feed through to prices.")])
    article.quotes.update(kind="paraphrase")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="paraphrase">Freight costs feed through to prices.</p>' in html
    assert "“Freight costs" not in html
