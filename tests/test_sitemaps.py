import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.factories import make_article, make_author, make_expert
from tests.reader_helpers import make_grid, sqlite_plans

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$")


def _xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def _all_sitemap_urls(client):
    """Follow the index to every part; return {path: lastmod}."""
    index = _xml(client, reverse("articles:sitemap"))
    found = {}
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        part = urlsplit(loc.text)
        for url in _xml(client, f"{part.path}?{part.query}").findall("sm:url", NS):
            found[urlsplit(url.find("sm:loc", NS).text).path] = url.findtext("sm:lastmod", None, NS)
    return found


def test_sitemap_lists_live_pages_with_lastmod_and_nothing_unpublished(client):
    grid = make_grid()
    make_article(headline="Draft only", tags=["Secret topic"], status=Article.Status.DRAFT)
    draft_only_author = make_author(slug="drafts-only")
    make_article(authors=[draft_only_author], status=Article.Status.IN_REVIEW)

    urls = _all_sitemap_urls(client)

    tag = grid.published.tags.get()
    expected = {
        "/",
        reverse("articles:authors"),
        # The site's language editions (NEWSROOM_LANGUAGES: en and ar by default).
        reverse("articles:edition", args=["en"]),
        reverse("articles:edition", args=["ar"]),
        grid.published.get_absolute_url(),
        grid.section.get_absolute_url(),
        grid.author.get_absolute_url(),
        tag.get_absolute_url(),
        grid.expert.get_absolute_url(),
    }
    assert set(urls) == expected
    for path, lastmod in urls.items():
        assert lastmod == timezone.localdate(grid.published.modified_at).isoformat(), path


def test_sitemap_lastmod_of_a_section_ignores_a_later_edited_draft(client):
    grid = make_grid()
    Article.objects.filter(pk=grid.hidden["draft"].pk).update(
        updated_at=timezone.now() + timedelta(days=30)
    )
    urls = _all_sitemap_urls(client)
    assert urls[grid.section.get_absolute_url()] == timezone.localdate().isoformat()


def test_a_story_edited_days_before_it_went_live_dates_every_sitemap_by_its_publication(
    client,
):
    went_live = timezone.now() - timedelta(hours=1)
    story = make_article(
        authors=[make_author()], quotes=[(make_expert(), "q")], tags=["Harbour"],
        published_at=went_live,
    )  # fmt: skip
    Article.objects.filter(pk=story.pk).update(updated_at=went_live - timedelta(days=3))
    expected = timezone.localdate(went_live).isoformat()

    urls = _all_sitemap_urls(client)
    for page in (
        story,
        story.section,
        story.bylines.get().author,
        story.tags.get(),
        story.quotes.get().expert,
    ):
        assert urls[page.get_absolute_url()] == expected, page
    index = _xml(client, reverse("articles:sitemap"))
    assert {lastmod.text[:10] for lastmod in index.findall("sm:sitemap/sm:lastmod", NS)} == {
        expected
    }


def test_sitemap_index_and_parts_name_each_other(client):
    make_article()
    index = _xml(client, reverse("articles:sitemap"))
    locs = [urlsplit(loc.text) for loc in index.findall("sm:sitemap/sm:loc", NS)]
    # Each sitemap once, or once a page (?p=2…) when its ids run past a page.
    assert {loc.path for loc in locs} == {
        reverse("articles:sitemap_part", args=[part])
        for part in ("pages", "articles", "sections", "authors", "tags", "experts")
    }
    for loc in locs:
        _xml(client, f"{loc.path}?{loc.query}")
    assert client.get("/sitemap-nonsense.xml").status_code == 404


def test_news_sitemap_has_only_the_last_two_days_of_live_stories(client, settings):
    settings.NEWSROOM_SITE_NAME = "The Daily <Example>"
    settings.NEWSROOM_LANGUAGE = "fi"
    grid = make_grid()
    make_article(headline="Old news", published_at=timezone.now() - timedelta(days=3))
    fresh = make_article(headline="Fish & chips", published_at=timezone.now() - timedelta(days=1))

    root = _xml(client, reverse("articles:news_sitemap"))

    entries = root.findall("sm:url", NS)
    titles = [url.findtext("news:news/news:title", None, NS) for url in entries]
    assert titles == ["Published story", "Fish & chips"]
    for url in entries:
        news = url.find("news:news", NS)
        assert news.findtext("news:publication/news:name", None, NS) == "The Daily <Example>"
        assert news.findtext("news:publication/news:language", None, NS) == "fi"
        assert W3C_DATETIME.match(news.findtext("news:publication_date", None, NS))
    locs = [urlsplit(url.findtext("sm:loc", None, NS)).path for url in entries]
    assert locs == [grid.published.get_absolute_url(), fresh.get_absolute_url()]


def test_empty_news_sitemap_is_valid_xml(client):
    make_article(published_at=timezone.now() - timedelta(days=5))
    root = _xml(client, reverse("articles:news_sitemap"))
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert root.findall("sm:url", NS) == []


def test_news_sitemap_is_capped_at_1000_urls(client):
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(1005)
    )
    root = _xml(client, reverse("articles:news_sitemap"))
    assert len(root.findall("sm:url", NS)) == 1000


