"""A live story in real browsers: a reporter posts three entries from the quick
form (Ctrl+Enter) while a reader's page, in a second browser context, shows
them arriving without a reload. Screenshots of the quick form and the live
page at 1280 and 390 px go to test-artifacts/live-*.png."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import LiveEntry
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.browser.test_csp import collect_csp_violations
from tests.browser.test_reader_accessibility import _axe
from tests.factories import ensure_roles, make_expert, make_reporter
from tests.live_helpers import add_entries, make_live_story

pytestmark = pytest.mark.django_db(transaction=True)

ENTRIES = [
    "Polling stations have closed across the islands.",
    "First ballot boxes reach the town hall by boat.",
    "Turnout in the harbour district is 64 per cent, the highest in twenty years.",
]


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"live-{name}.png"), full_page=True)


@pytest.fixture
def story(settings):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 1
    ensure_roles()
    reporter = make_reporter("rita", "Rita Reporter")
    story = make_live_story(
        authors=[reporter.author],
        headline="Island election night",
        dek="Results from the island council election, as they come in.",
        body="<p>Voters on the four islands elect a new council tonight.</p>",
    )
    older = add_entries(story, 25, author=reporter.author)
    older[-1].is_key_event, older[-1].headline = True, "Polls open until nine"
    older[-1].save()
    older[0].is_key_event, older[0].headline = True, "Ferries run late for voters"
    older[0].save()
    pinned = older[-2]
    pinned.is_pinned, pinned.headline = True, "How to follow the count"
    pinned.expert, pinned.quote_text = make_expert(name="Dr Ana Berg"), "It will be close."
    pinned.save()
    return story


def test_entries_posted_from_the_quick_form_arrive_on_a_readers_page_without_a_reload(
    browser, live_server, story
):
    reporter_context = browser.new_context(viewport={"width": 1280, "height": 900})
    reader_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        desk = reporter_context.new_page()
        desk.set_default_timeout(15_000)
        reader = reader_context.new_page()
        reader.set_default_timeout(15_000)
        violations = collect_csp_violations(reader) + collect_csp_violations(desk)

        reader.goto(live_server.url + story.get_absolute_url())
        expect(reader.locator(".live-badge")).to_have_text("Live")
        # A mark on the page's window: a reload would wipe it.
        reader.evaluate("window.notReloaded = true")

        admin_login(desk, live_server, "rita")
        desk.locator("#desk-live").get_by_role("link", name="Post entries").click()
        expect(desk.locator("#id_text")).to_be_focused()

        box = desk.locator("#id_text")
        box.fill(ENTRIES[0])
        box.press("Control+Enter")
        expect(desk.locator(".messagelist .success")).to_contain_text("Posted")
        button = reader.locator(".live-new__button")
        expect(button).to_have_text("1 new update")

        for text in ENTRIES[1:]:
            desk.locator("#id_text").fill(text)
            desk.locator("#id_text").press("Control+Enter")
            expect(desk.locator(".live-quick__entry").first).to_contain_text(text)
        expect(button).to_have_text("3 new updates")
        # Nothing moved under the reader: the new entries wait for the button.
        stream = reader.locator("[data-live-stream] .live-entry")
        expect(stream.first).not_to_contain_text(ENTRIES[0])

        button.click()
        expect(button).to_be_hidden()
        for position, text in enumerate(reversed(ENTRIES)):
            expect(stream.nth(position)).to_contain_text(text)
        assert reader.evaluate("window.notReloaded") is True

        screenshot(desk, "quick-form-1280")
        screenshot(reader, "page-1280")
        desk.set_viewport_size({"width": 390, "height": 844})
        reader.set_viewport_size({"width": 390, "height": 844})
        desk.reload()
        reader.reload()
        screenshot(desk, "quick-form-390")
        screenshot(reader, "page-390")
        # An empty box is refused with a message, the rest of the form unfolded.
        desk.locator("#id_text").press("Control+Enter")
        expect(desk.locator(".live-quick__box .errorlist")).to_contain_text("Write the update")
        desk.locator(".live-quick__more summary").click()
        screenshot(desk, "quick-form-error-390")
        # No sideways scrolling on a phone.
        for page in (desk, reader):
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Both scripts ran under the site's Content-Security-Policy.
        assert violations == [], violations
    finally:
        reporter_context.close()
        reader_context.close()


def test_a_reader_is_told_when_the_coverage_ends(page, live_server, story):
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.locator(".live-badge")).to_be_visible()
    coverage = story.live_coverage
    from django.utils import timezone

    coverage.ended_at = timezone.now()
    coverage.save()
    expect(page.locator("#live-status")).to_have_text(re.compile("This live coverage has ended"))


def test_the_live_page_with_new_updates_waiting_passes_axe(browser, live_server, story):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + story.get_absolute_url())
        author = story.bylines.get().author
        for text in ENTRIES[:2]:  # posted now, as from the quick form
            LiveEntry.objects.create(article=story, author=author, text=f"<p>{text}</p>")
        expect(page.locator(".live-new__button")).to_have_text("2 new updates")
        serious = [v for v in _axe(page) if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
    finally:
        context.close()
