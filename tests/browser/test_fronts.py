"""The fronts in a real Chromium: an editor places a lead in the admin and the
home page leads with it; the focal point is set by clicking the picture; the
breaking-news banner goes up and comes down. Screenshots of the front page, a
section front and a story with a portrait hero, at 1280 and 390 px, go to
``NEWSROOM_SCREENSHOTS`` (default: test-artifacts/screenshots/) for people to
look at; they are not committed."""

import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Banner, Front
from tests.browser.conftest import ARTIFACTS, admin_login, choose_in_autocomplete
from tests.browser.test_reader_accessibility import _axe, _serve_media
from tests.factories import ensure_roles, make_article, make_editor, make_section
from tests.test_images import _jpeg

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(os.environ.get("NEWSROOM_SCREENSHOTS", ARTIFACTS / "screenshots"))
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


def _editor(page, live_server):
    ensure_roles()
    editor = make_editor("eddie")
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.set_password("pw")
    editor.save()
    _serve_media(page)
    admin_login(page, live_server, "eddie")
    return editor


def test_an_editor_places_a_lead_in_the_admin_and_the_home_page_leads_with_it(page, live_server):
    section = make_section(name="Islands", slug="islands")
    for n in range(6):
        make_article(headline=f"Earlier story {n}", section=section)
    chosen = make_article(
        headline="Ferry returns to the islands",
        section=section,
        published_at=timezone.now() - timezone.timedelta(days=3),
        hero_image=SimpleUploadedFile("ferry.jpg", _jpeg(1600, 900)),
    )
    _editor(page, live_server)

    front = Front.objects.get(section=None)
    page.goto(f"{live_server.url}/admin/articles/front/{front.pk}/change/")
    choose_in_autocomplete(page, "id_placements-0-article", "Ferry returns")
    page.fill("#id_placements-0-position", "1")
    page.locator("#placements-0 summary").click()  # the front's own words, folded away
    page.fill("#id_placements-0-headline", "The ferry is back")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".field-on_the_site_now")).to_contain_text(
        "Leads: The ferry is back (placed by the desk)"
    )

    page.goto(live_server.url + "/")
    lead = page.locator(".lead")
    expect(lead.locator(".lead__headline")).to_have_text("The ferry is back")
    expect(lead.locator("picture img")).to_have_attribute("width", re.compile(r"\d+"))
    lead.locator(".lead__headline a").click()
    page.wait_for_url(f"**{chosen.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Ferry returns to the islands")


