import pytest
from django.urls import reverse

from articles.fronts import TOP_STORIES
from articles.models import Article
from tests.factories import make_article, make_author, make_expert, make_section
from tests.reader_helpers import make_grid
from tests.test_pages import _count

pytestmark = pytest.mark.django_db


def _grid_pages(grid):
    tag = grid.published.tags.get()
    return {
        "home": "/",
        "section": grid.section.get_absolute_url(),
        "author": grid.author.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "expert": grid.expert.get_absolute_url(),
    }


def test_no_list_page_shows_a_draft_in_review_or_scheduled_story(client):
    grid = make_grid()
    for name, url in _grid_pages(grid).items():
        html = client.get(url).content.decode()
        assert "Published story" in html, name
        assert "Hidden" not in html, name


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "%00"])
def test_nonsense_page_numbers_never_error_on_any_list(client, page):
    grid = make_grid()
    urls = [*_grid_pages(grid).values(), reverse("articles:authors")]
    for url in urls:
        response = client.get(url, {"page": page})
        assert response.status_code == 200, url
        assert "Published story" in response.content.decode() or url.endswith("/authors/")


def test_pagination_links_keep_other_query_parameters(client):
    section = make_section()
    for _ in range(21 + 1 + TOP_STORIES):  # the section's front, then a list of 21
        make_article(section=section)
    html = client.get(section.get_absolute_url(), {"utm_source": "x"}).content.decode()
    assert 'href="?utm_source=x&amp;page=2"' in html


def test_story_lists_page_without_a_total_and_show_an_older_link_only_when_one_follows(client):
    author = make_author()
    for _ in range(20):
        make_article(authors=[author])
    first = client.get(author.get_absolute_url()).content.decode()
    # A full page with nothing after it: no page 2 to link to.
    assert 'rel="next"' not in first and "Page 1" not in first

    oldest = make_article(authors=[author], headline="The oldest one")
    Article.objects.filter(pk=oldest.pk).update(published_at=oldest.published_at.replace(year=2001))
    first = client.get(author.get_absolute_url()).content.decode()
    assert 'rel="next" href="?page=2"' in first and "<span>Page 1</span>" in first
    assert "The oldest one" not in first
    second = client.get(author.get_absolute_url(), {"page": 2}).content.decode()
    assert "The oldest one" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "<span>Page 2</span>" in second
    # A link past the end shows the last page.
    assert "The oldest one" in client.get(author.get_absolute_url(), {"page": 7}).content.decode()


def test_authors_index_lists_current_staff_and_former_staff_with_live_stories(client):
    current = make_author(name="Anna Current", role="Reporter")
    former_live = make_author(name="Bo Former", is_active=False)
    make_article(authors=[former_live])
    make_article(authors=[former_live])
    former_drafts_only = make_author(name="Cy Gone", is_active=False)
    make_article(authors=[former_drafts_only], status=Article.Status.DRAFT)

    response = client.get(reverse("articles:authors"))
    html = response.content.decode()

    assert [a.name for a in response.context["authors"]] == ["Anna Current", "Bo Former"]
    assert f'<a href="{current.get_absolute_url()}">Anna Current</a>' in html
    assert "2 stories" in html and "0 stories" in html
    assert "Cy Gone" not in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    "url",
    ["/news/nope/", "/authors/nope/", "/section/nope/", "/tags/nope/", "/experts/nope/"],
)
def test_unknown_slugs_are_404_in_the_sites_layout(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="masthead' in html and 'href="#main"' in html


def test_expert_page_links_each_published_quote_to_its_article(client):
    grid = make_grid()
    html = client.get(grid.expert.get_absolute_url()).content.decode()
    assert "Quote in Published story" in html
    assert f'href="{grid.published.get_absolute_url()}"' in html
    assert "Quote in Hidden" not in html


def _list_urls(author, section, tag_slug, expert):
    return [
        "/",
        author.get_absolute_url(),
        section.get_absolute_url(),
        reverse("articles:tag", args=[tag_slug]),
        expert.get_absolute_url(),
        reverse("articles:authors"),
    ]


def test_list_page_query_counts_are_small_and_flat_as_items_grow(
    client, django_assert_max_num_queries, django_assert_num_queries, site_wide_lookups_warm
):
    author, section, expert = make_author(), make_section(), make_expert()
    # The fronts' lead and top stories, and one story below them.
    for _ in range(2 + TOP_STORIES):
        make_article(authors=[author], section=section, tags=["flat"], quotes=[(expert, "q")])
    urls = _list_urls(author, section, "flat", expert)
    fronts = {"/", section.get_absolute_url()}
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(8 if url in fronts else 6), _count() as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    for _ in range(14):
        make_article(
            authors=[author, make_author()],
            section=section,
            tags=["flat", "other"],
            quotes=[(expert, "q")],
        )
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_article_page_costs_at_most_8_queries_with_metadata_and_crossheads(
    client, django_assert_max_num_queries
):
    article = make_article(
        authors=[make_author(), make_author()],
        tags=["a", "b", "c"],
        quotes=[(make_expert(), "q")],
        body="<h2>One</h2><p>a</p><h2>Two</h2><p>b</p><h2>Three</h2>",
    )
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "In this story" in response.content.decode()
