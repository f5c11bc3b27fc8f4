"""The read-replica setting (``DATABASE_REPLICA_URL``) and the router's rules
that need no database. Routing against a real second database: tests/test_replica.py."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from articles.models import Article
from newsroom.routers import PrimaryReplicaRouter

BASE_SETTINGS = Path(__file__).resolve().parent.parent / "newsroom" / "settings" / "base.py"
ROUTER = "newsroom.routers.PrimaryReplicaRouter"
MIDDLEWARE = "newsroom.routers.ReplicaReadsMiddleware"


def base_settings(monkeypatch, **environment):
    """newsroom/settings/base.py as it reads this environment."""
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DATABASE_REPLICA_PIN_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_SETTINGS))


def test_without_a_replica_url_there_is_one_database_and_no_router(monkeypatch):
    base = base_settings(monkeypatch, DATABASE_URL="postgres://newsroom@db.internal/newsroom")
    assert list(base["DATABASES"]) == ["default"]
    assert not base.get("DATABASE_ROUTERS")
    assert MIDDLEWARE not in base["MIDDLEWARE"]


def test_a_replica_url_adds_the_replica_its_router_and_the_middleware(monkeypatch):
    base = base_settings(
        monkeypatch,
        DATABASE_URL="postgres://newsroom@db.internal/newsroom",
        DATABASE_REPLICA_URL="postgres://newsroom@replica.internal/newsroom",
        DATABASE_REPLICA_PIN_SECONDS="10",
    )
    replica = base["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"]) == ("replica.internal", "newsroom")
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert base["DATABASE_ROUTERS"] == [ROUTER]
    assert base["DATABASE_REPLICA_PIN_SECONDS"] == 10
    middleware = base["MIDDLEWARE"]
    # It asks who the user is, and its pin is saved with the session.
    assert (
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
        < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
        < middleware.index(MIDDLEWARE)
    )


def test_a_replica_on_another_kind_of_server_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        base_settings(
            monkeypatch,
            DATABASE_URL="sqlite:///newsroom.sqlite3",
            DATABASE_REPLICA_URL="postgres://newsroom@replica.internal/newsroom",
        )


def test_migrations_and_writes_go_to_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica", "articles")
    assert router.db_for_write(Article) == "default"


def test_outside_a_request_reads_go_to_the_primary():
    """Task workers, management commands and threads of their own."""
    assert PrimaryReplicaRouter().db_for_read(Article) == "default"
