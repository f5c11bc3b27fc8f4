"""What the sanitiser keeps and removes (articles/html.py), on every write path."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse

from articles.html import BODY_ATTRIBUTES, BODY_TAGS, clean_body, clean_text
from articles.models import Article, Author, ExpertQuote, Tag
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


@pytest.mark.parametrize("value", PAYLOADS)
def test_no_payload_leaves_markup_in_plain_text_or_unsafe_html_in_a_body(value):
    text = clean_text(value)
    assert not A_TAG.search(text), text
    assert clean_text(text) == text  # cleaning again changes nothing

    parser = TagCollector()
    parser.feed(clean_body(f"<p>{value}</p>"))
    for tag, attributes in parser.found:
        assert tag in BODY_TAGS
        assert set(attributes) <= BODY_ATTRIBUTES.get(tag, set()) | {"rel"}
        href = attributes.get("href", "")
        assert href.startswith(("http://", "https://", "mailto:", "#")) or not href, href


def test_plain_text_keeps_what_was_typed_and_loses_only_markup():
    assert clean_text("Q&A: profits < 5% & rising, 7 > 3") == "Q&A: profits < 5% & rising, 7 > 3"
    assert clean_text("<b>Ferries</b> &amp; <i>ships</i> return") == "Ferries & ships return"
    assert clean_text("<script>alert(1)</script>Calm seas") == "Calm seas"
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;Calm") == "Calm"


@pytest.mark.django_db
def test_every_write_path_cleans_plain_text_fields():
    """Not just the admin: the shell, imports and factories save through the models."""
    author = make_author(
        bio="<img src=x onerror=alert(1)>Writes on <b>ports</b>.", role="<i>Editor</i>"
    )
    article = make_article(
        dek='"><script>alert(1)</script>Ferries return', hero_alt="<svg onload=alert(1)>Harbour"
    )
    quote = ExpertQuote.objects.create(
        article=article,
        expert=make_expert(title="<a href=javascript:alert(1)>Professor</a>"),
        text="<p onclick=alert(1)>It works.</p>",
        context="<style>*{}</style>in Oslo",
    )
    tag = Tag.objects.create(name="<b>Oslo</b>", slug="oslo")
    author.refresh_from_db(), article.refresh_from_db(), quote.refresh_from_db()
    assert (author.bio, author.role) == ("Writes on ports.", "Editor")
    assert (article.dek, article.hero_alt) == ('">Ferries return', "Harbour")
    assert (quote.text, quote.context, quote.expert.title) == ("It works.", "in Oslo", "Professor")
    assert Tag.objects.get(pk=tag.pk).name == "Oslo"
    declared = {
        model._meta.label
        for model in apps.get_app_config("articles").get_models()
        if issubclass(model, PlainTextFields) and model.plain_text_fields
    }
    assert declared >= {"articles.Article", "articles.Author", "articles.Expert"}


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
