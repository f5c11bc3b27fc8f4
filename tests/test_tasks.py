"""The task queue: what a save puts on it, what a worker does with it, that a
reader never waits for a resize, retries with backoff, and what the admin and
the desk show of it.

With no worker configured (the default, and the rest of the suite) tasks run
as they are enqueued; here the ``queue`` fixture (tests/conftest.py) sets the database backend,
as ``TASKS_BACKEND=database`` does, and ``work_the_queue`` runs what
``manage.py db_worker --batch`` runs, in this process.
"""

import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles import search, tasks
from articles.models import Article
from articles.pictures import renditions
from articles.pictures.renditions import plan_cache_key, rendition_key, rendition_name
from tests.factories import make_article, make_author, make_editor, make_section
from tests.test_admin import article_form_data
from tests.test_images import _jpeg, _picture, _srcset
from tests.workflow_helpers import logged_in

pytestmark = pytest.mark.django_db

HERO_WIDTHS = [240, 480, 800, 1200, 1600]
REINDEX = "articles.tasks.reindex_stories"
RENDITIONS = "articles.tasks.make_renditions"
RESULTS_URL = "admin:django_tasks_database_dbtaskresult_changelist"


def queued(task_path):
    return list(DBTaskResult.objects.filter(task_path=task_path).order_by("enqueued_at"))


def arguments(job):
    return job.args_kwargs["args"], job.args_kwargs["kwargs"]


def hero():
    return SimpleUploadedFile("hero.jpg", _jpeg(1700, 900))


def rendition_files(field_file):
    key = rendition_key(field_file.name)
    return [rendition_name(key, w, ext) for w in HERO_WIDTHS for ext in ("webp", "jpg")]


def linked_widths(html):
    webp, _, _ = _picture(html)
    return [width for _, width in _srcset(webp)]


# --- Which backend ---------------------------------------------------------------


def base_settings():
    """``newsroom/settings/base.py`` as it reads the environment now."""
    return runpy.run_path(str(Path(settings.BASE_DIR) / "newsroom" / "settings" / "base.py"))


def test_tasks_run_at_once_unless_the_database_queue_is_chosen(monkeypatch):
    monkeypatch.delenv("TASKS_BACKEND", raising=False)
    default = base_settings()["TASKS"]["default"]["BACKEND"]
    monkeypatch.setenv("TASKS_BACKEND", "database")
    chosen = base_settings()["TASKS"]["default"]["BACKEND"]

    assert default == "django_tasks.backends.immediate.ImmediateBackend"
    assert chosen == "django_tasks_db.DatabaseBackend"
    assert tasks.runs_at_once()  # the suite's own setting


def test_an_unknown_tasks_backend_is_a_startup_error_not_a_quiet_fallback(monkeypatch):
    monkeypatch.setenv("TASKS_BACKEND", "celery")

    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND='celery'"):
        base_settings()


# --- What a save puts on the queue ----------------------------------------------------


def test_an_admin_save_enqueues_one_reindex_of_the_story_and_the_renditions_of_its_picture(
    queue, work_the_queue, superuser_client
):
    data = article_form_data(
        make_section(),
        authors=[make_author()],
        status=Article.Status.PUBLISHED,
        published_at_0="2026-01-05",
        hero_image=hero(),
        hero_alt="Leaders at the table",
    )
    DBTaskResult.objects.all().delete()  # the set-up's own

    assert superuser_client.post(reverse("admin:articles_article_add"), data).status_code == 302

    article = Article.objects.get()
    [reindex] = queued(REINDEX)
    [make] = queued(RENDITIONS)
    assert arguments(reindex) == ([[article.pk]], {})
    assert arguments(make) == (
        [article.hero_image.name, list(renditions.STORY_KINDS)],
        {"refresh": [f"article:{article.pk}"], "focus": [0.5, 0.5]},
    )
    assert DBTaskResult.objects.count() == 2
    # Nothing has run: the save returned without indexing or resizing.
    assert list(search.search("Summit")) == []
    assert not any(default_storage.exists(name) for name in rendition_files(article.hero_image))

    work_the_queue()

    assert {job.status for job in DBTaskResult.objects.all()} == {TaskResultStatus.SUCCESSFUL}
    assert list(search.search("Summit")) == [article]
    assert all(default_storage.exists(name) for name in rendition_files(article.hero_image))


def test_a_save_that_keeps_its_picture_enqueues_no_renditions(queue, work_the_queue):
    article = make_article(hero_image=hero())
    author = make_author(photo=SimpleUploadedFile("me.jpg", _jpeg(600, 600)))
    assert len(queued(RENDITIONS)) == 2
    work_the_queue()

    article = Article.objects.get(pk=article.pk)
    article.headline = "A new headline"
    article.save()
    author.bio = "Writes about ports."
    author.save()

    assert len(queued(RENDITIONS)) == 2
    assert arguments(queued(REINDEX)[-1]) == ([[article.pk]], {})


