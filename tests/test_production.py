"""Production settings, error pages, the admin's address and gunicorn."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import make_article

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def production_env(tmp_path, **extra):
    """The environment a production deploy would set, with throwaway values."""
    # Nothing of the test run leaks in (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
    leaked = {"DATABASE_URL", "CACHE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in leaked and not key.startswith(("DJANGO_", "NEWSROOM_", "EDGE_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.org,127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        **extra,
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues_under_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "DEBUG")
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_settings_refuse_to_start_without_their_secrets(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url, **headers):
    """(status, headers, text) of a GET, redirects not followed."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_gunicorn_serves_the_site_hardened_with_hashed_static_files(tmp_path):
    """What `make serve` does, end to end: migrate, collectstatic, gunicorn."""
    env = production_env(tmp_path)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v0"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        [VENV_BIN / "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        # Plain HTTP is sent to HTTPS...
        status, headers, _ = fetch(base + "/", Host="news.example.org")
        assert status == 301
        assert headers["Location"] == "https://news.example.org/"

        # ...and HTTPS (as the proxy reports it) gets the page, hardened.
        status, headers, html = fetch(
            base + "/", Host="news.example.org", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
        assert stylesheet.startswith("/static/articles/site.") and stylesheet != (
            "/static/articles/site.css"
        )  # a hashed name

        status, headers, _ = fetch(
            base + stylesheet, Host="news.example.org", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert "immutable" in headers["Cache-Control"]

        status, _, html = fetch(
            base + "/no-such-page/", Host="news.example.org", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 404
        assert "Page not found" in html
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode()


# --- Error pages -----------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_missing_page_is_a_404_in_the_site_layout(client):
    make_article()
    response = client.get("/news/no-such-story/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert 'class="masthead"' in content
    assert settings.NEWSROOM_SITE_NAME in content


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
@override_settings(DEBUG=False)
def test_server_error_is_a_plain_500_page_without_a_stack_trace(client, django_assert_num_queries):
    client.raise_request_exception = False
    with django_assert_num_queries(0):  # the 500 page never touches the database
        response = client.get("/broken/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content
    assert settings.NEWSROOM_SITE_NAME in content
    assert "hunter2" not in content
    assert "Traceback" not in content
    assert "RuntimeError" not in content


# --- The admin's address ---------------------------------------------------


def test_admin_url_comes_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "NEWSROOM_ADMIN_URL": "/desk-7f3a/",
        "DJANGO_SETTINGS_MODULE": ("newsroom.settings.test"),
    }
    script = (
        "import django; django.setup()\n"
        "from django.urls import reverse, resolve, Resolver404\n"
        "print(reverse('admin:index'))\n"
        "try:\n    resolve('/admin/')\nexcept Resolver404:\n    print('no /admin/')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/desk-7f3a/", "no", "/admin/"]
