"""The admin's "Import stories" page, used as the desk uses it: logged in, uploading files."""

import json
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from articles.models import Article, Author, Tag
from tests.factories import make_author, make_editor, make_reporter, make_section, make_staff

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
CHANGELIST_URL = reverse("admin:articles_article_changelist")
NIGHT_FERRY = Path(__file__).parent / "data" / "copy" / "night-ferry.txt"


def upload(name, content):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())


def night_ferry():
    return upload("night-ferry.txt", NIGHT_FERRY.read_bytes())


def ninjs_file(name="wire.json", **fields):
    document = {
        "uri": "urn:uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "headlines": [{"value": "Bridge reopens to cyclists"}],
        "bodies": [{"contenttype": "text/html", "value": "<p>The bridge reopened.</p>"}],
        "firstcreated": "2024-03-17T09:30:00+00:00",
        "by": "Ana Ruiz",
        **fields,
    }
    return upload(name, json.dumps(document))


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_article_list_links_to_the_import_page(superuser_client):
    response = superuser_client.get(CHANGELIST_URL)

    page = response.content.decode()
    assert f'href="{IMPORT_URL}"' in page
    # The other tools of the list are still there.
    assert reverse("admin:articles_article_recoverlist") in page
    assert reverse("admin:articles_article_add") in page


def test_staff_who_may_not_add_articles_get_no_link_and_no_page(client):
    client.force_login(make_staff("reader", perms=["view_article"]))

    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()
    assert client.get(IMPORT_URL).status_code == 403


