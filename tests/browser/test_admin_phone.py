"""The desk's admin in a real Chromium, on a 390 px phone and a 1280 px
screen: no sideways scrolling, headlines that read as lines, the publish
checklist following the form as it is typed in, and axe-core finding no
serious or critical problems on the desk, the article list and form and the
tag admin.

Screenshots of the desk, the article list, the change form, a section page and
an expert page at both widths go to test-artifacts/ (or NEWSROOM_ARTIFACTS)
for people to look at.
"""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Correction, Tag
from articles.publishing import checklist
from tests.browser.conftest import ARTIFACTS, admin_login, choose_in_autocomplete
from tests.browser.test_reader_accessibility import _axe, _serve_media
from tests.factories import (
    ensure_roles,
    make_article,
    make_author,
    make_editor,
    make_expert,
    make_section,
)
from tests.test_images import _jpeg

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_HEADLINE = "Parliament votes on the long-delayed harbour modernisation budget"


def _newsroom():
    """A desk in mid-morning: drafts, a story in review, scheduled, live and
    corrected stories, with long headlines and two bylines; an editor who also
    manages tags."""
    ensure_roles()
    editor = make_editor("eddie")
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.set_password("pw")
    editor.save()
    editor.groups.add(Group.objects.get(name="Tag manager"))
    world = make_section(name="World", slug="world", description="Foreign news.")
    make_section(name="Business", slug="business")
    maria = make_author(name="Maria Lindqvist", slug="maria-lindqvist")
    tomas = make_author(name="Tomás Okafor", slug="tomas-okafor")
    varga = make_expert(
        name="Elias Varga",
        slug="elias-varga",
        title="economist",
        affiliation="Baltic Institute",
        link="https://www.example.org/people/varga",
    )
    now = timezone.now()
    for n in range(2):
        make_article(
            headline=f"{LONG_HEADLINE} {n + 1}",
            section=world,
            authors=[maria, tomas],
            status=Article.Status.DRAFT,
            published_at=None,
        )
    in_review = make_article(
        headline="Night ferry returns after two years",
        dek="",
        section=None,
        body="<p>The overnight ferry sailed again on Monday.</p>",
        status=Article.Status.IN_REVIEW,
        published_at=None,
        authors=[maria, tomas],
        tags=["Shipping"],
        quotes=[(varga, "It is a start.")],
    )
    make_article(
        headline="Harbour budget goes to a second vote",
        section=world,
        authors=[tomas],
        published_at=now + timedelta(hours=3),
    )
    live = make_article(
        headline="Ferry returns to the northern harbour after the storms",
        section=world,
        authors=[maria],
        tags=["Shipping", "Weather"],
        quotes=[(varga, "It is a start."), (varga, "It will not be enough.")],
        published_at=now - timedelta(minutes=30),
        hero_image=SimpleUploadedFile("hero.jpg", _jpeg(1600, 900)),
        hero_alt="The ferry leaving the harbour at dawn",
    )
    Correction.objects.create(article=live, text="An earlier version gave the wrong date.")
    make_article(
        headline="Storm closes the harbour",
        section=world,
        authors=[maria, tomas],
        quotes=[(varga, "Nobody expected it.")],
        published_at=now - timedelta(days=2),
    )
    return {
        "in_review": in_review,
        "live": live,
        "section": world,
        "expert": varga,
        "tag": Tag.objects.get(name="Shipping"),
    }


def _admin_pages(site):
    return {
        "desk": "/admin/",
        "changelist": "/admin/articles/article/",
        "change-form": f"/admin/articles/article/{site['in_review'].pk}/change/",
        "change-form-live": f"/admin/articles/article/{site['live'].pk}/change/",
        "add-form": "/admin/articles/article/add/",
        "tags": "/admin/articles/tag/",
        "tag-form": f"/admin/articles/tag/{site['tag'].pk}/change/",
    }


def _sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _settled(page):
    """Loaded, with Select2 and the prose editor drawn."""
    page.wait_for_load_state("load")
    if page.locator("select.admin-autocomplete").count():
        page.locator(".select2-container").first.wait_for()
    if page.locator(".field-body").count():
        page.locator(".field-body .ProseMirror[contenteditable=true]").wait_for()


