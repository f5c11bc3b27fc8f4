"""Settings for the test suite: the base settings with a fast password hasher."""

import tempfile

from .base import *  # noqa: F403

# Hashing passwords properly is slow by design; tests log in often.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Uploaded test images must not land in the developer's media folder.
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-test-media-")  # noqa: F405

# Whitenoise serves STATIC_ROOT; under test (DEBUG off) it warns once per client
# when the folder is missing, and nothing has run collectstatic here.
STATIC_ROOT = tempfile.mkdtemp(prefix="newsroom-test-static-")

# Tasks run as they are enqueued, whatever TASKS_BACKEND the shell has: the
# tests that need the database queue ask for it (tests/test_tasks.py).
TASKS = {"default": {"BACKEND": TASK_BACKENDS["immediate"]}}  # noqa: F405

# One database whatever DATABASE_REPLICA_URL the shell has: the replica's tests
# run with newsroom.settings.test_replica (tests/test_replica.py).
DATABASES = {"default": DATABASES["default"]}  # noqa: F405
DATABASE_ROUTERS = []
MIDDLEWARE = [
    name
    for name in MIDDLEWARE  # noqa: F405
    if name != "newsroom.routers.ReplicaReadsMiddleware"
]
