"""The editorial workflow: roles, the status flow, scheduling and preview.

The role × action grid is tested through the admin with logged-in users and
through the public pages, as people use them.
"""

import time
from datetime import timedelta

import pytest
import reversion
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Byline
from articles.publishing import preview, transitions
from articles.publishing import roles as workflow
from tests.factories import (
    make_article,
    make_author,
    make_editor,
    make_reporter,
    make_section,
)
from tests.workflow_helpers import (
    ADD_URL,
    CHANGELIST_URL,
    change_url,
    delete_url,
    form_data,
    local_fields,
    logged_in,
    new_story_data,
    run_action,
    submitted_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter():
    return make_reporter("rita", "Rita Reporter")


@pytest.fixture
def editor():
    return make_editor("eddie")


@pytest.fixture
def own_draft(reporter):
    return make_article(
        authors=[reporter.author], status=Article.Status.DRAFT, headline="Ritas draft"
    )


@pytest.fixture
def others_draft():
    return make_article(authors=[make_author()], status=Article.Status.DRAFT)


# Roles


def test_roles_are_created_by_the_migration_with_their_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert {"add_article", "change_article", "add_byline"} <= codenames("Reporter")
    assert "publish_article" not in codenames("Reporter")
    assert {"publish_article", "change_article", "add_correction"} <= codenames("Editor")
    assert codenames("Tag manager") == {
        "add_tag",
        "change_tag",
        "delete_tag",
        "view_tag",
        "view_tagmerge",  # the merge log and old tag addresses: 0009_tag_manager_group
        "view_tagredirect",
    }


# Reporter


def test_reporter_adds_a_draft_and_gets_the_byline_automatically(reporter):
    response = logged_in(reporter).post(ADD_URL, new_story_data(make_section()))

    assert response.status_code == 302
    article = Article.objects.get(slug="ferry-strike-ends")
    assert article.status == Article.Status.DRAFT
    assert article.ordered_bylines() == [reporter.author]


def test_reporter_cannot_create_a_published_story(reporter):
    data = new_story_data(make_section(), status=Article.Status.PUBLISHED)
    response = logged_in(reporter).post(ADD_URL, data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_reporter_changes_their_own_draft_and_submits_it_for_review(reporter, own_draft):
    data = form_data(own_draft, headline="Sharper", status=Article.Status.IN_REVIEW)
    response = logged_in(reporter).post(change_url(own_draft), data)

    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert (own_draft.headline, own_draft.status) == ("Sharper", Article.Status.IN_REVIEW)


def test_reporter_submits_for_review_with_the_list_action(reporter, own_draft):
    run_action(logged_in(reporter), "submit_for_review", own_draft)
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.IN_REVIEW


def test_reporter_neither_sees_nor_changes_someone_elses_story(reporter, own_draft, others_draft):
    client = logged_in(reporter)

    listing = client.get(CHANGELIST_URL).content.decode()
    assert own_draft.headline in listing and others_draft.headline not in listing
    assert client.get(change_url(others_draft)).status_code == 302  # "does not exist"
    response = client.post(change_url(others_draft), form_data(others_draft, headline="Hijacked"))
    others_draft.refresh_from_db()
    assert others_draft.headline != "Hijacked"
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["publish_now", "unpublish"])
def test_reporter_cannot_publish_or_unpublish_with_actions(reporter, action):
    story = make_article(authors=[reporter.author], status=Article.Status.DRAFT)
    live = make_article(authors=[reporter.author])
    run_action(logged_in(reporter), action, story, live)
    story.refresh_from_db(), live.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert live.is_published


PUBLISHING_ACTIONS = {"publish_now", "unpublish"}  # "publish" permission, editors only


def _offered_actions(client):
    response = client.get(CHANGELIST_URL)
    assert response.status_code == 200
    return {name for name, _ in response.context["action_form"].fields["action"].choices}


def test_reporter_is_offered_neither_the_publish_now_button_nor_the_publishing_actions(
    reporter, own_draft
):
    client = logged_in(reporter)

    form = client.get(change_url(own_draft))
    assert form.status_code == 200
    assert 'name="_publish_now"' not in form.content.decode()
    assert client.get(ADD_URL).content.decode().count('name="_publish_now"') == 0
    offered = _offered_actions(client)
    assert "submit_for_review" in offered and not offered & PUBLISHING_ACTIONS


def test_editor_is_offered_the_publish_now_button_and_the_publishing_actions(editor, others_draft):
    client = logged_in(editor)

    assert 'name="_publish_now"' in client.get(change_url(others_draft)).content.decode()
    assert _offered_actions(client) >= PUBLISHING_ACTIONS


def test_reporter_posting_published_status_on_own_draft_is_refused(reporter, own_draft):
    response = logged_in(reporter).post(
        change_url(own_draft), form_data(own_draft, status=Article.Status.PUBLISHED)
    )
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT


def test_reporter_edits_own_live_story_but_its_status_and_time_are_read_only(reporter):
    live = make_article(authors=[reporter.author])
    published_at = live.published_at
    data = form_data(live, dek="Fixed a typo", status=Article.Status.DRAFT)
    data["published_at_0"] = "2030-01-01"
    response = logged_in(reporter).post(change_url(live), data)

    assert response.status_code == 302
    live.refresh_from_db()
    assert live.dek == "Fixed a typo"
    assert live.is_published and live.published_at == published_at


def test_reporter_cannot_schedule(reporter, own_draft):
    assert not workflow.can_publish(reporter, own_draft)
    with pytest.raises(PermissionDenied):
        transitions.schedule(own_draft, timezone.now() + timedelta(days=1), by=reporter)
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT


def test_reporter_deletes_own_draft_but_not_own_published_story(reporter, own_draft):
    live = make_article(authors=[reporter.author])
    client = logged_in(reporter)

    assert client.post(delete_url(live), {"post": "yes"}).status_code == 403
    assert client.post(delete_url(own_draft), {"post": "yes"}).status_code == 302
    assert list(Article.objects.all()) == [live]
    response = run_action(client, "delete_selected", live)
    assert Article.objects.filter(pk=live.pk).exists()
    assert response.status_code in (200, 302)


# Editor


def test_editor_changes_anyones_story(editor, others_draft):
    response = logged_in(editor).post(
        change_url(others_draft), form_data(others_draft, headline="Edited by the desk")
    )
    assert response.status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.headline == "Edited by the desk"


def test_editor_publishes_without_a_time_means_publish_now(editor, others_draft, client):
    data = form_data(
        others_draft, status=Article.Status.PUBLISHED, published_at_0="", published_at_1=""
    )
    response = logged_in(editor).post(change_url(others_draft), data)

    assert response.status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.is_published
    assert timezone.now() - others_draft.published_at < timedelta(minutes=1)
    assert client.get(others_draft.get_absolute_url()).status_code == 200


def test_editor_publishes_with_the_publish_now_button(editor, others_draft):
    data = form_data(others_draft, _publish_now="Publish now")
    assert logged_in(editor).post(change_url(others_draft), data).status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.is_published


def test_editor_schedules_and_the_story_goes_live_at_its_minute(editor, others_draft, client):
    when = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    data = form_data(
        others_draft,
        status=Article.Status.PUBLISHED,
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M:%S"),
    )
    assert logged_in(editor).post(change_url(others_draft), data).status_code == 302

    others_draft.refresh_from_db()
    assert others_draft.is_scheduled and others_draft.published_at == when
    assert client.get(others_draft.get_absolute_url()).status_code == 404
    assert "Goes live" in logged_in(editor).get(CHANGELIST_URL).content.decode()
    Article.objects.filter(pk=others_draft.pk).update(published_at=timezone.now())
    assert client.get(others_draft.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("new_time", ["", "past"], ids=["time-cleared", "time-moved-into-the-past"])
def test_changing_a_scheduled_time_never_publishes_by_accident(editor, new_time):
    when = timezone.now() + timedelta(days=1)
    scheduled = make_article(published_at=when)
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    data = form_data(
        scheduled,
        published_at_0=past.strftime("%Y-%m-%d") if new_time else "",
        published_at_1=past.strftime("%H:%M:%S") if new_time else "",
    )
    response = logged_in(editor).post(change_url(scheduled), data)

    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    scheduled.refresh_from_db()
    assert scheduled.is_scheduled and scheduled.published_at == when


def test_editor_unpublishes_with_the_form_and_with_the_action(editor, client):
    first, second = make_article(), make_article()
    assert (
        logged_in(editor)
        .post(change_url(first), form_data(first, status=Article.Status.DRAFT))
        .status_code
        == 302
    )
    run_action(logged_in(editor), "unpublish", second)

    for story in (first, second):
        story.refresh_from_db()
        assert story.status == Article.Status.DRAFT
        assert client.get(story.get_absolute_url()).status_code == 404


def test_editor_publishes_now_and_sends_back_to_draft_with_actions(editor):
    draft = make_article(authors=[make_author()], status=Article.Status.DRAFT)
    in_review = make_article(status=Article.Status.IN_REVIEW)
    live = make_article(published_at=timezone.now() - timedelta(days=3))
    client = logged_in(editor)

    run_action(client, "publish_now", draft, live)
    run_action(client, "send_back_to_draft", in_review)

    draft.refresh_from_db(), live.refresh_from_db(), in_review.refresh_from_db()
    assert draft.is_published
    assert timezone.now() - live.published_at > timedelta(days=2)  # already live: untouched
    assert in_review.status == Article.Status.DRAFT


def test_editor_deletes_a_published_story(editor):
    live = make_article()
    assert logged_in(editor).post(delete_url(live), {"post": "yes"}).status_code == 302
    assert not Article.objects.exists()


def test_changelist_shows_where_each_story_stands(editor):
    make_article(headline="Live one")
    make_article(headline="Later one", published_at=timezone.now() + timedelta(days=1))
    make_article(headline="Review one", status=Article.Status.IN_REVIEW)
    html = logged_in(editor).get(CHANGELIST_URL).content.decode()
    for label in ("Live", "Scheduled", "Goes live", "In review"):
        assert label in html
    response = logged_in(editor).get(CHANGELIST_URL, {"state": "scheduled"})
    assert [a.headline for a in response.context["cl"].result_list] == ["Later one"]


def test_model_methods_refuse_people_without_the_role(reporter, own_draft):
    with pytest.raises(PermissionDenied):
        transitions.publish_now(own_draft, by=reporter)
    live = make_article(authors=[reporter.author])
    with pytest.raises(PermissionDenied):
        transitions.unpublish(live, by=reporter)


# Anonymous


def test_anonymous_gets_the_admin_login_not_the_story(own_draft, client):
    response = client.get(change_url(own_draft))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(ADD_URL, new_story_data(make_section()))
    assert response.status_code == 302 and Article.objects.count() == 1


# Preview at the public address


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in-review", "scheduled"],
)
def test_preview_grid_at_the_public_address(reporter, editor, client, fields):
    mine = make_article(authors=[reporter.author], headline="Mine", **fields)
    theirs = make_article(authors=[make_author()], headline="Theirs", **fields)

    assert client.get(mine.get_absolute_url()).status_code == 404  # anonymous
    for user, story, visible in [
        (reporter, mine, True),
        (reporter, theirs, False),
        (editor, mine, True),
        (editor, theirs, True),
    ]:
        response = logged_in(user).get(story.get_absolute_url())
        assert response.status_code == (200 if visible else 404), (user, story)
        if visible:
            assert "Not public" in response.content.decode()
            assert "no-cache" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]
            assert "noindex" in response["X-Robots-Tag"]


