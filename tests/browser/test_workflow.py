"""The editorial workflow in a real browser: a reporter files, an editor publishes."""

import re

import pytest

from articles.models import Article
from tests.browser.conftest import admin_login, choose_in_autocomplete
from tests.factories import (
    ensure_roles,
    make_editor,
    make_expert,
    make_reporter,
    make_section,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_reporter_files_a_story_and_an_editor_publishes_it(page, live_server):
    ensure_roles()  # browser tests flush the database, and the groups with it
    make_reporter("rita", "Rita Reporter")
    make_editor("eddie")
    make_section(name="World", slug="world")
    make_expert(name="Elias Varga")

    # The reporter writes the story and submits it for review.
    admin_login(page, live_server, "rita")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_headline", "Harbour reopens after storm")
    page.fill("#id_dek", "Ferries are running again.")
    choose_in_autocomplete(page, "id_section", "World")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("The harbour reopened on Monday.")
    page.keyboard.press("Enter")
    page.keyboard.type("## What happens next")  # the editor's shortcut for Heading 2
    page.keyboard.press("Enter")
    page.keyboard.type("Repairs continue.")
    assert editor.locator("h2").inner_text() == "What happens next"
    page.click("text=Add another expert quote")
    choose_in_autocomplete(page, "id_quotes-0-expert", "Elias Varga")
    page.fill("#id_quotes-0-text", "The breakwater held.")
    page.select_option("#id_status", "review")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    assert "In review" in page.locator("#result_list").inner_text()

    article = Article.objects.get(headline="Harbour reopens after storm")
    assert article.status == Article.Status.IN_REVIEW
    assert [author.name for author in article.ordered_bylines()] == ["Rita Reporter"]
    assert page.goto(f"{live_server.url}{article.get_absolute_url()}").ok  # her preview

    # The editor opens it and publishes it.
    page.context.clear_cookies()
    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/?state=review")
    page.click("text=Harbour reopens after storm")
    page.click("input[name=_publish_now]")
    page.wait_for_url(re.compile(r"/admin/articles/article/\?"))  # back to the filtered list
    page.goto(f"{live_server.url}/admin/articles/article/?state=live")
    assert "Harbour reopens after storm" in page.locator("#result_list").inner_text()

    # Readers see it.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.click("text=Harbour reopens after storm")
    assert page.locator("h1").inner_text() == "Harbour reopens after storm"
    assert page.locator(".story__body h2").inner_text() == "What happens next"
    assert "The breakwater held." in page.locator(".story__quotes").inner_text()
    assert "Rita Reporter" in page.locator(".byline").inner_text()
    assert page.locator(".banner--not-public").count() == 0
