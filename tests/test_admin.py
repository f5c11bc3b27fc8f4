import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, ExpertQuote, Section, Tag, TaggedArticle
from tests.factories import make_article, make_author, make_editor, make_expert, make_section
from tests.workflow_helpers import ADD_URL, logged_in, management

pytestmark = pytest.mark.django_db


def article_form_data(section, authors=(), quotes=(), **fields):
    data = {
        "headline": "Summit ends with a promise",
        "slug": "summit-ends-with-a-promise",
        "dek": "Leaders agreed on little.",
        "section": str(section.pk),
        "status": Article.Status.DRAFT,
        "published_at_0": "2026-05-08",
        "published_at_1": "18:10:00",
        "body": "<h2>What was said</h2><p>The president spoke.</p>",
        "tags": "Finland, Security",
        "version": "0",
        "hero_caption": "",
        "hero_credit": "",
        "hero_alt": "",
        **management("bylines", len(authors)),
        **management("quotes", len(quotes)),
    }
    for i, author in enumerate(authors):
        data[f"bylines-{i}-author"] = str(author.pk)
        data[f"bylines-{i}-position"] = str(i)
    for i, (expert, text) in enumerate(quotes):
        data[f"quotes-{i}-expert"] = str(expert.pk)
        data[f"quotes-{i}-kind"] = "direct"
        data[f"quotes-{i}-text"] = text
        data[f"quotes-{i}-context"] = "at a press conference"
        data[f"quotes-{i}-position"] = str(i)
    data.update(fields)
    return data


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_staff_adds_an_article_with_two_bylines_and_two_quotes(superuser_client):
    section = make_section()
    writer, photographer = make_author(name="Writer"), make_author(name="Second")
    expert = make_expert(name="Elias Varga")
    data = article_form_data(
        section,
        authors=[writer, photographer],
        quotes=[(expert, "It goes further."), (expert, "Funding is open.")],
    )

    response = superuser_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="summit-ends-with-a-promise")
    assert [a.name for a in article.ordered_bylines()] == ["Writer", "Second"]
    assert [q.text for q in article.quotes.all()] == ["It goes further.", "Funding is open."]
    assert sorted(t.name for t in article.tags.all()) == ["Finland", "Security"]
    assert timezone.localtime(article.published_at).hour == 18  # in the site's zone
    assert "<h2>What was said</h2>" in article.body


# The whole request: session, permissions, validation, the writes, the admin's
# log and the revision. Of these, 65 are the page cache's and the search
# index's signal receivers, run at each save (articles/caching.py, search.py).
ADD_A_PUBLISHED_STORY_BUDGET = 119


def test_adding_a_published_story_with_bylines_quotes_and_new_tags_stays_in_budget(
    django_assert_max_num_queries,
):
    editor = make_editor("eddie")
    editor.groups.add(Group.objects.get(name="Tag manager"))
    finland, ice = Tag.objects.create(name="Finland"), Tag.objects.create(name="Ice")
    expert = make_expert()
    data = article_form_data(
        make_section(),
        authors=[make_author() for _ in range(3)],
        quotes=[(expert, "It goes further."), (expert, "Funding is open.")],
        # The autocomplete posts existing tags by id and new ones by name.
        tags=[str(finland.pk), str(ice.pk), "Harbour", "Strike", "Ferries"],
        _publish_now="Publish now",
    )
    client = logged_in(editor)
    ContentType.objects.get_for_models(Article, Byline, ExpertQuote, TaggedArticle)  # as on a site

    with django_assert_max_num_queries(ADD_A_PUBLISHED_STORY_BUDGET):
        response = client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.is_published and article.version == 1
    assert (article.bylines.count(), article.quotes.count(), article.tags.count()) == (3, 2, 5)


