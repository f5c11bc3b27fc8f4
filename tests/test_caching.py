"""The page cache: anonymous readers get cached pages until something a page
shows changes; then the next request to exactly those pages shows the change.

Every test runs with the configured cache (local memory, or Redis on CI), which
the autouse ``empty_cache`` fixture empties around each test. A response says
whether it came from the cache in its ``X-Cache`` header (hit / miss)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline, Correction, ExpertQuote
from articles.publishing.preview import preview_url
from articles.sitemaps import ArticleSitemap
from tests.factories import make_article, make_author, make_expert, make_section, make_staff
from tests.test_admin import ADD_URL, article_form_data

pytestmark = pytest.mark.django_db


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def assert_hit(client, url):
    response, _ = fetch(client, url)
    assert response.status_code == 200, url
    assert response["X-Cache"] == "hit", url


@pytest.fixture
def newsroom():
    """Two stories that share nothing, each with a section, author, expert and
    tag of its own, plus an unpublished draft that shares story A's."""
    world = {}
    for name in ("a", "b"):
        world[f"section_{name}"] = make_section(name=f"Section {name.upper()}")
        world[f"author_{name}"] = make_author(name=f"Author {name.upper()}")
        world[f"expert_{name}"] = make_expert(name=f"Expert {name.upper()}")
        world[f"article_{name}"] = make_article(
            headline=f"Story {name.upper()}",
            section=world[f"section_{name}"],
            authors=[world[f"author_{name}"]],
            quotes=[(world[f"expert_{name}"], f"Quote {name.upper()}")],
            tags=[f"Subject {name.upper()}"],
        )
        world[f"tag_{name}"] = world[f"article_{name}"].tags.get()
    world["draft"] = make_article(
        headline="Story C",
        status=Article.Status.DRAFT,
        section=world["section_a"],
        authors=[world["author_a"]],
        quotes=[(world["expert_a"], "Quote C")],
        tags=[world["tag_a"]],
    )
    return world


PAGES = [
    "home",
    *(
        f"{kind}_{name}"
        for kind in ("article", "section", "author", "tag", "expert")
        for name in "ab"
    ),
]


def page_urls(world):
    urls = {"home": "/"}
    for page in PAGES[1:]:
        urls[page] = world[page].get_absolute_url()
    return urls


def prime(client, urls):
    for url in urls.values():
        response, _ = fetch(client, url)
        assert response["X-Cache"] == "miss"
        assert_hit(client, url)


def _rename(field, value):
    def change(world, key):
        obj = world[key]
        setattr(obj, field, value)
        obj.save()

    return change


def _add_byline(world):
    Byline.objects.create(article=world["article_a"], author=world["author_b"], position=1)


def _add_author_with_m2m(world):
    world["article_a"].authors.add(world["author_b"], through_defaults={"position": 1})


def _remove_byline(world):
    Byline.objects.filter(article=world["article_a"]).delete()


def _edit_quote(world):
    quote = ExpertQuote.objects.get(article=world["article_a"])
    quote.text = "Changed words"
    quote.save()


def _tag_story_b(world):
    world["article_b"].tags.add(world["tag_a"])


def _untag_story_a(world):
    world["article_a"].tags.remove(world["tag_a"])


def _publish_draft(world):
    world["draft"].status = Article.Status.PUBLISHED
    world["draft"].save()


def _unpublish(world):
    world["article_a"].status = Article.Status.DRAFT
    world["article_a"].save()


def _delete(world):
    world["article_a"].delete()


def _edit_draft(world):
    world["draft"].headline = "Story C rewritten"
    world["draft"].save()


def _add_correction(world):
    Correction.objects.create(article=world["article_a"], text="An earlier version misspelt it.")


def _move_section(world):
    world["article_a"].section = world["section_b"]
    world["article_a"].save()


A_CARDS = ["home", "article_a", "section_a", "author_a", "tag_a"]
B_PAGES = ["article_b", "section_b", "author_b", "tag_b", "expert_b"]