# --- Readers never wait for a resize -----------------------------------------------------


@pytest.fixture
def resizes(monkeypatch):
    """Every time renditions are written, and by whom."""
    made = []
    real_make = renditions._make

    def recording_make(*args):
        made.append(args[2].key)
        return real_make(*args)

    monkeypatch.setattr(renditions, "_make", recording_make)
    return made


def test_a_reader_never_waits_for_a_resize_and_sees_the_picture_once_the_worker_made_it(
    queue, work_the_queue, client, resizes
):
    article = make_article(hero_image=hero())  # its renditions are queued, not made

    page = client.get(article.get_absolute_url())

    assert page.status_code == 200
    assert "<picture>" not in page.content.decode()  # nothing whole to link yet
    assert resizes == []
    assert len(queued(RENDITIONS)) == 1  # the save's request; the page's is the same one

    work_the_queue()

    # Every shape the story needs, the story page's own among them, by the worker.
    assert rendition_key(article.hero_image.name) in resizes
    assert len(resizes) == len(renditions.STORY_KINDS)
    # The page rendered without the picture is refreshed: the worker stamped it.
    assert linked_widths(client.get(article.get_absolute_url()).content.decode()) == HERO_WIDTHS


def test_a_page_links_the_renditions_that_exist_and_asks_once_for_the_missing_ones(
    queue, work_the_queue, client, resizes
):
    article = make_article(hero_image=hero())
    work_the_queue()
    lost = rendition_files(article.hero_image)[6:]  # the 1200 and 1600 px files
    for name in lost:
        default_storage.delete(name)
    cache.delete(plan_cache_key(article.hero_image.name, "hero"))  # PLAN_SECONDS have passed
    resizes.clear()

    story = client.get(article.get_absolute_url()).content.decode()
    home = client.get(reverse("articles:home")).content.decode()

    assert linked_widths(story) == [240, 480, 800]
    assert linked_widths(home) == list(renditions.KINDS["wide"].widths)  # the front's crop, whole
    assert resizes == []
    [asked] = [job for job in queued(RENDITIONS) if job.status == TaskResultStatus.READY]
    assert arguments(asked) == (
        [article.hero_image.name, ["hero"]],
        {"refresh": [f"article:{article.pk}"]},
    )

    work_the_queue()

    assert all(default_storage.exists(name) for name in lost)
    assert linked_widths(client.get(article.get_absolute_url()).content.decode()) == HERO_WIDTHS


def test_renditions_of_a_picture_replaced_before_the_worker_came_are_not_made(
    queue, work_the_queue, resizes
):
    article = make_article(hero_image=hero())
    default_storage.delete(article.hero_image.name)  # replaced, and the old upload removed

    work_the_queue()

    assert resizes == []
    assert queued(RENDITIONS)[0].status == TaskResultStatus.SUCCESSFUL


# --- Retries, and failures in the admin and on the desk -------------------------------------


def index_down(monkeypatch, times=None):
    """The search index fails ``times`` times (every time when None)."""
    real_index = search.index_articles
    failures = []

    def index_articles(ids):
        if times is None or len(failures) < times:
            failures.append(ids)
            raise ConnectionError("search index down")
        return real_index(ids)

    monkeypatch.setattr(search, "index_articles", index_articles)


def wait_out_the_delay(job):
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())


def test_a_failing_task_is_retried_with_backoff_then_left_failed_and_shown_in_the_admin(
    work_the_queue, monkeypatch, superuser_client
):
    index_down(monkeypatch)
    make_article(headline="Ferry strike")
    [job] = queued(REINDEX)

    for attempt, delay in enumerate(tasks.RETRY_DELAYS, start=1):
        before = timezone.now()
        work_the_queue()
        job.refresh_from_db()
        assert (job.status, len(job.worker_ids)) == (TaskResultStatus.READY, attempt)
        assert before + delay <= job.run_after <= timezone.now() + delay
        assert "search index down" in job.traceback  # the last error, while it waits

        work_the_queue()  # not due yet
        job.refresh_from_db()
        assert len(job.worker_ids) == attempt
        wait_out_the_delay(job)

    work_the_queue()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert len(job.worker_ids) == len(tasks.RETRY_DELAYS) + 1
    results = superuser_client.get(reverse(RESULTS_URL), {"status__exact": "FAILED"})
    listed = results.content.decode()
    assert results.status_code == 200
    assert "reindex_stories" in listed and "ConnectionError" in listed
    assert f'<td class="field-attempts">{len(tasks.RETRY_DELAYS) + 1}</td>' in listed
    change_url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[job.pk])
    assert "ConnectionError: search index down" in superuser_client.get(change_url).content.decode()


