"""A long import tells what it has done as it goes: one line per file, flushed
the moment its story is committed, so a run that is killed has said which files
made it (and a re-run does the rest without duplicates)."""

import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPY = ROOT / "tests" / "data" / "copy"
FILES = [COPY / "night-ferry.txt", COPY / "library-sundays.txt"]


def manage(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def lines_within(process, count, seconds):
    """The first ``count`` lines the process prints, as they arrive (fewer on timeout)."""
    lines, deadline = [], time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while len(lines) < count and time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line)
    return lines


@pytest.fixture
def own_site(tmp_path):
    """A database of its own on disk, which a separate process can use."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'import.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("CACHE_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("PYTHONUNBUFFERED", None)  # output to a pipe is block-buffered, as in a cron job
    for args in (["migrate", "-v0"], ["shell", "-c", SECTION]):
        process = manage(env, *args)
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    return env, tmp_path / "import.sqlite3"


SECTION = "from articles.models import Section; Section.objects.create(name='World', slug='world')"


def test_a_killed_import_has_printed_a_line_for_every_file_it_finished(own_site, tmp_path):
    env, database = own_site
    # A named pipe nobody writes to: opening it blocks, like a file on a hung
    # network share. The run is killed there, with two files done.
    stuck = tmp_path / "stuck.txt"
    os.mkfifo(stuck)
    process = manage(env, "import_copy", *map(str, FILES), str(stuck), "--section", "world")
    try:
        lines = lines_within(process, 2, seconds=30)
        assert process.poll() is None, "the run must still be going"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()

    assert [line.split(": ", 1)[0] for line in lines] == [str(path) for path in FILES]
    assert all("created “" in line for line in lines)
    with sqlite3.connect(database) as db:
        headlines = sorted(h for (h,) in db.execute("SELECT headline FROM articles_article"))
    assert headlines == sorted(line.split("“", 1)[1].split("”", 1)[0] for line in lines)
