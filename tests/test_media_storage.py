"""Media files are whole or absent: a disk that fails while a picture is stored
gives a form error and leaves nothing behind, and a rendition that could not
be written, or was lost or damaged since, is never linked and is remade."""

import errno
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Author
from articles.pictures import renditions, storage, uploads
from articles.pictures.renditions import plan_cache_key, rendition_key, rendition_name
from tests.factories import make_article, make_author, make_section
from tests.test_admin import article_form_data
from tests.test_images import _jpeg, _picture, _srcset

pytestmark = pytest.mark.django_db

HERO_WIDTHS = [240, 480, 800, 1200, 1600]


def files_under(folder):
    """Every file in a media folder, hidden temporary ones included."""
    root = Path(settings.MEDIA_ROOT) / folder
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def failing_write(code, after=1000):
    """``os.write`` that writes ``after`` bytes and then fails as a full or broken disk does."""
    real_write = os.write
    written = 0

    def write(fd, data):
        nonlocal written
        if written >= after:
            raise OSError(code, os.strerror(code))
        n = real_write(fd, bytes(data[: after - written]))
        written += n
        return n

    return write


def add_author(client, photo_name="photo.jpg", content=None, **fields):
    return client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Nadia Holm",
            "slug": "nadia-holm",
            "is_active": "on",
            "photo": SimpleUploadedFile(photo_name, content or _jpeg(900, 600)),
            **fields,
        },
    )


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
def test_a_disk_that_fails_while_storing_an_upload_is_a_form_error_and_leaves_nothing(
    superuser_client, monkeypatch, code
):
    before = files_under("authors")
    monkeypatch.setattr(storage.os, "write", failing_write(code))

    response = add_author(superuser_client)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["photo"] == ["The server could not store the picture; nothing was saved."]
    assert not Author.objects.exists()
    assert files_under("authors") == before  # neither a temporary file nor a cut-off one


def test_a_story_whose_hero_cannot_be_stored_is_not_saved_at_all(superuser_client, monkeypatch):
    data = article_form_data(make_section(), authors=[make_author()])
    data["hero_image"] = SimpleUploadedFile("hero.jpg", _jpeg(1700, 900))
    before = files_under("")
    monkeypatch.setattr(storage.os, "write", failing_write(errno.ENOSPC))

    response = superuser_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [uploads.NOT_STORED]
    assert not Article.objects.exists()
    assert files_under("") == before


def test_a_stored_upload_is_moved_into_place_with_no_temporary_file_left(superuser_client):
    before = files_under("authors")

    assert add_author(superuser_client).status_code == 302

    photo = Author.objects.get().photo
    assert files_under("authors") == sorted([*before, Path(photo.name).name])
    with Image.open(photo.path) as image:
        image.load()


def test_an_upload_staged_for_a_form_refused_for_another_reason_is_removed(superuser_client):
    before = files_under("")

    response = add_author(superuser_client, slug="not a slug!")

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert files_under("") == before


def test_the_storage_raises_a_full_disk_and_leaves_no_file(monkeypatch):
    from django.core.files.storage import default_storage

    monkeypatch.setattr(storage.os, "write", failing_write(errno.ENOSPC))

    with pytest.raises(OSError) as raised:
        default_storage.save("heroes/cut.jpg", ContentFile(b"x" * 5000))

    assert raised.value.errno == errno.ENOSPC
    assert not [name for name in files_under("heroes") if storage.is_temporary(Path(name).name)]
    assert not default_storage.exists("heroes/cut.jpg")


def test_the_storage_never_writes_over_an_existing_upload():
    from django.core.files.storage import default_storage

    first = default_storage.save("heroes/same.jpg", ContentFile(b"first"))
    second = default_storage.save("heroes/same.jpg", ContentFile(b"second"))

    assert first != second
    assert default_storage.open(first).read() == b"first"
    assert default_storage.open(second).read() == b"second"


# --- Renditions -----------------------------------------------------------------------


def hero_story(width=1700, height=900):
    return make_article(hero_image=SimpleUploadedFile("hero.jpg", _jpeg(width, height)))