def test_a_task_that_fails_once_succeeds_on_its_retry(work_the_queue, monkeypatch):
    index_down(monkeypatch, times=1)
    article = make_article(headline="Ferry strike")
    [job] = queued(REINDEX)

    work_the_queue()
    wait_out_the_delay(job)
    work_the_queue()

    job.refresh_from_db()
    assert (job.status, len(job.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 2)
    assert job.traceback == ""
    assert list(search.search("Ferry")) == [article]


def test_renditions_that_could_not_be_written_are_retried(work_the_queue, monkeypatch):
    from articles.pictures import storage

    real_save = storage.AtomicFileSystemStorage._save

    def full_disk(self, name, content):
        if name.startswith("renditions/"):
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    article = make_article(hero_image=hero())
    monkeypatch.setattr(storage.AtomicFileSystemStorage, "_save", full_disk)
    work_the_queue()
    [job] = queued(RENDITIONS)
    job.refresh_from_db()
    assert (job.status, len(job.worker_ids)) == (TaskResultStatus.READY, 1)
    assert "RenditionsNotWritten" in job.exception_class_path

    monkeypatch.setattr(storage.AtomicFileSystemStorage, "_save", real_save)  # space again
    wait_out_the_delay(job)
    work_the_queue()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert all(default_storage.exists(name) for name in rendition_files(article.hero_image))


def test_the_desk_says_when_tasks_failed_or_wait_too_long_for_a_worker(queue, superuser_client):
    failed = tasks.reindex_stories.enqueue([1]).db_result
    DBTaskResult.objects.filter(pk=failed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )
    waiting = tasks.reindex_stories.enqueue([2]).db_result
    long_ago = timezone.now() - tasks.WAITING_TOO_LONG - timedelta(seconds=1)
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=long_ago)
    tasks.reindex_stories.enqueue([3])  # enqueued a moment ago: no cause for alarm

    desk = superuser_client.get(reverse("admin:index")).content.decode()
    editors_desk = logged_in(make_editor()).get(reverse("admin:index")).content.decode()

    results = reverse(RESULTS_URL)
    assert f'<a href="{results}?status__exact=FAILED">1 task failed in the last day' in desk
    assert f'<a href="{results}?status__exact=READY">1 task waiting more than 5 minutes' in desk
    assert 'id="desk-queue"' not in editors_desk  # the task results are not theirs to see


def test_with_tasks_run_at_once_the_desk_asks_nothing_of_the_queue(
    superuser_client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert tasks.queue_health(timezone.now()) == (0, 0)
    assert 'id="desk-queue"' not in superuser_client.get(reverse("admin:index")).content.decode()


# --- The real worker command --------------------------------------------------------------


def test_manage_py_db_worker_runs_what_a_save_queued(tmp_path):
    """Three processes, as in production: one saves, ``db_worker`` works, one reads."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DATABASE_REPLICA_URL": "",
        "CACHE_URL": "locmem://",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "database",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def run(*args):
        done = subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    save = """
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult
from articles.models import Article, Section
from tests.test_images import _jpeg
from django.utils import timezone
story = Article.objects.create(
    headline="Harbour strike ends", slug="harbour-strike-ends", dek="Crews return.",
    body="<p>Over.</p>", status="published", published_at=timezone.now(),
    section=Section.objects.create(name="News", slug="news"),
)
story.hero_image.save("hero.jpg", ContentFile(_jpeg(900, 600)))
print(sorted(job.task_path.rsplit(".", 1)[1] for job in DBTaskResult.objects.all()))
"""
    read = """
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult
from articles.models import Article
from articles.search import search
from articles.pictures.renditions import rendition_key, rendition_name
story = Article.objects.get()
key = rendition_key(story.hero_image.name)
print([s.slug for s in search("harbour")], default_storage.exists(rendition_name(key, 800, "webp")))
print(sorted(set(DBTaskResult.objects.values_list("status", flat=True))))
"""
    run("migrate", "--verbosity", "0")
    queued_by_save = run("shell", "--no-imports", "-c", save).strip().splitlines()[-1]
    run("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")
    found, statuses = run("shell", "--no-imports", "-c", read).strip().splitlines()[-2:]

    # The create and the picture's save are two commits: two re-indexes.
    assert queued_by_save == "['make_renditions', 'reindex_stories', 'reindex_stories']"
    assert found == "['harbour-strike-ends'] True"
    assert statuses == "['SUCCESSFUL']"
