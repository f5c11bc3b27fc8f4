"""What the sanitiser keeps and removes (articles/html.py), on every write path."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db.models import CharField, EmailField, SlugField, TextField, URLField
from django.urls import reverse
from django_prose_editor.fields import ProseEditorField

from articles.html import (
    BODY_ATTRIBUTES,
    BODY_TAGS,
    clean_body,
    clean_body_for_elsewhere,
    clean_text,
)
from articles.models import (
    Article,
    Author,
    Banner,
    Correction,
    ExpertQuote,
    Front,
    LiveEntry,
    Placement,
    Tag,
    TagMerge,
)
from articles.models.base import PlainTextFields
from tests.browser.test_xss import PAYLOADS
from tests.factories import make_article, make_author, make_expert, make_section
from tests.test_admin import article_form_data

A_TAG = re.compile(r"<[a-zA-Z!/?]")


class TagCollector(HTMLParser):
    """Every element and its attributes, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


# What a story body may never carry, whatever the allow-list in articles/html.py
# says. Fixed here, not read from there: widening the allow-list to any of these
# must fail this file.
NEVER_ELEMENTS = {
    *("script", "iframe", "frame", "frameset", "object", "embed", "applet"),
    *("svg", "math", "style", "template", "noscript"),
    *("form", "input", "button", "select", "textarea"),
    *("base", "meta", "link"),
}
NEVER_ATTRIBUTES = {"style", "srcdoc", "formaction"}  # and every event handler, on*
URL_ATTRIBUTES = {"href", "src", "action", "data", "xlink:href", "cite", "poster", "background"}
NEVER_URL_SCHEMES = ("javascript:", "data:", "vbscript:")

# Hostile values for every attribute tried below.
HOSTILE_VALUES = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "alert(1)",
]
HOSTILE_ATTRIBUTES = {
    *("onclick", "onmouseover", "onerror", "onload", "onfocus", "onbegin", "onanimationstart"),
    *NEVER_ATTRIBUTES,
    *URL_ATTRIBUTES,
}


def _tried_markup():
    """The payload file, and every element the body allows or must refuse with
    every attribute the allow-list names or an attacker would try, each set to
    each hostile value: whatever the allow-list lets through meets them."""
    yield from PAYLOADS
    attributes = HOSTILE_ATTRIBUTES.union(*BODY_ATTRIBUTES.values())
    for tag in sorted(BODY_TAGS | NEVER_ELEMENTS):
        for attribute in sorted(attributes):
            for value in HOSTILE_VALUES:
                yield f'<{tag} {attribute}="{value}">x</{tag}>'


def _never_allowed(html):
    """What in ``html`` a body must never carry, as a browser's parser reads it."""
    parser = TagCollector()
    parser.feed(html)
    found = []
    for tag, attributes in parser.found:
        if tag in NEVER_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on") or name in NEVER_ATTRIBUTES:
                found.append(f"<{tag} {name}>")
            # Browsers ignore case, whitespace and control characters in a scheme.
            url = "".join(ch for ch in (value or "") if ch > " ").lower()
            if name in URL_ATTRIBUTES and url.startswith(NEVER_URL_SCHEMES):
                found.append(f"<{tag} {name}={url}>")
    return found


@pytest.mark.parametrize("value", PAYLOADS)
def test_no_payload_leaves_markup_in_plain_text(value):
    text = clean_text(value)
    assert not A_TAG.search(text), text
    assert clean_text(text) == text  # cleaning again changes nothing


def test_a_body_never_carries_scripts_handlers_styles_or_script_urls():
    """Stored bodies (``clean_body``) and bodies sent to feed readers
    (``clean_body_for_elsewhere``) alike."""
    leaks = {}
    for markup in _tried_markup():
        for cleaned in (
            clean_body(f"<p>{markup}</p>"),
            clean_body_for_elsewhere(f"<p>{markup}</p>", base_url="https://example.org/a/"),
        ):
            if found := _never_allowed(cleaned):
                leaks[markup] = found
    assert not leaks


def test_the_never_list_catches_what_it_names():
    # The check above is only as good as this function.
    assert _never_allowed(
        '<a href=" Java&#x09;Script:x" onmouseover="x">a</a><p style="x">b</p><svg></svg>'
        '<iframe srcdoc="x"></iframe><blockquote cite="DATA:x">c</blockquote>'
    ) == [
        "<a href=javascript:x>",
        "<a onmouseover>",
        "<p style>",
        "<svg>",
        "<iframe>",
        "<iframe srcdoc>",
        "<blockquote cite=data:x>",
    ]