def shown_widths(client, article):
    webp, _, img = _picture(client.get(article.get_absolute_url()).content.decode())
    widths = [w for _, w in _srcset(webp)]
    assert widths == [w for _, w in _srcset(img["srcset"])]
    for name, width in _srcset(webp) + _srcset(img["srcset"]):
        with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
            rendition.load()  # whole: every linked file decodes
            assert rendition.width == width
    return widths


def rendition_files(article):
    key = rendition_key(article.hero_image.name)
    return [rendition_name(key, w, ext) for w in HERO_WIDTHS for ext in ("webp", "jpg")]


def test_renditions_that_cannot_be_written_are_not_linked_and_are_made_on_a_later_request(
    superuser_client, monkeypatch
):
    real_save = storage.AtomicFileSystemStorage._save

    def full_from_1200(self, name, content):
        if name.endswith(("-1200.webp", "-1200.jpg", "-1600.webp", "-1600.jpg")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(storage.AtomicFileSystemStorage, "_save", full_from_1200)
    article = hero_story()  # its renditions are made after the save: the big ones fail

    assert shown_widths(superuser_client, article) == [240, 480, 800]
    assert cache.get(plan_cache_key(article.hero_image.name, "hero")) is None
    key = rendition_key(article.hero_image.name)
    assert [name for name in files_under("renditions") if key in name] == sorted(
        str(Path(name).relative_to("renditions")) for name in rendition_files(article)[:6]
    )  # the others are not there at all, not even cut off

    monkeypatch.setattr(storage.AtomicFileSystemStorage, "_save", real_save)  # space again

    assert shown_widths(superuser_client, article) == HERO_WIDTHS


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="cut off"),
        pytest.param(None, id="missing"),
    ],
)
def test_a_rendition_lost_or_damaged_on_disk_is_remade_once_the_plan_expires(
    superuser_client, damage
):
    article = hero_story()
    assert shown_widths(superuser_client, article) == HERO_WIDTHS
    for name in rendition_files(article)[6:]:  # the 1200 and 1600 px files
        path = Path(settings.MEDIA_ROOT) / name
        if damage is None:
            path.unlink()
        else:
            path.write_bytes(damage(path.read_bytes()))

    cache.delete(plan_cache_key(article.hero_image.name, "hero"))  # PLAN_SECONDS have passed

    assert shown_widths(superuser_client, article) == HERO_WIDTHS


def test_a_plan_is_trusted_for_minutes_not_forever(monkeypatch):
    timeouts = []
    real_set = renditions.cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith(renditions.CACHE_PREFIX):
            timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(renditions.cache, "set", recording_set)
    hero_story()

    # One plan for each kind the hero is made in: the story page's, the
    # front's crop and the three sharing crops.
    assert timeouts == [renditions.PLAN_SECONDS] * len(renditions.STORY_KINDS)
    assert 0 < renditions.PLAN_SECONDS <= 3600


def test_whole_renditions_are_told_from_cut_off_ones_without_decoding():
    from django.core.files.storage import storages

    article = hero_story(900, 600)
    renditions_storage = storages["renditions"]
    for name in rendition_files(article)[:6]:
        assert renditions.is_whole(renditions_storage, name), name
        path = Path(settings.MEDIA_ROOT) / name
        path.write_bytes(path.read_bytes()[:-1])
        assert not renditions.is_whole(renditions_storage, name), name
    assert not renditions.is_whole(renditions_storage, "renditions/no/such-240.webp")


def test_a_transparent_picture_s_png_renditions_are_checked_too():
    import io

    buffer = io.BytesIO()
    Image.new("RGBA", (500, 300), (0, 128, 0, 0)).save(buffer, "PNG")
    article = make_article(hero_image=SimpleUploadedFile("logo.png", buffer.getvalue()))
    from django.core.files.storage import storages

    key = rendition_key(article.hero_image.name)
    for width in (240, 480, 500):
        assert renditions.is_whole(storages["renditions"], rendition_name(key, width, "png"))
