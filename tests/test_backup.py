"""Backup and restore: a round trip into an empty instance loses nothing."""

import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image

from articles.models import Article, Author, Tag
from tests.factories import make_article, make_author, make_expert, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def newsroom_content():
    first, second = make_author(name="Maria Lindqvist"), make_author(name="Tomás Okafor")
    expert = make_expert(name="Elias Varga")
    article = make_article(
        headline="Harbour reopens",
        dek="Ferries & ships return.",
        authors=[second, first],
        quotes=[(expert, "The breakwater held.")],
        tags=["Ports", "Weather"],
    )
    article.hero_image.save("harbour.jpg", ContentFile(jpeg()))
    make_staff("chief", superuser=True)
    return article


def wipe_instance(media_root):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root, ignore_errors=True)


def test_backup_then_restore_into_an_empty_instance_brings_everything_back(
    media_root, tmp_path, client
):
    article = newsroom_content()
    image_bytes = Path(article.hero_image.path).read_bytes()
    image_name = article.hero_image.name

    (tmp_path / "backups").mkdir()
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("newsroom-backup-*.tar.gz")
    assert "Backed up" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert f"media/{image_name}" in tar.getnames()
    assert manifest["rows"]["articles.Article"] == 1
    assert manifest["rows"]["articles.Author"] == 2

    wipe_instance(media_root)
    assert not Article.objects.exists()

    call_command("restore", str(archive), stdout=io.StringIO())

    restored = Article.objects.for_page().get(slug=article.slug)
    assert restored.dek == "Ferries & ships return."
    assert [a.name for a in restored.ordered_bylines()] == ["Tomás Okafor", "Maria Lindqvist"]
    assert [q.text for q in restored.quotes.all()] == ["The breakwater held."]
    assert sorted(t.name for t in restored.tags.all()) == ["Ports", "Weather"]
    assert restored.hero_image.name == image_name
    assert Path(restored.hero_image.path).read_bytes() == image_bytes
    assert get_user_model().objects.get(username="chief").check_password("pw")  # hashes kept
    response = client.get(restored.get_absolute_url())
    assert response.status_code == 200
    assert "Harbour reopens" in response.content.decode()


def test_restore_refuses_an_instance_that_has_content_and_changes_nothing(media_root, tmp_path):
    newsroom_content()
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    make_article(headline="Written after the backup")

    with pytest.raises(CommandError, match="Restore only into an empty instance"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Article.objects.count() == 2
    assert Author.objects.count() == 2


def test_restore_refuses_what_is_not_a_backup(media_root, tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a Newsroom backup"):
        call_command("restore", str(not_a_backup))
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


def test_restore_never_writes_outside_media_root(media_root, tmp_path):
    newsroom_content()
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    # Someone tampered with the archive: a member that climbs out of media/.
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        payload = b"owned"
        member = tarfile.TarInfo("media/../../outside.txt")
        member.size = len(payload)
        target.addfile(member, io.BytesIO(payload))
    wipe_instance(media_root)

    with pytest.raises(CommandError, match="outside.txt"):
        call_command("restore", str(evil), stdout=io.StringIO())
    assert not (tmp_path / "outside.txt").exists()
    assert not Tag.objects.exists()


def test_backup_and_restore_commands_move_a_site_between_two_instances(tmp_path):
    """As an operator would: `manage.py backup` on one instance (its own SQLite
    file and media folder), `manage.py restore` on a new, empty one."""

    def instance(name):
        folder = tmp_path / name
        folder.mkdir()
        return {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings.base",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
        }

    def manage(env, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    old, new = instance("old"), instance("new")
    manage(old, "migrate", "-v0")
    manage(old, "load_demo")
    manage(old, "backup", str(tmp_path / "site.tar.gz"))
    output = manage(new, "restore", str(tmp_path / "site.tar.gz"))
    assert "Restored" in output

    def published(env):
        code = "from articles.models import Article; print(Article.objects.published().count())"
        return int(manage(env, "shell", "-v0", "-c", code).split()[-1])

    assert published(new) == published(old) > 0
