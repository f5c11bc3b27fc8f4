import pytest

from tests.browser.conftest import admin_login
from tests.factories import make_article, make_author, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_opens_an_article_from_the_home_page(page, live_server):
    article = make_article(headline="Harbour reopens after storm", authors=[make_author()])
    page.goto(live_server.url + "/")
    page.click(f"text={article.headline}")
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Harbour reopens after storm"


def test_staff_sees_the_rich_text_editor_in_the_article_form(page, live_server):
    make_staff("chief", superuser=True)
    admin_login(page, live_server, "chief")
    page.goto(live_server.url + "/admin/articles/article/add/")
    # The prose editor replaces the textarea with a contenteditable area.
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Typed in a real editor")
    assert "Typed in a real editor" in editor.inner_text()
