"""The editors' desk in a real browser: from the dashboard to publishing a story
that first fails the publish checklist. Screenshots of the three desk screens go
to test-artifacts/desk-*.png for people to look at."""

import re

import pytest

from articles.models import Article
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import ensure_roles, make_article, make_author, make_editor, make_section

pytestmark = pytest.mark.django_db(transaction=True)


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"), full_page=True)


def choose_in_autocomplete(page, field, typed, choice):
    """Pick ``choice`` in the admin's autocomplete (select2) for ``field``."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.click(f".select2-results__option:has-text('{choice}')")


def test_editor_goes_from_the_dashboard_to_publishing_a_story_the_checklist_stopped(
    page, live_server
):
    ensure_roles()
    editor = make_editor("eddie")
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.set_password("pw")
    editor.save()
    section = make_section(name="Islands", slug="islands")
    make_article(headline="Storm closes the harbour", section=section, authors=[make_author()])
    story = make_article(
        headline="Night ferry returns after two years",
        dek="",
        section=None,
        body="<p>The overnight ferry sailed again on Monday.</p>",
        status=Article.Status.IN_REVIEW,
        published_at=None,
        authors=[make_author(name="Maria Lindqvist")],
    )

    admin_login(page, live_server, "eddie")
    screenshot(page, "dashboard")
    review = page.locator("#desk-review")
    assert "Maria Lindqvist" in review.inner_text()
    review.get_by_role("link", name=story.headline).click()
    page.wait_for_url(re.compile(rf"/admin/articles/article/{story.pk}/change/"))

    page.click("input[name=_publish_now]")
    errors = page.locator(".errornote + ul.errorlist, ul.errorlist.nonfield").first
    errors.wait_for()
    text = errors.inner_text()
    assert "no section" in text and "no standfirst" in text
    assert "no byline" not in text
    screenshot(page, "change-form-refused")

    choose_in_autocomplete(page, "section", "Isl", "Islands")
    page.fill("#id_dek", "The overnight boat to the outer islands sails again.")
    page.click("input[name=_publish_now]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    screenshot(page, "changelist")

    story.refresh_from_db()
    assert story.is_published
    page.goto(live_server.url + story.get_absolute_url())
    assert page.locator("h1").inner_text() == "Night ferry returns after two years"


def test_an_expert_is_added_from_the_article_form_without_losing_the_typing(page, live_server):
    ensure_roles()
    editor = make_editor("eddie")
    editor.set_password("pw")
    editor.save()
    story = make_article(status=Article.Status.DRAFT, published_at=None, authors=[make_author()])
    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.fill("#id_headline", "Sea ice melts early, say researchers")
    page.click("text=Add another Expert quote")
    page.fill("#id_quotes-0-text", "The ice went out three weeks early.")

    with page.expect_popup() as popup_info:
        page.click("#add_id_quotes-0-expert")
    popup = popup_info.value
    popup.fill("#id_name", "Aino Virtanen")
    popup.fill("#id_title", "sea ice researcher")
    popup.fill("#id_affiliation", "Finnish Meteorological Institute")
    popup.click("input[name=_save]")
    popup.wait_for_event("close")

    chosen = page.locator("#select2-id_quotes-0-expert-container")
    assert chosen.inner_text().strip().lstrip("×").strip() == (
        "Aino Virtanen (sea ice researcher, Finnish Meteorological Institute)"
    )
    assert page.input_value("#id_headline") == "Sea ice melts early, say researchers"
    assert page.input_value("#id_quotes-0-text") == "The ice went out three weeks early."
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    quote = story.quotes.get()
    assert (quote.expert.name, quote.text) == (
        "Aino Virtanen",
        "The ice went out three weeks early.",
    )


def test_the_length_on_the_form_follows_the_body_as_it_is_typed(page, live_server):
    from playwright.sync_api import expect

    ensure_roles()
    editor = make_editor("eddie")
    editor.set_password("pw")
    editor.save()
    story = make_article(body="<p>One two three.</p>", authors=[make_author()])

    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    length = page.locator("[data-live-length]")
    expect(length).to_have_text("3 words, about 1 minute to read (as last saved)")

    page.locator(".ProseMirror[contenteditable=true] p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(" four five")
    expect(length).to_have_text("5 words, about 1 minute to read (as typed, not yet saved)")
    # A new paragraph's first word is a word of its own, not glued to the last.
    page.keyboard.press("Enter")
    page.keyboard.type("Six")
    expect(length).to_have_text(re.compile(r"^6 words, about 1 minute"))
