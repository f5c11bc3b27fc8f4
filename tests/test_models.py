from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db


def published_slugs():
    return set(Article.objects.published().values_list("slug", flat=True))


def test_published_includes_a_published_article_whose_time_has_passed():
    make_article(slug="past", published_at=timezone.now() - timedelta(minutes=1))
    assert published_slugs() == {"past"}


def test_published_includes_an_article_at_exactly_now():
    now = timezone.now()
    make_article(slug="now", published_at=now)
    assert "now" in published_slugs()


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW])
def test_published_excludes_drafts_and_articles_in_review_even_when_dated(status):
    make_article(slug="hidden", status=status, published_at=timezone.now() - timedelta(days=1))
    assert published_slugs() == set()


def test_published_excludes_a_scheduled_article_until_its_minute(monkeypatch):
    publish_at = timezone.now() + timedelta(minutes=10)
    make_article(slug="scheduled", published_at=publish_at)
    assert published_slugs() == set()

    # No job runs: the same query simply sees a later "now".
    monkeypatch.setattr(timezone, "now", lambda: publish_at + timedelta(seconds=1))
    assert published_slugs() == {"scheduled"}


def test_published_excludes_a_published_article_without_a_date():
    make_article(slug="undated", published_at=None)
    assert published_slugs() == set()


def test_bylines_come_back_in_byline_order_not_creation_order():
    first, second, third = make_author(name="Zed"), make_author(name="Amy"), make_author(name="Bo")
    article = make_article(authors=[first, second, third])
    article.bylines.filter(author=first).update(position=9)
    fresh = Article.objects.for_page().get(pk=article.pk)
    assert [a.name for a in fresh.ordered_bylines()] == ["Amy", "Bo", "Zed"]


def test_saving_an_article_strips_disallowed_html_from_the_body():
    article = make_article(
        body='<h2>Crosshead</h2><p onclick="x()">Text <script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a></p><img src=x onerror=alert(1)>'
    )
    article.refresh_from_db()
    assert "<h2>Crosshead</h2>" in article.body
    for forbidden in ("script", "onclick", "javascript:", "<img", "onerror"):
        assert forbidden not in article.body


def test_tags_are_case_insensitive():
    first = make_article(tags=["Ukraine"])
    second = make_article(tags=["ukraine"])
    assert list(first.tags.all()) == list(second.tags.all())


@pytest.mark.parametrize(
    "viewname, slug",
    [
        ("articles:article", "harbour-reopens_2"),
        ("articles:section", "world"),
        ("articles:author", "ana-ruiz"),
        ("articles:expert", "elias-varga"),
        ("articles:tag", "موانئ"),
    ],
)
def test_slug_urls_are_what_reverse_gives_under_any_script_prefix(viewname, slug):
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from articles.models.base import slug_url

    before = get_script_prefix()
    try:
        for prefix in ("/", "/newsroom/"):
            set_script_prefix(prefix)
            assert slug_url(viewname, slug) == reverse(viewname, kwargs={"slug": slug})
            assert slug_url(viewname, slug).startswith(prefix)
    finally:
        set_script_prefix(before)
