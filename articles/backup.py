"""Backups of a Newsroom instance, database and media, in one file.

A backup is a ``.tar.gz`` holding:

- ``manifest.json``: when, from which database, how many rows of each model;
- ``data.json``: every row, as Django's ``dumpdata`` writes it;
- ``media/``: the uploaded images and their renditions, read through the
  media storages (``MEDIA_ROOT``, or the object store's bucket), so a backup
  taken on one restores onto the other.

JSON rather than a database's own dump format: one format for SQLite and
PostgreSQL, restorable into either, so moving a site from SQLite to PostgreSQL
is a backup and a restore. (For a very large PostgreSQL archive, ``pg_dump``
is faster; this is what the project tests.)

The rows come from one consistent snapshot of the database, taken without
stopping the site:

- SQLite: one read transaction, which in WAL mode sees the database as of one
  moment while writers carry on;
- PostgreSQL: one REPEATABLE READ transaction, so every query sees the same
  snapshot.

Media are archived after the snapshot, so every file the rows name is in the
archive (files are not deleted when rows are).
"""

import json
import os
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.utils import timezone

from articles.pictures.renditions import RENDITIONS_DIR
from articles.pictures.storage import is_temporary

FORMAT = 1
# Rebuilt by migrate on the restored instance, or per-instance only: sessions
# and the login throttling's records of failed attempts. The search index is
# rebuilt from the stories after a restore (and on SQLite is no model's table).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "articles.SearchDocument"]


@contextmanager
def database_snapshot():
    """Run the block's queries on one consistent snapshot of the database."""
    connection = connections["default"]
    if connection.in_atomic_block:  # already inside one transaction: one snapshot
        yield
    elif connection.vendor == "sqlite":
        # A deferred (read) transaction: in WAL mode it sees the database as of
        # its first read while writers carry on. Not atomic(): the project's
        # IMMEDIATE transactions would hold the write lock for the whole dump.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield


def row_counts():
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label.lower() for label in EXCLUDED if "." in label}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and not model._meta.proxy
        and model._meta.managed
    }


def media_storage(name):
    """The storage a media file belongs in: renditions in theirs, uploads in the default."""
    return storages["renditions" if name.startswith(f"{RENDITIONS_DIR}/") else "default"]


def media_files():
    """``(name, modified timestamp)`` of every media file, sorted by name.

    Both storages share one place (settings), so the default one lists all.
    Temporary files of writes still under way (or never finished) are left out.
    """
    return sorted(
        (name, modified)
        for name, modified in storages["default"].files_in("")
        if not is_temporary(PurePosixPath(name).name)
    )


def backup_name():
    return f"newsroom-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"


def make_backup(destination):
    """Write a backup to ``destination`` (a file, or a folder to put one in);
    returns its path and its manifest."""
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / backup_name()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsroom-backup-") as folder:
        data = Path(folder) / "data.json"
        with database_snapshot():
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                # Content types and permissions are recreated by migrate with
                # other ids: refer to them by name. Rows keep their own ids.
                natural_foreign=True,
                output=str(data),
                verbosity=0,
            )
            counts = row_counts()
        media = media_files()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connections["default"].vendor,
            "rows": counts,
            "media_files": len(media),
        }
        (Path(folder) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        # Written beside the destination and renamed: never a half-written backup.
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(folder) / "manifest.json", arcname="manifest.json")
            archive.add(data, arcname="data.json")
            for name, modified in media:
                with media_storage(name).open(name, "rb") as handle:
                    member = tarfile.TarInfo(f"media/{name}")
                    # The size of what was opened: a rendition remade since has
                    # another file under the same name.
                    member.size, member.mtime = handle.seek(0, os.SEEK_END), int(modified)
                    handle.seek(0)
                    archive.addfile(member, handle)
        partial.replace(destination)
    return destination, manifest


def content_already_there():
    """What makes this instance not empty, for the refusal message."""
    found = []
    for label in ("articles.Article", "articles.Author", "articles.Section", "articles.Tag"):
        count = apps.get_model(label)._default_manager.count()
        if count:
            found.append(f"{count} {apps.get_model(label)._meta.verbose_name_plural}")
    users = get_user_model()._default_manager.count()
    if users:
        found.append(f"{users} user accounts")
    files = len(media_files())
    if files:
        found.append(f"{files} files in the media storage ({media_place()})")
    return found


def restore_backup(source):
    """Restore a backup into this instance, which must be empty; returns the manifest."""
    source = Path(source)
    if not source.is_file():
        raise CommandError(f"No backup at {source}.")
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as error:
        raise CommandError(f"{source} is not a Newsroom backup: {error}") from None
    with archive, tempfile.TemporaryDirectory(prefix="newsroom-restore-") as folder:
        names = set(archive.getnames())
        if not {"manifest.json", "data.json"} <= names:
            raise CommandError(f"{source} is not a Newsroom backup: no manifest.json/data.json.")
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise CommandError(
                f"{source} has backup format {manifest.get('format')}; this Newsroom "
                f"reads format {FORMAT}."
            )

        call_command("migrate", interactive=False, verbosity=0)
        found = content_already_there()
        if found:
            raise CommandError(
                "Restore only into an empty instance (a new database and an empty "
                f"media storage); this one has {', '.join(found)}. Nothing was changed."
            )

        # Media first: saving the rows may make renditions from the images.
        media = [m for m in archive.getmembers() if m.name.startswith("media/")]
        for member in media:
            member.name = member.name.removeprefix("media/")
        # The "data" filter refuses absolute paths, "..", links out and
        # devices; a storage holds only files. Every member is checked before
        # the first is written.
        try:
            for member in media:
                tarfile.data_filter(member, folder)
                if not (member.isfile() or member.isdir()):
                    raise tarfile.FilterError(f"{member.name} is not a file")
        except tarfile.FilterError as error:
            raise CommandError(f"{source} is unsafe, nothing was restored: {error}") from None
        for member in media:
            if member.isfile():
                _restore_file(member.name, archive.extractfile(member))

        archive.extract("data.json", folder, filter="data")
        call_command("loaddata", str(Path(folder) / "data.json"), verbosity=0)

    restored = row_counts()
    missing = {
        label: (count, restored.get(label))
        for label, count in manifest["rows"].items()
        if restored.get(label) != count
    }
    if missing:
        raise CommandError(f"Rows differ after restoring (backup, now): {missing}")
    _rebuild_derived_data()
    return manifest


def _restore_file(name, content):
    stored = media_storage(name).save(name, File(content, name))
    if stored != name:  # the instance was checked empty: someone wrote meanwhile
        raise CommandError(f"{name} was stored as {stored}: the media storage is not empty.")


def media_place():
    """Where the media are, for messages: the folder or the bucket."""
    storage = storages["default"]
    bucket = getattr(storage, "bucket_name", None)
    return f"bucket {bucket}" if bucket else str(settings.MEDIA_ROOT)


def _rebuild_derived_data():
    # Fixtures are loaded as raw saves, which do not update the search index.
    from articles import search

    search.rebuild_index()
    cache.clear()
