"""Stored files are whole or absent, never half-written.

``AtomicFileSystemStorage`` (``STORAGES["default"]`` and ``["renditions"]`` with
``MEDIA_STORAGE=local``, the default) writes every file under a temporary name
in its own folder, flushes it to the disk and only then renames it to its real
name. A full disk (``ENOSPC``) or a
failing one (``EIO``) while writing leaves no file at all: the temporary one
is removed and the error is raised to the caller. A crash half-way leaves at
most a temporary file, which ``manage.py check_media`` finds and removes.

An upload is written before anything else of its save: the form ``stage``\\ s
it while it is validated, so a disk that cannot take it is a form error, and
the model's save then only renames it into place, which needs no space.

The same guarantees on an S3-compatible object store: ``objectstorage.py``.
"""

import contextlib
import errno
import os
import secrets
import weakref

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs
from django.utils.deconstruct import deconstructible

# Hidden, and recognisably ours: check_media lists and removes leftovers.
TEMP_PREFIX = ".newsroom-"
TEMP_SUFFIX = ".tmp"
# Filesystems without hard links; there, a rename after an existence check.
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


class StorageUnavailable(OSError):
    """The media storage could not be reached or refused a request (an object
    store's outage): an ``OSError``, handled wherever a failing disk is."""


def is_temporary(filename):
    return filename.startswith(TEMP_PREFIX) and filename.endswith(TEMP_SUFFIX)


def _remove_quietly(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


class StagedFile(File):
    """An upload already written to the disk under a temporary name in its
    folder, waiting for the model's save to move it into place.

    Until then it is not a stored file: ``discard`` removes it, and so does
    the garbage collector if the save never comes (a form with other errors,
    a rolled-back transaction).
    """

    def __init__(self, path, name):
        # Open for as long as the File is: until the save has read it, or discard().
        super().__init__(open(path, "rb"), name)  # noqa: SIM115
        self.path = path
        self._remove = weakref.finalize(self, _remove_quietly, path)

    def temporary_file_path(self):
        return self.path

    def moved_to(self, path):
        self.path = path
        self._remove.detach()

    def discard(self):
        self.close()
        self._remove()

    def open(self, mode=None):
        # Reopened at its new place once the save has moved it.
        if self.closed:
            self.file = open(self.path, mode or "rb")  # noqa: SIM115 (closed by close())
        else:
            self.seek(0)
        return self


@deconstructible(path="articles.pictures.storage.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` whose files appear whole, by rename, or not at all.

    With ``allow_overwrite`` (renditions, remade under the same name when one is
    broken) the rename replaces the old file in one step, so a reader gets the
    old file or the new one, never a mixture.
    """

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        self._make_folder(directory)
        staged = isinstance(content, StagedFile) and os.path.dirname(content.path) == directory
        temporary = content.path if staged else self._write_temporary(directory, content)
        try:
            while True:
                try:
                    self._put_in_place(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            _remove_quietly(temporary)  # a hard link leaves the temporary name behind
        if staged:
            content.moved_to(full_path)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def stage(self, folder, content):
        """Write ``content`` under a temporary name in ``folder``; a ``StagedFile``.

        Raises ``OSError`` (a full or failing disk) with nothing left behind.
        """
        directory = self.path(folder)
        self._make_folder(directory)
        return StagedFile(self._write_temporary(directory, content), content.name)

    def files_in(self, folder):
        """``(name, modified timestamp)`` of every file under ``folder``, however deep."""
        for directory, _, filenames in os.walk(self.path(folder)):
            for filename in filenames:
                path = os.path.join(directory, filename)
                try:
                    modified = os.stat(path).st_mtime
                except FileNotFoundError:  # renamed into place or removed meanwhile
                    continue
                yield os.path.relpath(path, self.location).replace(os.sep, "/"), modified

    def _make_folder(self, directory):
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)

    def _write_temporary(self, directory, content):
        path = os.path.join(directory, f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
        # Created as Django creates files (0o666 less the umask), never over another.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            try:
                for chunk in content.chunks():
                    data = memoryview(chunk if isinstance(chunk, bytes) else chunk.encode())
                    while data:
                        data = data[os.write(fd, data) :]
                # On the disk before it gets its name: after a power cut, a file
                # under its real name is a whole one.
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            _remove_quietly(path)
            raise
        return path

    def _put_in_place(self, temporary, full_path):
        if self._allow_overwrite:
            os.replace(temporary, full_path)
            return
        try:
            # A link fails if the name is taken, as O_EXCL does for Django's own writes.
            os.link(temporary, full_path)
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in NO_HARD_LINKS:
                raise
            if os.path.lexists(full_path):
                raise FileExistsError(errno.EEXIST, "File exists", full_path) from None
            os.rename(temporary, full_path)
