"""The demo content (``manage.py load_demo``): what `make run` shows a new install."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import demo
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    Expert,
    ExpertQuote,
    Section,
    Tag,
)
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", verbosity=0)


def everything():
    """Every row load_demo writes, in a comparable form."""
    models = [Section, Author, Expert, Article, Byline, ExpertQuote, Correction, Tag]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["tagged"] = list(Article.tags.through.objects.order_by("pk").values())
    return rows


def test_a_second_run_changes_nothing_even_days_later(client, monkeypatch):
    load_demo()
    first = everything()
    assert len(first["Article"]) == len(demo.ARTICLES) + len(demo.DESK_ARTICLES)

    load_demo()
    assert everything() == first
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200

    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    load_demo()
    assert everything() == first


def test_the_demo_has_stories_in_every_state():
    load_demo()
    assert Article.objects.drafts().count() == 2
    assert Article.objects.in_review().count() == 2
    assert Article.objects.scheduled().count() == 2
    assert Article.objects.published().count() == len(demo.ARTICLES)


def test_scheduled_stories_go_live_at_their_local_time_on_the_next_day():
    before = timezone.localtime()
    load_demo()
    tomorrow = before.date() + timedelta(days=1)
    times = [
        timezone.localtime(article.published_at)
        for article in Article.objects.scheduled().order_by("published_at")
    ]
    assert [(t.date(), t.strftime("%H:%M")) for t in times] == [
        (tomorrow, "07:00"),
        (tomorrow, "18:00"),
    ]


def test_every_list_of_the_editors_desk_shows_demo_stories(client):
    load_demo()
    client.force_login(make_staff("chief", superuser=True))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    lists = {desk_list.key: desk_list.rows for desk_list in response.context["desk_lists"]}
    assert set(lists) == {"drafts", "review", "scheduled", "today", "corrected"}
    empty = [key for key, rows in lists.items() if not rows]
    # "today" depends on the hour: stories loaded at 01:00 were published yesterday.
    if timezone.localtime().hour < 9:
        empty = [key for key in empty if key != "today"]
    assert empty == []
    html = response.content.decode()
    for article in Article.objects.exclude(pk__in=Article.objects.published()):
        assert article.headline in html


def test_the_demo_stories_are_written_for_this_project():
    """Sample stories read like news: no placeholder text, each with a crosshead."""
    for data in demo.ARTICLES + demo.DESK_ARTICLES:
        text = data["headline"] + data["dek"] + data["body"]
        assert "lorem" not in text.lower(), data["slug"]
        assert "<h2>" in data["body"], data["slug"]


# Unpublished demo stories never reach readers --------------------------------------------


def _public_urls():
    """Every public address the demo data gives rise to."""
    urls = [
        reverse("articles:home"),
        reverse("articles:authors"),
        reverse("articles:corrections"),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:sitemap"),
        reverse("articles:news_sitemap"),
    ]
    urls += [
        reverse("articles:sitemap_part", kwargs={"section": name})
        for name in ("articles", "sections", "authors", "tags", "experts")
    ]
    owners = [
        ("section", Section.objects.values_list("slug", flat=True)),
        ("author", Author.objects.values_list("slug", flat=True)),
        ("tag", Tag.objects.values_list("slug", flat=True)),
    ]
    for name, slugs in owners:
        for slug in slugs:
            urls += [
                reverse(f"articles:{name}", args=[slug]),
                reverse(f"articles:{name}_feed", args=[slug]),
                reverse(f"articles:{name}_feed_atom", args=[slug]),
            ]
    urls += [
        reverse("articles:expert", args=[slug])
        for slug in Expert.objects.values_list("slug", flat=True)
    ]
    return urls


def _hidden():
    return list(Article.objects.exclude(pk__in=Article.objects.published()))


def test_drafts_stories_in_review_and_scheduled_stories_stay_off_every_public_page(client):
    load_demo()
    hidden = _hidden()
    assert len(hidden) == len(demo.DESK_ARTICLES)
    # The pages do list stories: the live ones that share a tag with hidden ones.
    baltic = client.get(reverse("articles:tag", args=["baltic-sea"])).content.decode()
    assert "Fishing quotas set for next year" in baltic

    for url in _public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for article in hidden:
            assert article.headline not in page, (url, article.slug)
            assert article.slug not in page, (url, article.slug)
            for quote in article.quotes.all():
                assert quote.text not in page, (url, article.slug)


def test_unpublished_demo_stories_answer_404_to_readers(client):
    load_demo()
    for article in _hidden():
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(reverse("articles:article_ninjs", args=[article.slug])).status_code == 404


def test_search_finds_live_demo_stories_but_not_the_unpublished_ones(client):
    load_demo()
    search = reverse("articles:search")

    # A word of each hidden story's headline that no live story's headline has.
    live_words = {
        word.lower()
        for headline in Article.objects.published().values_list("headline", flat=True)
        for word in re.findall(r"\w+", headline)
    }
    for article in _hidden():
        word = next(
            w for w in re.findall(r"\w{5,}", article.headline) if w.lower() not in live_words
        )
        page = client.get(search, {"q": word}).content.decode()
        assert article.headline not in page, (word, article.slug)

    assert "Central bank holds interest rates steady" in (
        client.get(search, {"q": "central bank"}).content.decode()
    )