def test_plain_text_keeps_what_was_typed_and_loses_only_markup():
    assert clean_text("Q&A: profits < 5% & rising, 7 > 3") == "Q&A: profits < 5% & rising, 7 > 3"
    assert clean_text("<b>Ferries</b> &amp; <i>ships</i> return") == "Ferries & ships return"
    assert clean_text("<script>alert(1)</script>Calm seas") == "Calm seas"
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;Calm") == "Calm"


# Every field people type words into is plain text. Which fields those are is
# read from the models, so a field is covered the day it is added: every
# CharField and TextField of the app, except
# - the rich body (ProseEditorField): its own allow-list, tested above;
# - slugs, URLs and e-mail addresses: machine formats with their own validators;
# - fields with choices: the value is one of a fixed list;
# - fields that are not editable (the guid): written by code, never typed.
NOT_TYPED_TEXT = (SlugField, URLField, EmailField, ProseEditorField)


def typed_text_fields():
    for model in apps.get_app_config("articles").get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, CharField | TextField)
                and not isinstance(field, NOT_TYPED_TEXT)
                and not field.choices
                and field.editable
            ):
                yield field


_numbers = itertools.count(1)

# One valid row of each model with typed text, with the given fields. A new model
# with typed text fails test_every_typed_text_field_is_cleaned_on_save until it has one.
MAKERS = {
    "articles.Section": make_section,
    "articles.Author": make_author,
    "articles.Expert": make_expert,
    "articles.Article": make_article,
    "articles.ExpertQuote": lambda **fields: ExpertQuote.objects.create(
        **{"article": make_article(), "expert": make_expert(), "text": "Said.", **fields}
    ),
    "articles.Correction": lambda **fields: Correction.objects.create(
        **{"article": make_article(), "text": "Fixed.", **fields}
    ),
    "articles.Tag": lambda **fields: Tag.objects.create(
        **{"name": f"Harbour {next(_numbers)}", **fields}
    ),
    "articles.TagMerge": lambda **fields: TagMerge.objects.create(
        **{"kept_name": "Harbour", "merged_tags": [], **fields}
    ),
    "articles.Placement": lambda **fields: Placement.objects.create(
        **{"front": Front.objects.get(section=None), "article": make_article(), **fields}
    ),
    "articles.Banner": lambda **fields: Banner.objects.create(
        **{"text": "Storm warning", **fields}
    ),
    "articles.LiveEntry": lambda **fields: LiveEntry.objects.create(
        **{"article": make_article(), "author": make_author(), "text": "<p>Now.</p>", **fields}
    ),
}
HOSTILE_TEXT = '<b onclick="x()">Ferries</b> &amp; <img src=x onerror=y()>ships<script>z()</script>'
HOSTILE_WORDS = ("onclick", "onerror", "x()", "y()", "z()")


def assert_plain(value, where):
    assert not A_TAG.search(value), (where, value)
    assert not any(word in value for word in HOSTILE_WORDS), (where, value)


def assert_no_markup_stored():
    """Every typed text field of every row in the database."""
    for field in typed_text_fields():
        for pk, value in field.model._base_manager.values_list("pk", field.attname):
            assert_plain(value, f"{field.model._meta.label}.{field.name} of {pk}")


def test_the_declared_plain_text_fields_are_the_typed_text_fields():
    """Taking a field out of a model's ``plain_text_fields`` fails here."""
    declared = {
        model._meta.get_field(name)
        for model in apps.get_app_config("articles").get_models()
        if issubclass(model, PlainTextFields)
        for name in model.plain_text_fields
    }
    assert declared == set(typed_text_fields())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field_label",
    sorted(f"{field.model._meta.label}.{field.name}" for field in typed_text_fields()),
)
def test_every_typed_text_field_is_cleaned_on_save(field_label):
    """Adding a row and changing one: the admin, imports, the shell and
    factories all write through a model's save()."""
    label, name = field_label.rsplit(".", 1)
    field = apps.get_model(label)._meta.get_field(name)
    value = HOSTILE_TEXT[: field.max_length]
    added = MAKERS[label](**{name: value})
    changed = MAKERS[label]()
    setattr(changed, name, f"{value[: field.max_length - 2]} 2" if field.unique else value)
    changed.save()

    for row in (added, changed):
        stored = type(row)._base_manager.values_list(name, flat=True).get(pk=row.pk)
        assert_plain(stored, field_label)
        assert stored.startswith("Ferries & ships"), stored


