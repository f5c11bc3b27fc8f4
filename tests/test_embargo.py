"""Embargoes at the desk: editors put a story under embargo, move its release
and lift it early, through the change form and the list; reporters cannot;
bad times are refused with nothing saved; the history names each change; the
staff page and the preview made for the embargo say so; the desk lists the
embargoes ending soon; pages and edges are kept no later than the release."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from reversion.models import Version

from articles.models import Article, Author
from articles.publishing import preview, transitions
from tests.factories import make_article, make_author, make_editor, make_reporter
from tests.workflow_helpers import (
    CHANGELIST_URL,
    change_url,
    form_data,
    local_fields,
    logged_in,
    run_action,
)

pytestmark = pytest.mark.django_db

ADMIN_INDEX = reverse("admin:index")


def embargo_fields(when):
    """The embargo box as the change form shows it: two boxes, in the site's time zone."""
    return local_fields(when, "embargoed_until")


def send(client, article, **changes):
    data = form_data(article, **{**embargo_fields(article.embargoed_until), **changes})
    return client.post(change_url(article), data)


def local(moment):
    return formats.date_format(timezone.localtime(moment), "H:i T, l j F Y")


def soon(**delta):
    return (timezone.now() + timedelta(**delta)).replace(microsecond=0)


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def reporter():
    return make_reporter()


@pytest.fixture
def draft(reporter):
    """A story ready to go out, with the reporter's byline."""
    return make_article(
        headline="Ministry figures",
        status=Article.Status.DRAFT,
        published_at=None,
        authors=[Author.objects.get(user=reporter)],
    )


def history(article):
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=article.pk)]


def form_errors(response):
    form = response.context["adminform"].form
    return [str(error) for errors in form.errors.values() for error in errors]


# Putting under embargo, moving, lifting: the change form -------------------------------


def test_an_editor_puts_a_draft_under_embargo_and_it_is_published_for_its_release(editor, draft):
    release = soon(hours=5)

    response = send(logged_in(editor), draft, **embargo_fields(release))

    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert (draft.status, draft.published_at, draft.embargoed_until) == (
        Article.Status.PUBLISHED,
        release,
        release,
    )
    assert draft.state_label == "Embargoed" and not draft.is_published
    assert not Article.objects.published().filter(pk=draft.pk).exists()
    assert Article.objects.embargoed().get() == draft
    note = f"Put under embargo until {local(release)}."
    assert history(draft)[0].startswith(note)
    assert Version.objects.get_for_object(draft).first().revision.comment.startswith(note)


def test_moving_the_release_moves_the_publication_and_is_recorded(editor, draft):
    first, later = soon(hours=5), soon(hours=9)
    transitions.embargo(draft, first, editor)

    response = send(logged_in(editor), draft, **embargo_fields(later))

    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert draft.embargoed_until == later and draft.published_at == later
    assert history(draft)[0].startswith(f"Moved the embargo from {local(first)} to {local(later)}.")


def test_lifting_early_publishes_at_once_and_is_recorded(editor, draft):
    release = soon(hours=5)
    transitions.embargo(draft, release, editor)

    response = send(logged_in(editor), draft, **embargo_fields(None))

    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert draft.embargoed_until is None and draft.is_published
    assert timezone.now() - draft.published_at < timedelta(minutes=1)
    assert history(draft)[0].startswith(
        f"Lifted the embargo early (it was until {local(release)})."
    )
    assert Client().get(draft.get_absolute_url()).status_code == 200


def test_the_list_action_lifts_an_embargo_early_and_logs_it(editor, draft):
    transitions.embargo(draft, soon(hours=5), editor)
    other = make_article(headline="Already live")

    response = run_action(logged_in(editor), "lift_embargo", draft, other)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.embargoed_until is None
    assert history(draft) == ["Embargo lifted early"]
    assert history(other) == []  # not under embargo: left as it was, and named


def test_publish_now_never_lifts_an_embargo(editor, draft):
    release = soon(hours=5)
    transitions.embargo(draft, release, editor)
    client = logged_in(editor)

    response = send(client, draft, _publish_now="Publish now")
    assert response.status_code == 200
    assert any("lift the embargo" in error for error in form_errors(response))
    assert 'name="_publish_now"' not in client.get(change_url(draft)).content.decode()

    run_action(client, "publish_now", draft)
    draft.refresh_from_db()
    assert draft.published_at == release and draft.is_embargoed


def test_publishing_a_draft_that_came_with_an_embargo_waits_for_the_release(editor, draft):
    """Wire copy imported with its embargo, published by the desk: it goes out
    at the release, dated then, however it is published."""
    release = soon(hours=2)
    Article.objects.filter(pk=draft.pk).update(embargoed_until=release)
    draft.refresh_from_db()

    transitions.publish_now(draft, editor)

    draft.refresh_from_db()
    assert draft.published_at == release and not draft.is_published


# Bad input -------------------------------------------------------------------------------


def test_an_embargo_in_the_past_is_refused_and_nothing_is_saved(editor, draft):
    response = send(
        logged_in(editor), draft, headline="Changed too", **embargo_fields(soon(minutes=-5))
    )

    assert response.status_code == 200
    assert "That time has passed: an embargo's release time is still to come." in form_errors(
        response
    )
    stored = Article.objects.get(pk=draft.pk)
    assert (stored.headline, stored.status, stored.embargoed_until, stored.version) == (
        "Ministry figures",
        Article.Status.DRAFT,
        None,
        draft.version,
    )
    with pytest.raises(ValidationError):
        transitions.embargo(draft, timezone.now() - timedelta(seconds=1), editor)