def test_live_story_has_no_preview_banner_for_staff(editor):
    live = make_article()
    response = logged_in(editor).get(live.get_absolute_url())
    assert "Not public" not in response.content.decode()
    assert "X-Robots-Tag" not in response


def test_scheduled_preview_banner_says_when_it_goes_live(editor):
    when = timezone.localtime(timezone.now() + timedelta(days=1))
    story = make_article(published_at=when)
    html = logged_in(editor).get(story.get_absolute_url()).content.decode()
    assert f"scheduled to go live at {when:%H:%M}" in html


def test_byline_is_what_gives_a_reporter_the_story(reporter, others_draft):
    assert not workflow.can_change(reporter, others_draft)
    Byline.objects.create(article=others_draft, author=reporter.author)
    assert workflow.can_change(reporter, others_draft)
    assert logged_in(reporter).get(others_draft.get_absolute_url()).status_code == 200


REMOVING_OWN_BYLINE = {
    "deleting the row": lambda colleague: {"bylines-0-DELETE": "on"},
    "naming a colleague instead": lambda colleague: {"bylines-0-author": str(colleague.pk)},
    "deleting it and submitting for review": lambda colleague: {
        "bylines-0-DELETE": "on",
        "status": Article.Status.IN_REVIEW,
    },
}


