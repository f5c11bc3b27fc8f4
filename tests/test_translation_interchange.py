"""Translations in and out: ninjs ``language`` and byline roles, and
``import_copy --language --translation-of``."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles.models import Article, Byline
from articles.models.translation import BylineRole
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

ARABIC_COPY = """\
الموانئ تعود إلى العمل

2023-05-08T18:10
By Layla Haddad

عادت السفن إلى الرصيف صباح الاثنين.

ما الذي تغير

اتفق العمال والإدارة على جدول جديد.
"""

ENGLISH_COPY = """\
Ports return to work

2023-05-08T18:10
By Layla Haddad

The ships were back at the quay on Monday morning.
"""


def import_copy(tmp_path, text, *options):
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_copy", str(path), "--section", "world", *options, stdout=out, stderr=err
        )
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def section():
    return make_section(slug="world")


def test_import_copy_takes_the_language_and_links_the_translation(tmp_path, section):
    out, err, error = import_copy(tmp_path, ARABIC_COPY, "--language", "ar")
    assert error is None, err
    original = Article.objects.get()
    assert original.language == "ar"

    (tmp_path / "en").mkdir()
    out, err, error = import_copy(
        tmp_path / "en", ENGLISH_COPY, "--language", "en", "--translation-of", original.slug
    )
    assert error is None, err
    english = Article.objects.get(language="en")
    assert english.translation_of == original


def test_import_copy_refuses_an_unknown_language_before_reading_any_file(tmp_path, section):
    out, err, error = import_copy(tmp_path, ARABIC_COPY, "--language", "xx")
    assert "--language 'xx' is not one of the site's languages (en, ar)" in str(error)
    assert not Article.objects.exists()


def test_import_copy_refuses_a_translation_of_a_story_that_is_not_there(tmp_path, section):
    out, err, error = import_copy(tmp_path, ENGLISH_COPY, "--translation-of", "nowhere")
    assert "--translation-of: no story has the slug 'nowhere'" in str(error)
    assert not Article.objects.exists()


def test_import_copy_refuses_a_second_version_in_one_language(tmp_path, section):
    original = make_article(language="ar", slug="ports")
    make_article(language="en", translation_of=original)
    out, err, error = import_copy(
        tmp_path, ENGLISH_COPY, "--language", "en", "--translation-of", "ports"
    )
    assert "already has a translation in that language" in err
    assert error is not None
    assert Article.objects.filter(translation_of=original).count() == 1


def test_ninjs_carries_the_language_and_the_byline_roles_out_and_back(client, tmp_path):
    writer, translator = make_author(name="Layla Haddad"), make_author(name="Sam Carter")
    story = make_article(language="en", authors=[writer], slug="ports-return")
    Byline.objects.create(article=story, author=translator, position=1, role=BylineRole.TRANSLATOR)

    document = client.get(reverse("articles:article_ninjs", args=[story.slug])).json()

    assert document["language"] == "en"
    assert document["by"] == "Layla Haddad"
    assert [(p["name"], p["rel"]) for p in document["people"]] == [
        ("Layla Haddad", "author"),
        ("Sam Carter", "translator"),
    ]
    story.delete()
    document["language"] = "ar"
    path = tmp_path / "story.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    call_command("import_ninjs", str(path), stdout=StringIO(), stderr=StringIO())
    imported = Article.objects.get()
    assert imported.language == "ar"
    assert [(b.author.name, b.role) for b in imported.bylines.all()] == [
        ("Layla Haddad", "author"),
        ("Sam Carter", "translator"),
    ]


def test_ninjs_in_an_unknown_language_is_refused_naming_the_field(tmp_path):
    path = tmp_path / "story.json"
    path.write_text(
        json.dumps({"uri": "urn:x:1", "headlines": [{"value": "Hi"}], "language": "tlh"}),
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_ninjs", str(path), stdout=StringIO(), stderr=err)
    assert "language" in err.getvalue()
    assert "“tlh” is not one of the site's languages" in err.getvalue()
    assert not Article.objects.exists()


def test_ninjs_in_a_regional_variant_of_a_site_language_is_read_as_it(tmp_path):
    path = tmp_path / "story.json"
    path.write_text(
        json.dumps({"uri": "urn:x:2", "headlines": [{"value": "Hi"}], "language": "en-GB"}),
        encoding="utf-8",
    )
    call_command("import_ninjs", str(path), stdout=StringIO(), stderr=StringIO())
    assert Article.objects.get().language == "en"