def test_robots_txt_names_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
    assert "Disallow: /search/" in lines


def test_sitemap_query_count_does_not_grow_with_items(
    client, django_assert_num_queries, monkeypatch
):
    from tests.test_pages import _count

    # Every story on the first page of the stories' sitemap, whatever its id.
    monkeypatch.setattr(ArticleSitemap, "limit", 10**9)

    make_article(authors=[make_author()], quotes=[(make_expert(), "q")], tags=["a"])
    parts = [reverse("articles:sitemap")] + [
        reverse("articles:sitemap_part", args=[p]) for p in ("articles", "authors", "tags")
    ]
    counts = {}
    for url in parts:
        with _count() as captured:
            assert client.get(url).status_code == 200, url
        counts[url] = len(captured)
    for n in range(19):
        make_article(authors=[make_author()], quotes=[(make_expert(), "q")], tags=[f"t{n}"])
    for url in parts:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200, url


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_sitemap_index_asks_each_author_tag_and_expert_from_their_own_links(client):
    # Whether a tag has a live story: from the tag's taggings, never a walk of
    # every live story per tag (SQLite's choice at 100k: seconds an index).
    make_article(authors=[make_author()], quotes=[(make_expert(), "q")], tags=["a"])
    plans = sqlite_plans(client, reverse("articles:sitemap"))
    correlated = [plan for _, plan in plans if "CORRELATED" in plan]
    assert len(correlated) == 4  # sections, authors, tags, experts
    for plan in correlated:
        assert "article_status_pub" not in plan, plan
    # The newest edit of a live story: down the status+updated_at index from
    # the top, not every live story sorted by date.
    newest_edits = [
        plan
        for sql, plan in plans
        if sql.startswith('SELECT "articles_article"."updated_at"') and " JOIN " not in sql
    ]
    assert newest_edits
    for plan in newest_edits:
        assert plan == "SEARCH articles_article USING INDEX article_status_updated (status=?)"


@pytest.fixture
def two_stories_a_page(monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)


def _story_pages_in_index(client):
    index = _xml(client, reverse("articles:sitemap"))
    part = reverse("articles:sitemap_part", args=["articles"])
    return [
        urlsplit(loc.text).query or "p=1"
        for loc in index.findall("sm:sitemap/sm:loc", NS)
        if urlsplit(loc.text).path == part
    ]


def _stories_on_page(client, page):
    part = reverse("articles:sitemap_part", args=["articles"])
    root = _xml(client, f"{part}?p={page}")
    return {urlsplit(url.findtext("sm:loc", None, NS)).path for url in root.findall("sm:url", NS)}


def test_the_stories_sitemap_gives_each_story_the_page_of_its_id(client, two_stories_a_page):
    stories = [make_article() for _ in range(5)]
    stories[1].status = Article.Status.DRAFT
    stories[1].save()
    for _ in range(2):  # the largest ids, drafts: no page for them
        make_article(status=Article.Status.DRAFT)

    last_live = stories[-1].pk
    assert _story_pages_in_index(client) == [f"p={n}" for n in range(1, (last_live + 1) // 2 + 1)]
    for story in stories:
        page = (story.pk - 1) // 2 + 1
        listed = story.get_absolute_url() in _stories_on_page(client, page)
        assert listed == (story.status == Article.Status.PUBLISHED), story.pk
    for page in range(1, (last_live + 1) // 2 + 1):
        expected = {
            s.get_absolute_url()
            for s in stories
            if (s.pk - 1) // 2 + 1 == page and s.status == Article.Status.PUBLISHED
        }
        assert _stories_on_page(client, page) == expected, page


def test_a_new_story_refreshes_only_its_own_page_of_the_stories_sitemap(client, two_stories_a_page):
    older = [make_article() for _ in range(4)]
    first_page = ArticleSitemap.page_of(older[0].pk)
    part = reverse("articles:sitemap_part", args=["articles"])
    for page in (first_page, "1"):
        client.get(f"{part}?p={page}")
    assert client.get(f"{part}?p={first_page}")["X-Cache"] == "hit"
    index = client.get(reverse("articles:sitemap"))
    assert index["X-Cache"] == "miss"

    new = make_article(headline="Just published")
    new_page = ArticleSitemap.page_of(new.pk)
    assert new_page > first_page

    # The index (its lastmod, maybe a new page) and the new story's page are
    # rendered again; the page of the older stories is not.
    assert client.get(reverse("articles:sitemap"))["X-Cache"] == "miss"
    assert client.get(f"{part}?p={first_page}")["X-Cache"] == "hit"
    response = client.get(f"{part}?p={new_page}")
    assert new.get_absolute_url() in response.content.decode()
    assert response["Surrogate-Key"].split() == ["all", f"sm{new_page}"]


def test_a_page_past_the_last_story_is_not_found(client, two_stories_a_page):
    story = make_article()
    part = reverse("articles:sitemap_part", args=["articles"])
    assert client.get(f"{part}?p={ArticleSitemap.page_of(story.pk) + 1}").status_code == 404
    assert client.get(f"{part}?p=0").status_code == 404
    assert client.get(f"{part}?p=x").status_code == 404
