"""An S3-compatible server for the storage tests: moto's server mode on a free
port of 127.0.0.1, a process started for the session (and one of its own for a
test that stops it), killed at the end.

Each test gets a new bucket, set up as the README says (``renditions/`` public
to anonymous readers by a bucket policy, the uploads private), and the media
storages built by the settings' own ``object_storage()`` from the environment
variables an operator sets.
"""

import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages

from newsroom.settings import test as test_settings
from newsroom.settings.base import object_storage

# The settings' own local storages, as the suite runs with them.
LOCAL = {
    alias: options for alias, options in test_settings.STORAGES.items() if alias != "staticfiles"
}
MOTO_SERVER = Path(sys.executable).parent / "moto_server"
REGION = "eu-west-1"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    """One ``moto_server`` process."""

    def __init__(self, log_folder):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(log_folder / f"moto-{self.port}.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                output = Path(self.log.name).read_text(errors="replace")
                pytest.fail(f"moto_server did not start on port {self.port}:\n{output}")
            time.sleep(0.1)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def new_bucket(self):
        name = f"newsroom-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        public_renditions = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{name}/renditions/*",
                }
            ],
        }
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_renditions))
        return name

    def keys(self, bucket, prefix=""):
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    if not MOTO_SERVER.exists():
        pytest.fail(f"{MOTO_SERVER} is missing: install the test extra (make install-test)")
    server = S3Server(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


@pytest.fixture
def own_s3_server(tmp_path):
    """A server for one test alone, which may stop it."""
    server = S3Server(tmp_path)
    yield server
    server.stop()


class Media:
    """The media storages pointed at one bucket of one server."""

    def __init__(self, server, settings, monkeypatch):
        self.server, self.settings, self.monkeypatch = server, settings, monkeypatch
        # What an operator exports (README, "Object storage"); boto3 reads the keys.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_S3_ENDPOINT_URL", server.endpoint)
        monkeypatch.setenv("AWS_S3_REGION_NAME", REGION)
        monkeypatch.setenv("AWS_QUERYSTRING_AUTH", "true")  # private uploads, signed links
        for name in ("AWS_S3_CUSTOM_DOMAIN", "AWS_LOCATION", "AWS_PROFILE"):
            monkeypatch.delenv(name, raising=False)
        self.use(server.new_bucket())

    def use(self, bucket, **environment):
        """Point the storages at ``bucket``, with these variables set too."""
        for name, value in environment.items():
            self.monkeypatch.setenv(name, value)
        self.bucket = bucket
        self.settings.STORAGES = {**object_storage(bucket), "staticfiles": self._static()}

    def use_local(self, folder):
        """Media on the local disk in ``folder``, as on one box; its storage."""
        self.settings.MEDIA_ROOT = str(folder)
        self.settings.STORAGES = {**LOCAL, "staticfiles": self._static()}
        return storages["default"]

    def _static(self):
        return {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

    def names(self, prefix=""):
        """The bucket's object names under ``prefix``."""
        return self.server.keys(self.bucket, prefix)

    def read(self, key):
        return self.server.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()


@pytest.fixture
def media(s3_server, settings, monkeypatch):
    return Media(s3_server, settings, monkeypatch)
