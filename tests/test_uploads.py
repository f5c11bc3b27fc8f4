"""Image uploads through the admin: accepted by content, stored clean, and every
bad file refused with a form error that says why, saving nothing."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from articles.models import Article, Author, Expert
from tests.factories import make_author, make_section
from tests.test_admin import article_form_data

pytestmark = pytest.mark.django_db


# --- Files, made here so every byte of them is visible ----------------------


def encoded(image_format, size=(40, 20), **options):
    buffer = io.BytesIO()
    mode = "P" if image_format == "GIF" else "RGB"
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(buffer, image_format, **options)
    return buffer.getvalue()


def phone_photo():
    """A JPEG as a phone writes it: landscape pixels, an orientation tag saying
    'rotate 90°', the GPS position, and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (60.0, 10.0, 0.0)
    return encoded("JPEG", size=(40, 20), exif=exif, comment=b"Taken at home")


def exif_with(tag, value):
    exif = Image.Exif()
    exif[tag] = value
    return exif


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side, decodable=True):
    """A black-and-white PNG of side × side pixels: tiny on disk, huge in memory."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
    row = b"\0" + b"\0" * ((side + 7) // 8)
    pixels = zlib.compress(row * side, 9) if decodable else zlib.compress(row)
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def gif_bomb():
    """A GIF header claiming a 65535 × 65535 screen and image."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0, 0, 0)
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0)
    return screen + image + b"\x02\x02\x44\x01\x00\x3b"


JPEG, PNG, WEBP, GIF = (encoded(f) for f in ("JPEG", "PNG", "WEBP", "GIF"))

REFUSED = {
    # name: (file name, content, words the form error must contain)
    "zero bytes": ("empty.jpg", b"", "The submitted file is empty"),
    "text named .jpg": ("notes.jpg", b"Meeting at 10, room 4.\n", "not a picture"),
    "HTML named .png": (
        "page.png",
        b"<!doctype html><script>alert(1)</script>",
        "not a picture",
    ),
    "SVG with a script": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script></svg>",
        "not a picture",
    ),
    "SVG named .png": (
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        "not a picture",
    ),
    "BMP": ("scan.bmp", encoded("BMP"), "This is a BMP file"),
    "TIFF": ("scan.tif", encoded("TIFF"), "This is a TIFF file"),
    "truncated JPEG": ("cut.jpg", JPEG[: len(JPEG) // 2], "damaged or incomplete"),
    "truncated PNG": ("cut.png", PNG[:-30], "damaged or incomplete"),
    "PNG with a corrupt checksum": (
        "bad.png",
        PNG[:33] + bytes([PNG[33] ^ 0xFF]) + PNG[34:],
        "damaged or incomplete",
    ),
    "PNG named .jpg": ("photo.jpg", PNG, "PNG picture but its name ends in “.jpg”"),
    "JPEG named .gif": ("photo.gif", JPEG, "JPEG picture but its name ends in “.gif”"),
    "JPEG with no extension": ("photo", JPEG, "ends in “(nothing)”"),
    "JPEG named .jpg.html": ("photo.jpg.html", JPEG, "ends in “.html”"),
    "GIF with HTML appended": (
        "cat.gif",
        GIF + b"<html><body><script>alert(document.cookie)</script></body></html>",
        "web page code",
    ),
    "JPEG with a script in its comment": (
        "photo.jpg",
        encoded("JPEG", comment=b"<script>alert(1)</script>"),
        "web page code",
    ),
    "PNG with PHP appended": ("shell.png", PNG + b"<?php system($_GET['c']); ?>", "web page code"),
    "JPEG with a javascript: URL in its EXIF": (
        "photo.jpg",
        encoded("JPEG", exif=exif_with(ExifTags.Base.Copyright, "javascript:alert(1)")),
        "web page code",
    ),
    "decompression bomb, 100 megapixels": (
        "bomb.png",
        png_bomb(10_000),
        "too large to process",
    ),
    "decompression bomb, 2.5 gigapixels": (
        "bomb.png",
        png_bomb(50_000, decodable=False),
        "too large to process",
    ),
    "GIF decompression bomb": ("bomb.gif", gif_bomb(), "too large to process"),
    "over 15 MB": ("huge.jpg", JPEG + b"\0" * (15 * 1024 * 1024), "the limit is 15 MB"),
}


def stored_files(folder):
    path = Path(settings.MEDIA_ROOT) / folder
    return sorted(path.iterdir()) if path.exists() else []


def add_author(client, name, content):
    return client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Nadia Holm",
            "slug": "nadia-holm",
            "is_active": "on",
            "photo": SimpleUploadedFile(name, content, "image/jpeg"),
        },
    )


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_bad_uploads_are_refused_with_a_form_error_and_nothing_is_stored(superuser_client, case):
    name, content, message = REFUSED[case]
    before = stored_files("authors")

    response = add_author(superuser_client, name, content)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["photo"]), errors["photo"]
    assert not Author.objects.exists()
    assert stored_files("authors") == before


