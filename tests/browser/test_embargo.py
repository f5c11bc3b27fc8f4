"""An editor puts a story under embargo in a real browser: the date and time
boxes of the change form, the "Embargoed" state in the list, the disclosure
that makes a preview link valid during the embargo, and the staff page's
banner. Screenshots at 1280 and 390 px (NEWSROOM_SHOTS puts them elsewhere)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import ensure_roles, make_article, make_author, make_editor, make_section

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("NEWSROOM_SHOTS") or ARTIFACTS)


def test_an_editor_sets_an_embargo_and_the_story_waits_for_it(page, live_server):
    ensure_roles()  # browser tests flush the database, and the groups with it
    make_editor("eddie")
    story = make_article(
        headline="Ministry publishes jobless figures",
        slug="ministry-jobless-figures",
        dek="Unemployment fell for the third month.",
        body="<p>The ministry's figures show a fall.</p>",
        section=make_section(name="Economy", slug="economy"),
        authors=[make_author(name="Ana Ruiz")],
        status=Article.Status.DRAFT,
        published_at=None,
    )
    release = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )

    admin_login(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.fill("#id_embargoed_until_0", release.strftime("%Y-%m-%d"))
    page.fill("#id_embargoed_until_1", release.strftime("%H:%M:%S"))
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    row = page.locator("#result_list tr", has_text="Ministry publishes jobless figures")
    assert "Embargoed" in row.inner_text()

    story.refresh_from_db()
    assert story.embargoed_until == release and story.status == Article.Status.PUBLISHED
    assert not story.is_published

    # The form says where the story stands and offers the embargo's own preview link.
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    assert "Embargoed" in page.locator(".field-on_the_site").inner_text()
    link = page.locator("#embargo-preview-link")
    assert not link.is_visible()  # behind an explicit choice
    page.click("#embargo-preview summary")
    assert link.is_visible()
    embargo_link = link.get_attribute("href")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#id_embargoed_until_0").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"embargo-admin-form-{width}.png"), full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#embargo-preview").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"embargo-preview-link-{width}.png"), full_page=False)

    # Staff read it under the banner; readers get nothing.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/news/ministry-jobless-figures/")
    banner = page.locator(".banner--not-public").inner_text()
    assert f"Embargoed until {release.strftime('%H:%M')}" in banner
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"embargo-staff-page-{width}.png"), full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.context.clear_cookies()
    assert page.goto(f"{live_server.url}/news/ministry-jobless-figures/").status == 404
    assert "Ministry publishes" not in page.goto(f"{live_server.url}/").text()
    response = page.goto(embargo_link)
    assert response.ok and "noindex" in response.headers["x-robots-tag"]
    assert "Embargoed until" in page.locator(".banner--not-public").inner_text()
