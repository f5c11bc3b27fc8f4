"""Media in an S3-compatible object store (AWS S3, Cloudflare R2, MinIO, Ceph).

``S3MediaStorage`` is django-storages' ``S3Storage`` with the guarantees that
``storage.AtomicFileSystemStorage`` gives on a disk:

- **whole or absent**: an object appears only when its PUT completes, so a
  reader never gets half a picture. Every media file goes up in one PUT (the
  multipart threshold is above the largest upload), so an interrupted upload
  leaves no parts behind either.
- **an upload is written before anything else of its save**: ``stage`` PUTs
  the clean copy under the name it will be saved as while the form is
  validated, so an unreachable or refusing store is a form error. The model's
  save then only takes that name, which needs no request and cannot fail. An
  upload staged for a form that was refused is deleted once the transaction
  commits; one whose save crashed is left to ``check_media``, which sees an
  unreferenced file and removes it after its grace period.
- **failures are ``OSError``\\ s**: botocore's errors become
  ``storage.StorageUnavailable`` (or ``FileNotFoundError`` for a missing
  object), so the form, the renditions and ``check_media`` handle an outage
  as they handle a failing disk.
"""

import contextlib
import io
import posixpath
import uuid
from functools import cached_property
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .storage import StorageUnavailable

# Above MAX_UPLOAD_BYTES and any re-encoding of it: one PUT per file.
SINGLE_PUT_BYTES = 64 * 1024 * 1024
NOT_FOUND = {"NoSuchKey", "404"}
CLIENT_CONFIG = Config(
    # An editor waits for an upload: an unreachable store is a form error within
    # seconds, not after botocore's default minute-long timeouts and five attempts.
    connect_timeout=5,
    read_timeout=30,
    retries={"mode": "standard", "max_attempts": 3},
    # Checksums only where S3 requires them: several S3-compatible stores
    # refuse the trailing checksums botocore otherwise sends with every PUT.
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)


@contextlib.contextmanager
def storage_errors(name):
    """botocore's and boto3's errors as the ``OSError`` a disk would raise."""
    try:
        yield
    except ClientError as error:
        # A missing object, not a missing bucket (NoSuchBucket, a 404 too).
        # A HEAD's error has no body, so its code is the bare status.
        if error.response.get("Error", {}).get("Code") in NOT_FOUND:
            raise FileNotFoundError(f"No object {name}") from error
        raise StorageUnavailable(f"{name}: {error}") from error
    except (BotoCoreError, Boto3Error) as error:
        raise StorageUnavailable(f"{name}: {error}") from error


class StagedObject(File):
    """An upload already stored under its final name, waiting for the model's
    save to take that name. Until then ``discard`` deletes it.

    It keeps the clean copy's bytes, so making the renditions right after the
    save reads no object back from the store.
    """

    def __init__(self, storage, name, data):
        super().__init__(io.BytesIO(data), name)
        self.storage = storage
        self.data = data
        self.saved = False

    def open(self, mode=None):
        if self.closed:
            self.file = io.BytesIO(self.data)
        else:
            self.seek(0)
        return self

    def discard(self):
        self.close()
        if not self.saved:
            # A failure here leaves an unreferenced object for check_media.
            self.storage.delete_quietly(self.name)


@deconstructible(path="articles.pictures.objectstorage.S3MediaStorage")
class S3MediaStorage(S3Storage):
    """``S3Storage`` whose files are whole or absent and whose failures are ``OSError``."""

    def __init__(self, **settings):
        super().__init__(**settings)
        self.client_config = self.client_config.merge(CLIENT_CONFIG)
        self.transfer_config = TransferConfig(
            multipart_threshold=SINGLE_PUT_BYTES,
            # Gunicorn workers serve one request each: no transfer threads.
            use_threads=False,
        )

    @cached_property
    def origin(self):
        """Where this storage's URLs point (``https://host``), for the page's
        Content-Security-Policy."""
        url = urlsplit(self.url("origin"))
        return f"{url.scheme}://{url.netloc}"

    def save(self, name, content, max_length=None):
        if isinstance(content, StagedObject) and content.storage is self:
            content.saved = True
            return content.name
        return super().save(name, content, max_length)

    def stage(self, folder, content):
        """Store ``content`` under a new name in ``folder``; a ``StagedObject``.

        Raises ``StorageUnavailable`` when the store cannot take it, with
        nothing stored: an S3 PUT stores the whole object or nothing.
        """
        # The kind of name GeneratedName gives: random, with the file's extension.
        suffix = PurePosixPath(content.name or "").suffix.lower()[:5]
        name = posixpath.join(folder, f"{uuid.uuid4().hex}{suffix}")
        content.seek(0)
        data = content.read()
        self._save(name, File(io.BytesIO(data), name))
        return StagedObject(self, name, data)

    def _save(self, name, content):
        with storage_errors(name):
            return super()._save(name, content)

    def _open(self, name, mode="rb"):
        with storage_errors(name):
            handle = super()._open(name, mode)
            if "r" in mode:
                # Downloaded here, not at the first read, so that an outage is
                # raised as an OSError by open() like a disk's.
                handle.file  # noqa: B018
            return handle

    def delete(self, name):
        with storage_errors(name):
            super().delete(name)

    def delete_quietly(self, name):
        with contextlib.suppress(OSError):
            self.delete(name)

    def exists(self, name):
        with storage_errors(name):
            return super().exists(name)

    def listdir(self, name):
        with storage_errors(name):
            return super().listdir(name)

    def size(self, name):
        with storage_errors(name):
            return super().size(name)

    def get_modified_time(self, name):
        with storage_errors(name):
            return super().get_modified_time(name)

    def files_in(self, folder):
        """``(name, modified timestamp)`` of every object under ``folder``.

        One listing request per thousand objects, where walking the folders
        with ``listdir`` and asking each object's time would be a request each.
        """
        prefix = self._normalize_name(clean_name(folder)).rstrip("/")
        prefix = f"{prefix}/" if prefix else ""
        strip = len(self.location.rstrip("/")) + 1 if self.location else 0
        with storage_errors(folder or "/"):
            pages = self.connection.meta.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket_name, Prefix=prefix
            )
            for page in pages:
                for entry in page.get("Contents", ()):
                    yield entry["Key"][strip:], entry["LastModified"].timestamp()