def test_clicking_the_picture_sets_the_focal_point_that_the_crops_keep(page, live_server):
    story = make_article(
        headline="Harbour at dawn", hero_image=SimpleUploadedFile("h.jpg", _jpeg(1600, 900))
    )
    _editor(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")

    picture = page.locator(".focus-picker__image")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
    expect(page.locator("#id_hero_focus_x")).to_have_value("0.80")
    expect(page.locator("#id_hero_focus_y")).to_have_value("0.25")
    mark = page.locator(".focus-picker__mark").bounding_box()
    assert abs(mark["x"] + mark["width"] / 2 - (box["x"] + box["width"] * 0.8)) < 3

    page.fill("#id_hero_focus_x", "0.1")  # the numbers move the mark too
    moved = page.locator(".focus-picker__mark").bounding_box()
    assert abs(moved["x"] + moved["width"] / 2 - (box["x"] + box["width"] * 0.1)) < 3
    page.fill("#id_hero_focus_x", "0.8")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    story.refresh_from_db()
    assert story.hero_focus == (0.8, 0.25)


def test_a_picture_chosen_for_the_front_is_shown_to_click_before_it_is_saved(
    page, live_server, tmp_path
):
    _editor(page, live_server)
    make_article(headline="Ferry returns")
    front = Front.objects.get(section=None)
    page.goto(f"{live_server.url}/admin/articles/front/{front.pk}/change/")
    page.locator("#placements-0 summary").click()
    upload = tmp_path / "front.jpg"
    upload.write_bytes(_jpeg(800, 450))
    page.set_input_files("#id_placements-0-picture", str(upload))

    picker = page.locator("#placements-0 .focus-picker")
    expect(picker).to_be_visible()
    image = picker.locator(".focus-picker__image")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    expect(page.locator("#id_placements-0-picture_focus_x")).to_have_value("0.30")
    expect(page.locator("#id_placements-0-picture_focus_y")).to_have_value("0.60")


def test_the_breaking_news_banner_goes_up_on_every_page_and_comes_down(page, live_server):
    story = make_article(headline="Bridge closed after ship strike")
    _editor(page, live_server)
    page.goto(live_server.url + "/admin/articles/banner/add/")
    page.fill("#id_text", "Bridge closed: traffic diverted through the tunnel")
    page.fill("#id_link", story.get_absolute_url())
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    reader = page.context.browser.new_page()
    for url in ("/", story.section.get_absolute_url(), story.get_absolute_url()):
        reader.goto(live_server.url + url)
        banner = reader.get_by_role("complementary", name="Breaking news")
        expect(banner).to_contain_text("Bridge closed: traffic diverted through the tunnel")
    banner.get_by_role("link").click()
    reader.wait_for_url(f"**{story.get_absolute_url()}")

    page.goto(live_server.url + "/admin/articles/banner/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "end_now")
    page.click("button[name=index]")
    expect(page.locator(".messagelist .success")).to_contain_text("1 banner(s) ended")
    reader.goto(live_server.url + "/")
    expect(reader.locator(".breaking")).to_have_count(0)
    assert not Banner.objects.get().is_showing
    reader.close()


# The screens, as a reader sees them --------------------------------------------------------


@pytest.fixture
def demo_site():
    """The demo as `make run` loads it: drawn pictures, the arranged front, the banner."""
    call_command("load_demo", verbosity=0)
    portrait = Article.objects.get(slug="coastal-towns-plan-for-higher-seas")
    return {
        "front": "/",
        "section-front": "/section/business/",
        "portrait-story": portrait.get_absolute_url(),
    }


@pytest.fixture
def reader(browser):
    context = browser.new_context(bypass_csp=True)  # for axe, injected as a script
    page = context.new_page()
    page.set_default_timeout(20_000)
    _serve_media(page)
    yield page
    context.close()


def _layout_shift(page):
    """The page's cumulative layout shift so far (Chromium's layout-shift entries)."""
    return page.evaluate(
        """() => new Promise(resolve => {
            let total = 0;
            new PerformanceObserver(list => {
                for (const entry of list.getEntries()) {
                    if (!entry.hadRecentInput) total += entry.value;
                }
            }).observe({type: "layout-shift", buffered: true});
            setTimeout(() => resolve(total), 300);
        })"""
    )


def test_the_front_a_section_front_and_a_portrait_story_at_1280_and_390(
    reader, live_server, demo_site
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    serious = []
    for width, viewport in WIDTHS.items():
        reader.set_viewport_size(viewport)
        for name, url in demo_site.items():
            reader.goto(live_server.url + url)
            reader.wait_for_load_state("load")
            reader.evaluate(
                "Promise.all([...document.images].map(i => i.complete || "
                "new Promise(r => { i.onload = i.onerror = r; })))"
            )
            assert reader.evaluate("[...document.images].every(i => i.naturalWidth > 0)"), (
                f"{name}: a picture did not load"
            )
            overflow = reader.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
            assert _layout_shift(reader) < 0.01, f"{name} shifts as its pictures load"
            expect(reader.locator(".breaking")).to_be_visible()
            serious += [
                {"page": name, "width": width, **violation}
                for violation in _axe(reader)
                if violation["impact"] in ("serious", "critical")
            ]
            reader.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)

        # The portrait hero leaves the story's first words on the first screen.
        reader.goto(live_server.url + demo_site["portrait-story"])
        first_line = reader.evaluate(
            "document.querySelector('.story__body p').getBoundingClientRect().top + 30"
        )
        assert first_line <= viewport["height"], f"the text starts below the fold at {width} px"

    assert serious == []
