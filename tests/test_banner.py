"""The breaking-news banner: one line across the top of every reader page,
until its end time, looked up through the cache and followed by the page cache."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Banner
from tests.factories import make_article, make_author, make_expert

pytestmark = pytest.mark.django_db

BANNER = '<aside class="breaking" aria-label="Breaking news">'


@pytest.fixture
def site():
    author, expert = make_author(), make_expert()
    story = make_article(authors=[author], quotes=[(expert, "Said.")], tags=["Ports"])
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": story.tags.get().get_absolute_url(),
        "expert": expert.get_absolute_url(),
        "authors": reverse("articles:authors"),
        "corrections": reverse("articles:corrections"),
        "search": reverse("articles:search") + "?q=ports",
        "not found": "/news/no-such-story/",
    }


def test_the_banner_is_on_every_reader_page_with_its_link(client, site):
    Banner.objects.create(text="Storm closes the ferry port", link="/news/storm/")

    for name, url in site.items():
        html = client.get(url).content.decode()
        assert BANNER in html, name
        assert '<a href="/news/storm/">Storm closes the ferry port</a>' in html, name


def test_no_banner_no_line_and_an_ended_banner_is_gone(client, site):
    assert BANNER not in client.get("/").content.decode()
    Banner.objects.create(text="Over", ends_at=timezone.now() - timedelta(minutes=1))
    assert BANNER not in client.get("/").content.decode()


def test_the_newest_banner_still_showing_is_the_one_readers_see(client):
    Banner.objects.create(text="Older news", created_at=timezone.now() - timedelta(hours=2))
    Banner.objects.create(text="Latest news")
    html = client.get("/").content.decode()
    assert "Latest news" in html and "Older news" not in html


def test_putting_up_changing_and_ending_a_banner_refreshes_every_cached_page(client, site):
    cached = {name: url for name, url in site.items() if name not in ("search", "not found")}
    for url in cached.values():
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit", url

    banner = Banner.objects.create(text="Bridge closed")
    for name, url in cached.items():
        response = client.get(url)
        assert response["X-Cache"] == "miss" and "Bridge closed" in response.content.decode(), name

    banner.text = "Bridge reopened"
    banner.save()
    assert "Bridge reopened" in client.get(site["story"]).content.decode()

    banner.delete()
    assert BANNER not in client.get(site["story"]).content.decode()


def test_a_page_is_kept_no_longer_than_its_banner_lasts(client, site, monkeypatch):
    now = timezone.now()
    Banner.objects.create(text="Polls close at ten", ends_at=now + timedelta(hours=1))
    assert "Polls close at ten" in client.get(site["story"]).content.decode()
    assert client.get(site["story"])["X-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=59))
    assert client.get(site["story"])["X-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1))
    response = client.get(site["story"])
    assert response["X-Cache"] == "miss"
    assert "Polls close at ten" not in response.content.decode()


def test_a_warm_banner_costs_a_page_no_query(client, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Banner.objects.create(text="Warm")
    client.get(site["home"])  # the first page kept looks the banner up and stamps it

    with CaptureQueriesContext(connection) as captured:
        html = client.get(site["authors"]).content.decode()

    assert "Warm" in html
    assert not [q for q in captured.captured_queries if Banner._meta.db_table in q["sql"]]


@pytest.mark.parametrize(
    "link, valid",
    [
        ("/news/storm/", True),
        ("https://example.org/live", True),
        ("", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("news/storm", False),
    ],
)
def test_a_banner_links_to_this_site_or_a_web_address_only(link, valid):
    banner = Banner(text="Breaking", link=link)
    if valid:
        banner.full_clean()
    else:
        with pytest.raises(ValidationError):
            banner.full_clean()


def test_editors_put_up_a_banner_in_the_admin_that_ends_in_hours_by_default(superuser_client):
    response = superuser_client.get(reverse("admin:articles_banner_add"))
    initial = response.context["adminform"].form.initial["ends_at"]
    assert timedelta(hours=5) < initial - timezone.now() <= timedelta(hours=6)


def test_end_now_takes_the_banner_down_everywhere(superuser_client, client, site):
    banner = Banner.objects.create(text="Ending")
    client.get(site["story"])
    superuser_client.post(
        reverse("admin:articles_banner_changelist"),
        {"action": "end_now", "_selected_action": [str(banner.pk)]},
    )
    banner.refresh_from_db()
    assert banner.ends_at is not None and not banner.is_showing
    assert "Ending" not in client.get(site["story"]).content.decode()
