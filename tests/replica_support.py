"""The stand-in replica of tests/test_replica.py (``newsroom.settings.test_replica``)."""

from newsroom.routers import PrimaryReplicaRouter


class StandInReplicaRouter(PrimaryReplicaRouter):
    """A real replica gets its tables by replication; the stand-in is a
    database of its own, so ``migrate`` builds them there too."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return True
