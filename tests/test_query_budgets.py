"""Query budgets: every public page costs the same few queries whether it shows
one byline, quote, tag or story or twenty. Measured uncached (the page cache is
emptied before each request), as the first reader after a change pays it."""

import pytest
from django.core.cache import cache

from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = pytest.mark.django_db

ARTICLE_PAGE_BUDGET = 8
LIST_PAGE_BUDGET = 6


def uncached_query_count(client, url, budget, assert_max_num_queries):
    cache.clear()
    with assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
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
    }


@pytest.mark.parametrize("page", ["home", "section", "author", "tag", "expert"])
def test_list_pages_cost_the_same_with_1_or_20_stories(client, page, django_assert_max_num_queries):
    one = uncached_query_count(
        client, _list_pages(1)[page], LIST_PAGE_BUDGET, django_assert_max_num_queries
    )
    twenty = uncached_query_count(
        client, _list_pages(20)[page], LIST_PAGE_BUDGET, django_assert_max_num_queries
    )
    assert one == twenty
