"""Translations in a real browser: an editor translates a live Arabic story
in the admin, with the original beside the form, publishes both, and readers
switch between them on right-to-left and left-to-right pages.

Screenshots of the Arabic page (1280 and 390 px wide) and of the translating
form go to ``test-artifacts/`` (or ``NEWSROOM_ARTIFACTS``): look at them."""

import re

import pytest
from django.core.files.base import ContentFile

from articles.demo import illustrations
from articles.models import Article
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import (
    ensure_roles,
    make_article,
    make_author,
    make_editor,
    make_expert,
    make_section,
)

pytestmark = pytest.mark.django_db(transaction=True)

ARABIC_BODY = (
    "<p><strong>مرفأ الزيتون —</strong> "
    "عادت السفن إلى الرصيف صباح الاثنين بعد أسبوع من الإضراب.</p>"
    "<h2>ما الذي تغير</h2>"
    "<p>اتفق العمال والإدارة على جدول جديد للمناوبات، "
    "بحسب ما قاله Youssef Amrani (الباحث) للصحيفة.</p>"
    "<h2>ماذا بعد</h2>"
    "<p>يناقش المجلس البلدي الاتفاق في الخريف.</p>"
)


def _shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _alternates(page):
    return {
        link.get_attribute("hreflang"): link.get_attribute("href")
        for link in page.locator('link[rel="alternate"][hreflang]').all()
    }


def test_an_editor_translates_an_arabic_story_and_readers_switch_between_them(page, live_server):
    ensure_roles()  # browser tests flush the database, and the groups with it
    editor = make_editor("eddie")
    make_author(name="Clara Hughes", user=editor)
    original = make_article(
        headline="الموانئ تعود إلى العمل بعد أسبوع من الإضراب",
        slug="al-mawani-taud",
        language="ar",
        dek="اتفاق على جدول جديد للمناوبات، والمجلس البلدي يناقشه في الخريف.",
        body=ARABIC_BODY,
        section=make_section(name="Business", slug="business"),
        authors=[make_author(name="Rania Mansour")],
        quotes=[(make_expert(name="Youssef Amrani"), "هذا الاتفاق بداية، لا نهاية.")],
        tags=["Ports"],
        status=Article.Status.DRAFT,
        published_at=None,
        hero_caption="رافعات الميناء عند الغروب",
        hero_alt="رافعات وسفينة على رصيف الميناء",
    )
    original.hero_image.save(
        "harbour.jpg", ContentFile(illustrations.draw("harbour", "translations")), save=True
    )

    # The editor publishes the original, then starts its English translation.
    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{original.pk}/change/")
    assert "translation needed" in page.locator("#translations").inner_text()
    page.click("input[name=_publish_now]")
    page.goto(f"{live_server.url}/admin/articles/article/{original.pk}/change/")
    page.select_option("#translate-language", "en")
    page.click("text=Start the translation")
    page.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/$"))
    translation = Article.objects.get(translation_of=original)
    assert page.url.endswith(f"/{translation.pk}/change/")

    # The original is beside the form, right to left, while the editor translates.
    source = page.locator("aside.translation-source")
    assert source.get_attribute("dir") == "rtl" and source.get_attribute("lang") == "ar"
    assert "ما الذي تغير" in source.inner_text()
    form_box, source_box = page.locator("#content-main").bounding_box(), source.bounding_box()
    assert source_box["x"] > form_box["x"] + form_box["width"] - 1  # beside, not below
    _shoot(page, "translation-admin-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shoot(page, "translation-admin-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()

    page.fill("#id_headline", "Ports return to work after a week-long strike")
    page.fill("#id_dek", "A new shift rota is agreed; the council discusses it in the autumn.")
    page.fill("#id_hero_caption", "The port's cranes at sunset")
    page.fill("#id_hero_alt", "Cranes and a ship at the port's quay")
    body = page.locator(".ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("The ships were back at the quay on Monday after a week-long strike.")
    page.fill("#id_quotes-0-text", "This agreement is a beginning, not an end.")
    page.click("input[name=_publish_now]")
    page.wait_for_url(re.compile(r"/admin/articles/article/"))
    translation.refresh_from_db()
    assert translation.is_published and translation.language == "en"
    assert [a.name for a in translation.translators] == ["Clara Hughes"]

    # Readers: the Arabic page, right to left, linking its English version.
    page.context.clear_cookies()
    arabic_url = f"{live_server.url}{original.get_absolute_url()}"
    english_url = f"{live_server.url}{translation.get_absolute_url()}"
    page.goto(arabic_url)
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert _alternates(page) == {"ar": arabic_url, "en": english_url, "x-default": arabic_url}
    switch = page.locator("nav.language-switch")
    assert switch.locator("[aria-current=page]").inner_text() == "العربيّة"
    # Mirrored: the headline starts at the right edge of the column.
    headline = page.locator(".story__headline").bounding_box()
    column = page.locator("main").bounding_box()
    assert headline["x"] + headline["width"] > column["x"] + column["width"] - 40
    _shoot(page, "translation-arabic-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(arabic_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    _shoot(page, "translation-arabic-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # … and switches to English, which links back.
    switch.locator("a[hreflang=en]").click()
    page.wait_for_url(english_url)
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")
    assert _alternates(page) == {"ar": arabic_url, "en": english_url, "x-default": arabic_url}
    assert "Translated by Clara Hughes" in page.locator(".story__header").inner_text()
    page.locator("nav.language-switch a[hreflang=ar]").click()
    page.wait_for_url(arabic_url)