def test_the_import_page_shows_the_form(superuser_client):
    response = superuser_client.get(IMPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "multiple" in page
    assert "Monday 08/May/2023 - 06:10 PM" in page


def test_uploading_copy_creates_a_draft_and_says_so_with_a_link(superuser_client):
    section = make_section(name="Islands")

    response = superuser_client.post(
        IMPORT_URL, {"files": [night_ferry()], "section": section.pk, "status": "draft"}
    )

    assert response.status_code == 200
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.section == section
    assert [author.name for author in article.ordered_bylines()] == [
        "Maria Lindqvist",
        "Tomás Okafor",
    ]
    [message] = shown_messages(response)
    assert message.startswith("“night-ferry.txt”: ")
    assert "created “Night ferry to the islands returns after two-year pause” (Draft)" in message
    assert reverse("admin:articles_article_change", args=[article.pk]) in message


def test_an_imported_story_starts_its_history_with_who_imported_which_file(superuser_client):
    from reversion.models import Version

    superuser_client.post(
        IMPORT_URL, {"files": [night_ferry()], "section": make_section().pk, "status": "draft"}
    )

    [version] = Version.objects.get_for_object(Article.objects.get())
    assert version.revision.comment == "Imported from night-ferry.txt"
    assert version.revision.user.username == "chief"


def test_each_file_gets_its_own_message_and_bad_ones_create_nothing(superuser_client):
    section = make_section()
    files = [
        night_ferry(),
        upload("bad-dateline.txt", "Headline\nBy Ana Ruiz\nsome time in May\n\nBody.\n"),
        upload("empty.txt", b""),
        upload("latin1.txt", "Café\n2023-05-08T18:10\nBy Ana Ruiz\n\nBody.\n".encode("latin-1")),
        upload("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        upload("not-ninjs.json", b'{"title": "hello"}'),
        ninjs_file(),
    ]

    response = superuser_client.post(
        IMPORT_URL, {"files": files, "section": section.pk, "status": "review"}
    )

    assert response.status_code == 200
    messages = shown_messages(response)
    assert len(messages) == 7
    assert messages[1] == (
        "“bad-dateline.txt”: line 3: the dateline 'some time in May' is not in a format we know; "
        "write it like 'Monday 08/May/2023 - 06:10 PM' or ISO 8601 such as '2023-05-08T18:10'"
    )
    assert messages[2] == "“empty.txt”: the file is empty"
    assert messages[3].startswith("“latin1.txt”: line 1: the file is not UTF-8 text")
    assert messages[4] == ("“photo.png”: not a story file: choose .txt copy or .json ninjs files")
    assert messages[5].startswith("“not-ninjs.json”: this JSON is not a ninjs document")
    assert sorted(Article.objects.values_list("headline", "status")) == [
        ("Bridge reopens to cyclists", "review"),
        ("Night ferry to the islands returns after two-year pause", "review"),
    ]
    assert Author.objects.count() == 3
    levels = [message.level_tag for message in get_messages(response.wsgi_request)]
    assert levels == ["success", "error", "error", "error", "error", "error", "success"]


def test_a_file_over_the_limit_is_refused_with_a_message_not_an_error_page(superuser_client):
    huge = upload(
        "huge.txt", b"Headline\n2023-05-08T18:10\nBy Ana Ruiz\n\n" + b"x" * (10 * 1024 * 1024)
    )

    response = superuser_client.post(
        IMPORT_URL, {"files": [huge], "section": make_section().pk, "status": "draft"}
    )

    assert response.status_code == 200
    assert shown_messages(response) == [
        "“huge.txt”: the file is 10.0 MB; the limit is 5 MB a story. Is this really one story?"
    ]
    assert not Article.objects.exists()


def test_copy_without_a_section_is_a_form_error_and_nothing_is_imported(superuser_client):
    response = superuser_client.post(IMPORT_URL, {"files": [night_ferry()], "status": "draft"})

    assert response.status_code == 200
    assert response.context["form"].errors["section"] == [
        "Choose the section for the plain-text copy (night-ferry.txt)."
    ]
    assert not Article.objects.exists()


def test_submitting_no_file_is_a_form_error(superuser_client):
    response = superuser_client.post(IMPORT_URL, {"status": "draft"})

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == ["This field is required."]


def test_the_form_cannot_publish(superuser_client):
    response = superuser_client.post(IMPORT_URL, {"files": [ninjs_file()], "status": "published"})

    assert "status" in response.context["form"].errors
    assert not Article.objects.exists()


def test_uploading_the_same_story_twice_does_not_duplicate_it(superuser_client):
    section = make_section()
    data = {"section": section.pk, "status": "draft"}
    superuser_client.post(IMPORT_URL, {**data, "files": [night_ferry(), ninjs_file()]})

    response = superuser_client.post(IMPORT_URL, {**data, "files": [night_ferry(), ninjs_file()]})

    assert Article.objects.count() == 2
    assert all("unchanged" in message for message in shown_messages(response))


def test_someone_who_may_not_change_a_story_cannot_change_it_by_importing(client):
    make_staff("boss", superuser=True)
    make_author(name="Ana Ruiz")  # the byline names no one new: that is another refusal
    client.force_login(make_staff("stringer", perms=["add_article", "view_article"]))
    client.post(IMPORT_URL, {"files": [ninjs_file()], "status": "draft"})

    response = client.post(
        IMPORT_URL,
        {"files": [ninjs_file(headlines=[{"value": "Rewritten"}])], "status": "draft"},
    )

    assert Article.objects.get().headline == "Bridge reopens to cyclists"
    [message] = shown_messages(response)
    assert "skipped" in message and "you may not change that story" in message


# The vocabulary: the same rules as the article form


def wire_naming(*, subjects=(), by="Ana Ruiz", name="wire.json"):
    return ninjs_file(name, by=by, subjects=[{"name": subject} for subject in subjects])


def test_a_reporter_cannot_add_tags_or_authors_by_importing(client):
    reporter = make_reporter("rita", "Rita Reporter")
    Tag.objects.create(name="Bridges")
    client.force_login(reporter)

    response = client.post(
        IMPORT_URL,
        {
            "files": [wire_naming(subjects=["bridges", "Cycling", "Night ferries"], by="Ana Ruiz")],
            "status": "draft",
        },
    )

    [message] = shown_messages(response)
    assert message.startswith("“wire.json”: not imported:")
    assert "“Cycling”, “Night ferries”" in message and "only tag managers" in message
    assert "“Ana Ruiz”" in message and "add authors" in message
    assert "Bridges" not in message
    # Nothing half-made: no story, no tag, no author.
    assert not Article.objects.exists()
    assert list(Tag.objects.values_list("name", flat=True)) == ["Bridges"]
    assert list(Author.objects.values_list("name", flat=True)) == ["Rita Reporter"]


def test_a_reporter_imports_a_story_naming_only_existing_tags_and_authors(client):
    reporter = make_reporter("rita", "Rita Reporter")
    bridges = Tag.objects.create(name="Bridges")
    client.force_login(reporter)

    response = client.post(
        IMPORT_URL,
        {
            "files": [wire_naming(subjects=["<b>BRIDGES</b>"], by="rita reporter")],
            "status": "draft",
        },
    )

    [message] = shown_messages(response)
    assert "created “Bridge reopens to cyclists”" in message
    article = Article.objects.get()
    assert list(article.tags.all()) == [bridges]
    assert article.ordered_bylines() == [reporter.author]


def test_an_editor_adds_authors_but_not_tags_by_importing(client):
    client.force_login(make_editor("eddie"))

    refused = client.post(
        IMPORT_URL, {"files": [wire_naming(subjects=["Cycling"], by="Ana Ruiz")], "status": "draft"}
    )
    [message] = shown_messages(refused)
    assert "“Cycling”" in message and "only tag managers" in message
    assert "Ana Ruiz" not in message
    assert not Article.objects.exists() and not Author.objects.exists()

    client.post(IMPORT_URL, {"files": [wire_naming(by="Ana Ruiz")], "status": "draft"})
    assert [a.name for a in Article.objects.get().ordered_bylines()] == ["Ana Ruiz"]


def test_a_new_tag_from_an_import_follows_the_forms_naming_rules(superuser_client):
    Tag.objects.create(name="Ukraine war")

    response = superuser_client.post(
        IMPORT_URL, {"files": [wire_naming(subjects=["Ukraine-war"])], "status": "draft"}
    )

    [message] = shown_messages(response)
    assert "too close to the existing tag “Ukraine war”" in message
    assert not Article.objects.exists() and Tag.objects.count() == 1


@override_settings(NEWSROOM_CONTROLLED_TAGS=False)
def test_without_the_controlled_vocabulary_a_reporter_imports_new_tags(client):
    client.force_login(make_reporter("rita", "Rita Reporter"))

    client.post(
        IMPORT_URL,
        {"files": [wire_naming(subjects=["Cycling"], by="Rita Reporter")], "status": "draft"},
    )

    assert list(Article.objects.get().tags.values_list("name", flat=True)) == ["Cycling"]


def test_command_line_imports_stay_trusted(tmp_path):
    from tests.test_ninjs import run_import, write_json

    path = write_json(
        tmp_path,
        "wire.json",
        {
            "uri": "urn:uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
            "headlines": [{"value": "Bridge reopens to cyclists"}],
            "bodies": [{"contenttype": "text/html", "value": "<p>The bridge reopened.</p>"}],
            "by": "Ana Ruiz",
            "subjects": [{"name": "Cycling"}],
        },
    )

    out, err, error = run_import(path)

    assert error is None, err
    assert list(Tag.objects.values_list("name", flat=True)) == ["Cycling"]
    assert list(Author.objects.values_list("name", flat=True)) == ["Ana Ruiz"]