@pytest.mark.parametrize("how", REMOVING_OWN_BYLINE)
def test_a_reporter_cannot_remove_their_own_byline_and_lose_the_story(reporter, own_draft, how):
    colleague = make_author(name="Colin Colleague")
    client = logged_in(reporter)
    data = submitted_form(
        client.get(change_url(own_draft)),
        headline="Typed with it",
        **REMOVING_OWN_BYLINE[how](colleague),
    )

    response = client.post(change_url(own_draft), data)

    assert response.status_code == 200
    assert "You can’t remove your own byline" in response.content.decode()
    assert "Typed with it" in response.content.decode()
    stored = Article.objects.get(pk=own_draft.pk)
    assert (stored.headline, stored.status) == (own_draft.headline, own_draft.status)
    assert stored.ordered_bylines() == [reporter.author]
    assert client.get(change_url(own_draft)).status_code == 200


def test_a_reporter_may_add_a_colleague_and_an_editor_may_take_the_reporter_off(
    reporter, editor, own_draft
):
    colleague = make_author(name="Colin Colleague")
    client = logged_in(reporter)
    data = submitted_form(client.get(change_url(own_draft)))
    data.update(
        {
            "bylines-TOTAL_FORMS": "2",
            "bylines-1-author": str(colleague.pk),
            "bylines-1-position": "1",
        }
    )
    assert client.post(change_url(own_draft), data).status_code == 302
    assert own_draft.ordered_bylines() == [reporter.author, colleague]

    desk = logged_in(editor)
    data = submitted_form(desk.get(change_url(own_draft)), **{"bylines-0-DELETE": "on"})
    assert desk.post(change_url(own_draft), data).status_code == 302
    assert own_draft.ordered_bylines() == [colleague]
    assert client.get(change_url(own_draft)).status_code == 302  # handed over by the desk


