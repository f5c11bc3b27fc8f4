import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from tests.factories import make_article, make_author, make_expert
from tests.test_pages import _count

pytestmark = pytest.mark.django_db

ORIENTATION = 0x0112
ROTATE_90_CW = 6


def _jpeg(width, height, *, orientation=None, gps=False):
    """Left half red, right half blue; optional EXIF orientation and GPS position."""
    image = Image.new("RGB", (width, height), "red")
    image.paste("blue", (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {1: "N", 2: (60.0, 10.0, 30.0), 3: "E", 4: (24.0, 56.0, 15.0)}
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_with_transparency(width, height):
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _picture(html):
    match = re.search(r"<picture>(.*?)</picture>", html, re.S)
    assert match, "no <picture> on the page"
    block = match.group(1)
    source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', block)
    img = re.search(r"<img ([^>]+)>", block).group(1)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', img))
    return source.group(1), source.group(2), attrs


def _srcset(value):
    """``url 480w, url 800w`` -> [(path-in-storage, 480), ...]"""
    media = default_storage.base_url
    entries = []
    for entry in value.split(", "):
        url, width = entry.rsplit(" ", 1)
        assert url.startswith(media)
        entries.append((url[len(media) :], int(width.rstrip("w"))))
    return entries


def _open(name):
    with default_storage.open(name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_hero_is_served_as_upright_metadata_free_renditions_never_the_upload(client):
    article = make_article(
        hero_image=SimpleUploadedFile(
            "holiday.jpg", _jpeg(2000, 1000, orientation=ROTATE_90_CW, gps=True)
        ),
        hero_alt="A harbour at dawn",
    )
    original = _open(article.hero_image.name)
    # The upload itself keeps its EXIF: orientation, camera and position.
    assert original.getexif()[ORIENTATION] == ROTATE_90_CW
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[2] == (60.0, 10.0, 30.0)

    html = client.get(article.get_absolute_url()).content.decode()

    assert article.hero_image.name not in html
    assert article.hero_image.url not in html
    webp_srcset, sizes, img = _picture(html)
    webp = _srcset(webp_srcset)
    fallback = _srcset(img["srcset"])
    # Upright the picture is 1000 wide, so no rendition is wider than that.
    assert [w for _, w in webp] == [240, 480, 800, 1000]
    assert [w for _, w in fallback] == [240, 480, 800, 1000]
    assert img["alt"] == "A harbour at dawn"
    assert img["loading"] == "eager" and img["fetchpriority"] == "high"
    assert (img["width"], img["height"]) == ("800", "1600")
    # A portrait picture stands beside the text on wide screens.
    assert "20rem" in sizes and img["sizes"] == sizes

    for (webp_name, width), (jpeg_name, _) in zip(webp, fallback, strict=True):
        for name, image_format in ((webp_name, "WEBP"), (jpeg_name, "JPEG")):
            rendition = _open(name)
            assert rendition.format == image_format
            assert rendition.size == (width, width * 2)
            # Turned upright: the stored left (red) half is now at the top.
            top, bottom = (
                rendition.getpixel((width // 2, 5)),
                rendition.getpixel((width // 2, width * 2 - 5)),
            )
            assert top[0] > 200 and top[2] < 60, top
            assert bottom[2] > 200 and bottom[0] < 60, bottom
            assert not rendition.getexif(), "EXIF (GPS, camera) must not reach readers"
            assert "exif" not in rendition.info and "xmp" not in rendition.info


def test_renditions_exist_as_soon_as_the_story_is_saved():
    article = make_article()
    article.hero_image.save("photo.jpg", ContentFile(_jpeg(1700, 900)))
    from articles.pictures.renditions import rendition_key, rendition_name

    key = rendition_key(article.hero_image.name)
    for width in (240, 480, 800, 1200, 1600):
        for extension in ("webp", "jpg"):
            assert default_storage.exists(rendition_name(key, width, extension))
    assert not default_storage.exists(rendition_name(key, 1700, "jpg"))


def test_a_transparent_png_falls_back_to_png_not_jpeg(client):
    article = make_article(
        hero_image=SimpleUploadedFile("logo.png", _png_with_transparency(900, 300))
    )
    html = client.get(article.get_absolute_url()).content.decode()
    _, _, img = _picture(html)
    assert img["src"].endswith(".png")
    assert _open(_srcset(img["srcset"])[0][0]).mode == "RGBA"


def test_a_small_upload_is_never_enlarged_and_keeps_its_full_width(client):
    article = make_article(hero_image=SimpleUploadedFile("tiny.jpg", _jpeg(300, 200)))
    _, _, img = _picture(client.get(article.get_absolute_url()).content.decode())
    assert [w for _, w in _srcset(img["srcset"])] == [240, 300]
    assert (img["width"], img["height"]) == ("300", "200")


def test_an_unreadable_image_leaves_the_page_working_without_a_picture(client):
    article = make_article(hero_image=SimpleUploadedFile("broken.jpg", b"not an image at all"))
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<picture>" not in html
    assert article.hero_image.name not in html


def test_author_and_expert_photos_are_square_renditions(client):
    author = make_author(photo=SimpleUploadedFile("me.jpg", _jpeg(600, 900, gps=True)))
    expert = make_expert(photo=SimpleUploadedFile("ex.jpg", _jpeg(1000, 700)))
    make_article(authors=[author], quotes=[(expert, "q")])

    for person, widths in ((author, [120, 240, 480]), (expert, [120, 240, 480])):
        html = client.get(person.get_absolute_url()).content.decode()
        assert person.photo.name not in html
        webp_srcset, sizes, img = _picture(html)
        assert sizes == "120px"
        fallback = _srcset(img["srcset"])
        assert [w for _, w in fallback] == widths
        assert img["width"] == img["height"]
        assert img["class"] == "profile__photo"
        for name, width in fallback + _srcset(webp_srcset):
            rendition = _open(name)
            assert rendition.size == (width, width)
            assert not rendition.getexif()


def test_pictures_lower_down_lists_load_lazily(client):
    for _ in range(3):
        make_author(photo=SimpleUploadedFile("p.jpg", _jpeg(300, 300)))
    html = client.get(reverse("articles:authors")).content.decode()
    lazy = re.findall(r'<img [^>]*loading="lazy"', html)
    assert len(lazy) == 3


def test_social_cards_and_json_ld_point_at_a_rendition(client):
    article = make_article(hero_image=SimpleUploadedFile("h.jpg", _jpeg(1600, 900)), hero_alt="Alt")
    html = client.get(article.get_absolute_url()).content.decode()
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    twitter = re.search(r'<meta name="twitter:card" content="([^"]+)">', html).group(1)
    data = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert twitter == "summary_large_image"
    assert og_image.startswith("http://testserver/media/renditions/")
    assert og_image.endswith("-1200.jpg")  # the 16:9 crop, 1200 px wide
    assert data["image"][0] == og_image and len(data["image"]) == 3
    assert article.hero_image.name not in html


def test_pictures_add_no_queries_to_lists(client, django_assert_num_queries):
    make_author(photo=SimpleUploadedFile("p.jpg", _jpeg(200, 200)))
    url = reverse("articles:authors")
    cache.clear()  # both counts are of a first render, with the page cache cold
    with _count() as one:
        assert client.get(url).status_code == 200
    for _ in range(19):
        make_author(photo=SimpleUploadedFile("p.jpg", _jpeg(200, 200)))
    cache.clear()
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<picture>") == 20


def test_story_cards_show_a_thumbnail_the_first_eager_the_rest_lazy(
    client, django_assert_num_queries, site_wide_lookups_warm
):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    author = make_author()
    first = make_article(
        headline="Lead story",
        hero_image=SimpleUploadedFile("a.jpg", _jpeg(800, 450)),
        published_at=now - timedelta(minutes=1),
        authors=[author],
    )
    with _count() as one:
        assert client.get(author.get_absolute_url()).status_code == 200
    for n in range(19):
        make_article(
            hero_image=SimpleUploadedFile("b.jpg", _jpeg(400, 225)),
            published_at=now - timedelta(hours=n + 1),
            authors=[author],
        )
    with django_assert_num_queries(len(one)):
        response = client.get(author.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()

    images = re.findall(r"<img ([^>]+)>", html)
    assert len(images) == 20
    loading = [dict(re.findall(r'([\w-]+)="([^"]*)"', img))["loading"] for img in images]
    assert loading == ["eager"] + ["lazy"] * 19
    assert all('alt=""' in img for img in images)
    assert first.hero_image.name not in html
