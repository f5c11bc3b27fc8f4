"""Real-browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium).

Playwright never downloads a browser here; `.ci/run` installs Debian's
``chromium`` package. On a developer machine without it these tests are
skipped with a message saying so; on CI (``CI`` set) a missing browser fails.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
# Screenshots for people to look at; NEWSROOM_ARTIFACTS puts them elsewhere.
ARTIFACTS = Path(
    os.environ.get("NEWSROOM_ARTIFACTS")
    or Path(__file__).resolve().parent.parent.parent / "test-artifacts"
)

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeServer(WSGIServer):
    """The live server, answering one request at a time.

    With the suite's in-memory SQLite database, every thread of Django's
    threaded live server shares the test's one connection; Chromium asks for
    several things at once, and two requests querying through that connection
    together hung a run of the suite (both threads waiting on SQLite for good).
    Here requests queue on the socket instead, each on the server's thread."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = OneRequestAtATimeServer


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot is saved when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def admin_login(page, live_server, username, password="pw"):
    """Log in through the admin's own login form, as a person would."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def choose_in_autocomplete(page, field_id, text):
    """Pick ``text`` in one of the admin's autocomplete (select2) fields.

    Waits for the server's answer to the typed term before clicking: select2
    re-renders its list when that answer arrives, and a click on the list it
    replaces is lost (seen on a loaded CI machine).
    """
    from urllib.parse import parse_qs, urlparse

    from playwright.sync_api import expect

    def answers_the_term(response):
        url = urlparse(response.url)
        return "/autocomplete/" in url.path and parse_qs(url.query).get("term") == [text]

    page.click(f"#{field_id} + .select2 .select2-selection")
    with page.expect_response(answers_the_term):
        page.fill(".select2-container--open .select2-search__field", text)
    page.locator(".select2-container--open .select2-results__option", has_text=text).first.click()
    expect(page.locator(f"#{field_id} + .select2 .select2-selection__rendered")).to_contain_text(
        text
    )
