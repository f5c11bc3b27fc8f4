"""SQLite under concurrent writers (bench/sqlite_writers.py): with the project's
settings (WAL, busy timeout, IMMEDIATE transactions) four processes saving at
once never see "database is locked" and lose no write."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "sqlite_writers.py"


def run_writers(*args):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )
    return result.returncode, json.loads(result.stdout), result.stderr


def test_four_writers_at_once_lose_nothing_and_never_hit_a_lock():
    returncode, result, stderr = run_writers("--writers", "4", "--saves", "25")
    print(result)  # the figures, for the record
    assert result["errors"] == 0, result["first_errors"]
    assert result["articles_saved"] == 100
    # Each save read and incremented one shared counter: no increment lost.
    assert result["counter"] == 100
    assert returncode == 0, stderr
