import logging
import os
from pathlib import Path

import pytest

from tests.factories import make_staff

# The suites that start real servers: a minute or more each, so they run only
# when asked, by option or environment variable (as .ci/run does).
OPT_IN = {
    "faults": (
        "NEWSROOM_FAULTS",
        "the fault tests in tests/faults/ (real Redis, PostgreSQL and gunicorn)",
    ),
    "edge": (
        "NEWSROOM_EDGE_TESTS",
        "the edge tests in tests/edge/ (gunicorn behind the shipped Varnish config)",
    ),
    "cluster": (
        "NEWSROOM_CLUSTER_TESTS",
        "the two-node test in tests/cluster/ (two gunicorn nodes behind one Varnish)",
    ),
}
TESTS = Path(__file__).resolve().parent


def pytest_addoption(parser):
    for name, (_, what) in OPT_IN.items():
        parser.addoption(f"--{name}", action="store_true", help=f"run {what}")


def pytest_collection_modifyitems(config, items):
    """The tests in tests/faults/, tests/edge/ and tests/cluster/ are marked
    with their folder's name and skipped unless asked for (``--edge`` or
    ``NEWSROOM_EDGE_TESTS=1``). Tests marked ``storage`` start an S3 server
    (moto): they run only when asked for by name, ``pytest -m storage``, as CI
    does in a step of its own."""
    for name, (variable, _) in OPT_IN.items():
        wanted = config.getoption(f"--{name}") or os.environ.get(variable) == "1"
        skip = pytest.mark.skip(reason=f"run with --{name} (or {variable}=1)")
        for item in items:
            if (TESTS / name) in item.path.parents:
                item.add_marker(getattr(pytest.mark, name))
                if not wanted:
                    item.add_marker(skip)
    if "storage" in (config.option.markexpr or ""):
        return
    deselected = [item for item in items if item.get_closest_marker("storage")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("storage")]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_staff("chief", superuser=True))
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: on CI the cache is a shared Redis."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_wide_lookups_warm(db):
    """What pages look up once for the whole site rather than per page, already
    known, as on a running site: the breaking-news banner (the next publication
    time is refreshed by the writes themselves). Query budgets count what a
    page costs, not what the first page after a cache restart pays once."""
    import time

    from django.utils import timezone

    from articles.pagecache.dependencies import BANNER
    from articles.pagecache.stamps import ensure_stamps, shown_banner

    ensure_stamps({BANNER}, time.time())
    shown_banner(timezone.now())


@pytest.fixture(autouse=True)
def no_edge_history(monkeypatch):
    """Each test starts with no edge purges pending and no edge outage known."""
    from articles import edge

    monkeypatch.setattr(edge, "_outages", {})
    edge._pending.clear()
    yield
    edge._pending.clear()


@pytest.fixture(autouse=True)
def commits_run_their_hooks(monkeypatch):
    """Tests run inside a transaction that is rolled back at the end (pytest-django's
    ``django_db``), so ``transaction.on_commit`` would never fire and no write would
    reach the page cache or the search index. Here the code's own outermost
    ``atomic`` block counts as the commit it is in production, and a write made
    outside any such block runs its hooks at once, as autocommit does."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    def code_blocks(connection):
        return [block for block in connection.atomic_blocks if not block._from_testcase]

    real_on_commit = BaseDatabaseWrapper.on_commit

    def run(func, robust):
        if not robust:
            return func()
        try:
            func()
        except Exception:
            logging.getLogger("django.db.backends.base").exception("on_commit hook failed")

    def on_commit(connection, func, robust=False):
        if connection.in_atomic_block and not code_blocks(connection):
            return run(func, robust)  # as in autocommit: at once
        return real_on_commit(connection, func, robust)

    real_exit = transaction.Atomic.__exit__

    def exit_and_commit(self, exc_type, exc_value, traceback):
        connection = transaction.get_connection(self.using)
        was_outermost = not self._from_testcase and len(code_blocks(connection)) == 1
        outer_savepoints = set(connection.savepoint_ids[:-1])
        result = real_exit(self, exc_type, exc_value, traceback)
        if was_outermost and exc_type is None and connection.in_atomic_block:
            # The hooks registered inside the block just closed (their savepoints
            # are gone): what a real commit of it would run.
            hooks = [hook for hook in connection.run_on_commit if hook[0] - outer_savepoints]
            connection.run_on_commit = [
                hook for hook in connection.run_on_commit if not hook[0] - outer_savepoints
            ]
            for _, func, robust in hooks:
                run(func, robust)
        return result

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_commit)


@pytest.fixture
def queue(settings):
    """Tasks wait in the database for a worker, as with ``TASKS_BACKEND=database``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def work_the_queue(queue, monkeypatch):
    """Run every task that is due, as ``manage.py db_worker --batch`` does."""
    from django_tasks_db.management.commands import db_worker

    # The worker closes a connection it finds inside a transaction: here that
    # is the test's own, which must stay open.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run
