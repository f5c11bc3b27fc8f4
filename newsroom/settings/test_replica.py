"""Test settings with a read replica: ``DATABASE_URL`` and ``DATABASE_REPLICA_URL``
name two PostgreSQL databases (tests/test_replica.py; ``.ci/run`` runs them).

The replica's test database is one of its own, not a mirror of the primary's:
the tests put different rows in each and see which a page shows. It gets its
tables from ``migrate`` (``StandInReplicaRouter``), where a real replica gets
them from replication.
"""

from . import base
from .test import *  # noqa: F403

if "replica" in base.DATABASES:
    _replica = base.DATABASES["replica"]
    DATABASES = {
        **DATABASES,  # noqa: F405
        "replica": {**_replica, "TEST": {"NAME": f"test_{_replica['NAME']}"}},
    }
    DATABASE_ROUTERS = ["tests.replica_support.StandInReplicaRouter"]
    MIDDLEWARE = base.MIDDLEWARE
