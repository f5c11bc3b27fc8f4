"""What an edge cache in front is told about each page: its surrogate keys
(the view's declared dependencies under short names), how long it may keep
it, that anonymous readers share it (no ``Vary: Cookie``), and that what is
not shared is private. ``articles/pagecache/surrogates.py``."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from articles.models import Article
from articles.pagecache import dependencies, stamps
from articles.pagecache.dependencies import edge_key
from articles.pagecache.pages import serve_cached
from articles.publishing.preview import preview_url
from tests.factories import make_article, make_author, make_expert, make_section, make_staff

pytestmark = pytest.mark.django_db

WEEK = 7 * 24 * 3600
DAY = 24 * 3600


@pytest.fixture
def purges_configured(settings):
    """An edge that is purged: it may keep pages (a day by default)."""
    settings.NEWSROOM_EDGE = {"PURGE_URL": "varnish://127.0.0.1:9", "TOKEN": "", "TTL": ""}


@pytest.fixture
def story():
    author, expert = make_author(), make_expert()
    return make_article(authors=[author], quotes=[(expert, "Said so.")], tags=["Harbour"])


def cache_control(response):
    words = {}
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        words[name] = value
    return words


def test_every_dependency_key_has_a_short_stable_edge_name_of_its_own():
    names = {
        "article:123": "a123",
        "article-page:123": "ap123",
        "author:3": "au3",
        "section:4": "s4",
        "tag:77": "t77",
        "expert:7": "e7",
        "list:home": "l-home",
        "list:section:4": "l-s4",
        "list:author:3": "l-au3",
        "list:tag:77": "l-t77",
        "list:expert:7": "l-e7",
        "list:authors": "l-authors",
        "list:corrections": "l-corrections",
        "nav": "nav",
        "sitemap": "sitemap",
    }
    assert {key: edge_key(key) for key in names} == names
    assert len(set(names.values())) == len(names)


def test_a_story_page_carries_what_it_shows_as_surrogate_keys_on_a_miss_and_a_hit(client, story):
    author, expert, tag = story.authors.get(), story.quotes.get().expert, story.tags.get()
    expected = {
        "all",
        "nav",
        "banner",
        f"a{story.pk}",
        f"ap{story.pk}",
        f"au{author.pk}",
        f"e{expert.pk}",
        f"t{tag.pk}",
        f"v{story.pk}",  # its versions in other languages (none yet)
    }
    for state in ("miss", "hit"):
        response = client.get(story.get_absolute_url())
        assert response["X-Cache"] == state
        assert set(response["Surrogate-Key"].split(" ")) == expected
        assert set(response["Cache-Tag"].split(",")) == expected


def test_list_pages_and_feeds_carry_their_list_and_each_story(client, story):
    section = story.section
    home = set(client.get("/")["Surrogate-Key"].split())
    assert {"l-home", "nav", f"a{story.pk}", f"au{story.authors.get().pk}"} <= home
    assert f"ap{story.pk}" not in home  # quotes and tags show on the story's page only
    section_page = set(client.get(section.get_absolute_url())["Surrogate-Key"].split())
    assert {f"l-s{section.pk}", f"s{section.pk}", f"a{story.pk}"} <= section_page
    feed = set(client.get("/feed/")["Surrogate-Key"].split())
    assert {"l-home", f"a{story.pk}", f"ap{story.pk}", f"t{story.tags.get().pk}"} <= feed
    assert set(client.get("/sitemap.xml")["Surrogate-Key"].split()) == {"all", "sitemap"}
    assert client.get("/robots.txt")["Surrogate-Key"] == "all"


def test_with_purges_an_edge_may_keep_pages_a_day_and_browsers_ask_again_each_time(
    client, story, purges_configured
):
    response = client.get(story.get_absolute_url())
    words = cache_control(response)
    assert words["max-age"] == "0"
    assert words["s-maxage"] == str(DAY)
    assert words["stale-if-error"] == str(WEEK)
    # Not for browsers, which would show a reader the page from before an edit.
    assert "stale-while-revalidate" not in words
    assert response["Surrogate-Control"] == (
        f"max-age={DAY}, stale-while-revalidate=30, stale-if-error={WEEK}"
    )
    assert response["ETag"]


def test_edge_ttl_is_a_setting(client, story, settings):
    settings.NEWSROOM_EDGE = {"PURGE_URL": "varnish://127.0.0.1:9", "TOKEN": "", "TTL": "300"}
    assert cache_control(client.get(story.get_absolute_url()))["s-maxage"] == "300"


def test_without_purges_no_edge_is_told_to_keep_a_page(client, story):
    response = client.get(story.get_absolute_url())
    assert "s-maxage" not in cache_control(response)
    assert "Surrogate-Control" not in response
    assert response["Surrogate-Key"]  # still there, for an operator to look at


def test_an_edge_keeps_a_list_no_later_than_the_next_scheduled_publication(
    client, story, purges_configured, monkeypatch
):
    now = timezone.now()
    going_live = now + timedelta(hours=2)
    make_article(headline="Embargoed", section=story.section, published_at=going_live)
    monkeypatch.setattr(timezone, "now", lambda: now)

    home = cache_control(client.get("/"))
    assert 7190 <= int(home["s-maxage"]) <= 7200
    section = cache_control(client.get(story.section.get_absolute_url()))
    assert 7190 <= int(section["s-maxage"]) <= 7200
    assert cache_control(client.get(story.get_absolute_url()))["s-maxage"] == str(DAY)

    # A copy served from the page cache later says how long is left *then*.
    monkeypatch.setattr(timezone, "now", lambda: going_live - timedelta(seconds=10))
    later = client.get("/")
    assert later["X-Cache"] == "hit"
    assert 9 <= int(cache_control(later)["s-maxage"]) <= 10


@pytest.mark.parametrize("url_of", ["story", "home", "feed"])
def test_a_page_every_anonymous_reader_shares_does_not_vary_by_cookie(client, story, url_of):
    url = {"story": story.get_absolute_url(), "home": "/", "feed": "/feed/"}[url_of]
    client.cookies["analytics"] = "xyz"  # what readers' browsers send
    for state in ("miss", "hit"):
        response = client.get(url)
        assert response["X-Cache"] == state
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies


def test_a_304_answers_with_the_pages_keys_and_no_vary_cookie(client, story, purges_configured):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert f"a{story.pk}" in again["Surrogate-Key"].split()
    assert "s-maxage" in cache_control(again)
    assert "Cookie" not in again.get("Vary", "")


def test_staff_get_public_pages_private_and_varying_by_cookie(client, story):
    client.force_login(make_staff("desk", superuser=True))
    for url in ("/", story.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in cache_control(response)
        assert "Cookie" in response["Vary"]
        assert "Surrogate-Key" not in response


def test_previews_and_search_stay_private_and_unstored(client, story):
    draft = make_article(status=Article.Status.DRAFT, section=story.section)
    for url in (preview_url(draft), "/search/?q=harbour"):
        words = cache_control(client.get(url))
        assert "no-store" in words and "private" in words, url


def test_what_the_page_cache_does_not_serve_is_private(client, story):
    assert "private" in cache_control(client.get("/news/no-such-story/"))  # a 404
    assert "private" in cache_control(client.get(story.get_absolute_url() + "?utm_source=x"))


def test_a_last_good_copy_served_while_the_database_is_down_is_not_kept_at_the_edge(
    client, story, purges_configured
):
    from tests.test_outages import database_unreachable

    url = story.get_absolute_url()
    client.get(url)
    story.headline = "Changed"
    story.save()
    with database_unreachable():
        response = client.get(url)
    assert response["X-Cache"] == "stale"
    assert cache_control(response)["s-maxage"] == "0"
    assert response["Surrogate-Control"].startswith("max-age=0,")


def test_a_page_a_write_changed_while_it_rendered_is_not_kept_at_the_edge(purges_configured):
    """The write's purge may reach the edge before this page does: the edge
    would keep the old page until the next change."""
    story = make_article()
    key = dependencies.story_key(story.pk)
    request = RequestFactory().get("/somewhere/")

    def render_while_a_write_commits():
        stamps.invalidate({key})
        return HttpResponse("the old headline")

    changed = serve_cached(
        request,
        (),
        render_while_a_write_commits,
        lambda response: dependencies.Dependencies(frozenset({key})),
    )
    assert cache_control(changed)["s-maxage"] == "0"
    cache.clear()
    quiet = serve_cached(
        request,
        (),
        lambda: HttpResponse("the headline"),
        lambda response: dependencies.Dependencies(frozenset({key})),
    )
    assert cache_control(quiet)["s-maxage"] == str(DAY)


def test_a_page_with_more_keys_than_a_header_carries_is_not_kept_at_the_edge(purges_configured):
    keys = frozenset(dependencies.story_key(pk) for pk in range(100_000, 103_000))
    response = serve_cached(
        RequestFactory().get("/big/"),
        (),
        lambda: HttpResponse("a huge list"),
        lambda response: dependencies.Dependencies(keys, is_list=True),
    )
    assert response["Surrogate-Key"] == "all"
    assert cache_control(response)["s-maxage"] == "0"


def test_a_section_and_an_author_page_name_their_owner(client):
    section, author = make_section(), make_author()
    make_article(section=section, authors=[author])
    assert f"s{section.pk}" in Client().get(section.get_absolute_url())["Surrogate-Key"].split()
    assert f"l-au{author.pk}" in client.get(author.get_absolute_url())["Surrogate-Key"].split()
