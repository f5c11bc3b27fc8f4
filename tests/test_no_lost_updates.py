"""No lost updates, and revisions: two people editing one story, and restoring
an earlier version from the history. Every write path goes through the same
version check: the change form (with its inlines), the actions, a restore."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Tag
from articles.publishing import roles as workflow
from articles.publishing import transitions
from tests.factories import (
    ensure_roles,
    make_article,
    make_author,
    make_editor,
    make_reporter,
)
from tests.workflow_helpers import (
    CHANGELIST_URL,
    change_url,
    logged_in,
    run_action,
    submitted_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_editor("alice")


@pytest.fixture
def olga():
    user = make_editor("olga")
    user.first_name, user.last_name = "Olga", "Desk"
    user.save()
    return user


def test_second_of_two_concurrent_saves_is_refused_and_keeps_its_input(alice, olga):
    article = make_article(headline="Original headline", body="<p>First text.</p>")
    alice_client, olga_client = logged_in(alice), logged_in(olga)
    alice_form = alice_client.get(change_url(article))
    olga_form = olga_client.get(change_url(article))

    response = olga_client.post(
        change_url(article), submitted_form(olga_form, headline="Olga's headline")
    )
    assert response.status_code == 302

    response = alice_client.post(
        change_url(article), submitted_form(alice_form, body="<p>Alice's new text.</p>")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    message = " ".join(form.non_field_errors())
    assert "Olga Desk saved this story at" in message
    assert "Fields that differ from the saved story: Headline, Body." in message
    assert form["body"].value() == "<p>Alice's new text.</p>"  # her input is still there
    assert "Alice&#x27;s new text." in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Olga's headline"  # nothing overwritten
    assert article.body == "<p>First text.</p>"


def test_saving_again_after_the_conflict_is_a_deliberate_overwrite(alice, olga):
    article = make_article(headline="Original headline")
    alice_client, olga_client = logged_in(alice), logged_in(olga)
    alice_form = alice_client.get(change_url(article))
    olga_client.post(
        change_url(article),
        submitted_form(olga_client.get(change_url(article)), headline="Olga's"),
    )
    refused = alice_client.post(change_url(article), submitted_form(alice_form, headline="Alice's"))
    assert refused.status_code == 200

    response = alice_client.post(change_url(article), submitted_form(refused))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Alice's"
    # Olga's version is not lost: it is in the history.
    assert "Olga's" in {v.field_dict["headline"] for v in Version.objects.get_for_object(article)}


def test_a_concurrent_change_to_the_inlines_alone_is_refused_too(alice, olga):
    first, second = make_author(name="First"), make_author(name="Second")
    article = make_article(authors=[first, second])
    alice_client, olga_client = logged_in(alice), logged_in(olga)
    alice_form = alice_client.get(change_url(article))
    olga_client.post(
        change_url(article),
        submitted_form(olga_client.get(change_url(article)), headline="Olga's"),
    )

    # Alice only reorders the bylines.
    response = alice_client.post(
        change_url(article),
        submitted_form(alice_form, **{"bylines-0-position": "5", "bylines-1-position": "1"}),
    )

    assert response.status_code == 200
    assert [a.name for a in article.ordered_bylines()] == ["First", "Second"]


def test_a_change_form_post_without_its_version_is_refused(alice):
    article = make_article(headline="Kept")
    data = submitted_form(logged_in(alice).get(change_url(article)), headline="Changed")
    del data["version"]
    response = logged_in(alice).post(change_url(article), data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.headline == "Kept"


def test_a_stale_copy_cannot_be_saved_or_published_from_code(alice):
    article = make_article(authors=[make_author()], status=Article.Status.DRAFT)
    stale = Article.objects.get(pk=article.pk)
    article.headline = "Saved first"
    article.save()

    stale.headline = "Saved second"
    with pytest.raises(workflow.StaleArticle):
        stale.save()
    with pytest.raises(workflow.StaleArticle):
        transitions.publish_now(stale, alice)
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Saved first", Article.Status.DRAFT)


def test_actions_write_through_the_version_check(alice):
    article = make_article(authors=[make_author()], status=Article.Status.DRAFT)
    version = article.version
    run_action(logged_in(alice), "publish_now", article)
    article.refresh_from_db()
    assert article.is_published and article.version == version + 1


def test_every_admin_save_keeps_a_revision_with_bylines_quotes_and_tags(alice):
    article = make_article(authors=[make_author(name="Writer")], tags=["Finland"])
    client = logged_in(alice)
    client.post(change_url(article), submitted_form(client.get(change_url(article))))
    run_action(client, "unpublish", article)

    versions = Version.objects.get_for_object(article)
    # How it stood before the admin first touched it, the save, the action.
    assert versions.count() == 3
    revision = versions[1].revision
    models = {version.content_type.model for version in revision.version_set.all()}
    assert models == {"article", "byline", "taggedarticle"}
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200
    assert "Unpublished" in history.content.decode()
    assert "before its first change in the admin" in history.content.decode()


@pytest.fixture
def story_with_history(alice):
    """A live story saved twice in the admin: first as "First", by Writer, tagged
    Finland; then as "Second", by Other, tagged Sweden."""
    writer, other = make_author(name="Writer"), make_author(name="Other")
    article = make_article(headline="First", authors=[writer], tags=["Finland"])
    Tag.objects.create(name="Sweden")  # editors pick from the tag vocabulary
    client = logged_in(alice)
    client.post(change_url(article), submitted_form(client.get(change_url(article))))
    form = submitted_form(
        client.get(change_url(article)),
        headline="Second",
        tags="Sweden",
        **{"bylines-0-author": str(other.pk)},
    )
    assert client.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Second"
    first_version = Version.objects.get_for_object(article).last()
    return article, reverse("admin:articles_article_revision", args=[article.pk, first_version.pk])


def test_editor_restores_an_earlier_revision_with_its_bylines_and_tags(alice, story_with_history):
    article, revision_url = story_with_history
    client = logged_in(alice)

    page = client.get(revision_url)
    assert page.status_code == 200
    assert page.context["adminform"].form["headline"].value() == "First"
    article.refresh_from_db()
    assert article.headline == "Second"  # looking at a revision changes nothing

    response = client.post(revision_url, submitted_form(page))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "First"
    assert [a.name for a in article.ordered_bylines()] == ["Writer"]
    assert [t.name for t in article.tags.all()] == ["Finland"]
    assert article.is_published
    assert article.shows_updated_time  # readers are told the live text changed


def test_a_restore_is_refused_when_someone_saved_after_it_was_opened(
    alice, olga, story_with_history
):
    article, revision_url = story_with_history
    page = logged_in(alice).get(revision_url)
    olga_client = logged_in(olga)
    olga_client.post(
        change_url(article),
        submitted_form(olga_client.get(change_url(article)), headline="Olga's"),
    )

    response = logged_in(alice).post(revision_url, submitted_form(page))

    assert response.status_code == 200
    assert "Olga Desk saved this story" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Olga's"


def test_a_restore_never_publishes_or_unpublishes(alice):
    article = make_article(
        authors=[make_author()], status=Article.Status.DRAFT, headline="Draft text"
    )
    client = logged_in(alice)
    client.post(change_url(article), submitted_form(client.get(change_url(article))))
    draft_version = Version.objects.get_for_object(article).first()
    run_action(client, "publish_now", article)
    url = reverse("admin:articles_article_revision", args=[article.pk, draft_version.pk])

    response = client.post(url, submitted_form(client.get(url)))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published


def test_a_reporter_cannot_restore_someone_elses_story(story_with_history):
    article, revision_url = story_with_history
    reporter = logged_in(make_reporter())
    reporter.post(revision_url, {"headline": "Hijacked"})
    article.refresh_from_db()
    assert article.headline == "Second"
    assert "Second" not in reporter.get(CHANGELIST_URL).content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transactions admit one writer at a time",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "alice_changes",
    [{}, {"status": Article.Status.DRAFT}, {"_publish_now": "Publish now"}],
    ids=["edit", "unpublish-in-the-same-save", "publish-now-in-the-same-save"],
)
def test_a_save_that_arrives_while_another_is_being_written_waits_and_is_refused(alice_changes):
    """Olga's save has passed its check and is being written when Alice sends
    hers (two requests on two database connections). Alice's check waits for
    Olga's save to end instead of passing and losing the race afterwards, and
    then refuses Alice's save as a form error naming Olga; nothing of Alice's
    is written, her inline change included. A save that also changes the
    status is refused the same way."""
    ensure_roles()  # a transactional test: the role groups may have been flushed
    alice, olga = make_editor("alice"), make_editor("olga")
    olga.first_name, olga.last_name = "Olga", "Desk"
    olga.save()
    article = make_article(
        headline="Original",
        authors=[make_author()],
        published_at=None if "_publish_now" in alice_changes else timezone.now(),
        status=Article.Status.DRAFT if "_publish_now" in alice_changes else "published",
    )
    alice_client, olga_client = logged_in(alice), logged_in(olga)
    alice_form = alice_client.get(change_url(article))
    olga_form = olga_client.get(change_url(article))
    olga_is_writing, olga_may_finish = threading.Event(), threading.Event()

    def hold_olgas_write(sender, instance, **kwargs):
        # Olga's story is past its version check and about to be written.
        if threading.current_thread().name == "olga":
            olga_is_writing.set()
            olga_may_finish.wait(timeout=20)

    responses = {}

    def post(name, client, data):
        try:
            responses[name] = client.post(change_url(article), data)
        finally:
            connection.close()

    olga_thread = threading.Thread(
        target=post,
        name="olga",
        args=("olga", olga_client, submitted_form(olga_form, headline="Olga's")),
    )
    alice_thread = threading.Thread(
        target=post,
        name="alice",
        args=(
            "alice",
            alice_client,
            submitted_form(
                alice_form, headline="Alice's", **{"bylines-0-position": "7"}, **alice_changes
            ),
        ),
    )
    pre_save.connect(hold_olgas_write, sender=Article)
    try:
        olga_thread.start()
        assert olga_is_writing.wait(timeout=20)
        alice_thread.start()
        alice_waited = sessions_waiting_for_a_lock_within(seconds=20)
    finally:
        olga_may_finish.set()
        olga_thread.join(timeout=30)
        alice_thread.join(timeout=30)
        pre_save.disconnect(hold_olgas_write, sender=Article)

    assert alice_waited  # Alice's check could not read the story while Olga wrote it
    assert responses["olga"].status_code == 302
    response = responses["alice"]
    assert response.status_code == 200
    assert "Olga Desk saved this story" in " ".join(
        response.context["adminform"].form.non_field_errors()
    )
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.status) == ("Olga's", article.status)
    assert stored.bylines.get().position == 0  # the inline change was rolled back too


def sessions_waiting_for_a_lock_within(*, seconds):
    """Whether another session of this database waits for a lock (PostgreSQL)
    at some moment in the next ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_story_made_outside_the_admin_can_be_restored_to_how_it_stood(alice):
    article = make_article(headline="As imported")
    client = logged_in(alice)
    client.post(
        change_url(article), submitted_form(client.get(change_url(article)), headline="Edited")
    )
    baseline = Version.objects.get_for_object(article).last()
    url = reverse("admin:articles_article_revision", args=[article.pk, baseline.pk])

    assert client.post(url, submitted_form(client.get(url))).status_code == 302

    article.refresh_from_db()
    assert article.headline == "As imported"


