"""Query budgets: every public page costs the same few queries whether it shows
one byline, quote, tag or story or twenty. Measured on a cache miss: the first
reader after the change that put the content there."""

import pytest
from django.urls import reverse

from articles.fronts import TOP_STORIES
from articles.models import Front, Placement
from articles.sitemaps import ArticleSitemap
from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_wide_lookups_warm")]


@pytest.fixture(autouse=True)
def one_page_of_stories_sitemap(monkeypatch):
    """Every story on the first page of the stories' sitemap, whatever ids the
    database gives (a page holds a range of ids)."""
    monkeypatch.setattr(ArticleSitemap, "limit", 10**9)


ARTICLE_PAGE_BUDGET = 8
LIST_PAGE_BUDGET = 4
FEED_BUDGET = 4
# A front adds its placements, the newest stories that fill its empty places
# (and on the home page the section blocks) to a list's queries.
FRONT_PAGE_BUDGET = LIST_PAGE_BUDGET + 2
# The stories a front shows above its list: the lead and the top stories.
ON_THE_FRONT = 1 + TOP_STORIES


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


def test_a_story_and_its_translation_cost_what_a_story_does(client, django_assert_max_num_queries):
    """The language switch and hreflang links: one query for the live versions."""
    original = make_article(authors=[make_author()], tags=["ports"])
    translation = make_article(
        language="ar", translation_of=original, authors=[make_author()], tags=["ports"]
    )
    counts = [
        uncached_query_count(
            client, story.get_absolute_url(), ARTICLE_PAGE_BUDGET, django_assert_max_num_queries
        )
        for story in (original, translation)
    ]
    assert counts[0] == counts[1]


def _list_pages(count):
    """Every list page, each showing ``count`` stories with two bylines each
    (the fronts, the home page and the section's, show them below a full front),
    on a site in two languages: each story has its Arabic translation."""
    section, author, expert = make_section(), make_author(), make_expert()
    for i in range(count + ON_THE_FRONT):
        original = make_article(
            section=section,
            authors=[author, make_author()],
            quotes=[(expert, f"Quote {i}")],
            tags=["archive"],
        )
        make_article(
            section=section,
            language="ar",
            translation_of=original,
            authors=[author, make_author()],
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
        "edition": reverse("articles:edition", args=["ar"]),
        "edition feed": reverse("articles:edition_feed", args=["ar"]),
    }


# For each of the six sitemaps the newest update and the newest publication
# (each a short walk down an index: a Max() would read every story), and a
# count for the five that list rows; the front pages sitemap lists two names.
SITEMAP_INDEX_BUDGET = 17


def _budget(page):
    if page == "sitemap index":
        return SITEMAP_INDEX_BUDGET
    if page in ("home", "section"):
        return FRONT_PAGE_BUDGET
    if "feed" in page or "sitemap" in page:
        return FEED_BUDGET
    return LIST_PAGE_BUDGET


@pytest.mark.parametrize(
    "page",
    [
        *("home", "section", "author", "tag", "expert"),
        *("feed", "atom feed", "section feed", "author feed", "tag feed"),
        *("articles sitemap", "news sitemap", "sitemap index"),
        *("edition", "edition feed"),
    ],
)
def test_lists_feeds_and_sitemaps_cost_the_same_with_1_or_20_stories(
    client, page, django_assert_max_num_queries
):
    """List pages at most 4 queries (no count: `UncountedPaginator`), fronts 6;
    feeds and sitemap parts at most 4."""
    one = uncached_query_count(
        client, _list_pages(1)[page], _budget(page), django_assert_max_num_queries
    )
    twenty = uncached_query_count(
        client, _list_pages(20)[page], _budget(page), django_assert_max_num_queries
    )
    assert one == twenty


def _home_with(placed, sections):
    """A home page with ``placed`` stories placed on it (a few of them not
    live), and ``sections`` sections with stories of their own."""
    front = Front.objects.get(section=None)
    for _ in range(sections):
        section = make_section()
        for _ in range(2):
            make_article(section=section, authors=[make_author(), make_author()])
    for position in range(placed):
        story = make_article(authors=[make_author()])
        Placement.objects.create(front=front, article=story, position=position, headline="On top")
    make_article(status="draft", authors=[make_author()])
    return "/"


@pytest.mark.parametrize("sections", [1, 20])
def test_the_home_page_costs_the_same_with_1_or_20_stories_placed(
    client, sections, django_assert_max_num_queries
):
    one = uncached_query_count(
        client, _home_with(1, sections), FRONT_PAGE_BUDGET, django_assert_max_num_queries
    )
    twenty = uncached_query_count(
        client, _home_with(20, sections), FRONT_PAGE_BUDGET, django_assert_max_num_queries
    )
    # A front the desk filled needs no newest stories to fill it: one query fewer.
    assert twenty <= one


def test_the_home_page_costs_the_same_with_1_or_20_sections(client, django_assert_max_num_queries):
    one = uncached_query_count(
        client, _home_with(3, 1), FRONT_PAGE_BUDGET, django_assert_max_num_queries
    )
    twenty = uncached_query_count(
        client, _home_with(3, 20), FRONT_PAGE_BUDGET, django_assert_max_num_queries
    )
    assert one == twenty