def test_an_embargo_on_a_live_story_is_refused_unpublish_first(editor):
    live = make_article(headline="Out already", authors=[make_author()])

    response = send(logged_in(editor), live, **embargo_fields(soon(hours=3)))

    assert response.status_code == 200
    assert (
        "This story is already public; an embargo cannot take it back — unpublish first."
        in form_errors(response)
    )
    live.refresh_from_db()
    assert live.embargoed_until is None and live.is_published
    with pytest.raises(ValidationError, match="already public; an embargo cannot take it back"):
        transitions.embargo(live, soon(hours=3), editor)


def test_an_embargo_is_refused_when_the_story_misses_the_publish_checklist(editor):
    bare = make_article(status=Article.Status.DRAFT, published_at=None, dek="")

    response = send(logged_in(editor), bare, **embargo_fields(soon(hours=3)))

    assert response.status_code == 200
    assert any("no standfirst" in error for error in form_errors(response))
    bare.refresh_from_db()
    assert bare.embargoed_until is None and bare.status == Article.Status.DRAFT


def test_reporters_neither_set_nor_lift_an_embargo(reporter, editor, draft):
    client = logged_in(reporter)
    form = client.get(change_url(draft)).content.decode()
    assert "embargoed_until_0" not in form  # shown, not editable

    response = send(client, draft, **embargo_fields(soon(hours=3)))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.embargoed_until is None

    with pytest.raises(PermissionDenied):
        transitions.embargo(draft, soon(hours=3), reporter)
    transitions.embargo(draft, soon(hours=3), editor)
    with pytest.raises(PermissionDenied):
        transitions.lift_embargo(draft, reporter)
    run_action(client, "lift_embargo", draft)
    draft.refresh_from_db()
    assert draft.is_embargoed


# What staff and preview links see --------------------------------------------------------


def test_staff_see_the_story_under_a_banner_naming_the_release_in_the_sites_time(editor, draft):
    release = soon(hours=5)
    transitions.embargo(draft, release, editor)

    response = logged_in(editor).get(draft.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    when = formats.date_format(timezone.localtime(release), "H:i T, l j F Y")
    assert f"Embargoed until {when}" in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_only_a_preview_link_made_for_the_embargo_opens_the_story_before_its_release(editor, draft):
    ordinary = preview.preview_url(draft)
    transitions.embargo(draft, soon(hours=5), editor)
    form = logged_in(editor).get(change_url(draft)).content.decode()
    link = re.search(r'id="embargo-preview-link" href="http://testserver([^"]+)"', form)[1]
    reader = Client()

    assert reader.get(ordinary).status_code == 404
    assert reader.get(preview.preview_url(draft)).status_code == 404
    response = reader.get(link)
    assert response.status_code == 200
    assert "Embargoed until" in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert reader.get(link).get("X-Cache") != "hit"  # never kept by the page cache


def test_reporters_get_no_preview_link_that_opens_an_embargo(reporter, editor, draft):
    transitions.embargo(draft, soon(hours=5), editor)

    form = logged_in(reporter).get(change_url(draft)).content.decode()

    assert "embargo-preview-link" not in form
    assert "does not open the story while it is under embargo" in form


# The desk and the article list -----------------------------------------------------------


def test_the_desk_lists_embargoes_ending_in_the_next_48_hours_with_their_release(editor):
    author = make_author()
    due = make_article(headline="Due tomorrow", status=Article.Status.DRAFT, authors=[author])
    later = make_article(headline="Next week", status=Article.Status.DRAFT, authors=[author])
    transitions.embargo(due, soon(hours=20), editor)
    transitions.embargo(later, soon(hours=72), editor)

    response = logged_in(editor).get(ADMIN_INDEX)

    lists = {desk.key: desk for desk in response.context["desk_lists"]}
    assert [row.article for row in lists["embargoes"].rows] == [due]
    assert lists["embargoes"].rows[0].when == due.embargoed_until
    assert "Embargoes ending in the next 48 hours" in response.content.decode()
    assert "scheduled" in lists and due not in [row.article for row in lists["scheduled"].rows]


def test_the_article_list_filters_embargoed_stories_and_says_so_in_its_state_column(editor, draft):
    make_article(headline="Live story")
    transitions.embargo(draft, soon(hours=5), editor)

    response = logged_in(editor).get(CHANGELIST_URL, {"state": "embargoed"})

    assert [article.headline for article in response.context["cl"].result_list] == [
        "Ministry figures"
    ]
    assert "state-badge--embargoed" in response.content.decode()


# Release with no job: pages and edges -----------------------------------------------------


def test_the_next_publication_time_includes_embargo_releases(editor, draft):
    release = soon(hours=2)
    scheduled = make_article(published_at=soon(hours=6))
    transitions.embargo(draft, release, editor)

    assert Article.objects.next_publication_time() == release
    # A draft's embargo makes nothing go live: it is no publication time.
    transitions.unpublish(draft, editor)
    assert Article.objects.next_publication_time() == scheduled.published_at


def test_an_edge_keeps_lists_no_later_than_an_embargo_release(client, editor, draft, settings):
    settings.NEWSROOM_EDGE = {"PURGE_URL": "varnish://127.0.0.1:9", "TOKEN": "", "TTL": ""}
    release = soon(hours=2)
    transitions.embargo(draft, release, editor)

    for url in ("/", draft.section.get_absolute_url(), reverse("articles:feed")):
        response = client.get(url)
        s_maxage = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"])[1])
        assert 7190 <= s_maxage <= 7200, url


def test_the_embargo_boxes_have_names_of_their_own_beside_the_publication_time(editor, draft):
    form = logged_in(editor).get(change_url(draft)).content.decode()

    assert '<label for="id_embargoed_until_0">Release date:</label>' in form
    assert '<label for="id_embargoed_until_1">Release time:</label>' in form
    assert '<label for="id_published_at_0">Date:</label>' in form
