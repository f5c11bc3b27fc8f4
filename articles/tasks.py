"""Work that follows a write and need not hold up the request that made it.

The tasks use Django's tasks API (``django_tasks``, the backport of Django 6's
``django.tasks``). Which backend runs them is a setting, ``TASKS_BACKEND``:

* ``immediate`` (the default; ``make run``, the tests): a task runs as it is
  enqueued, in the process that enqueues it. There is nothing else to start.
* ``database`` (django-tasks-db): tasks wait in a table until
  ``manage.py db_worker`` runs them, on this machine or another.

What runs where is decided in one place, ``articles.changes.apply_changes``,
after each commit:

* **inline**: the page-cache invalidation (``stamps.invalidate``). It is a few
  cache writes, and the editor who saved, like every reader after them, must
  get the new page at once, not when a worker comes round to it.
* **on the queue**: re-indexing stories for search (``reindex_stories``: a few
  queries a story, and an author's or tag's rename re-indexes all of theirs)
  and the renditions of new pictures (``make_renditions``: a second or more of
  Pillow a picture). A page that finds renditions missing asks for them here
  too and meanwhile links only those that exist: a reader never waits for a
  resize.
* **on the queue too**: the edge purge (``purge_edge``) of the same keys as
  the page cache's invalidation, enqueued just after it, so that the retries
  below cover a purge backend that is down; and for a story saved to go live
  later, the same purge again at its ``published_at``
  (``purge_edge.using(run_after=…)``). Run at once (no worker), a purge that
  fails keeps its keys pending in the process for its next purge instead
  (``articles/edge/``), and there is no purge at a later time.

Arguments are plain ids, names and keys: the database backend stores them as
JSON, and a task reads the rows as they are when it runs, not as they were.

A task of this module that raises is tried again after each of
``RETRY_DELAYS`` and then left failed: the admin lists it under *Task results*
with its traceback, and the desk says that tasks are failing. Retrying needs
the queue; a task run at once that fails is logged, and the next save or page
that needs the work asks for it again.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from . import edge, search
from .edge.config import edge_config
from .models import Article
from .pagecache import stamps
from .pagecache.dependencies import object_key
from .pictures import renditions

logger = logging.getLogger(__name__)

# A failed task runs again after each of these, then is left failed: a cache
# or disk that is down for a moment costs a minute, one down for an afternoon
# about two and a half hours of tries.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)

# A picture's missing renditions are asked of the queue once in this time,
# however many readers see its pages before a worker has made them.
ASK_SECONDS = 600
ASKED_PREFIX = "newsroom:renditions-asked:"

# What the desk warns about: tasks that failed for good within a day, and
# tasks left waiting longer than a worker that is running ever leaves them.
FAILED_WITHIN = timedelta(days=1)
WAITING_TOO_LONG = timedelta(minutes=5)


class RenditionsNotWritten(Exception):
    """Some renditions could not be written (a full disk): the task is tried again."""


@task()
def reindex_stories(story_ids):
    """Bring the search index rows of these stories up to date (or remove them)."""
    search.index_articles(story_ids)


@task()
def make_renditions(name, kinds, refresh=(), focus=None):
    """Make the missing renditions of the upload ``name`` in each of ``kinds``
    ("hero", "portrait", a crop around ``focus``: one task for every shape a
    save needs of one picture); then stamp the dependency keys in ``refresh``,
    the pages that show the picture, which were rendered without these
    renditions meanwhile."""
    if not renditions.upload_storage().exists(name):
        return  # replaced or deleted since it was asked for: nothing to make
    focus = tuple(focus) if focus is not None else None  # JSON gives a list
    complete = all([renditions.make_all(name, kind, focus) for kind in kinds])
    stamps.invalidate(refresh)
    if not complete:
        raise RenditionsNotWritten(f"Renditions of {name} not all written (see the log)")
    # Made: should one be lost later, the next page that misses it asks again.
    cache.delete_many([_asked_key(name, kind, focus) for kind in kinds])


@task()
def purge_edge(keys):
    """Purge from the edge the pages that carry these dependency keys
    (``article:12``, ``list:home``: the admin's task results show them so).
    On the queue, a purge the edge refuses or does not answer raises, and is
    tried again after each of ``RETRY_DELAYS``. Run at once, nothing would try
    it again and the save must not hear of it: the keys stay pending in this
    process and go with its next purge."""
    if runs_at_once():
        edge.purge_or_keep(keys)
    else:
        edge.purge(keys)


def request_purge(keys, stories=()):
    """Ask for the edge purge of these dependency keys, once the page cache no
    longer holds them; and, on the queue, again at the time each of ``stories``
    that is scheduled goes live. None of it when no edge is configured."""
    if not keys or not edge_config().purges:
        return
    keys = sorted(keys)
    purge_edge.enqueue(keys)
    if not stories or runs_at_once():
        return
    # Belt and braces: a list's s-maxage already ends at the next scheduled
    # publication (articles/pagecache/surrogates.py), which needs no worker.
    # This purge covers an edge told to keep pages longer than the site says
    # (a CDN's own cache rule), and a list kept from before the story was
    # scheduled whose purge at the save failed.
    times = Article.objects.filter(pk__in=stories).scheduled().values_list("published_at")
    for (published_at,) in times.order_by().distinct():
        purge_edge.using(run_after=published_at).enqueue(keys)


def runs_at_once():
    """Whether a task runs as it is enqueued: no worker is configured."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def request_renditions(field_file, kinds, focus=None):
    """Ask for the renditions of a picture in each of ``kinds``, that a save
    brought or a page found missing. True when they have been made already (no
    worker: the task ran at once), so a page links them; with a worker, False
    at once, and each kind is asked for once per ``ASK_SECONDS``."""
    framing = {"focus": list(focus)} if focus is not None else {}  # JSON: a list
    if runs_at_once():
        make_renditions.enqueue(field_file.name, list(kinds), **framing)
        return True
    new = [k for k in kinds if cache.add(_asked_key(field_file.name, k, focus), True, ASK_SECONDS)]
    if new:
        refresh = [object_key(field_file.instance)]  # the story's, author's or expert's pages
        make_renditions.enqueue(field_file.name, new, refresh=refresh, **framing)
    return False


def picture_for_page(field_file, kind, focus=None):
    """The ``Picture`` a page links: the whole renditions, after asking the
    queue for any that are missing (made at once when no worker runs)."""
    found, complete = renditions.picture(field_file, kind, focus)
    if not complete and request_renditions(field_file, [kind], focus):
        found, _ = renditions.picture(field_file, kind, focus)
    return found


def _asked_key(name, kind, focus=None):
    return f"{ASKED_PREFIX}{renditions.rendition_key(name, kind, focus)}:{kind}"


def _retry_later(sender, task_result, **kwargs):
    """A queued task of this module failed: back to the queue after the next of
    ``RETRY_DELAYS``, or left failed when they have run out.

    The job keeps its one row: django-tasks-db counts each run of it in
    ``attempts``, and the row shows the last error while it waits.
    """
    if task_result.status != TaskResultStatus.FAILED or not issubclass(sender, DatabaseBackend):
        return
    if not task_result.task.module_path.startswith(f"{__name__}."):
        return
    attempt = task_result.attempts
    name = task_result.task.name
    if attempt > len(RETRY_DELAYS):
        logger.error("Task %s %s failed %d times; left failed", name, task_result.id, attempt)
        return
    run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
    # The worker calls this from its error handler: whatever goes wrong here
    # is logged rather than stopping the worker.
    try:
        DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=run_after, finished_at=None
        )
    except Exception:
        logger.exception("Task %s %s not put back on the queue", name, task_result.id)
        return
    logger.warning(
        "Task %s %s failed (attempt %d); again at %s", name, task_result.id, attempt, run_after
    )


