"""What the admin's pages carry for phones, screen readers and the checklist
as it is typed: the markup the browser tests (tests/browser/test_admin_phone.py)
drive, checked here without a browser."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article
from articles.publishing import checklist
from tests.factories import make_article, make_author, make_editor, make_in_role
from tests.test_images import _jpeg
from tests.workflow_helpers import ADD_URL, CHANGELIST_URL, change_url, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_editor("eddie")


def checklist_items(html):
    """``{field: (hidden, message)}`` of the change form's publish checklist."""
    return {
        field: (bool(hidden), message)
        for field, hidden, message in re.findall(
            r'<li data-checklist-item="([a-z_]+)"( hidden)?>([^<]*)</li>', html
        )
    }


def test_the_change_form_names_what_the_checklist_misses_in_its_own_words(editor):
    story = make_article(dek="", section=None, authors=[make_author()])

    html = logged_in(editor).get(change_url(story)).content.decode()

    items = checklist_items(html)
    # Every item the checklist can name is there, worded by the checklist, for
    # publish_checklist.js to show and hide; those missing as saved are shown.
    assert {field: message for field, (_, message) in items.items()} == {
        field: message.replace("'", "&#x27;") for field, message in checklist.MISSING.items()
    }
    assert {field for field, (hidden, _) in items.items() if not hidden} == {"section", "dek"}
    assert '<p class="publish-checklist__missing">Missing for publication:</p>' in html
    assert 'data-stored-hero="false"' in html
    assert "articles/admin/publish_checklist.js" in html


def test_a_complete_story_shows_nothing_missing_and_a_stored_hero_is_known(editor):
    story = make_article(
        authors=[make_author()],
        hero_image=SimpleUploadedFile("hero.jpg", _jpeg(400, 300)),
        hero_alt="A ferry",
    )
    html = logged_in(editor).get(change_url(story)).content.decode()

    assert all(hidden for hidden, _ in checklist_items(html).values())
    assert '<p class="publish-checklist__ready">Ready for publication' in html
    assert 'data-stored-hero="true"' in html


def test_a_new_story_starts_with_everything_but_the_picture_missing(editor):
    html = logged_in(editor).get(ADD_URL).content.decode()
    shown = {field for field, (hidden, _) in checklist_items(html).items() if not hidden}
    assert shown == {"section", "bylines", "dek", "body"}


def test_the_date_and_time_boxes_have_labels_and_byline_rows_named_boxes(editor):
    story = make_article(authors=[make_author(), make_author()])
    html = logged_in(editor).get(change_url(story)).content.decode()

    assert '<label for="id_published_at_0">Date:</label>' in html
    assert '<label for="id_published_at_1">Time:</label>' in html
    for n in (0, 1):
        row = re.search(rf'<tr class="form-row[^"]*"\s+id="bylines-{n}">.*?</tr>', html, re.S)
        assert f'aria-label="Position of byline {n + 1}"' in row.group(0)
        assert f'aria-label="Author of byline {n + 1}"' in row.group(0)
        assert f'aria-label="Delete byline {n + 1}"' in row.group(0)
    assert 'aria-label="Position of the new byline"' in html  # the row "Add another" copies
    assert "articles/admin/accessible_names.js" in html


def test_the_tag_box_has_no_remove_all_button_inside_its_list(editor):
    html = logged_in(editor).get(change_url(make_article(tags=["Harbours"]))).content.decode()
    tags = re.search(r"<select[^>]*name=\"tags\"[^>]*>", html).group(0)
    assert 'data-allow-clear="false"' in tags


def test_the_article_list_shows_each_storys_publication_time_in_its_own_words(editor):
    soon = timezone.now() + timedelta(hours=3)
    make_article(headline="Later", published_at=soon)
    make_article(headline="Now")
    make_article(headline="Draft", status=Article.Status.DRAFT, published_at=None, section=None)

    html = logged_in(editor).get(CHANGELIST_URL).content.decode()

    assert '<th scope="col" class="sortable column-publication_time' in html
    local = timezone.localtime(soon)
    assert (
        f'<span class="phone-label">Goes live </span><time datetime="{local.isoformat()}">'
        f"{local.day} {local:%b}, {local:%H:%M}</time>"
    ) in html
    assert '<span class="phone-label">Published </span><time' in html
    assert '<span class="phone-label">Publication time: </span><span class="quiet">not set' in html
    assert '<span class="desk-missing">no section</span>' in html
    # Headline and bylines share a column; the headline is the link.
    assert re.search(r'<a href="/admin/articles/article/\d+/change/">Later</a>', html)


def test_every_admin_page_gets_the_newsroom_styles_after_djangos_responsive_ones(editor):
    tag_manager = make_in_role("tina", "Tag manager")
    for user, url in (
        (editor, "/admin/"),
        (editor, CHANGELIST_URL),
        (tag_manager, "/admin/articles/tag/"),
    ):
        html = logged_in(user).get(url).content.decode()
        assert html.count("articles/desk.css") == 1, url
        assert html.index("admin/css/responsive.css") < html.index("articles/desk.css"), url


def test_each_desk_card_cell_names_itself_for_the_phone_layout(editor):
    make_article(headline="Draft", status=Article.Status.DRAFT, published_at=None)
    html = logged_in(editor).get("/admin/").content.decode()
    drafts = html.split('id="desk-drafts"', 1)[1].split("</section>", 1)[0]
    assert '<td data-label="Section">' in drafts
    assert '<td class="desk-when" data-label="Started">' in drafts
    assert '<td class="desk-editor" data-label="Last change">' in drafts


def test_a_headline_in_the_filtered_list_links_back_to_the_list_as_filtered(editor):
    story = make_article(headline="Review me", status=Article.Status.IN_REVIEW)
    html = logged_in(editor).get(CHANGELIST_URL, {"state": "review"}).content.decode()
    assert f'<a href="{change_url(story)}?_changelist_filters=state%3Dreview">Review me</a>' in html
