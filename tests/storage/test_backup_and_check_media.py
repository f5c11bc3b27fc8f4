"""Backup, restore and check_media with the media in an S3-compatible store:
the same commands, through the storage API, with nothing read from a disk."""

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image

from articles.models import Article, Author
from articles.pictures import check, renditions
from tests.test_backup import newsroom_content
from tests.test_images import _jpeg

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=True)]


def check_media(*args):
    out = io.StringIO()
    call_command("check_media", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_backup_takes_the_media_from_the_bucket_and_restore_puts_them_into_a_new_one(
    media, tmp_path, client
):
    article = newsroom_content()
    assert renditions.picture(article.hero_image, "hero")  # renditions in the bucket too
    before = {key: media.read(key) for key in media.names()}
    assert any(key.startswith("renditions/") for key in before)
    # A write that never finished is no part of the site.
    media.server.client().put_object(Bucket=media.bucket, Key="heroes/.newsroom-1.tmp", Body=b"")

    call_command("backup", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())

    with tarfile.open(tmp_path / "site.tar.gz") as archive:
        archived = {
            member.name.removeprefix("media/"): archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.name.startswith("media/")
        }
    assert archived == before

    # A new instance: an empty database and a new, empty bucket.
    call_command("flush", interactive=False, verbosity=0)
    media.use(media.server.new_bucket())
    call_command("restore", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())

    assert {key: media.read(key) for key in media.names()} == before
    rendition = next(key for key in before if key.startswith("renditions/"))
    head = media.server.client().head_object(Bucket=media.bucket, Key=rendition)
    assert head["CacheControl"] == "public, max-age=31536000"  # through the renditions storage
    restored = Article.objects.get(slug=article.slug)
    assert restored.hero_image.name == article.hero_image.name
    assert "0 problems found" in check_media()
    assert client.get(restored.get_absolute_url()).status_code == 200


def test_restore_refuses_a_bucket_that_already_has_media(media, tmp_path):
    newsroom_content()
    call_command("backup", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(CommandError, match=f"files in the media storage \\(bucket {media.bucket}"):
        call_command("restore", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())
    assert not Article.objects.exists()


def test_check_media_finds_and_repairs_what_is_wrong_in_the_bucket(media, monkeypatch):
    author = Author.objects.create(name="Nadia Holm", slug="nadia-holm")
    author.photo.save("nadia.jpg", ContentFile(_jpeg(900, 600)))
    key = renditions.rendition_key(author.photo.name)
    missing = renditions.rendition_name(key, 120, "webp")
    cut_off = renditions.rendition_name(key, 240, "jpg")
    s3 = media.server.client()
    s3.delete_object(Bucket=media.bucket, Key=missing)
    s3.put_object(Bucket=media.bucket, Key=cut_off, Body=media.read(cut_off)[:200])
    s3.put_object(Bucket=media.bucket, Key="authors/abandoned.jpg", Body=_jpeg(10, 10))
    s3.put_object(Bucket=media.bucket, Key="authors/.newsroom-0123.tmp", Body=b"half")

    out = io.StringIO()
    with pytest.raises(CommandError, match="4 problems remain"):
        call_command("check_media", stdout=out)
    found = out.getvalue()
    assert f"missing rendition: {missing}" in found
    assert f"broken rendition: {cut_off}" in found
    assert "unreferenced file: authors/abandoned.jpg" in found
    assert "temporary file: authors/.newsroom-0123.tmp" in found

    # Everything just written is past the grace period for this test.
    monkeypatch.setattr(check, "GRACE", -3600)
    check_media("--repair")

    assert "6 renditions checked; 0 problems found" in check_media("--decode")
    for name in (missing, cut_off):
        with Image.open(io.BytesIO(media.read(name))) as remade:
            remade.load()
    assert media.names("authors/") == [author.photo.name]


def test_a_backup_from_one_box_restores_into_a_bucket(media, settings, tmp_path):
    on_disk = media.use_local(tmp_path / "media")
    article = newsroom_content()
    with on_disk.open(article.hero_image.name) as stored:
        image = stored.read()
    call_command("backup", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    media.use(media.server.new_bucket())
    call_command("restore", str(tmp_path / "site.tar.gz"), stdout=io.StringIO())

    assert media.read(article.hero_image.name) == image
    assert "0 problems found" in check_media()
