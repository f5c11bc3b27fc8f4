"""Read-replica routing (``DATABASE_REPLICA_URL``, ``newsroom/routers.py``) against
a real second database.

These need two PostgreSQL databases: ``DATABASE_URL``, the primary, and
``DATABASE_REPLICA_URL``, a second database standing in as its replica, with
``--ds=newsroom.settings.test_replica`` (``.ci/run`` runs them so). The
stand-in is no mirror: it holds only what ``replicate()`` copies to it, so a
primary changed after that copy is a replica lagging behind, and a page shows
which of the two it read. The queries each connection gets are counted too.
"""

import io
import socket
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import tasks
from articles.models import Article
from articles.pagecache import stamps
from newsroom import routers
from newsroom.routers import PINNED_UNTIL, ReplicaReadsMiddleware
from tests.factories import ensure_roles, make_article, make_editor, make_staff
from tests.workflow_helpers import change_url, logged_in, submitted_form


def _why_skipped():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return (
            "needs PostgreSQL: a second PostgreSQL database stands in for the read replica "
            "(.ci/run's PostgreSQL pass runs these)"
        )
    if "replica" not in settings.DATABASES:
        return "needs DATABASE_REPLICA_URL and --ds=newsroom.settings.test_replica (see .ci/run)"
    return None


