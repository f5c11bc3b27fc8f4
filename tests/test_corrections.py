"""Mistakes corrected in public: the corrections ledger, "Updated" times and
stable addresses for stories whose slug changed."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleRedirect, Correction
from articles.publishing import transitions
from tests.factories import make_article, make_editor, make_reporter
from tests.workflow_helpers import change_url, logged_in, submitted_form

pytestmark = pytest.mark.django_db

CORRECTIONS_URL = reverse("articles:corrections")


def with_a_correction(response, kind, text):
    return submitted_form(
        response,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": kind,
            "corrections-0-text": text,
        },
    )


@pytest.fixture
def editor():
    return make_editor("eddie")


def test_editor_appends_a_correction_that_readers_see(editor, client):
    article = make_article(headline="Harbour reopens")
    admin = logged_in(editor)
    form = with_a_correction(
        admin.get(change_url(article)), "correction", "The harbour is in Turku, not Tampere."
    )

    assert admin.post(change_url(article), form).status_code == 302

    correction = Correction.objects.get()
    assert (correction.article, correction.created_by) == (article, editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Corrections and updates" in page
    assert "The harbour is in Turku, not Tampere." in page
    listing = client.get(CORRECTIONS_URL).content.decode()
    assert "The harbour is in Turku, not Tampere." in listing
    assert f'href="{article.get_absolute_url()}#correction-{correction.pk}"' in listing


def test_an_edited_correction_says_when_it_was_edited(editor, client):
    article = make_article(headline="Harbour reopens")
    corrected_at = timezone.now() - timedelta(days=2)
    correction = Correction.objects.create(
        article=article, text="The harbour is in Turku.", created_at=corrected_at
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "(edited" not in page  # and the story page is now cached
    admin = logged_in(editor)
    form = submitted_form(
        admin.get(change_url(article)),
        **{"corrections-0-text": "The harbour is in Turku, Finland."},
    )

    assert admin.post(change_url(article), form).status_code == 302

    correction.refresh_from_db()
    assert correction.created_at == corrected_at  # still dated when it was made
    assert timezone.now() - correction.edited_at < timedelta(minutes=1)
    edited = f'(edited <time datetime="{timezone.localtime(correction.edited_at):%Y-%m-%dT%H:%M:%S}'
    for url in (article.get_absolute_url(), CORRECTIONS_URL):
        page = client.get(url).content.decode()
        assert "The harbour is in Turku, Finland." in page
        assert edited in page, url
    assert "Edited" in admin.get(change_url(article)).content.decode()  # in the admin's ledger


def test_a_correction_saved_unchanged_is_not_marked_edited(editor, client):
    article = make_article()
    correction = Correction.objects.create(article=article, text="Spelling of a name.")
    admin = logged_in(editor)
    form = submitted_form(admin.get(change_url(article)), headline="A new headline")

    assert admin.post(change_url(article), form).status_code == 302

    correction.refresh_from_db()
    assert correction.edited_at is None
    for url in (article.get_absolute_url(), CORRECTIONS_URL):
        page = client.get(url).content.decode()
        assert "Spelling of a name." in page and "(edited" not in page


def test_the_ledger_is_append_only_in_the_admin(editor):
    article = make_article()
    Correction.objects.create(article=article, text="Earlier entry", created_by=editor)
    html = logged_in(editor).get(change_url(article)).content.decode()
    assert "corrections-0-DELETE" not in html


def test_reporters_get_no_corrections_inline_and_cannot_post_one():
    reporter = make_reporter()
    article = make_article(authors=[reporter.author])
    client = logged_in(reporter)
    response = client.get(change_url(article))
    assert "corrections-TOTAL_FORMS" not in response.content.decode()

    form = submitted_form(response)
    form.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-INITIAL_FORMS": "0",
            "corrections-0-kind": "correction",
            "corrections-0-text": "Sneaked in",
        }
    )
    client.post(change_url(article), form)
    assert not Correction.objects.exists()


def test_unpublished_stories_take_no_corrections(editor):
    draft = make_article(status=Article.Status.DRAFT)
    html = logged_in(editor).get(change_url(draft)).content.decode()
    assert "corrections-TOTAL_FORMS" not in html


def test_corrections_page_lists_live_stories_only_newest_first(client):
    live, draft = make_article(headline="Live story"), make_article(status=Article.Status.DRAFT)
    now = timezone.now()
    Correction.objects.create(article=live, text="Older entry", created_at=now - timedelta(days=2))
    Correction.objects.create(
        article=live,
        kind=Correction.Kind.CLARIFICATION,
        text="Newer entry",
        created_at=now - timedelta(days=1),
    )
    Correction.objects.create(article=draft, text="Secret entry", created_at=now)

    html = client.get(CORRECTIONS_URL).content.decode()

    assert html.index("Newer entry") < html.index("Older entry")
    assert "Clarification" in html
    assert "Secret entry" not in html


def test_corrections_page_is_paginated(client):
    article = make_article()
    Correction.objects.bulk_create(
        Correction(article=article, text=f"Entry {n}", created_at=timezone.now()) for n in range(25)
    )
    first, second = client.get(CORRECTIONS_URL), client.get(CORRECTIONS_URL, {"page": 2})
    assert len(first.context["corrections"]) == 20
    assert len(second.context["corrections"]) == 5


def test_story_page_query_count_stays_flat_as_corrections_grow(client, django_assert_num_queries):
    article = make_article()
    Correction.objects.create(article=article, text="One")
    url = article.get_absolute_url()
    client.get(url)  # warm up per-process caches
    cache.clear()  # and render afresh, not from the page cache
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url).status_code == 200
    Correction.objects.bulk_create(Correction(article=article, text=f"{n}") for n in range(20))
    cache.clear()
    with django_assert_num_queries(len(with_one)):
        response = client.get(url)
    assert response.status_code == 200
    assert '<li id="correction-' in response.content.decode()


# "Updated" on a live story whose text changed


def test_a_live_story_whose_text_changes_shows_updated(editor, client):
    article = make_article(body="<p>First.</p>")
    admin = logged_in(editor)
    admin.post(change_url(article), submitted_form(admin.get(change_url(article)), section=""))
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()

    admin.post(
        change_url(article),
        submitted_form(admin.get(change_url(article)), body="<p>Second.</p>"),
    )

    article.refresh_from_db()
    assert article.content_updated_at is not None
    assert "Updated <time" in client.get(article.get_absolute_url()).content.decode()


def test_editing_a_draft_is_not_an_update(editor):
    article = make_article(status=Article.Status.DRAFT)
    admin = logged_in(editor)
    admin.post(change_url(article), submitted_form(admin.get(change_url(article)), dek="New dek"))
    article.refresh_from_db()
    assert article.dek == "New dek" and article.content_updated_at is None


# Stable addresses


def change_slug(editor, article, slug):
    admin = logged_in(editor)
    response = admin.post(
        change_url(article), submitted_form(admin.get(change_url(article)), slug=slug)
    )
    assert response.status_code == 302
    article.refresh_from_db()


def test_old_address_of_a_live_story_answers_301_to_the_new_one(editor, client):
    article = make_article(slug="old-name")
    change_slug(editor, article, "new-name")
    change_slug(editor, article, "newest-name")

    for old in ("old-name", "new-name"):
        response = client.get(reverse("articles:article", args=[old]))
        assert response.status_code == 301
        assert response["Location"] == "/news/newest-name/"
    assert client.get("/news/newest-name/").status_code == 200


def test_moving_back_to_an_old_slug_keeps_every_address_working(editor, client):
    article = make_article(slug="first")
    change_slug(editor, article, "second")
    change_slug(editor, article, "first")
    assert client.get("/news/first/").status_code == 200
    assert client.get("/news/second/")["Location"] == "/news/first/"
    assert list(ArticleRedirect.objects.values_list("old_slug", flat=True)) == ["second"]


def test_a_draft_renamed_leaves_no_redirect(editor, client):
    article = make_article(slug="draft-name", status=Article.Status.DRAFT)
    change_slug(editor, article, "draft-renamed")
    assert not ArticleRedirect.objects.exists()
    assert client.get("/news/draft-name/").status_code == 404


def test_an_old_address_of_a_story_taken_down_is_404(editor, client):
    article = make_article(slug="was-live")
    change_slug(editor, article, "renamed")
    transitions.unpublish(article, by=editor)
    assert client.get("/news/was-live/").status_code == 404
    assert logged_in(editor).get("/news/was-live/").status_code == 301  # staff preview