def test_the_desk_list_and_form_fit_a_phone_and_the_list_its_dates_at_1280(page, live_server):
    site = _newsroom()
    admin_login(page, live_server, "eddie")
    pages = _admin_pages(site)
    shots = {"desk": "desk", "changelist": "changelist", "change-form": "change-form"}

    for width, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        for name, url in pages.items():
            page.goto(live_server.url + url)
            _settled(page)
            assert _sideways_scroll(page) <= 0, f"{name} scrolls sideways at {width} px"
            if name in shots:
                _shoot(page, f"admin-{shots[name]}-{width}")

    # On a phone a headline reads as a line or two, not a syllable a line.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + pages["desk"])
    headline = page.get_by_role("link", name=f"{LONG_HEADLINE} 1")
    assert headline.bounding_box()["width"] > 250
    assert headline.bounding_box()["height"] < 3 * 22
    # Each card says what its times are (the column headings are not shown).
    cells = page.locator("#desk-drafts tbody tr").first.locator("td")
    labels = cells.evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels == ['"Section: "', '"Started: "', '"Last change: "']
    expect(page.locator("#desk-drafts thead")).to_be_hidden()

    page.goto(live_server.url + pages["changelist"])
    row = page.locator("#result_list tbody tr", has_text=f"{LONG_HEADLINE} 1")
    assert row.get_by_role("link").bounding_box()["width"] > 250
    expect(row).to_contain_text("Changed")
    scheduled = page.locator("#result_list tbody tr", has_text="second vote")
    expect(scheduled.locator(".field-publication_time")).to_contain_text("Goes live")
    expect(scheduled.locator(".field-publication_time")).to_be_visible()

    # The byline table: every box within the screen, the authors' names whole.
    page.goto(live_server.url + pages["change-form"])
    _settled(page)
    for box in (
        "#id_bylines-1-position",
        "#id_bylines-1-DELETE",
        "#id_bylines-1-author + .select2",
    ):
        right = page.locator(box).bounding_box()
        assert right["x"] >= 0 and right["x"] + right["width"] <= PHONE["width"], box
    expect(page.locator("#select2-id_bylines-1-author-container")).to_contain_text("Tomás Okafor")

    # At 1280 the article list shows its publication time whole, and the header.
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + pages["changelist"])
    results = page.locator("#changelist-form .results")
    assert results.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    header = page.locator("#result_list thead th.column-publication_time")
    expect(header).to_be_visible()
    right_edge = results.bounding_box()["x"] + results.bounding_box()["width"]
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= right_edge
    expect(scheduled.locator(".field-publication_time time")).to_be_visible()