# change → (pages that must show `text` (or must not, for "-text") on the next
# request, pages that must still be served from the cache)
RULES = {
    "article headline": (
        lambda w: _rename("headline", "Story A updated")(w, "article_a"),
        "Story A updated",
        [*A_CARDS, "expert_a"],
        B_PAGES,
    ),
    "author name": (
        lambda w: _rename("name", "Author A renamed")(w, "author_a"),
        "Author A renamed",
        A_CARDS,
        [*B_PAGES, "expert_a"],
    ),
    "section name (in every page's navigation)": (
        lambda w: _rename("name", "Section A renamed")(w, "section_a"),
        "Section A renamed",
        PAGES,
        [],
    ),
    "section description (on its own page only)": (
        lambda w: _rename("description", "All about A")(w, "section_a"),
        "All about A",
        ["section_a"],
        [page for page in PAGES if page != "section_a"],
    ),
    "tag name": (
        lambda w: _rename("name", "Subject A renamed")(w, "tag_a"),
        "Subject A renamed",
        ["article_a", "tag_a"],
        ["home", "section_a", "author_a", "expert_a", *B_PAGES],
    ),
    "expert name": (
        lambda w: _rename("name", "Expert A renamed")(w, "expert_a"),
        "Expert A renamed",
        ["article_a", "expert_a"],
        ["home", "section_a", "author_a", "tag_a", *B_PAGES],
    ),
    "quote text": (
        _edit_quote,
        "Changed words",
        ["article_a", "expert_a"],
        ["home", "section_a", "author_a", "tag_a", *B_PAGES],
    ),
    "byline added": (
        _add_byline,
        "Author B",
        [*A_CARDS, "author_b"],
        ["article_b", "section_b", "tag_b", "expert_b"],
    ),
    "byline added with authors.add()": (
        _add_author_with_m2m,
        "Author B",
        [*A_CARDS, "author_b"],
        ["article_b", "section_b", "tag_b", "expert_b"],
    ),
    "byline removed": (
        _remove_byline,
        "-Author A</a>",
        ["home", "article_a", "section_a", "tag_a", "author_a"],
        B_PAGES,
    ),
    "tag added": (
        _tag_story_b,
        "Story B",
        ["tag_a"],
        ["home", "article_a", "section_a", "author_a", "expert_a", "section_b", "author_b"],
    ),
    "tag removed": (
        _untag_story_a,
        "-Story A",
        ["tag_a"],
        ["home", "section_a", "author_a", "expert_a", *B_PAGES],
    ),
    "draft published": (
        _publish_draft,
        "Story C",
        ["home", "section_a", "author_a", "tag_a", "expert_a"],
        ["article_a", *B_PAGES],
    ),
    "story unpublished": (
        _unpublish,
        "-Story A",
        ["home", "section_a", "author_a", "tag_a", "expert_a"],
        B_PAGES,
    ),
    "story deleted": (
        _delete,
        "-Story A",
        ["home", "section_a", "author_a", "tag_a", "expert_a"],
        B_PAGES,
    ),
    "story moved to another section": (
        _move_section,
        "Story A",
        ["section_b"],
        ["article_b", "author_b", "tag_b", "expert_b"],
    ),
    "correction added": (
        _add_correction,
        "An earlier version misspelt it.",
        ["article_a"],
        [page for page in PAGES if page != "article_a"],
    ),
    "draft edited": (_edit_draft, None, [], PAGES),
}


@pytest.mark.parametrize("rule", RULES)
def test_a_change_shows_on_the_next_request_to_each_page_showing_it_and_nowhere_else(
    client, newsroom, rule
):
    change, text, changed_pages, cached_pages = RULES[rule]
    urls = page_urls(newsroom)
    prime(client, urls)

    change(newsroom)

    for page in changed_pages:
        response, html = fetch(client, urls[page])
        if page == "article_a" and rule in ("story unpublished", "story deleted"):
            assert response.status_code == 404
        elif text.startswith("-"):
            assert text[1:] not in html, page
        else:
            assert text in html, page
    for page in cached_pages:
        assert_hit(client, urls[page])


