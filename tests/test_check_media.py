"""``manage.py check_media`` finds what a failing disk or a crash leaves under
MEDIA_ROOT, and ``--repair`` mends it."""

import io
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from articles.pictures import check
from articles.pictures.renditions import rendition_key, rendition_name
from tests.factories import make_article, make_author
from tests.test_images import _jpeg

pytestmark = pytest.mark.django_db

LONG_AGO = time.time() - 2 * check.GRACE


@pytest.fixture(autouse=True)
def empty_media(settings, tmp_path):
    """Each test looks at a MEDIA_ROOT of its own: other tests' files are not its business."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def media(name):
    return Path(settings.MEDIA_ROOT) / name


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("check_media", *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue() + err.getvalue() + str(error)
    return True, out.getvalue() + err.getvalue()


def make_old(path):
    os.utime(path, (LONG_AGO, LONG_AGO))


def story_with_hero():
    return make_article(hero_image=SimpleUploadedFile("hero.jpg", _jpeg(1700, 900)))


def test_media_in_order_passes():
    story_with_hero()
    make_author(photo=SimpleUploadedFile("me.jpg", _jpeg(600, 600)))

    ok, output = run()

    assert ok, output
    # The hero: five widths for its page, four 16:9 crops for the fronts (WebP
    # and JPEG each) and three crops for sharing (JPEG); the portrait: three.
    assert "2 pictures, 27 renditions checked; 0 problems found." in output


def test_missing_and_broken_renditions_are_reported_and_remade():
    article = story_with_hero()
    key = rendition_key(article.hero_image.name)
    media(rendition_name(key, 1600, "jpg")).unlink()
    cut = media(rendition_name(key, 1200, "webp"))
    cut.write_bytes(cut.read_bytes()[:100])
    media(rendition_name(key, 240, "jpg")).write_bytes(b"")

    ok, output = run()

    assert not ok
    assert f"missing rendition: {rendition_name(key, 1600, 'jpg')} (of heroes/" in output
    assert f"broken rendition: {rendition_name(key, 1200, 'webp')}" in output
    assert f"broken rendition: {rendition_name(key, 240, 'jpg')}" in output
    assert "3 problems remain. Run with --repair" in output

    ok, output = run("--repair")

    assert ok, output
    assert "3 problems found, 3 repaired." in output
    assert run()[0]


def test_a_rendition_that_frames_right_but_does_not_decode_is_found_with_decode():
    buffer = io.BytesIO()
    Image.effect_noise((600, 300), 50).convert("RGBA").save(buffer, "PNG")
    article = make_article(hero_image=SimpleUploadedFile("chart.png", buffer.getvalue()))
    name = rendition_name(rendition_key(article.hero_image.name), 480, "png")
    data = bytearray(media(name).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(200)  # its header and its end survive
    media(name).write_bytes(bytes(data))

    assert run()[0]  # the quick check reads only the header and the end
    ok, output = run("--decode")
    assert not ok and f"broken rendition: {name}" in output
    assert run("--decode", "--repair")[0]
    assert run("--decode")[0]


def test_an_original_without_renditions_gets_them():
    article = story_with_hero()
    for path in media("renditions").rglob("*"):
        if path.is_file():
            path.unlink()

    ok, output = run()
    assert not ok and output.count("missing rendition") == 21

    assert run("--repair")[0]
    key = rendition_key(article.hero_image.name)
    assert media(rendition_name(key, 1600, "webp")).stat().st_size > 0


def test_old_temporary_files_and_unreferenced_files_are_removed_young_ones_left():
    article = story_with_hero()
    old_temp = media("heroes/.newsroom-0123456789abcdef.tmp")
    young_temp = media("renditions/ab/.newsroom-fedcba9876543210.tmp")
    orphan_upload = media("heroes/rolled-back.jpg")
    orphan_rendition = media("renditions/zz/zz0000-240.webp")
    for path in (old_temp, young_temp, orphan_upload, orphan_rendition):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    for path in (old_temp, orphan_upload, orphan_rendition):
        make_old(path)

    ok, output = run()
    assert not ok
    assert "temporary file: heroes/.newsroom-0123456789abcdef.tmp" in output
    assert "temporary file: renditions/ab/.newsroom-fedcba9876543210.tmp" in output
    assert "unreferenced file: heroes/rolled-back.jpg" in output
    assert "unreferenced file: renditions/zz/zz0000-240.webp" in output

    ok, output = run("--repair")

    assert not ok  # the young temporary file may still be being written
    assert "not repaired: temporary file: renditions/ab/.newsroom-fedcba9876543210.tmp" in output
    assert not old_temp.exists() and not orphan_upload.exists() and not orphan_rendition.exists()
    assert young_temp.exists()
    assert media(article.hero_image.name).exists()


def test_a_picture_a_revision_points_at_is_kept_with_its_renditions():
    import reversion

    article = story_with_hero()
    with reversion.create_revision():
        article.save()
    old_hero = article.hero_image.name
    old_renditions = sorted(p for p in media("renditions").rglob("*") if p.is_file())
    article.hero_image = SimpleUploadedFile("new.jpg", _jpeg(800, 400))
    article.save()
    for path in [media(old_hero), *old_renditions]:
        make_old(path)

    assert run("--repair")[0]

    assert media(old_hero).exists()  # restoring the revision brings it back
    assert all(path.exists() for path in old_renditions)


def test_a_missing_original_is_reported_and_cannot_be_repaired():
    article = story_with_hero()
    media(article.hero_image.name).unlink()

    ok, output = run("--repair")

    assert not ok
    assert f"not repaired: missing original: {article.hero_image.name}: upload it again" in output
