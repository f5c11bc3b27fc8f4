"""The Content-Security-Policy, in the browser that enforces it: the public
pages and the admin's article form work and report no violation."""

import pytest

from tests.browser.conftest import admin_login
from tests.factories import make_article, make_author, make_expert, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def collect_csp_violations(page):
    """Every CSP violation the page reports, from the console and the DOM event."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        """document.addEventListener('securitypolicyviolation', (event) => {
            console.error('Content Security Policy violation: ' + event.violatedDirective
                          + ' ' + event.blockedURI);
        });"""
    )
    return violations


def test_public_pages_load_under_the_policy_without_violations(page, live_server):
    author, expert = make_author(), make_expert()
    article = make_article(authors=[author], quotes=[(expert, "It goes further.")], tags=["Oslo"])
    violations = collect_csp_violations(page)
    for url in [
        "/",
        article.get_absolute_url(),
        author.get_absolute_url(),
        expert.get_absolute_url(),
        article.section.get_absolute_url(),
        "/tags/oslo/",
        "/no-such-page/",
    ]:
        response = page.goto(live_server.url + url)
        header = response.headers["content-security-policy"]
        assert "unsafe-inline" not in header
        assert "script-src 'self'" in header
    # The stylesheet really applied: CSP would have blocked it silently otherwise.
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("document.styleSheets.length") >= 1
    assert violations == [], violations


def test_admin_article_form_works_under_the_policy(page, live_server):
    make_staff("chief", superuser=True)
    make_author(name="Maria Lindqvist")
    violations = collect_csp_violations(page)
    admin_login(page, live_server, "chief")
    page.goto(live_server.url + "/admin/articles/article/add/")
    # Admin JavaScript ran: the slug is prepopulated from the headline...
    page.locator("#id_headline").press_sequentially("Harbour reopens")
    assert page.input_value("#id_slug") == "harbour-reopens"
    # ...the prose editor replaced its textarea...
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Typed under the policy")
    # ...and the byline autocomplete (select2, jQuery) answers.
    page.click("#bylines-group .select2-selection")
    page.keyboard.type("Lind")
    page.locator(".select2-results__option", has_text="Maria Lindqvist").click()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert violations == [], violations