@pytest.mark.django_db
def test_an_import_stores_no_markup_in_any_field(tmp_path):
    from tests.test_ninjs import run_import, write_json

    hostile = {"value": HOSTILE_TEXT}
    path = write_json(
        tmp_path,
        "wire.json",
        {
            "uri": "urn:uuid:2d6c1a55-6d1e-4d8c-9d1b-5a3a2f1e0c11",
            "headlines": [{"role": "main", **hostile}],
            "descriptions": [{"role": "summary", **hostile}],
            "bodies": [{"contenttype": "text/html", "value": "<p>Text.</p>"}],
            "by": f"Ana {HOSTILE_TEXT}",
            "subjects": [{"name": f"Oslo {HOSTILE_TEXT}"}],
            "associations": [
                {
                    "name": "hero",
                    "type": "picture",
                    "by": HOSTILE_TEXT,
                    "descriptions": [{"role": "caption", **hostile}, {"role": "alt", **hostile}],
                }
            ],
        },
    )

    out, err, error = run_import(path)

    assert error is None, err
    assert Article.objects.get().hero_caption.startswith("Ferries & ships")
    assert_no_markup_stored()
    assert "unchanged" in run_import(path)[0]  # compared as stored: no phantom change


@pytest.mark.django_db
def test_the_ninjs_export_carries_no_markup_outside_the_body(client):
    from tests.test_ninjs import export, full_article

    article = full_article()
    for row in (article, article.section, *article.authors.all(), *article.tags.all()):
        for field in typed_text_fields():
            if isinstance(row, field.model):
                setattr(row, field.name, f"{HOSTILE_TEXT} {getattr(row, field.name)}")
        row.save()
    expert = article.quotes.first().expert
    expert.name = f"{HOSTILE_TEXT} {expert.name}"
    expert.save()

    document = export(client, article)

    assert document["associations"][0]["descriptions"][0]["value"].startswith("Ferries & ships")
    body = document.pop("bodies")
    assert "<p>" in body[0]["value"]
    for where, text in _strings(document):
        assert_plain(text, where)


def _strings(value, where="$"):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


@pytest.mark.django_db
def test_a_tag_made_from_markup_gets_the_slug_of_its_cleaned_name():
    article = make_article()
    article.tags.add("<b>Oslo</b>")  # taggit's way: the slug is made in save()
    assert Tag.objects.values_list("name", "slug").get() == ("Oslo", "oslo")


@pytest.mark.django_db
def test_a_tag_name_that_is_only_markup_keeps_its_words():
    tag = Tag.objects.create(name="<img src=x onerror=alert(1)>", slug="img")
    assert tag.name == "img src=x onerror=alert(1)"


@pytest.mark.django_db
def test_a_tag_whose_cleaned_name_exists_is_a_form_error_not_a_crash(superuser_client):
    Tag.objects.create(name="Oslo", slug="oslo")
    response = superuser_client.post(
        reverse("admin:articles_tag_add"), {"name": "<b>Oslo</b>", "slug": "oslo-2"}
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_admin_body_links_get_noopener_and_lose_script_urls(superuser_client):
    data = article_form_data(
        make_section(),
        authors=[make_author()],
        body='<p><a href="https://example.org/" target="_blank" onclick="x()">source</a>'
        '<a href="javascript:alert(1)">bad</a></p>',
        dek="Q&A: 3 < 4",
    )
    response = superuser_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body == (
        '<p><a href="https://example.org/" rel="noopener noreferrer">source</a>'
        '<a rel="noopener noreferrer">bad</a></p>'
    )
    assert article.dek == "Q&A: 3 < 4"


@pytest.mark.django_db
def test_plain_text_is_escaped_once_on_the_page(client):
    article = make_article(dek="Q&A: 3 < 4", authors=[make_author()])
    content = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="story__dek">Q&amp;A: 3 &lt; 4</p>' in content
    assert Author.objects.count() == 1


@pytest.mark.django_db
def test_a_name_whose_cleaned_form_exists_is_a_form_error_not_a_crash(superuser_client):
    make_section(name="World", slug="world")
    response = superuser_client.post(
        reverse("admin:articles_section_add"),
        {"name": "<b>World</b>", "slug": "world-2", "description": "", "position": "0"},
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_removing_markup_alone_changes_no_wording():
    """A live story is not "Updated", nor a correction "edited", by markup that
    was never stored."""
    article = make_article(headline="Ferries return")
    correction = Correction.objects.create(article=article, text="Fixed the date.")
    article.headline = "<b>Ferries</b> return"
    article.save()
    correction.text = "Fixed the <i>date</i>."
    correction.save()
    article.refresh_from_db(), correction.refresh_from_db()
    assert (article.headline, article.content_updated_at) == ("Ferries return", None)
    assert (correction.text, correction.edited_at) == ("Fixed the date.", None)
