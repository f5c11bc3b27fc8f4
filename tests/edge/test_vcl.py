"""The shipped VCL against a stand-in app whose answers a test sets: what
Varnish keeps, and what it serves when the app answers with an error.
(test_varnish.py runs the real site behind it.)"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.edge.harness import Varnish, request
from tests.faults.harness import free_port


class App:
    """Answers ``GET /robots.txt`` (the probe) with 200, and anything else with
    ``status`` and ``headers``; counts what reached it."""

    def __init__(self):
        self.status, self.headers, self.fetches = 200, {}, 0
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/robots.txt":
                    status, headers, body = 200, {}, b"ok"
                else:
                    app.fetches += 1
                    status, headers = app.status, app.headers
                    body = f"fetch {app.fetches}: {status}".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, seconds):
        """What the site sends with a page the page cache serves."""
        self.status = 200
        self.headers = {
            "Cache-Control": f"max-age=0, s-maxage={seconds}, stale-if-error=604800",
            "Surrogate-Key": "all a1",
        }

    def error(self, status=503):
        self.status = status
        self.headers = {"Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private"}


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    app = App()
    varnish = Varnish(tmp_path_factory.mktemp("vcl"), app.port)
    varnish.start()
    yield app, varnish
    varnish.stop()
    app.server.shutdown()
    app.server.server_close()


def get(varnish, path, **headers):
    return request(varnish.port, path, headers=headers)


def test_an_app_error_serves_the_copy_held_however_stale(stand_in):
    app, varnish = stand_in
    app.page(seconds=1)
    kept = get(varnish, "/kept/")
    assert get(varnish, "/kept/").edge == "hit"
    app.error(503)
    time.sleep(1.2)  # past its TTL: while the app answers, it would be refetched
    for _ in range(3):
        served = get(varnish, "/kept/")
        assert (served.status, served.edge, served.body) == (200, "stale", kept.body)


def test_an_app_error_on_a_page_never_held_is_the_apps_own_error_and_not_kept(stand_in):
    app, varnish = stand_in
    app.error(500)
    for _ in range(2):
        served = get(varnish, "/never/")
        assert served.status == 500 and served.text.endswith(": 500")
    app.page(seconds=60)
    assert get(varnish, "/never/").status == 200  # the error hid nothing
    assert get(varnish, "/never/").edge == "hit"


def test_what_the_app_marks_private_or_sets_a_cookie_on_is_never_shared(stand_in):
    app, varnish = stand_in
    app.status, app.headers = 200, {"Cache-Control": "private"}
    get(varnish, "/private/")
    assert get(varnish, "/private/").edge != "hit"
    app.page(seconds=60)
    app.headers["Set-Cookie"] = "sessionid=abc; HttpOnly"
    get(varnish, "/cookie/")
    assert get(varnish, "/cookie/").edge != "hit"


def test_a_soft_purge_refetches_while_the_app_answers(stand_in):
    app, varnish = stand_in
    app.page(seconds=60)
    get(varnish, "/purged/")
    before = app.fetches
    purge = request(varnish.port, "/", method="PURGE", headers={"xkey": "a1"})
    assert purge.status == 200
    served = get(varnish, "/purged/")
    assert served.edge == "miss" and app.fetches == before + 1


def test_a_purge_without_keys_is_refused(stand_in):
    _, varnish = stand_in
    assert request(varnish.port, "/", method="PURGE").status == 400


def test_a_read_that_finds_one_app_node_down_is_asked_of_the_other(stand_in, tmp_path):
    app, _ = stand_in
    # The retry in vcl_backend_error or, failing that, the restart in
    # vcl_deliver: one by one, either answers. Readers arriving together
    # (tests/cluster/) needed the retry.
    app.page(seconds=60)
    down = free_port()  # a node that nothing answers on, first in the director
    varnish = Varnish(tmp_path, down, app.port)
    varnish.start()
    try:
        before = app.fetches
        # Before the probe notices: round robin sends every other fetch to it.
        for n in range(4):
            served = get(varnish, f"/two-nodes/{n}/")
            assert (served.status, served.edge) == (200, "miss"), served.text
        assert app.fetches == before + 4
    finally:
        varnish.stop()
