"""Reader pages in a real Chromium: axe-core finds no serious or critical
accessibility problems, at phone and desktop widths, and the pages behave.

axe-core is vendored (tests/browser/vendor/axe-core). It is injected as a
script, which our Content-Security-Policy would rightly block, so these
contexts bypass CSP; tests/browser/test_csp.py checks the policy itself.
Screenshots of every page at both widths go to test-artifacts/ for people to look at.
"""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Correction
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_article, make_author, make_expert, make_section
from tests.test_images import _jpeg

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
BODY = (
    "<p>The ferry between the two harbours ran again on Monday after a week of storms.</p>"
    "<h2>What the harbour master said</h2><p>“We checked every mooring,” she said.</p>"
    "<h2>Money for repairs</h2><p>The council has set aside <strong>£2m</strong>.</p>"
    "<blockquote><p>Without a budget it stays on paper.</p></blockquote>"
    "<h2>What happens next</h2><ul><li>Inspections</li><li>A new timetable</li></ul>"
    '<p>Read <a href="https://example.org/report">the report</a>.</p>'
)


def _site():
    """A small, realistic site: every kind of reader page has something on it."""
    world = make_section(name="World", slug="world", description="Foreign news.")
    make_section(name="Business", slug="business")
    maria = make_author(
        name="Maria Lindqvist",
        slug="maria-lindqvist",
        role="Senior correspondent",
        bio="Maria has reported from the Nordic capitals for twelve years.",
        photo=SimpleUploadedFile("maria.jpg", _jpeg(600, 800)),
    )
    tomas = make_author(name="Tomás Okafor", slug="tomas-okafor", role="Political editor")
    expert = make_expert(
        name="Elias Varga",
        slug="elias-varga",
        photo=SimpleUploadedFile("elias.jpg", _jpeg(500, 500)),
        link="https://example.org/varga",
    )
    story = make_article(
        headline="Ferry returns to the northern harbour after the storms",
        slug="ferry-returns",
        dek="A week without crossings ends as engineers sign off the moorings.",
        section=world,
        authors=[maria, tomas],
        tags=["Shipping", "Weather"],
        quotes=[(expert, "Without a budget it stays on paper.")],
        body=BODY,
        hero_image=SimpleUploadedFile("hero.jpg", _jpeg(1600, 900)),
        hero_alt="The ferry leaving the harbour at dawn",
        hero_caption="The first crossing on Monday.",
        hero_credit="Photo: Newsroom",
        published_at=timezone.make_aware(datetime(2026, 5, 8, 7, 30)),
    )
    Correction.objects.create(article=story, text="An earlier version gave the wrong date.")
    for n in range(24):
        make_article(
            headline=f"Harbour briefing number {n}",
            section=world,
            authors=[maria],
            tags=["Shipping"],
            published_at=timezone.now() - timedelta(hours=n + 2),
        )
    return {
        "home": "/",
        "article": story.get_absolute_url(),
        "author": maria.get_absolute_url(),
        "authors": "/authors/",
        "section": world.get_absolute_url(),
        "tag": story.tags.get(name="Shipping").get_absolute_url(),
        "expert": expert.get_absolute_url(),
        "search": "/search/?q=harbour",
        "not-found": "/news/no-such-story/",
    }


def _serve_media(page):
    """The test server serves static files, not media: hand renditions over from storage."""

    def fulfil(route):
        name = route.request.url.split("/media/", 1)[1]
        if not default_storage.exists(name):
            return route.fulfill(status=404)
        with default_storage.open(name) as handle:
            body = handle.read()
        kind = {"webp": "image/webp", "png": "image/png"}.get(name.rsplit(".", 1)[1], "image/jpeg")
        route.fulfill(status=200, body=body, headers={"Content-Type": kind})

    page.route("**/media/**", fulfil)


@pytest.fixture
def reader_page(browser):
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    _serve_media(page)
    yield page
    context.close()


def _axe(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )


def test_reader_pages_pass_axe_at_phone_and_desktop_widths(reader_page, live_server):
    urls = _site()
    ARTIFACTS.mkdir(exist_ok=True)
    summary, serious = {}, []
    for name, url in urls.items():
        for width_name, viewport in VIEWPORTS.items():
            reader_page.set_viewport_size(viewport)
            reader_page.goto(live_server.url + url)
            reader_page.wait_for_load_state("load")
            violations = _axe(reader_page)
            summary[f"{name} ({width_name})"] = {
                impact: sum(v["impact"] == impact for v in violations)
                for impact in ("critical", "serious", "moderate", "minor")
            }
            serious += [
                {"page": name, "width": width_name, **v}
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
            # Readable on a phone: nothing wider than the screen.
            overflow = reader_page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width_name} width"
            reader_page.screenshot(
                path=str(ARTIFACTS / f"reader-{name}-{width_name}.png"), full_page=True
            )
    (ARTIFACTS / "axe-summary.json").write_text(json.dumps(summary, indent=2))
    assert serious == [], json.dumps(serious, indent=2)


def test_page_structure_one_h1_landmarks_skip_link_and_lang(reader_page, live_server):
    urls = _site()
    for name, url in urls.items():
        reader_page.goto(live_server.url + url)
        assert reader_page.locator("h1").count() == 1, name
        for landmark in ("header", "nav", "main", "footer"):
            assert reader_page.locator(landmark).count() >= 1, (name, landmark)
        assert reader_page.get_attribute("html", "lang"), name

    reader_page.goto(live_server.url + urls["article"])
    reader_page.keyboard.press("Tab")
    skip = reader_page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown when focused
    reader_page.keyboard.press("Enter")
    # Following the link moves to #main; the page's URL shows it a moment later.
    reader_page.wait_for_url("**#main", timeout=5000)


def test_in_this_story_links_jump_to_their_crossheads(reader_page, live_server):
    urls = _site()
    reader_page.goto(live_server.url + urls["article"])
    links = reader_page.locator(".in-this-story a")
    assert links.all_inner_texts() == [
        "What the harbour master said",
        "Money for repairs",
        "What happens next",
    ]
    links.nth(2).click()
    reader_page.wait_for_url("**#what-happens-next")
    crosshead = reader_page.locator("h2#what-happens-next")
    assert crosshead.inner_text() == "What happens next"
    assert reader_page.evaluate("window.scrollY") > 0
    top = crosshead.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < VIEWPORTS["desktop"]["height"] - 100


def test_hero_loads_a_webp_rendition_sized_for_the_screen(reader_page, live_server):
    urls = _site()
    reader_page.set_viewport_size(VIEWPORTS["phone"])
    reader_page.goto(live_server.url + urls["article"])
    hero = reader_page.locator(".story__hero img")
    hero.evaluate("img => img.complete || new Promise(r => img.onload = r)")
    current = hero.evaluate("img => img.currentSrc")
    assert "/media/renditions/" in current and current.endswith(".webp")
    assert hero.evaluate("img => img.naturalWidth") < 1600  # a phone gets a smaller file
    assert hero.evaluate("img => img.naturalWidth") > 0