def edge_purge_health(now):
    """``(waiting, failed)``: how many edge purges wait for another try after
    the edge refused them or did not answer, and how many failed after every
    try within ``FAILED_WITHIN``. None, and no query, when tasks run at once
    or no edge is configured."""
    if runs_at_once() or not edge_config().purges:
        return 0, 0
    purges = DBTaskResult.objects.filter(
        backend_name=DEFAULT_TASK_BACKEND_ALIAS, task_path=purge_edge.module_path
    )
    waiting = purges.filter(status=TaskResultStatus.READY).exclude(worker_ids=[]).count()
    failed = purges.failed().filter(finished_at__gte=now - FAILED_WITHIN).count()
    return waiting, failed


def queue_health(now):
    """``(failed, waiting)``: how many queued tasks failed for good within
    ``FAILED_WITHIN``, and how many ready ones have waited longer than
    ``WAITING_TOO_LONG`` (no worker is running, or it cannot keep up).
    Two counts; none, and no query, when tasks run at once."""
    if runs_at_once():
        return 0, 0
    results = DBTaskResult.objects.filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
    failed = results.failed().filter(finished_at__gte=now - FAILED_WITHIN).count()
    since = now - WAITING_TOO_LONG
    # Waiting since it was enqueued, or since its retry was due.
    waited = Q(run_after=get_date_max()) | Q(run_after__lte=since)
    waiting = results.ready().filter(waited, enqueued_at__lte=since).count()
    return failed, waiting


def connect():
    """Called once from ``ArticlesConfig.ready``."""
    task_finished.connect(_retry_later, dispatch_uid="newsroom-tasks-retry-later")