# Share links for people without an account


def preview_link_from_the_change_form(user, article, **request):
    form = logged_in(user).get(change_url(article), **request).content.decode()
    start = form.index('<a id="share-preview-link" href="') + len(
        '<a id="share-preview-link" href="'
    )
    link = form[start : form.index('"', start)]
    assert f">{link}</a>" in form  # the address shown to copy is the one linked
    return link


def test_share_link_from_the_change_form_opens_the_draft_for_anyone(editor, others_draft, client):
    link = preview_link_from_the_change_form(editor, others_draft)

    response = client.get(link)

    assert response.status_code == 200
    assert others_draft.headline in response.content.decode()
    assert "Not public" in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_the_share_link_is_a_full_address_an_editor_can_copy_and_send(
    editor, others_draft, client, settings
):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    link = preview_link_from_the_change_form(
        editor, others_draft, HTTP_HOST="news.example.org", secure=True
    )

    assert link.startswith("https://news.example.org/preview/")
    assert client.get(link, HTTP_HOST="news.example.org", secure=True).status_code == 200


def test_a_live_story_offers_no_share_link(editor):
    html = logged_in(editor).get(change_url(make_article())).content.decode()
    assert "share-preview-link" not in html and "/preview/" not in html


def test_a_reporter_gets_a_share_link_for_their_own_draft(reporter, own_draft, client):
    link = preview_link_from_the_change_form(reporter, own_draft)
    assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "999999" + token[token.index(":") :],  # another article
        lambda token: token.split(":")[0],  # no signature at all
    ],
    ids=["signature", "article", "unsigned"],
)
def test_a_tampered_share_link_is_404(others_draft, client, tamper):
    token = preview.preview_token(others_draft)
    assert client.get(reverse("articles:preview", args=[token])).status_code == 200
    assert client.get(reverse("articles:preview", args=[tamper(token)])).status_code == 404


