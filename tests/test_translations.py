"""Translations: a story's language, its link to its original, the credits,
and the admin's "Translate into…" with the original beside the form."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import translations
from articles.models import Article, Byline, Correction
from articles.models.translation import BylineRole
from tests.factories import make_article, make_author, make_expert, make_staff
from tests.workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


def translate_url(article):
    return reverse("admin:articles_article_translate", args=[article.pk])


@pytest.fixture
def original():
    return make_article(
        headline="الموانئ تعود إلى العمل",
        slug="ports-back-to-work",
        language="ar",
        body="<h2>ما الذي تغير</h2><p>عادت السفن.</p>",
        authors=[make_author(name="Layla Haddad")],
        quotes=[(make_expert(name="Omar Khalil"), "هذا بداية.")],
        tags=["Ports"],
        hero_caption="رافعات في الميناء",
    )


# -- the model -----------------------------------------------------------------------


def test_a_story_is_in_the_sites_language_unless_told_otherwise():
    assert make_article().language == "en"


def test_an_unknown_language_code_is_a_clear_error():
    story = make_article()
    story.language = "xx"
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert "“xx” is not one of the site's languages" in str(refused.value)
    assert "ar (" in str(refused.value)


def test_a_translation_of_a_translation_is_linked_to_the_original(original):
    english = make_article(language="en", translation_of=original)
    french_draft = Article(headline="x", slug="x", language="fr", translation_of=english)
    with pytest.raises(ValidationError):  # fr is not one of the site's languages here
        french_draft.full_clean()
    arabic_again = Article(headline="y", slug="y", language="en", translation_of=english)
    arabic_again.link_to_the_original()
    assert arabic_again.translation_of == original


def test_two_translations_in_one_language_are_refused(original):
    make_article(language="en", translation_of=original)
    second = Article(headline="Again", slug="again", language="en", translation_of=original)
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "already has a translation in that language" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            headline="Again", slug="again", language="en", translation_of=original
        )


def test_a_translation_in_the_originals_own_language_is_refused(original):
    same = Article(headline="x", slug="x", language="ar", translation_of=original)
    with pytest.raises(ValidationError) as refused:
        same.full_clean()
    assert "is in this language" in str(refused.value)


def test_an_original_with_translations_cannot_become_a_translation(original):
    make_article(language="en", translation_of=original)
    other = make_article(language="en")
    original.translation_of = other
    with pytest.raises(ValidationError) as refused:
        original.full_clean()
    assert "cannot also be a translation" in str(refused.value)


def test_deleting_the_original_keeps_the_translation_and_notes_it_in_its_history(original):
    english = make_article(language="en", translation_of=original, headline="Ports back")

    original.delete()

    english.refresh_from_db()
    assert english.translation_of is None
    comments = [v.revision.comment for v in Version.objects.get_for_object(english)]
    assert any("was deleted: this translation is kept" in comment for comment in comments)


def test_translators_are_credited_apart_from_the_authors():
    writer, translator = make_author(name="Writer"), make_author(name="Translator")
    story = make_article(authors=[writer])
    Byline.objects.create(article=story, author=translator, position=1, role=BylineRole.TRANSLATOR)
    story = Article.objects.with_bylines().get(pk=story.pk)
    assert story.ordered_bylines() == [writer]
    assert story.translators == [translator]


def test_a_translation_is_out_of_date_once_the_originals_text_changes(original):
    english = make_article(language="en", translation_of=original)
    assert translations.translation_status(english, original) == translations.Status.UP_TO_DATE
    original = Article.objects.get(pk=original.pk)
    original.save()  # a save without a change to the words
    assert translations.translation_status(english, original) == translations.Status.UP_TO_DATE
    original.body += "<p>سطر جديد.</p>"
    original.save()
    assert translations.translation_status(english, original) == translations.Status.OUT_OF_DATE


# -- the admin -----------------------------------------------------------------------


def test_translate_into_starts_a_draft_with_the_structure_copied(client, original):
    editor = make_staff("chief", superuser=True)
    translator = make_author(name="Sam Translator", user=editor)
    client.force_login(editor)

    page = client.get(change_url(original)).content.decode()
    assert "translation needed" in page
    assert f'action="{translate_url(original)}"' in page

    response = client.post(translate_url(original), {"language": "en"})

    translation = Article.objects.get(translation_of=original)
    assert response.status_code == 302 and response["Location"] == change_url(translation)
    assert translation.status == Article.Status.DRAFT and translation.language == "en"
    assert translation.body == original.body and translation.section == original.section
    assert translation.hero_caption == "رافعات في الميناء"
    assert [q.expert.name for q in translation.quotes.all()] == ["Omar Khalil"]
    assert [t.name for t in translation.tags.all()] == ["Ports"]
    roles = [(b.author.name, b.role) for b in translation.bylines.all()]
    assert roles == [("Layla Haddad", "author"), (translator.name, "translator")]
    # The original beside the form, in its language and direction.
    page = client.get(change_url(translation)).content.decode()
    assert 'class="translation-source"' in page and 'lang="ar" dir="rtl"' in page
    assert "عادت السفن." in page
    # And the original's form now says a translation is in progress.
    assert "translation in progress" in client.get(change_url(original)).content.decode()


def test_a_second_translation_into_one_language_is_refused_with_a_message(client, original):
    client.force_login(make_staff("chief", superuser=True))
    client.post(translate_url(original), {"language": "en"})
    response = client.post(translate_url(original), {"language": "en"}, follow=True)
    assert Article.objects.filter(translation_of=original).count() == 1
    assert "already has a translation in English" in response.content.decode()


def test_translating_into_an_unknown_language_is_refused_with_a_message(client, original):
    client.force_login(make_staff("chief", superuser=True))
    response = client.post(translate_url(original), {"language": "klingon"}, follow=True)
    assert not Article.objects.filter(translation_of=original).exists()
    assert "“klingon” is not one of the site's languages" in unescape(response.content.decode())


def test_the_change_form_refuses_two_versions_in_one_language(superuser_client, original):
    make_article(language="en", translation_of=original)
    other = make_article(language="en")
    response = superuser_client.post(
        change_url(other), form_data(other, language="en", translation_of=str(original.pk))
    )
    assert response.status_code == 200
    assert "already has a translation in that language" in response.content.decode()
    other.refresh_from_db()
    assert other.translation_of is None


def test_a_translation_lists_the_originals_corrections_since_it_was_saved(
    superuser_client, original
):
    english = make_article(language="en", translation_of=original)
    Correction.objects.create(
        article=original, text="التاريخ كان خاطئاً.", created_at=timezone.now() + timedelta(1)
    )
    page = superuser_client.get(change_url(english)).content.decode()
    assert "The original was corrected after this translation was last saved" in page
    assert "التاريخ كان خاطئاً." in page