def test_a_story_published_in_the_admin_appears_on_every_list_it_belongs_to(
    superuser_client, newsroom
):
    reader = Client()
    urls = page_urls(newsroom)
    prime(reader, urls)
    data = article_form_data(
        newsroom["section_a"],
        authors=[newsroom["author_a"]],
        quotes=[(newsroom["expert_a"], "Said in the admin.")],
        headline="Published from the desk",
        status=Article.Status.PUBLISHED,
        tags=["Subject A"],  # one posted value per tag, as the autocomplete sends it
    )

    assert superuser_client.post(ADD_URL, data).status_code == 302

    for page in ("home", "section_a", "author_a", "tag_a", "expert_a"):
        assert "Published from the desk" in fetch(reader, urls[page])[1], page
    for page in B_PAGES:
        assert_hit(reader, urls[page])


def test_a_scheduled_story_appears_at_its_minute_without_any_purge(client, newsroom, monkeypatch):
    now = timezone.now()
    going_live = now + timedelta(hours=2)
    make_article(
        headline="Embargoed report",
        section=newsroom["section_b"],
        authors=[newsroom["author_b"]],
        published_at=going_live,
    )
    urls = page_urls(newsroom)
    prime(client, urls)

    monkeypatch.setattr(timezone, "now", lambda: going_live - timedelta(seconds=1))
    for page in ("home", "section_b", "author_b"):
        assert_hit(client, urls[page])

    monkeypatch.setattr(timezone, "now", lambda: going_live)
    for page in ("home", "section_b", "author_b"):
        response, html = fetch(client, urls[page])
        assert response["X-Cache"] == "miss"
        assert "Embargoed report" in html, page
    # Story pages stay cached through it. (Lists are kept no later than the
    # next publication anywhere on the site: they all refresh once.)
    for page in ("article_a", "article_b"):
        assert_hit(client, urls[page])


def test_a_hit_costs_no_database_query(client, newsroom, django_assert_num_queries):
    urls = page_urls(newsroom)
    prime(client, urls)
    with django_assert_num_queries(0):
        for url in urls.values():
            assert client.get(url)["X-Cache"] == "hit"


def test_staff_are_never_served_or_given_cached_pages(client, newsroom):
    url = newsroom["article_a"].get_absolute_url()
    client.force_login(make_staff("desk", superuser=True))
    staff_response, _ = fetch(client, url)
    assert staff_response.status_code == 200
    assert "X-Cache" not in staff_response

    reader = Client()
    response, _ = fetch(reader, url)
    assert response["X-Cache"] == "miss"  # staff's visit stored nothing
    assert "X-Cache" not in fetch(client, url)[0]  # and staff never get the reader's copy


def test_signed_preview_links_are_never_cached(client, newsroom):
    url = preview_url(newsroom["draft"])
    for _ in range(2):
        response, html = fetch(client, url)
        assert response.status_code == 200 and "Story C" in html
        assert response["X-Cache"] == "miss"
        assert "no-cache" in response["Cache-Control"]


def test_preview_links_and_other_query_strings_bypass_the_cache(client, newsroom):
    url = newsroom["article_a"].get_absolute_url()
    fetch(client, url)
    for query in ("?preview=signed-token", "?utm_source=x", "?page=abc", "?page=0"):
        response, _ = fetch(client, url + query)
        assert response.status_code == 200
        assert "X-Cache" not in response, query


def test_a_page_number_past_the_end_is_served_but_not_stored(client, newsroom):
    url = newsroom["author_a"].get_absolute_url()
    response, _ = fetch(client, f"{url}?page=99")
    assert response.status_code == 200 and response["X-Cache"] == "miss"
    assert fetch(client, f"{url}?page=99")[0]["X-Cache"] == "miss"
    fetch(client, f"{url}?page=1")
    assert fetch(client, f"{url}?page=1")[0]["X-Cache"] == "hit"