def test_reader_pages_at_phone_and_desktop_widths(browser, live_server):
    """The section and expert pages, for the screenshots and against sideways scrolling."""
    site = _newsroom()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _serve_media(page)
    try:
        for width, viewport in (("390", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(viewport)
            for name, owner in (("section", site["section"]), ("expert", site["expert"])):
                page.goto(live_server.url + owner.get_absolute_url())
                page.wait_for_load_state("load")
                assert _sideways_scroll(page) <= 0, f"{name} scrolls sideways at {width} px"
                _shoot(page, f"reader-{name}-page-{width}")
    finally:
        context.close()


def _item(page, field):
    return page.locator(f"[data-checklist-item={field}]")


def test_the_publish_checklist_follows_the_form_as_the_editor_types(page, live_server):
    site = _newsroom()
    story = site["in_review"]
    admin_login(page, live_server, "eddie")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    _settled(page)

    missing = page.locator(".publish-checklist__missing")
    ready = page.locator(".publish-checklist__ready")
    # As last saved: no section and no standfirst, in the checklist's own words.
    expect(missing).to_be_visible()
    expect(_item(page, "section")).to_have_text(checklist.MISSING["section"])
    expect(_item(page, "dek")).to_have_text(checklist.MISSING["dek"])
    for field in ("bylines", "body", "hero_alt"):
        expect(_item(page, field)).to_be_hidden()

    page.fill("#id_dek", "The overnight boat to the outer islands sails again.")
    expect(_item(page, "dek")).to_be_hidden()
    choose_in_autocomplete(page, "id_section", "World")
    expect(_item(page, "section")).to_be_hidden()
    expect(ready).to_be_visible()
    expect(missing).to_be_hidden()

    # The text emptied in the editor, then written again.
    editor = page.locator(".field-body .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    expect(_item(page, "body")).to_be_visible()
    expect(ready).to_be_hidden()
    page.keyboard.type("The ferry sailed.")
    expect(_item(page, "body")).to_be_hidden()

    # Both bylines ticked for deletion.
    page.check("#id_bylines-0-DELETE")
    expect(_item(page, "bylines")).to_be_hidden()
    page.check("#id_bylines-1-DELETE")
    expect(_item(page, "bylines")).to_be_visible()
    page.uncheck("#id_bylines-1-DELETE")
    expect(_item(page, "bylines")).to_be_hidden()

    # A hero image chosen needs its alt text.
    page.set_input_files(
        "#id_hero_image",
        files=[{"name": "ferry.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(800, 450)}],
    )
    expect(_item(page, "hero_alt")).to_be_visible()
    page.fill("#id_hero_alt", "The ferry at the quay")
    expect(_item(page, "hero_alt")).to_be_hidden()
    expect(ready).to_be_visible()

    # The server agrees: with everything there, publishing goes through.
    page.click("input[name=_publish_now]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    story.refresh_from_db()
    assert story.is_published
    assert story.bylines.count() == 1


def test_the_checklist_names_a_stored_heros_missing_alt_text_and_clearing_the_picture(
    page, live_server
):
    site = _newsroom()
    live = site["live"]
    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{live.pk}/change/")
    _settled(page)
    expect(page.locator(".publish-checklist__ready")).to_be_visible()

    page.fill("#id_hero_alt", "")
    expect(_item(page, "hero_alt")).to_be_visible()
    page.check("input[name=hero_image-clear]")  # no picture, no alt text needed
    expect(_item(page, "hero_alt")).to_be_hidden()


@pytest.fixture
def axe_page(browser):
    """A context that lets the vendored axe-core script in (see test_csp.py for the policy)."""
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_admin_pages_pass_axe_at_phone_and_desktop_widths(axe_page, live_server):
    site = _newsroom()
    admin_login(axe_page, live_server, "eddie")
    summary, serious = {}, []
    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        axe_page.set_viewport_size(viewport)
        for name, url in _admin_pages(site).items():
            axe_page.goto(live_server.url + url)
            _settled(axe_page)
            violations = _axe(axe_page)
            summary[f"{name} ({width})"] = sorted(f"{v['impact']}: {v['id']}" for v in violations)
            serious += [
                {"page": name, "width": width, **v}
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
    # With a tag chosen and a byline added, the boxes drawn by scripts are named too.
    axe_page.goto(f"{live_server.url}/admin/articles/article/{site['in_review'].pk}/change/")
    _settled(axe_page)
    axe_page.click("text=Add another Byline")
    axe_page.locator("#id_bylines-2-author + .select2").wait_for()
    serious += [
        {"page": "change-form with a new byline", **v}
        for v in _axe(axe_page)
        if v["impact"] in ("serious", "critical")
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-admin-summary.json").write_text(json.dumps(summary, indent=2))
    assert serious == [], json.dumps(serious, indent=2)


def test_date_time_and_byline_boxes_have_names_screen_readers_read(page, live_server):
    site = _newsroom()
    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{site['live'].pk}/change/")
    _settled(page)

    expect(page.get_by_label("Date:", exact=True)).to_have_id("id_published_at_0")
    expect(page.get_by_label("Time:", exact=True)).to_have_id("id_published_at_1")
    expect(page.get_by_label("Position of byline 1")).to_have_id("id_bylines-0-position")
    expect(page.get_by_role("combobox", name="Section: World")).to_be_visible()
    expect(page.get_by_role("combobox", name="Author of byline 1 Maria Lindqvist")).to_be_visible()
    expect(page.get_by_role("combobox", name="Author of byline 2", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Delete byline 1")).to_have_id("id_bylines-0-DELETE")
    expect(page.get_by_role("textbox", name="Body:")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Tags:")).to_be_visible()