def deleted_story_version(editor_client):
    article = make_article(headline="Deleted story")
    editor_client.post(change_url(article), submitted_form(editor_client.get(change_url(article))))
    editor_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert not Article.objects.exists()
    return Version.objects.get_deleted(Article).first()


def test_only_editors_recover_deleted_stories_and_they_come_back_as_drafts(alice):
    editor_client = logged_in(alice)
    version = deleted_story_version(editor_client)
    recover_url = reverse("admin:articles_article_recover", args=[version.pk])
    reporter = logged_in(make_reporter())

    assert "Recover deleted" not in reporter.get(CHANGELIST_URL).content.decode()
    assert "Recover deleted" in editor_client.get(CHANGELIST_URL).content.decode()
    assert reporter.get(reverse("admin:articles_article_recoverlist")).status_code == 403
    assert reporter.post(recover_url, {}).status_code == 403
    assert not Article.objects.exists()

    page = editor_client.get(recover_url)
    assert editor_client.post(recover_url, submitted_form(page)).status_code == 302
    recovered = Article.objects.get()
    assert recovered.headline == "Deleted story"
    assert recovered.status == Article.Status.DRAFT


def test_a_save_that_fails_leaves_the_copy_saveable():
    article = make_article(slug="taken-elsewhere-not")
    make_article(slug="taken")
    article.slug = "taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()
    article.slug = "free"
    article.save()  # not refused as stale: the failed save changed nothing
    article.refresh_from_db()
    assert article.slug == "free"
