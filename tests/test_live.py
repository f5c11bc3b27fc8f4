"""Live stories as readers, feed readers, search engines and caches get them."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, LiveCoverage, LiveEntry
from articles.models.live import ENTRIES_PER_PAGE
from articles.pagecache import stamps
from tests.factories import make_article, make_author, make_expert
from tests.live_helpers import add_entries, make_live_story
from tests.test_edge_purge import purged

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def edge_server(settings):
    """A fake Varnish taking the site's purges (tests/test_edge_purge.py)."""
    from tests.fake_http import FakeServer

    with FakeServer() as server:
        settings.NEWSROOM_EDGE = {
            "PURGE_URL": f"varnish://127.0.0.1:{server.port}",
            "TOKEN": "",
            "TTL": "",
        }
        yield server


def page(client, article, **params):
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def updates(client, article, **headers):
    return client.get(f"{article.get_absolute_url()}live.json", **headers)


def json_ld(html):
    return json.loads(JSON_LD.search(html).group(1))


def entry_ids(html):
    return [int(pk) for pk in re.findall(r'data-entry-id="(\d+)"', html)]


# -- the page ------------------------------------------------------------------


def test_a_live_story_shows_its_entries_newest_first_under_a_live_badge(client):
    story = make_live_story(entries=3)
    html = page(client, story)

    newest_first = list(story.live_entries.order_by("-posted_at").values_list("pk", flat=True))
    assert entry_ids(html) == newest_first
    assert '<span class="live-badge">Live</span>' in html
    assert "This live coverage has ended" not in html
    # The page polls its endpoint with the script served from our origin.
    assert f'data-poll-url="{story.get_absolute_url()}live.json"' in html
    assert re.search(r'<script src="/static/articles/live[^"]*\.js" defer>', html)


def test_a_closed_coverage_says_it_has_ended_and_stops_polling(client):
    story = make_live_story(entries=2)
    LiveCoverage.objects.filter(article=story).update(ended_at=timezone.now())
    story.live_coverage.refresh_from_db()
    story.live_coverage.save()  # through the model: the pages are refreshed
    html = page(client, story)

    assert "This live coverage has ended" in html
    assert "live-badge" not in html
    assert "data-poll-url" not in html and "live.js" not in html
    assert len(entry_ids(html)) == 2


def test_a_story_that_is_not_live_has_no_stream(client):
    story = make_article()
    html = page(client, story)
    assert "live-stream" not in html and "LiveBlogPosting" not in html


def test_older_entries_are_on_further_pages_and_the_pinned_entry_comes_first(client):
    story = make_live_story(entries=ENTRIES_PER_PAGE + 5)
    oldest = story.live_entries.order_by("posted_at").first()
    oldest.is_pinned = True
    oldest.save()

    first = page(client, story)
    ids = entry_ids(first)
    assert ids[0] == oldest.pk  # pinned, above the newest
    assert len(ids) == 1 + ENTRIES_PER_PAGE
    assert 'rel="next" href="?page=2"' in first and "Older updates" in first

    second = page(client, story, page=2)
    assert len(entry_ids(second)) == 4  # 24 in the stream, the pinned one apart
    assert oldest.pk not in entry_ids(second)
    assert "data-poll-url" not in second  # only the newest page takes new entries


def test_key_events_are_listed_at_the_top_with_links_to_their_page(client):
    story = make_live_story(entries=ENTRIES_PER_PAGE + 3)
    entries = list(story.live_entries.order_by("posted_at"))
    old, new = entries[0], entries[-1]
    for entry, headline in ((old, "Polls open"), (new, "First results")):
        entry.is_key_event, entry.headline = True, headline
        entry.save()

    html = page(client, story)
    key_events = html.split('id="key-events-heading"', 1)[1].split("</nav>", 1)[0]
    assert key_events.index("First results") < key_events.index("Polls open")
    assert f'href="#entry-{new.pk}"' in key_events
    assert f'href="?page=2#entry-{old.pk}"' in key_events


# -- the update endpoint -----------------------------------------------------------


def test_the_endpoint_returns_the_newest_entries_rendered_as_on_the_page(client):
    story = make_live_story(entries=3)
    response = updates(client, story)

    assert response.status_code == 200
    data = response.json()
    assert data["open"] is True and data["more"] is False
    newest = story.live_entries.order_by("-posted_at").first()
    assert data["entries"][0]["id"] == newest.pk
    assert f'id="entry-{newest.pk}"' in data["entries"][0]["html"]


