"""Query budgets: every public page costs the same few queries whether it shows
one byline, quote, tag or story or twenty. Measured on a cache miss: the first
reader after the change that put the content there."""

import pytest
from django.urls import reverse

from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = pytest.mark.django_db

ARTICLE_PAGE_BUDGET = 8
LIST_PAGE_BUDGET = 6
FEED_BUDGET = 4


def uncached_query_count(client, url, budget, assert_max_num_queries):
    with assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Cache"] == "miss", url
    return len(captured.captured_queries)


def test_article_page_costs_the_same_with_1_or_20_bylines_quotes_and_tags(
    client, django_assert_max_num_queries
):
    def article_with(count):
        return make_article(
            authors=[make_author() for _ in range(count)],
            quotes=[(make_expert(), f"Quote {i}") for i in range(count)],
            tags=[f"subject {count}-{i}" for i in range(count)],
        )

    counts = [
        uncached_query_count(
            client,
            article_with(count).get_absolute_url(),
            ARTICLE_PAGE_BUDGET,
            django_assert_max_num_queries,
        )
        for count in (1, 20)
    ]
    assert counts[0] == counts[1]


def _list_pages(count):
    """Every list page, each showing ``count`` stories with two bylines each."""
    section, author, expert = make_section(), make_author(), make_expert()
    for i in range(count):
        make_article(
            section=section,
            authors=[author, make_author()],
            quotes=[(expert, f"Quote {i}")],
            tags=["archive"],
        )
    tag = author.articles.first().tags.get()
    return {
        "home": "/",
        "section": section.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "expert": expert.get_absolute_url(),
        "feed": reverse("articles:feed"),
        "atom feed": reverse("articles:feed_atom"),
        "section feed": reverse("articles:section_feed", args=[section.slug]),
        "author feed": reverse("articles:author_feed_atom", args=[author.slug]),
        "tag feed": reverse("articles:tag_feed", args=[tag.slug]),
        "articles sitemap": reverse("articles:sitemap_part", args=["articles"]),
        "news sitemap": reverse("articles:news_sitemap"),
        "sitemap index": reverse("articles:sitemap"),
    }


# For each of the six sitemaps the newest update and the newest publication
# (each a short walk down an index: a Max() would read every story), and a
# count for the five that list rows; the front pages sitemap lists two names.
SITEMAP_INDEX_BUDGET = 17


def _budget(page):
    if page == "sitemap index":
        return SITEMAP_INDEX_BUDGET
    if "feed" in page or "sitemap" in page:
        return FEED_BUDGET
    return LIST_PAGE_BUDGET


@pytest.mark.parametrize(
    "page",
    [
        *("home", "section", "author", "tag", "expert"),
        *("feed", "atom feed", "section feed", "author feed", "tag feed"),
        *("articles sitemap", "news sitemap", "sitemap index"),
    ],
)
def test_lists_feeds_and_sitemaps_cost_the_same_with_1_or_20_stories(
    client, page, django_assert_max_num_queries
):
    """List pages at most 6 queries; feeds and sitemap parts at most 4."""
    one = uncached_query_count(
        client, _list_pages(1)[page], _budget(page), django_assert_max_num_queries
    )
    twenty = uncached_query_count(
        client, _list_pages(20)[page], _budget(page), django_assert_max_num_queries
    )
    assert one == twenty