def test_unpublished_pages_are_not_cached(client, newsroom):
    url = newsroom["draft"].get_absolute_url()
    assert client.get(url).status_code == 404
    newsroom["draft"].status = Article.Status.PUBLISHED
    newsroom["draft"].save()
    response, html = fetch(client, url)
    assert response.status_code == 200 and "Story C" in html


@pytest.mark.parametrize("cached", [False, True], ids=["on-a-miss", "on-a-hit"])
def test_a_matching_etag_gets_304_and_a_changed_page_gets_200(client, newsroom, cached):
    url = newsroom["article_a"].get_absolute_url()
    first, _ = fetch(client, url)
    etag = first["ETag"]
    if not cached:
        from django.core.cache import cache

        cache.clear()

    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""

    newsroom["article_a"].headline = "Story A corrected"
    newsroom["article_a"].save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Story A corrected" in changed.content.decode()


def test_if_modified_since_gets_304_until_the_page_changes(client, newsroom):
    url = newsroom["section_a"].get_absolute_url()
    first, _ = fetch(client, url)
    last_modified = first["Last-Modified"]

    assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304

    newsroom["article_a"].headline = "Story A corrected"
    newsroom["article_a"].save()
    import time

    time.sleep(1.01)  # HTTP dates have one-second resolution
    changed = client.get(url, headers={"if-modified-since": last_modified})
    assert changed.status_code == 200
    assert "Story A corrected" in changed.content.decode()


def test_feeds_are_cached_and_refreshed_by_what_their_entries_show(client, newsroom):
    feeds = {
        "site": reverse("articles:feed"),
        "author_a": reverse("articles:author_feed_atom", args=[newsroom["author_a"].slug]),
        "tag_a": reverse("articles:tag_feed", args=[newsroom["tag_a"].slug]),
        "section_b": reverse("articles:section_feed", args=[newsroom["section_b"].slug]),
    }
    prime(client, feeds)

    _rename("name", "Subject A renamed")(newsroom, "tag_a")  # entries list their tags

    for name in ("site", "author_a", "tag_a"):
        response, xml = fetch(client, feeds[name])
        assert response["X-Cache"] == "miss" and "Subject A renamed" in xml, name
    assert_hit(client, feeds["section_b"])

    _publish_draft(newsroom)
    for name in ("site", "author_a", "tag_a"):
        assert "Story C" in fetch(client, feeds[name])[1], name
    assert_hit(client, feeds["section_b"])


def test_sitemaps_are_cached_until_a_public_change(client, newsroom):
    sitemaps = {
        "index": reverse("articles:sitemap"),
        # The page of the stories' sitemap that will list the draft.
        "articles": reverse("articles:sitemap_part", args=["articles"])
        + f"?p={ArticleSitemap.page_of(newsroom['draft'].pk)}",
        "news": reverse("articles:news_sitemap"),
    }
    prime(client, sitemaps)

    _edit_draft(newsroom)
    for url in sitemaps.values():
        assert_hit(client, url)

    _publish_draft(newsroom)
    for name in ("articles", "news"):
        assert newsroom["draft"].get_absolute_url() in fetch(client, sitemaps[name])[1], name
    assert fetch(client, sitemaps["index"])[0]["X-Cache"] == "miss"


def test_the_authors_index_and_the_corrections_ledger_follow_changes(client, newsroom):
    authors, corrections = reverse("articles:authors"), reverse("articles:corrections")
    for url in (authors, corrections):
        fetch(client, url)
        assert_hit(client, url)

    make_author(name="Newly Hired")
    Correction.objects.create(article=newsroom["article_b"], text="A date was wrong.")

    assert "Newly Hired" in fetch(client, authors)[1]
    assert "A date was wrong." in fetch(client, corrections)[1]