@pytest.mark.parametrize(
    ("name", "content", "stored_format", "extension"),
    [
        ("photo.jpg", JPEG, "JPEG", ".jpg"),
        ("PHOTO.JPEG", JPEG, "JPEG", ".jpg"),
        ("chart.png", PNG, "PNG", ".png"),
        ("web.webp", WEBP, "WEBP", ".webp"),
        ("cat.gif", GIF, "GIF", ".gif"),
    ],
)
def test_jpeg_png_webp_and_gif_are_accepted_under_a_generated_name(
    superuser_client, name, content, stored_format, extension
):
    response = add_author(superuser_client, name, content)

    assert response.status_code == 302
    photo = Author.objects.get().photo
    assert photo.name.startswith("authors/") and photo.name.endswith(extension)
    assert Path(photo.name).stem not in name
    with Image.open(photo.path) as image:
        assert image.format == stored_format


def test_phone_photo_is_stored_upright_without_gps_or_other_metadata(superuser_client):
    response = add_author(superuser_client, "IMG_0001.JPG", phone_photo())

    assert response.status_code == 302
    stored = Path(Author.objects.get().photo.path).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (20, 40)  # turned as the orientation tag said
        assert dict(image.getexif()) == {}  # no orientation left to apply twice, no GPS
        assert "comment" not in image.info
    assert b"PhoneMaker" not in stored and b"Taken at home" not in stored


def test_anything_appended_to_a_picture_is_dropped_from_the_stored_copy(superuser_client):
    response = add_author(superuser_client, "cat.gif", GIF + b"PK\x03\x04hidden-archive")
    assert response.status_code == 302
    assert b"hidden-archive" not in Path(Author.objects.get().photo.path).read_bytes()


def test_an_animated_gif_keeps_its_frames(superuser_client):
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    response = add_author(superuser_client, "spinner.gif", buffer.getvalue())
    assert response.status_code == 302
    with Image.open(Author.objects.get().photo.path) as image:
        assert image.n_frames == 3


def test_article_hero_image_is_checked_too(superuser_client):
    section, author = make_section(), make_author()
    data = article_form_data(section, authors=[author])
    data["hero_image"] = SimpleUploadedFile("hero.jpg", REFUSED["GIF with HTML appended"][1])
    response = superuser_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "hero_image" in response.context["adminform"].form.errors
    assert not Article.objects.exists()

    data["hero_image"] = SimpleUploadedFile("hero.jpg", phone_photo())
    response = superuser_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    with Image.open(Article.objects.get().hero_image.path) as image:
        assert image.size == (20, 40) and dict(image.getexif()) == {}


def test_expert_photo_is_checked_too(superuser_client):
    response = superuser_client.post(
        reverse("admin:articles_expert_add"),
        {
            "name": "Elias Varga",
            "slug": "elias-varga",
            "photo": SimpleUploadedFile("bomb.png", png_bomb(10_000)),
        },
    )
    assert response.status_code == 200
    assert "too large to process" in " ".join(response.context["adminform"].form.errors["photo"])
    assert not Expert.objects.exists()


# --- A big upload is refused by its size, never read into memory -------------------


class StreamedBody(io.RawIOBase):
    """A multipart/form-data body made as the server reads it: the file part is
    ``size`` zero bytes that never exist in this process all at once."""

    boundary = "NewsroomBoundary7MA4YWxkTrZu0gW"

    def __init__(self, fields, file_field, filename, size):
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        )
        head += (
            f"--{self.boundary}\r\nContent-Disposition: form-data; "
            f'name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.parts = [head, size, tail]  # an int is that many zero bytes
        self.length = len(head) + size + len(tail)

    def readable(self):
        return True

    def readinto(self, buffer):
        while self.parts:
            part = self.parts[0]
            if isinstance(part, int):
                n = min(part, len(buffer))
                buffer[:n] = bytes(n)
                self.parts[0] -= n
            else:
                n = min(len(part), len(buffer))
                buffer[:n] = part[:n]
                self.parts[0] = part[n:]
            if not self.parts[0]:
                self.parts.pop(0)
            if n:
                return n
        return 0


def test_a_40_mb_upload_is_refused_by_its_size_without_being_read_into_memory(
    superuser_client, monkeypatch
):
    import tracemalloc

    from articles.pictures import uploads

    def never(*args, **kwargs):
        raise AssertionError("Pillow must not open a file refused by its size")

    monkeypatch.setattr(uploads.Image, "open", never)
    size = 40 * 1024 * 1024
    body = StreamedBody(
        {"name": "Nadia Holm", "slug": "nadia-holm", "is_active": "on"}, "photo", "zeros.jpg", size
    )
    before = stored_files("authors")

    tracemalloc.start()
    try:
        response = superuser_client.request(
            REQUEST_METHOD="POST",
            PATH_INFO=reverse("admin:articles_author_add"),
            CONTENT_TYPE=f"multipart/form-data; boundary={StreamedBody.boundary}",
            CONTENT_LENGTH=str(body.length),
            **{"wsgi.input": body},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["photo"])
    assert "This file is 40.0 MB; the limit is 15 MB" in errors
    assert not Author.objects.exists()
    assert stored_files("authors") == before
    # The whole request, admin page included, in a few MB: the upload stayed on disk.
    assert peak < 5 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB allocated at the peak"


def test_a_file_claiming_a_small_size_is_still_read_no_further_than_the_limit():
    from django.core.exceptions import ValidationError

    from articles.pictures.uploads import clean_upload

    upload = SimpleUploadedFile("big.jpg", JPEG + b"\0" * (16 * 1024 * 1024))
    upload.size = 1000  # a stale or lying size

    with pytest.raises(ValidationError, match="the limit is 15 MB"):
        clean_upload(upload)
