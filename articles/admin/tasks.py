"""Task results: django-tasks-db's read-only admin, with how often each task
ran and its last error. A task waiting to be tried again is *Ready* with more
than one attempt; one that has run out of tries is *Failed*
(``articles/tasks.py``). The arguments column reads as the task was asked:
an edge purge lists the pages' dependency keys (``article:12, list:home``)."""

from django.contrib import admin
from django.utils.text import Truncator
from django_tasks_db import admin as tasks_db_admin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(tasks_db_admin.DBTaskResultAdmin):
    list_display = (
        "task_name",
        "arguments",
        "status",
        "attempts",
        "last_error",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )
    list_filter = ("status", "task_path", "queue_name")

    @admin.display(description="arguments")
    def arguments(self, obj):
        shown = [_plain(value) for value in obj.args_kwargs.get("args", [])]
        shown += [
            f"{name}={_plain(value)}" for name, value in obj.args_kwargs.get("kwargs", {}).items()
        ]
        return Truncator("; ".join(shown)).chars(120) or self.get_empty_value_display()

    @admin.display(description="attempts")
    def attempts(self, obj):
        return len(obj.worker_ids)

    @admin.display(description="last error")
    def last_error(self, obj):
        return obj.exception_class_path.rpartition(".")[2] or self.get_empty_value_display()


def _plain(value):
    """A JSON argument as a person reads it: a list without brackets or quotes."""
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)