def test_staff_changes_an_article_and_reorders_its_bylines(superuser_client):
    first, second = make_author(name="First"), make_author(name="Second")
    article = make_article(authors=[first, second], status=Article.Status.DRAFT)
    bylines = list(article.bylines.all())
    data = article_form_data(
        article.section,
        headline="A sharper headline",
        slug=article.slug,
        **management("bylines", 2, initial=2),
    )
    for i, byline in enumerate(bylines):
        data[f"bylines-{i}-id"] = str(byline.pk)
        data[f"bylines-{i}-article"] = str(article.pk)
        data[f"bylines-{i}-author"] = str(byline.author_id)
    data["bylines-0-position"], data["bylines-1-position"] = "2", "1"

    url = reverse("admin:articles_article_change", args=[article.pk])
    response = superuser_client.post(url, data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "A sharper headline"
    assert [a.name for a in article.ordered_bylines()] == ["Second", "First"]


def test_change_form_offers_view_on_site_and_the_rich_text_editor(superuser_client):
    article = make_article()
    response = superuser_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "View on site" in content
    assert "django_prose_editor" in content  # the editor's assets, served locally
    assert "data-django-prose-editor" in content


def test_changelist_filters_and_searches(superuser_client):
    make_article(headline="Baltic summit")
    make_article(headline="Budget vote", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    response = superuser_client.get(url, {"q": "baltic"})
    assert response.status_code == 200
    assert "Baltic summit" in response.content.decode()
    assert "Budget vote" not in response.content.decode()
    response = superuser_client.get(url, {"state": "draft"})
    assert "Budget vote" in response.content.decode()
    assert "Baltic summit" not in response.content.decode()


def test_duplicate_slug_is_a_form_error_and_saves_nothing(superuser_client):
    existing = make_article(slug="taken")
    response = superuser_client.post(
        ADD_URL, article_form_data(existing.section, authors=[make_author()], slug="taken")
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Article.objects.count() == 1


def test_invalid_slug_and_missing_headline_are_form_errors(superuser_client):
    section = make_section()
    response = superuser_client.post(
        ADD_URL, article_form_data(section, headline="", slug="not a slug!")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"headline", "slug"}
    assert not Article.objects.exists()


def test_invalid_inline_saves_nothing_half_way(superuser_client):
    section = make_section()
    data = article_form_data(section, authors=[make_author()])
    data["bylines-0-author"] = "999999"  # an author that does not exist
    response = superuser_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_a_text_file_as_an_author_photo_is_refused(superuser_client):
    response = superuser_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "New Author",
            "slug": "new-author",
            "is_active": "on",
            "photo": SimpleUploadedFile("me.jpg", b"not an image at all", "image/jpeg"),
        },
    )
    assert response.status_code == 200
    assert "photo" in response.context["adminform"].form.errors
    assert not Author.objects.exists()


def test_a_real_image_is_accepted_as_an_author_photo(superuser_client):
    response = superuser_client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "New Author",
            "slug": "new-author",
            "is_active": "on",
            "photo": SimpleUploadedFile("../../etc/me.png", png_bytes(), "image/png"),
        },
    )
    assert response.status_code == 302
    photo = Author.objects.get().photo
    assert photo.name.startswith("authors/") and ".." not in photo.name


@pytest.mark.parametrize("model", ["article", "author", "section", "expert", "tag"])
def test_every_model_has_a_working_admin_changelist(superuser_client, model):
    response = superuser_client.get(reverse(f"admin:articles_{model}_changelist"))
    assert response.status_code == 200


def test_author_and_expert_autocomplete_answer(superuser_client):
    make_author(name="Maria Lindqvist")
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"term": "lind", "app_label": "articles", "model_name": "byline", "field_name": "author"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Maria Lindqvist"]


def test_section_admin_refuses_a_duplicate_name(superuser_client):
    make_section(name="World", slug="world")
    response = superuser_client.post(
        reverse("admin:articles_section_add"), {"name": "World", "slug": "world", "position": 0}
    )
    assert response.status_code == 200
    assert Section.objects.count() == 1
