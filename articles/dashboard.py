"""The editors' desk: what the admin's front page shows each member of staff.

Reporters see their own work (the stories with their byline); editors see the
whole desk's, and what waits for their review. Each list is one query for the
stories plus one for their bylines, however long it is. Staff who may see the
task queue's results are told when tasks fail or wait too long for a worker;
all staff, above the desk, when edge purges wait for another try or failed.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from . import tasks
from .models import Article
from .publishing import roles as workflow

ROWS = 10  # each list shows this many, then links to the full list
CORRECTED_WITHIN = timedelta(days=7)


@dataclass
class DeskRow:
    article: Article
    when: object  # the time this list is about: goes live, published, corrected…

    @property
    def change_url(self):
        return reverse("admin:articles_article_change", args=[self.article.pk])


@dataclass
class DeskList:
    key: str
    title: str
    when_label: str
    empty: str
    rows: list[DeskRow] = field(default_factory=list)
    more_url: str = ""  # the article list with the same filter, when there are more rows


@dataclass
class QueueWarning:
    text: str
    url: str  # the task results it is about


def queue_warnings(user, now=None):
    """What the desk says about the task queue: tasks that failed after every
    try, and tasks waiting for a worker that is not running or cannot keep up.
    Only to staff who may see the task results, and only when there is a queue."""
    if not user.has_perm("django_tasks_database.view_dbtaskresult"):
        return []
    failed, waiting = tasks.queue_health(now or timezone.now())
    results = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    warnings = []
    if failed:
        warnings.append(
            QueueWarning(
                f"{failed} task{pluralize(failed)} failed in the last day after every "
                "retry: search, pictures or the edge cache may be behind.",
                f"{results}?status__exact=FAILED",
            )
        )
    if waiting:
        minutes = int(tasks.WAITING_TOO_LONG.total_seconds() // 60)
        warnings.append(
            QueueWarning(
                f"{waiting} task{pluralize(waiting)} waiting more than {minutes} minutes "
                "for a worker: is manage.py db_worker running?",
                f"{results}?status__exact=READY",
            )
        )
    return warnings


def edge_purge_warning(user, now=None):
    """The desk's health line about edge purges the worker has not got through
    (``tasks.edge_purge_health``), linked to their task results for staff who
    may see them; None while every purge went through."""
    waiting, failed = tasks.edge_purge_health(now or timezone.now())
    if not waiting and not failed:
        return None
    counts = []
    if waiting:
        counts.append(f"{waiting} pending")
    if failed:
        counts.append(f"{failed} failed after every try in the last day")
    total = waiting + failed
    text = (
        f"Edge purges: {', '.join(counts)}. The edge cache did not take "
        f"{'them' if total > 1 else 'it'}, so readers may get pages from before "
        f"{'these changes' if total > 1 else 'this change'}"
        f"{'; the worker tries again' if waiting else ''}. Tell whoever runs the "
        "servers if it lasts."
    )
    url = ""
    if user.has_perm("django_tasks_database.view_dbtaskresult"):
        results = reverse("admin:django_tasks_database_dbtaskresult_changelist")
        url = f"{results}?task_path__exact={tasks.purge_edge.module_path}"
    return QueueWarning(text, url)


def _rows(queryset, when):
    articles = list(queryset.for_listing().with_last_editor()[: ROWS + 1])
    return [DeskRow(article, when(article)) for article in articles[:ROWS]], len(articles) > ROWS


def desk_lists(user):
    """The dashboard's lists for ``user``, in the order the desk reads them."""
    editor = workflow.is_editor(user)
    stories = Article.objects.all() if editor else Article.objects.written_by(user)
    changelist = reverse("admin:articles_article_changelist")
    lists = []

    def add(key, title, when_label, empty, queryset, when, filter_query):
        rows, more = _rows(queryset, when)
        lists.append(
            DeskList(
                key,
                title,
                when_label,
                empty,
                rows,
                more_url=f"{changelist}?{filter_query}" if more else "",
            )
        )

    add(
        "drafts",
        "Drafts on the desk" if editor else "My drafts",
        "Started",  # the last change has its own column
        "No drafts." if editor else "No drafts with your byline.",
        stories.drafts().order_by("-updated_at", "-pk"),
        lambda a: a.created_at,
        "state=draft",
    )
    if editor:
        add(
            "review",
            "Waiting for review",
            "Waiting since",
            "Nothing is waiting for review.",
            stories.in_review().order_by("updated_at", "pk"),  # the longest wait first
            lambda a: a.updated_at,
            "state=review",
        )
    add(
        "scheduled",
        "Scheduled",
        "Goes live",
        "Nothing is scheduled.",
        stories.scheduled().order_by("published_at", "pk"),  # the soonest first
        lambda a: a.published_at,
        "state=scheduled",
    )
    add(
        "today",
        "Published today",
        "Published",
        "Nothing published yet today.",
        stories.published_today().order_by("-published_at", "-pk"),
        lambda a: a.published_at,
        "state=live",
    )
    add(
        "corrected",
        "Recently corrected",
        "Corrected",
        f"No corrections in the last {CORRECTED_WITHIN.days} days.",
        stories.corrected_since(timezone.now() - CORRECTED_WITHIN),
        lambda a: a.last_corrected_at,
        "state=live",
    )
    return lists
