"""ninjs and embargoes: imports read ``embargoed`` and ``pubstatus``; staff
exports (``export_ninjs --embargoed``) write ``embargoed``; the public
``/news/<slug>/ninjs.json`` and a plain export never carry an embargoed story;
a bad value is an import error that writes nothing."""

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author
from articles.publishing import transitions
from tests.factories import make_article, make_author, make_editor, make_section
from tests.test_ninjs import run_import, schema_errors, write_json

pytestmark = pytest.mark.django_db

WIRE = {
    "uri": "urn:newsml:wire:2026:figures",
    "type": "text",
    "headlines": [{"role": "main", "value": "Jobless figures fall"}],
    "descriptions": [{"role": "summary", "value": "The ministry's monthly figures."}],
    "bodies": [{"contenttype": "text/html", "value": "<p>Unemployment fell.</p>"}],
    "firstcreated": "2026-01-05T08:00:00+00:00",
    "by": "Ana Ruiz",
    "subjects": [{"name": "Economy", "rel": "section", "literal": "economy"}],
    "pubstatus": "usable",
}


def in_hours(hours):
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def test_an_imported_embargo_is_kept_and_holds_the_story_when_it_is_published(tmp_path):
    release = in_hours(4)
    path = write_json(tmp_path, "wire.json", {**WIRE, "embargoed": release.isoformat()})
    editor = make_editor()
    make_section(name="Economy", slug="economy")

    out, err, error = run_import(path, status="published", editor=editor.username)

    assert error is None, err
    story = Article.objects.get(guid=WIRE["uri"])
    assert story.embargoed_until == release
    assert story.status == Article.Status.PUBLISHED and story.published_at == release
    assert not story.is_published
    url = reverse("articles:article", kwargs={"slug": story.slug})
    assert Client().get(url).status_code == 404


def test_an_imported_draft_carries_its_embargo_to_the_desk(tmp_path):
    release = in_hours(4)
    path = write_json(tmp_path, "wire.json", {**WIRE, "embargoed": release.isoformat()})

    out, err, error = run_import(path)

    assert error is None, err
    story = Article.objects.get()
    assert (story.status, story.embargoed_until) == (Article.Status.DRAFT, release)


def test_an_embargo_that_has_ended_is_imported_as_none_and_said_so(tmp_path):
    path = write_json(tmp_path, "wire.json", {**WIRE, "embargoed": "2026-01-05T09:00:00+00:00"})

    out, err, error = run_import(path)

    assert error is None, err
    assert Article.objects.get().embargoed_until is None
    assert "its embargo ended at 2026-01-05T09:00:00+00:00" in out


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"embargoed": "next Tuesday"}, "field embargoed: 'next Tuesday' is not an ISO 8601"),
        ({"embargoed": 1767600000}, "field embargoed: expected text, found int"),
        ({"pubstatus": "pending"}, "field pubstatus: 'pending' is not a ninjs pubstatus"),
    ],
)
def test_a_bad_embargoed_or_pubstatus_value_is_an_error_and_writes_nothing(
    tmp_path, fields, message
):
    bad = write_json(tmp_path, "bad.json", {**WIRE, **fields})

    out, err, error = run_import(bad)

    assert message in err
    assert error is not None
    assert Article.objects.count() == 0 and Author.objects.count() == 0


def test_a_withheld_story_is_imported_only_as_a_draft(tmp_path):
    path = write_json(tmp_path, "wire.json", {**WIRE, "pubstatus": "withheld"})
    editor = make_editor()

    out, err, error = run_import(path, status="published", editor=editor.username)
    assert "marks this story 'withheld', so it is not published" in err
    assert Article.objects.count() == 0

    out, err, error = run_import(path)
    assert error is None and "marks it 'withheld'" in out
    assert Article.objects.get().status == Article.Status.DRAFT


def test_the_admin_import_page_refuses_a_bad_embargoed_value_with_nothing_saved(
    superuser_client,
):
    upload = SimpleUploadedFile(
        "wire.json", json.dumps({**WIRE, "embargoed": "soon"}).encode(), "application/json"
    )

    response = superuser_client.post(
        reverse("admin:articles_article_import"), {"files": [upload], "status": "draft"}
    )

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("field embargoed: 'soon' is not an ISO 8601" in text for text in shown), shown
    assert Article.objects.count() == 0


@pytest.fixture
def embargoed_story():
    editor = make_editor()
    story = make_article(
        headline="Rates decision",
        slug="rates-decision",
        status=Article.Status.DRAFT,
        authors=[make_author()],
    )
    transitions.embargo(story, in_hours(3), editor)
    story.refresh_from_db()
    return story


def test_the_public_ninjs_and_a_plain_export_never_carry_an_embargoed_story(
    embargoed_story, tmp_path
):
    live = make_article(slug="already-out", authors=[make_author()])
    url = reverse("articles:article_ninjs", kwargs={"slug": embargoed_story.slug})
    assert Client().get(url).status_code == 404

    call_command("export_ninjs", "--output", str(tmp_path), "--base-url", "https://x.org/")
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{live.slug}.json"]
    with pytest.raises(CommandError, match="Stories under embargo need --embargoed"):
        call_command(
            "export_ninjs", "rates-decision", "--output", str(tmp_path), "--base-url", "https://x"
        )


def test_a_staff_export_writes_the_embargo_and_validates_against_the_schema(
    embargoed_story, tmp_path
):
    call_command(
        "export_ninjs", "--embargoed", "--output", str(tmp_path), "--base-url", "https://x.org/"
    )

    document = json.loads((tmp_path / "rates-decision.json").read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert document["pubstatus"] == "usable"
    assert document["embargoed"] == timezone.localtime(embargoed_story.embargoed_until).isoformat()


def test_an_exported_embargo_comes_back_in_on_import(embargoed_story, tmp_path):
    call_command(
        "export_ninjs", "--embargoed", "--output", str(tmp_path), "--base-url", "https://x.org/"
    )
    release = embargoed_story.embargoed_until
    Article.objects.all().delete()

    out, err, error = run_import(tmp_path / "rates-decision.json")

    assert error is None, err
    assert Article.objects.get().embargoed_until == release
