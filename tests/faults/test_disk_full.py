"""A full disk under MEDIA_ROOT, for real: an 8 MB tmpfs mounted as MEDIA_ROOT.

An upload to a full disk is a form error that saves nothing and leaves no file;
with a little room, the story saves and only the renditions that were written
whole are linked; once space is back, the next request makes the rest.
Needs root (to mount); skipped with the reason otherwise.
"""

import errno
import io
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.models import Article
from articles.pictures.uploads import NOT_STORED, clean_upload
from tests.factories import make_author, make_section
from tests.test_admin import article_form_data
from tests.test_images import _picture, _srcset

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

HERO_WIDTHS = [240, 480, 800, 1200, 1600]


@pytest.fixture
def small_disk(settings, tmp_path):
    """An 8 MB tmpfs as MEDIA_ROOT, unmounted afterwards: room, once the filler
    goes, for a photo and all its renditions (the page's, the fronts' crops and
    the three 1200 px crops for sharing, some 4 MB)."""
    mountpoint = tmp_path / "media"
    mountpoint.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(mountpoint)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"cannot mount a tmpfs for the full-disk test: {error}")
    if mounted.returncode != 0:
        pytest.skip(
            "cannot mount a tmpfs for the full-disk test (needs root with CAP_SYS_ADMIN): "
            + (mounted.stderr.strip() or f"mount exited with {mounted.returncode}")
        )
    settings.MEDIA_ROOT = str(mountpoint)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False, timeout=30)


def fill(disk):
    """Fill the disk to the last byte; the filler file's path."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        chunk = bytes(64 * 1024)
        while True:
            try:
                handle.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
    return filler


def files_on(disk, but=()):
    return sorted(
        str(path.relative_to(disk))
        for path in disk.rglob("*")
        if path.is_file() and path not in but
    )


def photo(width=1700, height=900):
    """A photo-like JPEG of about 600 kB: its renditions take about 1 MB."""
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(gradient, noise, 0.3).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def shown_widths(client, article, disk):
    """The widths the story page links, each checked to be a whole file on the disk."""
    webp, _, img = _picture(client.get(article.get_absolute_url()).content.decode())
    linked = _srcset(webp) + _srcset(img["srcset"])
    for name, width in linked:
        with Image.open(disk / name) as rendition:
            rendition.load()
            assert rendition.width == width
    return sorted({width for _, width in linked})


def test_a_full_disk_refuses_the_upload_cleanly_and_renditions_heal_when_space_returns(
    small_disk, superuser_client
):
    # Live, so that the home page leads with it: the page that needs its 16:9 crops.
    data = article_form_data(
        make_section(),
        authors=[make_author()],
        status=Article.Status.PUBLISHED,
        hero_alt="A harbour in the fog",
    )
    picture = photo()
    filler = fill(small_disk)

    # 1. No room at all: a form error, no story, no file of any kind.
    data["hero_image"] = SimpleUploadedFile("hero.jpg", picture)
    response = superuser_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [NOT_STORED]
    assert not Article.objects.exists()
    assert files_on(small_disk) == ["filler"]

    # 2. Room for the upload and the small renditions only: the story saves, and
    # its page links the renditions that were written whole, nothing else.
    stored_size = clean_upload(SimpleUploadedFile("hero.jpg", picture)).size
    os.truncate(filler, max(0, filler.stat().st_size - stored_size - 150 * 1024))
    data["hero_image"] = SimpleUploadedFile("hero.jpg", picture)
    response = superuser_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert Path(small_disk / article.hero_image.name).stat().st_size == stored_size
    partial = shown_widths(superuser_client, article, small_disk)
    assert partial and partial == HERO_WIDTHS[: len(partial)] and partial != HERO_WIDTHS
    assert not [name for name in files_on(small_disk) if name.endswith(".tmp")]

    # 3. Space is back: the next request makes the rest, all whole.
    filler.unlink()

    assert shown_widths(superuser_client, article, small_disk) == HERO_WIDTHS
    # The home page, where the story leads, makes its 16:9 crops.
    assert '<div class="lead__picture"><picture>' in superuser_client.get("/").content.decode()
    call_command("check_media", stdout=io.StringIO())  # raises on any problem left