def test_an_expired_share_link_is_404(others_draft, client, monkeypatch):
    issued = time.time() - preview.PREVIEW_LINK_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: issued)
    link = preview.preview_url(others_draft)
    monkeypatch.undo()
    assert client.get(link).status_code == 404


def test_a_share_link_to_a_story_now_live_goes_to_its_address(others_draft, client, editor):
    link = preview.preview_url(others_draft)
    transitions.publish_now(others_draft, by=editor)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == others_draft.get_absolute_url()


def test_editor_takes_a_live_story_back_into_review(editor, client):
    live = make_article()
    data = form_data(live, status=Article.Status.IN_REVIEW)
    assert logged_in(editor).post(change_url(live), data).status_code == 302
    live.refresh_from_db()
    assert live.status == Article.Status.IN_REVIEW
    assert client.get(live.get_absolute_url()).status_code == 404


def test_saving_a_live_story_keeps_its_time_to_the_microsecond(editor):
    live = make_article(published_at=timezone.now().replace(microsecond=123456))
    response = logged_in(editor).post(change_url(live), form_data(live, dek="New standfirst"))
    assert response.status_code == 302
    published_at = live.published_at
    live.refresh_from_db()
    assert live.published_at == published_at  # a plain save, not a re-publication


def test_preview_of_a_draft_without_a_time_shows_no_empty_date(editor):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    html = logged_in(editor).get(draft.get_absolute_url()).content.decode()
    assert "Not public: draft." in html
    assert '<time datetime="">' not in html


# One form save is one save of the story

STATUS_CHANGES = {
    "reporter submits for review": ("reporter", "draft", {"status": Article.Status.IN_REVIEW}),
    "editor publishes": ("editor", "draft", {"status": Article.Status.PUBLISHED}),
    "editor publishes now": ("editor", "draft", {"_publish_now": "Publish now"}),
    "editor schedules": ("editor", "draft", "schedule"),
    "editor unpublishes": ("editor", "live", {"status": Article.Status.DRAFT}),
    "editor sends back to draft": ("editor", "review", {"status": Article.Status.DRAFT}),
    "editor edits without a status change": ("editor", "live", {"headline": "Typo fixed"}),
}


@pytest.mark.parametrize("who, start, changes", STATUS_CHANGES.values(), ids=STATUS_CHANGES)
def test_a_status_change_from_the_form_is_one_save_and_one_revision(
    reporter, editor, who, start, changes
):

    story = make_article(
        authors=[reporter.author],
        status={"live": Article.Status.PUBLISHED, "review": Article.Status.IN_REVIEW}.get(
            start, Article.Status.DRAFT
        ),
        published_at=timezone.now() - timedelta(hours=1) if start == "live" else None,
    )
    if changes == "schedule":
        changes = {
            "status": Article.Status.PUBLISHED,
            **local_fields(timezone.now() + timedelta(hours=2)),
        }
    client = logged_in(reporter if who == "reporter" else editor)
    with reversion.create_revision():  # as if saved in the admin before
        reversion.add_to_revision(story)
    revisions_before = Version.objects.get_for_object(story).count()
    saves = []

    def count(sender, instance, **kwargs):
        saves.append(instance.pk)

    post_save.connect(count, sender=Article)
    try:
        response = client.post(change_url(story), form_data(story, **changes))
    finally:
        post_save.disconnect(count, sender=Article)

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Article.objects.get(pk=story.pk)
    assert stored.status != story.status or stored.headline == "Typo fixed"
    assert saves == [story.pk]
    assert stored.version == story.version + 1
    assert Version.objects.get_for_object(story).count() == revisions_before + 1