pytestmark = [
    pytest.mark.skipif(_why_skipped() is not None, reason=str(_why_skipped())),
    # Transactions of their own: reads inside a transaction go to the primary,
    # and a plain django_db test runs entirely inside one.
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def replicate():
    """The replica catches up: it gets the primary's stories, sections, people
    and tags as they stand now."""
    dump = io.StringIO()
    call_command("dumpdata", "articles", exclude=["articles.searchdocument"], stdout=dump)
    path = Path(settings.MEDIA_ROOT) / "replicate.json"
    path.write_text(dump.getvalue())
    call_command("loaddata", str(path), database="replica", verbosity=0)


@contextmanager
def queries():
    """The queries each database gets in the block. None is a write to the replica."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield SimpleNamespace(primary=primary, replica=replica)
    writes = [q["sql"] for q in replica if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert not writes


ON_REPLICA = "Headline the replica has"
ON_PRIMARY = "Headline only the primary has"


@pytest.fixture
def lagging_story():
    """A live story whose new headline the replica does not have yet."""
    article = make_article(headline=ON_REPLICA, slug="ferry-strike")
    replicate()
    # No signal, no invalidation: as if the change were older than any page.
    Article.objects.filter(pk=article.pk).update(headline=ON_PRIMARY)
    return article


def story_page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response, response.content.decode()


# -- who reads where --------------------------------------------------------------


def test_an_anonymous_reader_gets_story_pages_from_the_replica(lagging_story):
    with queries() as counted:
        _, page = story_page(Client(), lagging_story)
    assert ON_REPLICA in page
    assert len(counted.replica) > 0
    assert len(counted.primary) == 0


def test_the_admin_reads_the_primary(lagging_story):
    ensure_roles()
    editor = logged_in(make_editor())
    with queries() as counted:
        response = editor.get(change_url(lagging_story))
    assert response.status_code == 200
    assert ON_PRIMARY in response.content.decode()
    assert len(counted.replica) == 0


def test_a_staff_session_reads_public_pages_from_the_primary(lagging_story):
    staff = logged_in(make_staff("desk"))
    with queries() as counted:
        _, page = story_page(staff, lagging_story)
    assert ON_PRIMARY in page
    assert len(counted.replica) == 0


def test_an_editors_save_goes_to_the_primary_and_pins_their_session(lagging_story):
    ensure_roles()
    editor = logged_in(make_editor())
    form = editor.get(change_url(lagging_story))
    with queries() as counted:
        response = editor.post(change_url(lagging_story), submitted_form(form, headline="Saved"))
    assert response.status_code == 302
    # The row lock, the version check and the after-commit hook read the primary.
    assert len(counted.replica) == 0
    assert Article.objects.get(pk=lagging_story.pk).headline == "Saved"
    assert Article.objects.using("replica").get(pk=lagging_story.pk).headline == ON_REPLICA
    assert editor.session[PINNED_UNTIL] > time.time() + routers.pin_seconds() - 5
    with queries() as counted:
        _, page = story_page(editor, lagging_story)
    assert "Saved" in page
    assert len(counted.replica) == 0


def test_work_outside_a_request_reads_the_primary(lagging_story):
    """Task workers, management commands and the after-commit hook they run."""
    with queries() as counted:
        tasks.reindex_stories.call([lagging_story.pk])
        lagging_story.refresh_from_db()
        lagging_story.headline = "Saved by an import"
        lagging_story.save()
    assert len(counted.replica) == 0
    assert len(counted.primary) > 0


# -- read-your-writes ---------------------------------------------------------------


def through_middleware(view, *, method="get", session=None):
    """One request through ReplicaReadsMiddleware, as a reader who is not staff:
    with ``session``, one they already have."""
    request = getattr(RequestFactory(), method)("/news/ferry-strike/")
    request.user = AnonymousUser()
    request.session = SessionStore(session.session_key if session else None)
    if session:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = session.session_key
    ReplicaReadsMiddleware(view)(request)
    if request.session.modified:  # as SessionMiddleware does
        request.session.save()
    return request.session


def headline(article):
    return Article.objects.get(pk=article.pk).headline


def test_after_a_write_the_rest_of_the_request_reads_the_primary(lagging_story):
    seen = []

    def view(request):
        seen.append(headline(lagging_story))
        Article.objects.filter(pk=lagging_story.pk).update(dek="A new standfirst")
        seen.append(headline(lagging_story))
        return HttpResponse()

    through_middleware(view)
    assert seen == [ON_REPLICA, ON_PRIMARY]


def test_reads_inside_a_transaction_go_to_the_primary(lagging_story):
    seen = []

    def view(request):
        seen.append(headline(lagging_story))
        with transaction.atomic():
            seen.append(headline(lagging_story))
        return HttpResponse()

    through_middleware(view)
    assert seen == [ON_REPLICA, ON_PRIMARY]


def test_a_save_in_a_readers_request_reads_the_primary_for_its_checks_and_hooks(lagging_story):
    """The version check, the after-commit hook and the search index it updates."""

    def view(request):
        article = Article.objects.get(pk=lagging_story.pk)  # from the replica
        article.dek = "A new standfirst"
        with queries() as counted:
            article.save()
        assert len(counted.replica) == 0
        return HttpResponse()

    through_middleware(view)
    assert Article.objects.get(pk=lagging_story.pk).dek == "A new standfirst"


def test_a_session_that_wrote_reads_the_primary_until_the_window_ends(lagging_story, monkeypatch):
    session = SessionStore()
    session.create()
    seen = []

    def write(request):
        Article.objects.filter(pk=lagging_story.pk).update(dek="A new standfirst")
        return HttpResponse()

    def read(request):
        seen.append(headline(lagging_story))
        return HttpResponse()

    through_middleware(read, session=session)
    through_middleware(write, method="post", session=session)
    through_middleware(read, session=session)
    later = time.time() + routers.pin_seconds() + 1
    monkeypatch.setattr(routers.time, "time", lambda: later)
    through_middleware(read, session=session)
    assert seen == [ON_REPLICA, ON_PRIMARY, ON_REPLICA]


def test_a_reader_without_a_session_is_not_given_one_for_a_write(lagging_story):
    def write(request):
        Article.objects.filter(pk=lagging_story.pk).update(dek="A new standfirst")
        return HttpResponse()

    session = through_middleware(write)
    assert session.session_key is None
    assert PINNED_UNTIL not in session


def test_posts_read_the_primary(lagging_story):
    seen = []

    def view(request):
        seen.append(headline(lagging_story))
        return HttpResponse()

    through_middleware(view, method="post")
    assert seen == [ON_PRIMARY]


# -- the page cache -----------------------------------------------------------------


def test_list_pages_read_the_replica_but_the_next_publication_from_the_primary(lagging_story):
    scheduled = make_article(published_at=timezone.now() + timedelta(days=2))
    cache.clear()  # the writer's answer is gone: a reader's miss asks again
    response = Client().get("/")
    assert response.status_code == 200
    assert ON_REPLICA in response.content.decode()
    assert cache.get(stamps.NEXT_PUBLICATION_KEY)["at"] == scheduled.published_at


def test_a_page_changed_within_the_window_is_rendered_from_the_primary():
    article = make_article(headline=ON_REPLICA, slug="ferry-strike")
    replicate()
    cache.clear()  # stamps from long ago
    reader = Client()
    assert story_page(reader, article)[0]["X-Cache"] == "miss"
    response, page = story_page(reader, article)
    assert (response["X-Cache"], ON_REPLICA in page) == ("hit", True)

    article.headline = ON_PRIMARY
    article.save()  # the replica lags behind it

    response, page = story_page(reader, article)
    assert (response["X-Cache"], ON_PRIMARY in page) == ("miss", True)
    response, page = story_page(reader, article)
    assert (response["X-Cache"], ON_PRIMARY in page) == ("hit", True)


def test_a_page_rendered_from_a_lagging_replica_is_not_kept_as_fresh():
    article = make_article(headline=ON_REPLICA, slug="ferry-strike")
    replicate()
    article.headline = ON_PRIMARY
    article.save()  # the replica lags behind it, and no page is cached yet
    reader = Client()
    assert ON_REPLICA in story_page(reader, article)[1]  # a reader may see the lag once

    response, page = story_page(reader, article)
    assert (response["X-Cache"], ON_PRIMARY in page) == ("miss", True)
    response, page = story_page(reader, article)
    assert (response["X-Cache"], ON_PRIMARY in page) == ("hit", True)


# -- a replica that does not answer ----------------------------------------------


def stop_answering(monkeypatch):
    """The replica's server stops answering: its address is now a port nothing
    listens on (until the test ends)."""
    replica = connections["replica"]
    replica.close()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setitem(replica.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(replica.settings_dict, "PORT", str(port))


def test_a_replica_that_does_not_answer_costs_readers_a_retry_on_the_primary(
    lagging_story, monkeypatch
):
    stop_answering(monkeypatch)
    _, page = story_page(Client(), lagging_story)
    assert ON_PRIMARY in page


def test_a_replica_that_does_not_answer_leaves_no_reader_with_a_stale_copy(settings, monkeypatch):
    settings.DATABASE_REPLICA_PIN_SECONDS = 0  # no window: changes count as long past
    article = make_article(headline=ON_REPLICA, slug="ferry-strike")
    replicate()
    reader = Client()
    story_page(reader, article)  # kept, and kept as the page's last good copy
    article.headline = ON_PRIMARY
    article.save()
    stop_answering(monkeypatch)
    response, page = story_page(reader, article)
    assert ON_PRIMARY in page
    assert response["X-Cache"] == "miss"
