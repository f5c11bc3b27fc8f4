from pathlib import Path

import pytest

from articles.models import Article
from tests.browser.conftest import admin_login
from tests.factories import make_section, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

NIGHT_FERRY = Path(__file__).resolve().parent.parent / "data" / "copy" / "night-ferry.txt"


def test_editor_imports_copy_from_the_article_list_and_opens_the_draft(page, live_server, tmp_path):
    make_section(name="Islands", slug="islands")
    make_staff("chief", superuser=True)
    bad = tmp_path / "bad-dateline.txt"
    bad.write_text("Headline\nBy Ana Ruiz\nsome time in May\n\nBody.\n", encoding="utf-8")
    admin_login(page, live_server, "chief")

    page.goto(live_server.url + "/admin/articles/article/")
    page.click("text=Import stories")
    page.set_input_files("input[type=file]", [str(NIGHT_FERRY), str(bad)])
    page.select_option("select[name=section]", label="Islands")
    page.click("input[type=submit][value=Import]")

    messages = page.locator("ul.messagelist li")
    assert messages.count() == 2
    assert (
        "“bad-dateline.txt”: line 3: the dateline 'some time in May'"
        in messages.nth(1).inner_text()
    )
    page.click("text=created “Night ferry to the islands returns after two-year pause” (Draft)")
    article = Article.objects.get()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    assert page.locator("#id_headline").input_value() == article.headline
    assert (
        page.locator(".ProseMirror[contenteditable=true] h2").first.inner_text() == "What changed"
    )
