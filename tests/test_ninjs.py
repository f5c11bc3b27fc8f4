"""IPTC ninjs out and in: the export URL and command, the import command, the round trip.

tests/data/ninjs-schema-2.x.json is IPTC's official ninjs 2.4 JSON Schema,
specification/ninjs-schema_2.4.json in IPTC's newsinjson repository
(https://github.com/iptc/newsinjson), © IPTC, published under the Creative
Commons Attribution 4.0 licence; it is shipped unchanged.
"""

import io
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from PIL import Image

from articles.interchange.files import MAX_FILE_BYTES
from articles.models import Article, Author, Expert, Section, Tag
from tests.factories import make_article, make_author, make_expert, make_section, make_staff

SCHEMA = json.loads((Path(__file__).parent / "data" / "ninjs-schema-2.x.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

pytestmark = pytest.mark.django_db


def schema_errors(document):
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in VALIDATOR.iter_errors(document)
    ]


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def full_article(**fields):
    """A live story using every field the export maps."""
    section = make_section(name="Islands", slug="islands")
    maria = make_author(name="Maria Lindqvist", slug="maria-lindqvist")
    tomas = make_author(name="Tomás Okafor", slug="tomas-okafor")
    expert = make_expert(name="Elias Varga", slug="elias-varga")
    article = make_article(
        headline="Night ferry returns after two-year pause",
        slug="night-ferry-returns",
        dek="The overnight service to the outer islands sailed again on Monday.",
        body="<p>About 140 passengers boarded.</p><h2>What changed</h2>"
        "<p>A training scheme filled the posts, "
        '<a href="https://example.org/">the operator</a> said.</p>',
        section=section,
        authors=[tomas, maria],
        quotes=[(expert, "It is the crew that was missing."), (expert, "Now it is not.")],
        tags=["Ferries", "Outer islands"],
        hero_caption="The ferry at the quay on Monday.",
        hero_credit="Ana Ruiz",
        hero_alt="A white ferry moored at a stone quay at dusk.",
        **fields,
    )
    article.hero_image.save("ferry.png", ContentFile(png_bytes()))
    return article


def export(client, article):
    response = client.get(reverse("articles:article_ninjs", kwargs={"slug": article.slug}))
    assert response.status_code == 200
    return response.json()


def run_import(*paths, **options):
    out, err = StringIO(), StringIO()
    args = [str(path) for path in paths]
    for name, value in options.items():
        args += [f"--{name}", value]
    try:
        call_command("import_ninjs", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def write_json(folder, name, document):
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


# The schema test itself must be able to fail --------------------------------------------


def test_the_shipped_schema_is_a_valid_json_schema_that_rejects_bad_ninjs():
    Draft202012Validator.check_schema(SCHEMA)

    assert schema_errors({"uri": "urn:uuid:1", "headlines": [{"value": "A"}]}) == []
    assert schema_errors({"headlines": [{"value": "A"}]})  # uri is required
    assert schema_errors({"uri": "urn:uuid:1", "type": "story"})
    assert schema_errors({"uri": "urn:uuid:1", "firstcreated": "yesterday"})
    assert schema_errors({"uri": "urn:uuid:1", "headline": "not a ninjs field"})


# Export -----------------------------------------------------------------------------


def test_the_ninjs_of_a_live_article_validates_against_the_official_schema(client):
    article = full_article()

    document = export(client, article)

    assert schema_errors(document) == []


def test_the_ninjs_export_maps_every_field_of_the_story(client):
    article = full_article()

    document = export(client, article)

    assert document["uri"] == article.guid
    assert document["uri"].startswith("urn:uuid:")
    assert document["type"] == "text"
    assert document["pubstatus"] == "usable"
    assert document["language"] == "en"
    assert document["slugline"] == "night-ferry-returns"
    assert document["headlines"] == [
        {"role": "main", "contenttype": "text/plain", "value": article.headline}
    ]
    assert document["descriptions"][0]["value"] == article.dek
    assert document["bodies"][0]["contenttype"] == "text/html"
    assert document["bodies"][0]["value"] == article.body
    assert document["bodies"][0]["wordcount"] == 15
    assert document["by"] == "Tomás Okafor and Maria Lindqvist"
    assert [(p["name"], p["rel"]) for p in document["people"]] == [
        ("Tomás Okafor", "author"),
        ("Maria Lindqvist", "author"),
        ("Elias Varga", "source"),  # quoted twice, listed once
    ]
    assert document["people"][0]["uri"] == "http://testserver/authors/tomas-okafor/"
    assert {(s["name"], s["rel"]) for s in document["subjects"]} == {
        ("Islands", "section"),
        ("Ferries", "about"),
        ("Outer islands", "about"),
    }
    assert timezone.datetime.fromisoformat(document["firstcreated"]) == article.published_at
    [hero] = document["associations"]
    assert hero["name"] == "hero" and hero["type"] == "picture"
    assert hero["by"] == "Ana Ruiz"
    assert {d["role"]: d["value"] for d in hero["descriptions"]} == {
        "caption": "The ferry at the quay on Monday.",
        "alt": "A white ferry moored at a stone quay at dusk.",
    }
    assert hero["renditions"][0]["href"] == f"http://testserver{article.hero_image.url}"
    assert hero["renditions"][0]["contenttype"] == "image/png"


def test_each_saved_change_is_a_new_ninjs_version(client):
    article = make_article()
    first = export(client, article)

    article.refresh_from_db()
    article.headline = "A better headline"
    article.save()
    second = export(client, article)

    assert first["version"] == "1"
    assert second["version"] == "2"
    assert second["uri"] == first["uri"]
    assert second["versioncreated"] > first["versioncreated"]


def test_the_article_page_points_to_its_ninjs(client):
    article = make_article()

    response = client.get(article.get_absolute_url())

    ninjs_url = reverse("articles:article_ninjs", kwargs={"slug": article.slug})
    assert (
        f'<link rel="alternate" type="application/json" title="IPTC ninjs" href="{ninjs_url}">'
        in (response.content.decode())
    )


def test_the_staff_preview_of_a_draft_does_not_point_to_a_ninjs_that_is_not_there(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_staff(superuser=True))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "ninjs" not in response.content.decode()


def test_a_minimal_live_article_still_exports_valid_ninjs(client):
    article = make_article(dek="", body="", section=None)

    document = export(client, article)

    assert schema_errors(document) == []
    assert "descriptions" not in document and "associations" not in document


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"published_at": timezone.now() + timedelta(hours=2)},  # scheduled
    ],
    ids=["draft", "in review", "scheduled"],
)
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_only_live_articles_have_a_ninjs_export(client, fields, who):
    article = make_article(**fields)
    if who == "editor":
        client.force_login(make_staff(superuser=True))

    response = client.get(reverse("articles:article_ninjs", kwargs={"slug": article.slug}))

    assert response.status_code == 404


