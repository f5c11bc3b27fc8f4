"""The servers a fault test breaks: its own Redis and PostgreSQL on free ports,
the site under gunicorn with the production settings, a reader load and a
writer. Everything listens on 127.0.0.1 only and is stopped by the fixtures."""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def postgres_bindir():
    """The newest PostgreSQL server binaries installed (Debian's layout), or
    what ``pg_config --bindir`` names."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(re.sub(r"\D", "", path.parent.parent.name) or 0),
    )
    if found:
        return found[-1].parent
    if shutil.which("pg_config"):
        bindir = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
        if (bindir / "initdb").exists():
            return bindir
    return None


class Redis:
    """``redis-server`` on a free port, without persistence: a restart is empty."""

    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--maxmemory",
                "128mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


class Postgres:
    """A throwaway cluster made with ``initdb`` on a free port. The server
    refuses to run as root, so as root it runs as the ``postgres`` user."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.port = free_port()
        self.datadir = Path(tempfile.mkdtemp(prefix="newsroom-faults-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.datadir, "postgres", "postgres")
        self.datadir.chmod(0o700)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _run(self, *args, check=True):
        return subprocess.run(
            [*self.as_postgres, *map(str, args)],
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def _pg_ctl(self, action, *extra):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.datadir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
        )
        return self._run(
            self.bindir / "pg_ctl", action, "-D", self.datadir, "-w", "-t", "60",
            "-l", self.datadir / "server.log", "-o", options, *extra,
        )  # fmt: skip

    def init(self):
        self._run(self.bindir / "initdb", "-D", self.datadir, "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync")  # fmt: skip
        self.start()
        self._run(self.bindir / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres",
                  "newsroom")  # fmt: skip

    def start(self):
        self._pg_ctl("start")

    def stop(self):
        self._pg_ctl("stop", "-m", "fast")

    def restart(self):
        self._pg_ctl("restart", "-m", "fast")

    def destroy(self):
        self._run(self.bindir / "pg_ctl", "stop", "-D", self.datadir, "-m", "immediate",
                  check=False)  # fmt: skip
        shutil.rmtree(self.datadir, ignore_errors=True)


def site_environment(source, workdir, database_url, cache_url):
    """What a production deploy sets (README: Production), with throwaway values."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "PYTEST_", "EDGE_", "DATABASE_"))
        and key not in {"DATABASE_URL", "CACHE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
        # The code under test is the source folder's, whatever the venv's
        # editable install points at (the "before" run uses an older tree).
        PYTHONPATH=str(source),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(source, env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Gunicorn:
    """The site under gunicorn with 2 workers and the production settings, run
    from ``cwd`` (the checkout unless a node, or an older tree, has its own
    folder). Its error log and its access log (to count what reached it) are
    files in ``workdir``. The fault, edge and cluster tests all start it."""

    def __init__(self, env, workdir, cwd=CHECKOUT):
        self.env, self.cwd = env, cwd
        self.port = free_port()
        self.access_log = workdir / "access.log"
        self.log_path = workdir / "gunicorn.log"
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (open for the server's life)
        self.process = subprocess.Popen(
            [
                VENV_BIN / "gunicorn",
                "newsroom.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                str(self.access_log),
                "--error-logfile",
                "-",
            ],  # fmt: skip
            cwd=self.cwd,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process and not self.log.closed:
            self.log.close()

    def log_size(self):
        return self.log_path.stat().st_size

    def log_since(self, offset):
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def get(self, path, timeout=5.0):
        with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
            return response.status, response.read().decode(), dict(response.headers)

    def requests_for(self, path):
        """How many requests for ``path`` reached the site."""
        needle = f'"GET {path} HTTP/'
        return sum(needle in line for line in self.access_log.read_text().splitlines())


# --- Readers ----------------------------------------------------------------------


@dataclass
class Reading:
    at: float  # seconds since the load began
    path: str
    status: int  # 0: no answer (refused, reset, timed out)
    seconds: float
    cache: str = ""
    retry_after: str = ""
    error: str = ""


def read(base, path, timeout):
    started = time.monotonic()
    request = urllib.request.Request(base + path, headers={"User-Agent": "newsroom-faults"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        error.read()
        status, headers = error.code, error.headers
    except OSError as error:  # refused, reset, timed out
        return 0, {}, time.monotonic() - started, f"{type(error).__name__}: {error}"
    return status, headers, time.monotonic() - started, ""


class Load:
    """``threads`` readers, each asking for the next page every ``pause``
    seconds (so the load is bounded: a few hundred requests a scenario)."""

    def __init__(self, base, paths, threads=4, pause=0.1, timeout=5.0):
        self.base, self.paths = base, paths
        self.threads, self.pause, self.timeout = threads, pause, timeout
        self.readings = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def __enter__(self):
        self.started = time.monotonic()
        self._workers = [
            threading.Thread(target=self._reader, args=(n,), daemon=True)
            for n in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for worker in self._workers:
            worker.join(self.timeout + 5)

    def _reader(self, n):
        i = n
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            at = time.monotonic() - self.started
            status, headers, seconds, error = read(self.base, path, self.timeout)
            reading = Reading(
                at,
                path,
                status,
                seconds,
                cache=headers.get("X-Cache", "") if headers else "",
                retry_after=headers.get("Retry-After", "") if headers else "",
                error=error,
            )
            with self._lock:
                self.readings.append(reading)
            self._stop.wait(self.pause)

    def now(self):
        return time.monotonic() - self.started


# --- The writer -------------------------------------------------------------------


class Writer:
    """``writer.py`` in its own process, saving one story a second through the
    ORM against the site's database and cache, one JSON line per attempt."""

    def __init__(self, source, env, slug, seconds, first):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "writer.py"), "saves", slug, str(seconds), str(first)],
            cwd=source,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def rename_section(source, env, slug, name):
        subprocess.run(
            [sys.executable, str(HERE / "writer.py"), "rename-section", slug, name],
            cwd=source,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def results(self, timeout):
        stdout, stderr = self.process.communicate(timeout=timeout)
        attempts = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        return attempts, stderr


# --- What a scenario measured -----------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    readings: list
    attempts: list = field(default_factory=list)
    lost: int = 0
    untruthful: int = 0
    tracebacks: int = 0
    log_lines: int = 0
    fault_window: tuple = (0.0, 0.0)  # seconds since the load began
    stale_after: bool = False  # a page showed an edit older than the last save

    @property
    def requests(self):
        return len(self.readings)

    def in_window(self):
        start, end = self.fault_window
        return [r for r in self.readings if start <= r.at <= end]

    @property
    def errors(self):
        return [r for r in self.readings if r.status != 200]

    @property
    def slow(self):
        return [r for r in self.readings if r.seconds > 1.0]

    @property
    def degraded_seconds(self):
        """Seconds during which some reader had an error, waited over 1 s or
        got an out-of-date page (each request counts from its start to its end)."""
        bad = set()
        for r in self.readings:
            if r.status != 200 or r.seconds > 1.0 or r.cache == "stale":
                bad.update(range(int(r.at), int(r.at + r.seconds) + 1))
        return len(bad)

    def summary(self):
        ok = sum(1 for a in self.attempts if a["ok"])
        statuses = {}
        for r in self.readings:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        latencies = sorted(r.seconds for r in self.readings) or [0.0]
        return {
            "scenario": self.scenario,
            "requests": self.requests,
            "errors": len(self.errors),
            "statuses": statuses,
            "stale": sum(1 for r in self.readings if r.cache == "stale"),
            "slow": len(self.slow),
            "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))]),
            "max_ms": round(1000 * latencies[-1]),
            "degraded_s": self.degraded_seconds,
            "saves": f"{ok}/{len(self.attempts)}",
            "save_max_s": max((a["seconds"] for a in self.attempts), default=0.0),
            "lost": self.lost,
            "untruthful": self.untruthful,
            "tracebacks": self.tracebacks,
            "log_lines": self.log_lines,
            "stale_after": self.stale_after,
        }
