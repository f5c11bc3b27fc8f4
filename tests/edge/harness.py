"""The servers of the edge tests: the demo site under gunicorn with the
production settings, its own Redis (the page cache, shared by the workers
and the writer), and varnishd running deploy/varnish/newsroom.vcl with the
parameters of deploy/varnish/varnishd.params in front. All on free ports of
127.0.0.1, stopped by the fixtures."""

import json
import re
import shutil
import subprocess
import sys
from http.client import HTTPConnection
from pathlib import Path

from tests.faults.harness import CHECKOUT, free_port, wait_for_port

HERE = Path(__file__).resolve().parent
DEPLOY = CHECKOUT / "deploy" / "varnish"


def varnishd_params():
    """The ``-p name=value`` arguments of deploy/varnish/varnishd.params."""
    arguments = []
    for line in (DEPLOY / "varnishd.params").read_text().splitlines():
        if line.startswith("-p "):
            arguments += ["-p", line[3:].strip()]
    return arguments


def backends_vcl(app_ports):
    """The shipped newsroom-backends.vcl with one backend per app port (app1,
    app2, …), each with the shipped backend's settings, all in its director:
    what an operator writes for several app nodes."""
    shipped = (DEPLOY / "newsroom-backends.vcl").read_text()
    backend = re.search(r"^backend app1 \{\n.*?^\}\n", shipped, re.M | re.S)
    added = "    app.add_backend(app1);\n"
    assert backend and '.port = "8000";' in backend[0] and added in shipped, (
        "newsroom-backends.vcl no longer declares app1 on port 8000 in the director"
    )
    backends, adds = [], []
    for n, port in enumerate(app_ports, start=1):
        backends.append(
            backend[0]
            .replace("backend app1 {", f"backend app{n} {{")
            .replace('.port = "8000";', f'.port = "{port}";')
        )
        adds.append(added.replace("app1", f"app{n}"))
    return shipped.replace(backend[0], "\n".join(backends)).replace(added, "".join(adds))


class Varnish:
    """varnishd in the foreground (``-F``) with the shipped VCL; the shipped
    backends file is copied with the app's port changed, or with a backend
    for each of several app nodes in its round-robin director."""

    def __init__(self, workdir, *app_ports):
        self.port = free_port()
        self.name = workdir / "varnish"
        self.vcl_dir = workdir / "vcl"
        self.vcl_dir.mkdir()
        (self.vcl_dir / "newsroom-backends.vcl").write_text(backends_vcl(app_ports))
        self.log_path = workdir / "varnishd.log"
        self.process = None

    @property
    def url(self):
        return f"varnish://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (open for the server's life)
        self.process = subprocess.Popen(
            [
                shutil.which("varnishd") or "/usr/sbin/varnishd",
                "-F",
                "-j",
                "none",  # no privilege separation: the tests may run as anyone
                "-a",
                f"127.0.0.1:{self.port}",
                "-n",
                str(self.name),
                "-f",
                str(DEPLOY / "newsroom.vcl"),
                "-s",
                "malloc,64m",
                "-p",
                f"vcl_path={self.vcl_dir}:{DEPLOY}:/etc/varnish:/usr/share/varnish/vcl",
                *varnishd_params(),
            ],  # fmt: skip
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, seconds=60)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"varnishd did not start:\n{self.log_path.read_text()}") from None

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()

    def admin(self, *command):
        """A ``varnishadm`` command to the running varnishd."""
        varnishadm = shutil.which("varnishadm") or "/usr/bin/varnishadm"
        done = subprocess.run(
            [varnishadm, "-n", str(self.name), *command],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, f"varnishadm {' '.join(command)}: {done.stdout}{done.stderr}"

    def refuse_purges(self):
        """Switch, keeping every cached page, to the shipped VCL with a purgers
        ACL that admits no one: each purge is refused with a 403, as an edge
        whose ACL or credentials are wrong refuses it. A stopped varnishd would
        not do: it starts again empty, so any page would be fresh."""
        backends = (self.vcl_dir / "newsroom-backends.vcl").read_text()
        acl = re.search(r"^acl purgers \{\n.*?^\}\n", backends, re.M | re.S)
        assert acl, "newsroom-backends.vcl no longer declares acl purgers"
        (self.vcl_dir / "refusing-backends.vcl").write_text(
            backends.replace(acl[0], 'acl purgers {\n    "192.0.2.1";\n}\n')
        )
        refusing = self.vcl_dir / "refusing.vcl"
        main = (DEPLOY / "newsroom.vcl").read_text()
        refusing.write_text(main.replace('include "newsroom-backends.vcl";',
                                         'include "refusing-backends.vcl";'))  # fmt: skip
        self.admin("vcl.load", "refusing", str(refusing))
        self.admin("vcl.use", "refusing")

    def take_purges(self):
        """Back to the VCL varnishd started with (its purgers ACL admits 127.0.0.1)."""
        self.admin("vcl.use", "boot")


class Writer:
    """tests/edge/writer.py in its own process, one JSON command at a time."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "writer.py")],
            cwd=CHECKOUT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, command, **arguments):
        self.process.stdin.write(json.dumps({"command": command, **arguments}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        assert reply["ok"], reply
        return reply

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.write('{"command": "quit"}\n')
            self.process.stdin.close()
            self.process.wait(15)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode(errors="replace")

    @property
    def edge(self):
        return self.headers.get("X-Edge", "")

    def cookies(self):
        """``name=value`` of each Set-Cookie."""
        return {
            value.split(";")[0].split("=")[0]: value.split(";")[0]
            for value in self.headers.get_all("Set-Cookie") or []
        }


def request(port, path, method="GET", headers=None, body=None, source="127.0.0.1", timeout=10):
    """One request on a new connection (as a reader's browser would open it)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def wrk(url, seconds=5, connections=16, threads=2):
    """Requests a second from wrk, and its non-2xx/3xx and socket errors."""
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    rate, errors = 0.0, 0
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        elif line.startswith(("Non-2xx or 3xx responses:", "Socket errors:")):
            errors += sum(int(part) for part in line.replace(",", " ").split() if part.isdigit())
    return rate, errors
