"""Translations: a story's language, its link to its original, the credits,
and the admin's "Translate into…" with the original beside the form."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
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


# -- readers -------------------------------------------------------------------------


def _json_ld(page):
    import json
    import re

    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )


@pytest.fixture
def pair(original):
    """The Arabic original and its live English translation, with a translator."""
    translator = make_author(name="Sam Carter")
    english = make_article(
        headline="Ports return to work",
        slug="ports-return-to-work",
        language="en",
        translation_of=original,
        section=original.section,
        authors=[original.ordered_bylines()[0]],
    )
    Byline.objects.create(
        article=english, author=translator, position=1, role=BylineRole.TRANSLATOR
    )
    return original, english


def test_each_version_links_the_other_with_hreflang_and_x_default(client, pair):
    original, english = pair
    for story in pair:
        page = client.get(story.get_absolute_url()).content.decode()
        assert f'hreflang="ar" href="http://testserver{original.get_absolute_url()}"' in page
        assert f'hreflang="en" href="http://testserver{english.get_absolute_url()}"' in page
        assert f'hreflang="x-default" href="http://testserver{original.get_absolute_url()}"' in page


def test_an_arabic_story_is_a_right_to_left_page_in_arabic(client, pair):
    original, english = pair
    page = client.get(original.get_absolute_url()).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "بقلم" in page  # "By", in the story's language
    # The dateline in Arabic: day and month names, and the Arabic comma.
    when = timezone.localtime(original.published_at)
    with translation.override("ar"):
        month, weekday = formats.date_format(when, "F"), formats.date_format(when, "l")
    assert f"{weekday} {when.day} {month} {when.year}، {when:%H:%M}" in page
    page = client.get(english.get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in page


def test_the_language_switch_lists_the_live_versions_only(client, pair):
    original, english = pair
    page = client.get(original.get_absolute_url()).content.decode()
    switch = page.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in switch
    assert 'aria-current="page" lang="ar" dir="rtl"' in switch
    english.status = Article.Status.DRAFT
    english.save()
    page = client.get(original.get_absolute_url()).content.decode()
    assert 'class="language-switch"' not in page  # refreshed: the draft is not offered
    assert '<link rel="alternate" hreflang' not in page


def test_a_translation_credits_its_translator_and_the_originals_authors(client, pair):
    _, english = pair
    page = client.get(english.get_absolute_url()).content.decode()
    assert 'By <a dir="auto" href="/authors/' in page and ">Layla Haddad</a>" in page
    assert "Translated by <a" in page and ">Sam Carter</a>" in page


def test_json_ld_names_the_language_translator_and_the_other_version(client, pair):
    original, english = pair
    data = _json_ld(client.get(english.get_absolute_url()).content.decode())
    assert data["inLanguage"] == "en"
    assert [person["name"] for person in data["translator"]] == ["Sam Carter"]
    assert [person["name"] for person in data["author"]] == ["Layla Haddad"]
    assert data["translationOfWork"]["url"].endswith(original.get_absolute_url())
    assert data["translationOfWork"]["inLanguage"] == "ar"
    data = _json_ld(client.get(original.get_absolute_url()).content.decode())
    assert data["inLanguage"] == "ar"
    assert [work["inLanguage"] for work in data["workTranslation"]] == ["en"]


def test_a_draft_translation_is_never_named_to_readers(client, original):
    make_article(language="en", translation_of=original, status=Article.Status.DRAFT)
    page = client.get(original.get_absolute_url()).content.decode()
    assert "workTranslation" not in page
    assert '<link rel="alternate" hreflang' not in page


def test_each_language_has_its_edition_and_feed(client, pair):
    original, english = pair
    page = client.get(reverse("articles:edition", args=["ar"])).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert original.headline in page and english.headline not in page
    feed = client.get(reverse("articles:edition_feed", args=["ar"])).content.decode()
    assert "<language>ar</language>" in feed and original.headline in feed
    assert english.headline not in feed
    assert client.get("/xx/").status_code == 404


def test_the_news_sitemap_gives_each_story_its_own_language(client, pair):
    sitemap = client.get(reverse("articles:news_sitemap")).content.decode()
    assert "<news:language>ar</news:language>" in sitemap
    assert "<news:language>en</news:language>" in sitemap


# -- search --------------------------------------------------------------------------


def test_search_finds_arabic_text_with_or_without_vowel_marks(client, pair):
    original, english = pair
    for query in ("الموانئ", "السفن", "عادت", "عَادَت"):
        page = client.get(reverse("articles:search"), {"q": query}).content.decode()
        assert original.get_absolute_url() in page, query
        assert english.get_absolute_url() not in page, query
    page = client.get(reverse("articles:search"), {"q": "ports return"}).content.decode()
    assert english.get_absolute_url() in page


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's text-search configurations"
)
def test_postgres_reads_each_story_in_its_own_languages_configuration(client, pair):
    original, english = pair
    english.headline, english.body = "Ports returning to work", "<p>Ships are sailing.</p>"
    english.save()
    # "arabic" takes the article off "الموانئ" (the ports); "english" stems "sailing".
    for query, story in (("موانئ", original), ("sail", english), ("ship", english)):
        page = client.get(reverse("articles:search"), {"q": query}).content.decode()
        assert story.get_absolute_url() in page, query


def test_the_desk_lists_translations_out_of_date_in_progress_and_needed(
    superuser_client, original, settings
):
    settings.NEWSROOM_LANGUAGES = ["en", "ar", "fr"]
    make_article(language="en", translation_of=original, headline="Ports back")
    desk = superuser_client.get(reverse("admin:index")).content.decode()
    section = desk.split('id="desk-translations"', 1)[1].split("</section>", 1)[0]
    assert "Ports back" not in section  # live and up to date
    assert "translation needed" in section and "français" in section  # no French yet
    original = Article.objects.get(pk=original.pk)
    original.headline += "!"
    original.save()
    desk = superuser_client.get(reverse("admin:index")).content.decode()
    section = desk.split('id="desk-translations"', 1)[1].split("</section>", 1)[0]
    assert "Ports back" in section and "translation out of date" in section


def test_a_correction_on_the_original_offers_to_be_carried_to_its_translations(
    superuser_client, original
):
    english = make_article(language="en", translation_of=original)
    original = Article.objects.get(pk=original.pk)
    data = form_data(
        original,
        language="ar",
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-text": "كان التاريخ خاطئاً.",
        },
    )
    response = superuser_client.post(change_url(original), data, follow=True)
    page = response.content.decode()
    assert "carry the correction over to each" in page
    assert f'href="{change_url(english)}">English</a>' in page
    # The translation's form lists it, linked to the original's.
    page = superuser_client.get(change_url(english)).content.decode()
    assert "The original was corrected after this translation was last saved" in page
    assert "كان التاريخ خاطئاً." in page


def test_publishing_a_translation_refreshes_its_originals_cached_page(client, original):
    english = make_article(language="en", translation_of=original, status=Article.Status.DRAFT)
    client.get(original.get_absolute_url())
    assert client.get(original.get_absolute_url())["X-Cache"] == "hit"
    english.status = Article.Status.PUBLISHED
    english.save()
    page = client.get(original.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in page.content.decode()