def test_the_ninjs_export_costs_the_same_few_queries_however_big_the_story(
    client, django_assert_max_num_queries
):
    small = make_article()
    big = full_article()
    for n in range(5):
        make_article(authors=[make_author()], tags=[f"Tag {n}"])  # unrelated noise
    with django_assert_max_num_queries(5) as small_queries:
        export(client, small)
    with django_assert_max_num_queries(5) as big_queries:
        export(client, big)

    assert len(big_queries) == len(small_queries)


def test_export_command_writes_one_valid_file_per_live_story(tmp_path):
    live = full_article()
    make_article(status=Article.Status.DRAFT, slug="a-draft")
    out = StringIO()

    call_command(
        "export_ninjs",
        "--output",
        str(tmp_path),
        "--base-url",
        "https://news.example.org",
        stdout=out,
    )

    assert sorted(path.name for path in tmp_path.iterdir()) == ["night-ferry-returns.json"]
    document = json.loads((tmp_path / "night-ferry-returns.json").read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert document["uri"] == live.guid
    assert document["people"][0]["uri"] == "https://news.example.org/authors/tomas-okafor/"
    assert "Exported 1 stories" in out.getvalue()


def test_export_command_refuses_a_story_that_is_not_live(tmp_path):
    make_article(status=Article.Status.DRAFT, slug="a-draft")

    with pytest.raises(CommandError, match="Not published, or no such story: a-draft"):
        call_command(
            "export_ninjs", "a-draft", "--output", str(tmp_path), "--base-url", "https://x.org/"
        )


# Import and the round trip ------------------------------------------------------------


def snapshot(article):
    """What a round trip must keep."""
    return {
        "guid": article.guid,
        "slug": article.slug,
        "headline": article.headline,
        "dek": article.dek,
        "bylines": [author.name for author in article.ordered_bylines()],
        "published_at": article.published_at,
        "body": article.body,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "hero": (article.hero_caption, article.hero_credit, article.hero_alt),
    }


def test_export_then_import_into_an_empty_database_gives_the_same_article(client, tmp_path):
    original = snapshot(full_article())
    path = write_json(tmp_path, "story.json", export(client, Article.objects.get()))
    Article.objects.all().delete()
    for model in (Author, Expert, Tag, Section):
        model.objects.all().delete()

    out, err, error = run_import(path)

    assert error is None, err
    imported = Article.objects.get()
    assert snapshot(imported) == original
    assert imported.status == Article.Status.DRAFT
    assert imported.section is None
    assert "no section “Islands” here" in out
    assert "the hero image was not downloaded" in out
    assert "the quoted experts (Elias Varga) were not imported" in out


def test_imported_stories_join_the_section_they_name_when_it_exists(client, tmp_path):
    path = write_json(tmp_path, "story.json", export(client, full_article()))
    Article.objects.all().delete()

    run_import(path)

    assert Article.objects.get().section == Section.objects.get(slug="islands")


def test_importing_the_same_ninjs_again_never_duplicates_it(client, tmp_path):
    path = write_json(tmp_path, "story.json", export(client, full_article()))
    Article.objects.all().delete()
    run_import(path)

    out, _, error = run_import(path)

    assert error is None
    assert "unchanged" in out
    assert Article.objects.count() == 1


def test_a_newer_version_updates_the_unpublished_import_and_skips_a_published_one(client, tmp_path):
    document = export(client, full_article())
    Article.objects.all().delete()
    run_import(write_json(tmp_path, "v1.json", document))
    document["headlines"][0]["value"] = "Night ferry returns, with a new crew"
    newer = write_json(tmp_path, "v2.json", document)

    out, _, _ = run_import(newer)

    assert "updated" in out
    assert Article.objects.get().headline == "Night ferry returns, with a new crew"

    Article.objects.update(status=Article.Status.PUBLISHED)
    document["headlines"][0]["value"] = "Changed once more"
    out, _, _ = run_import(write_json(tmp_path, "v3.json", document))

    assert "skipped" in out
    assert Article.objects.get().headline == "Night ferry returns, with a new crew"


def test_re_importing_a_live_story_unchanged_says_so(client, tmp_path):
    path = write_json(tmp_path, "story.json", export(client, full_article()))

    out, _, error = run_import(path)

    assert error is None
    assert "unchanged" in out
    assert Article.objects.count() == 1


def test_the_site_exports_its_own_import_under_the_same_uri(client, tmp_path):
    document = export(client, full_article())
    Article.objects.all().delete()
    make_staff("chief", superuser=True)
    run_import(write_json(tmp_path, "story.json", document), status="published", editor="chief")

    again = export(client, Article.objects.get())

    assert again["uri"] == document["uri"]


def test_ninjs_from_another_system_with_plain_text_body_and_by_line(tmp_path):
    document = {
        "uri": "http://wire.example.org/items/20230508-ferry",
        "type": "text",
        "versioncreated": "2023-05-08T18:10:00+01:00",
        "headlines": [{"value": "Ferry back"}],
        "bodies": [{"contenttype": "text/plain", "value": "First <para>.\n\nSecond para."}],
        "by": "By Ana Ruiz and Elias Varga",
        "subjects": [
            {"name": "Transport", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000776"}
        ],
    }

    out, err, error = run_import(write_json(tmp_path, "wire.json", document))

    assert error is None, err
    article = Article.objects.get()
    assert article.body == "<p>First &lt;para&gt;.</p><p>Second para.</p>"
    assert [author.name for author in article.ordered_bylines()] == ["Ana Ruiz", "Elias Varga"]
    assert [tag.name for tag in article.tags.all()] == ["Transport"]
    assert article.published_at.isoformat() == "2023-05-08T17:10:00+00:00"
    assert article.guid == "http://wire.example.org/items/20230508-ferry"


def test_markup_outside_the_body_allow_list_is_removed_on_import(tmp_path):
    document = {
        "uri": "urn:x:script",
        "headlines": [{"value": "Hello"}],
        "bodies": [
            {
                "contenttype": "text/html",
                "value": '<p onclick="steal()">Hi <script>steal()</script>'
                '<img src="x" onerror="steal()"><a href="javascript:steal()">there</a></p>',
            }
        ],
    }

    run_import(write_json(tmp_path, "script.json", document))

    body = Article.objects.get().body
    assert "Hi" in body and "there" in body
    assert "steal" not in body and "<img" not in body


# Bad files ---------------------------------------------------------------------------

GOOD = {
    "uri": "urn:uuid:6a4f0c1e-4a89-4b53-9d7e-1f2d3c4b5a69",
    "headlines": [{"value": "A good story"}],
    "bodies": [{"contenttype": "text/html", "value": "<p>Fine.</p>"}],
    "firstcreated": "2023-05-08T18:10:00+01:00",
    "people": [{"name": "Ana Ruiz", "rel": "author"}],
}
BAD_FILES = {
    "empty.json": (b"", "the file is empty"),
    "binary.json": (b"\x00\x01\x02{}", "this is a binary file, not text"),
    "latin1.json": (
        '{"uri": "x", "headlines": [{"value": "Caf\xe9"}]}'.encode("latin-1"),
        "line 1: the file is not UTF-8",
    ),
    "broken.json": (b'{"uri": "x",\n "headlines": [}', "line 2: this is not valid JSON"),
    "array.json": (b"[1, 2, 3]", "this JSON is not a ninjs document"),
    "no-uri.json": (b'{"headline": "Hello"}', "this JSON is not a ninjs document"),
    "picture.json": (
        b'{"uri": "urn:x:1", "type": "picture"}',
        "field type: this is a ninjs 'picture' item",
    ),
    "no-headline.json": (
        b'{"uri": "urn:x:1", "bodies": []}',
        "field headlines: a story needs a headline",
    ),
    "wrong-shape.json": (
        b'{"uri": "urn:x:1", "headlines": "Hello"}',
        "field headlines: expected a list of objects",
    ),
    "bad-date.json": (
        b'{"uri": "urn:x:1", "headlines": [{"value": "Hi"}], "firstcreated": "Monday"}',
        "field firstcreated: 'Monday' is not an ISO 8601 date and time",
    ),
    "bad-author.json": (
        b'{"uri": "urn:x:1", "headlines": [{"value": "Hi"}], '
        b'"people": [{"name": 7, "rel": "author"}]}',
        "field people[0].name: expected text, found int",
    ),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "this JSON is nested too deeply"),
    "big-number.json": (
        b'{"uri": "urn:x:1", "urgency": 1' + b"0" * 5000 + b"}",
        "this JSON cannot be read: a number in it is far too long",
    ),
    "nul.json": (
        b'{"uri": "urn:x:1", "headlines": [{"value": "Hi\\u0000there"}]}',
        "this JSON contains characters that are not text",
    ),
    "surrogate.json": (
        b'{"uri": "urn:x:1", "headlines": [{"value": "Hi \\ud800"}]}',
        "this JSON contains characters that are not text",
    ),
    "long-tag.json": (
        json.dumps({**GOOD, "uri": "urn:x:tag", "subjects": [{"name": "x" * 150}]}).encode(),
        "field subjects[0].name: the tag is 150 characters long; the limit is 100",
    ),
    "huge.json": (
        json.dumps(
            {
                **GOOD,
                "uri": "urn:x:huge",
                "bodies": [{"value": "<p>" + "word " * (2 * 1024 * 1024) + "</p>"}],
            }
        ).encode(),
        f"the file is 10.0 MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_ninjs_file_is_reported_by_name_creates_nothing_and_the_others_import(tmp_path, name):
    content, message = BAD_FILES[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    good = write_json(tmp_path, "good.json", GOOD)

    out, err, error = run_import(bad, good)

    assert f"{bad}: {message}" in err
    assert str(error) == "1 of 2 files could not be imported."
    assert list(Article.objects.values_list("headline", flat=True)) == ["A good story"]
    assert list(Author.objects.values_list("name", flat=True)) == ["Ana Ruiz"]