def test_the_endpoint_answers_304_until_an_entry_is_posted_then_the_new_entry(client):
    story = make_live_story(entries=2)
    first = updates(client, story)
    etag = first["ETag"]

    assert updates(client, story)["X-Cache"] == "hit"
    repeat = updates(client, story, HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304

    (entry,) = add_entries(story, 1)
    after = updates(client, story, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after.json()["entries"][0]["id"] == entry.pk


def test_an_entry_purges_the_endpoints_own_edge_key_and_the_story_page(client, edge_server):
    story = make_live_story(entries=1)
    response = updates(client, story)
    assert f"lv{story.pk}" in response["Surrogate-Key"].split()
    assert "s-maxage=" in response["Cache-Control"]  # an edge may keep it until purged
    before = len(edge_server.requests)

    add_entries(story, 1)

    keys = set().union(*purged(edge_server)[before:])
    assert {f"lv{story.pk}", f"ap{story.pk}"} <= keys
    # Only the story's own page and endpoint: no list shows its entries.
    assert f"a{story.pk}" not in keys and "l-home" not in keys


def test_a_deleted_entry_and_a_closed_coverage_refresh_the_page_and_endpoint(client):
    story = make_live_story(entries=2)
    page(client, story)
    updates(client, story)
    gone = story.live_entries.first()
    gone.delete()

    assert gone.pk not in entry_ids(page(client, story))
    assert gone.pk not in [e["id"] for e in updates(client, story).json()["entries"]]

    coverage = story.live_coverage
    coverage.ended_at = timezone.now()
    coverage.save()
    assert updates(client, story).json()["open"] is False


def test_an_unpublished_live_story_has_no_public_endpoint(client):
    story = make_live_story(entries=1, status=Article.Status.DRAFT)
    assert updates(client, story).status_code == 404
    assert updates(client, make_article()).status_code == 404  # not live


# -- query budgets: flat in the number of entries -------------------------------------


@pytest.mark.parametrize("kind", ["page", "older page", "endpoint"])
def test_live_pages_cost_the_same_queries_with_5_or_50_entries(
    client, kind, django_assert_num_queries, settings
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders
    counts = []
    for n in (5, 50):
        story = make_live_story(entries=n, authors=[make_author(), make_author()])
        expert = make_expert()
        entries = list(story.live_entries.all())
        entries[0].is_pinned = True
        for entry in entries[:4]:
            entry.is_key_event = True
            entry.expert, entry.quote_text = expert, "It is close."
            entry.save()
        client.get("/")  # the site's chrome warms up

        url = {
            "page": story.get_absolute_url(),
            "older page": f"{story.get_absolute_url()}?page=2",
            "endpoint": f"{story.get_absolute_url()}live.json",
        }[kind]
        stamps.invalidate({f"article-page:{story.pk}", f"live:{story.pk}"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # A story page: the story, its parts, its language versions (hreflang), the
    # entries of the page, key events, the site's chrome.
    budget = {"page": 11, "older page": 11, "endpoint": 4}[kind]
    assert counts[1] <= budget, counts


# -- search engines ------------------------------------------------------------------


def test_the_live_page_carries_live_blog_posting_json_ld(client):
    started = timezone.now() - timedelta(hours=2)
    story = make_live_story(entries=3, start=started)
    newest = story.live_entries.order_by("-posted_at").first()
    newest.headline = "Turnout passes 60 per cent"
    newest.save()

    data = json_ld(page(client, story))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == story.headline
    assert (
        data["coverageStartTime"] == timezone.localtime(started).replace(microsecond=0).isoformat()
    )
    assert "coverageEndTime" not in data  # open: nobody knows it yet
    updates_ = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates_] == ["BlogPosting"] * 3
    first = updates_[0]
    assert first["headline"] == "Turnout passes 60 per cent"
    assert first["articleBody"] == "Update number 3."
    assert (
        first["datePublished"]
        == timezone.localtime(newest.posted_at).replace(microsecond=0).isoformat()
    )
    assert first["url"].endswith(f"{story.get_absolute_url()}#entry-{newest.pk}")
    assert first["author"]["@type"] == "Person"
    assert data["dateModified"] == first["datePublished"]  # the newest entry dates the page
    # Newest first, like the page.
    assert [u["datePublished"] for u in updates_] == sorted(
        (u["datePublished"] for u in updates_), reverse=True
    )


def test_a_closed_coverage_gives_its_end_time_in_the_json_ld(client):
    story = make_live_story(entries=1)
    ended = timezone.now() - timedelta(minutes=5)
    coverage = story.live_coverage
    coverage.ended_at = ended
    coverage.save()

    data = json_ld(page(client, story))
    assert data["coverageEndTime"] == timezone.localtime(ended).replace(microsecond=0).isoformat()


# -- feeds ---------------------------------------------------------------------------


def test_a_feed_carries_a_live_story_as_one_item_updated_with_its_newest_entries(client):
    story = make_live_story(entries=12)
    newest = story.live_entries.order_by("-posted_at").first()
    later = timezone.now() + timedelta(seconds=1)
    LiveEntry.objects.filter(pk=newest.pk).update(posted_at=later)

    feed = feedparser.parse(client.get("/feed/atom/").content)
    (item,) = [entry for entry in feed.entries if entry.title == story.headline]
    content = item.content[0].value
    assert "Live coverage: the latest updates" in content
    assert "Update number 12." in content and "Update number 3." in content
    assert "Update number 2." not in content  # the newest ten only
    assert content.index("Update number 12.") < content.index("Body")
    assert item.updated_parsed[:6] == later.utctimetuple()[:6]
    assert len([e for e in feed.entries if e.title == story.headline]) == 1


def test_a_new_entry_refreshes_the_cached_feed(client):
    story = make_live_story(entries=1)
    client.get("/feed/")
    add_entries(story, 1)[0].text = "x"
    entry = LiveEntry.objects.order_by("-pk").first()
    entry.text = "<p>Counting has started.</p>"
    entry.save()
    assert "Counting has started." in client.get("/feed/").content.decode()
