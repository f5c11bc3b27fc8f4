"""The desk's health line about edge purges, in a real browser: a purge the
edge refused waits on the queue, the line says so above the desk and links to
the job in the task results. Screenshots at 1280 and 390 px wide go to
test-artifacts/desk-edge-purges-*.png for people to look at."""

import re

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles import tasks
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import make_article, make_staff
from tests.test_outages import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_desk_shows_edge_purges_pending_and_failed_and_links_to_the_jobs(
    page, live_server, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSROOM_EDGE = {"PURGE_URL": f"varnish://127.0.0.1:{free_port()}"}
    story = make_article(headline="Ferry strike called off")
    pending = DBTaskResult.objects.filter(task_path=tasks.purge_edge.module_path).update(
        worker_ids=["a-worker"]  # the story's and its section's: tried once, refused
    )
    failed = tasks.purge_edge.enqueue([f"article:{story.pk}"]).db_result
    DBTaskResult.objects.filter(pk=failed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), worker_ids=["a"] * 5
    )
    make_staff("chief", superuser=True)

    admin_login(page, live_server, "chief")
    line = page.locator("#desk-edge-purges")
    assert line.inner_text().startswith(
        f"Edge purges: {pending} pending, 1 failed after every try in the last day."
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk-edge-purges-1280.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert line.is_visible()
    page.screenshot(path=str(ARTIFACTS / "desk-edge-purges-390.png"))

    page.set_viewport_size({"width": 1280, "height": 900})
    line.get_by_role("link").click()
    page.wait_for_url(re.compile(r"task_path__exact=articles.tasks.purge_edge"))
    assert page.locator("#result_list tbody tr").count() == pending + 1
    assert f"article:{story.pk}" in page.locator("#result_list").inner_text()
    page.screenshot(path=str(ARTIFACTS / "desk-edge-purges-results-1280.png"))
