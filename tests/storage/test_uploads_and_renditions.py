"""Pictures in an S3-compatible store: an upload through the admin is checked,
stored clean under its own name and nothing else; its renditions are written
to the bucket and pages link them there (or on the CDN's domain), whole."""

import io
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import ExifTags, Image

from articles.models import Author
from articles.pictures import renditions
from tests.test_images import _jpeg, _picture
from tests.test_media_storage import add_author
from tests.test_uploads import REFUSED

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

PORTRAIT_WIDTHS = [120, 240, 480]


def links(srcset):
    """``url 120w, url 240w`` -> [(url, 120), ...]"""
    return [
        (url, int(width.rstrip("w")))
        for url, width in (entry.rsplit(" ", 1) for entry in srcset.split(", "))
    ]


def fetch(url):
    """What a reader's browser gets for ``url``: no credentials."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_an_upload_through_the_admin_is_stored_clean_under_one_name_and_nothing_else(
    superuser_client, media
):
    response = add_author(superuser_client, content=_jpeg(900, 600, gps=True))

    assert response.status_code == 302
    photo = Author.objects.get().photo
    assert photo.name.startswith("authors/")
    assert media.names("authors/") == [photo.name]
    with Image.open(io.BytesIO(media.read(photo.name))) as stored:
        stored.load()
        assert stored.size == (900, 600)
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the GPS position stays out"


def test_renditions_are_written_to_the_bucket_and_served_from_it_whole(
    superuser_client, client, media
):
    add_author(superuser_client, content=_jpeg(900, 600))
    author = Author.objects.get()
    key = renditions.rendition_key(author.photo.name)
    expected = sorted(
        renditions.rendition_name(key, width, extension)
        for width in PORTRAIT_WIDTHS
        for extension in ("webp", "jpg")
    )
    # Made after the save, before any reader asked.
    assert media.names("renditions/") == expected

    response = client.get(author.get_absolute_url())

    webp_srcset, _, img = _picture(response.content.decode())
    served = links(webp_srcset) + links(img["srcset"])
    bucket_url = f"{media.server.endpoint}/{media.bucket}/renditions/"
    assert {url.split("?")[0].startswith(bucket_url) for url, _ in served} == {True}
    assert sorted(url[len(bucket_url) - len("renditions/") :] for url, _ in served) == expected
    # The browser may load them: the page's policy names the store's origin.
    img_src = next(
        part for part in response["Content-Security-Policy"].split(";") if "img-src" in part
    )
    assert media.server.endpoint in img_src.split()
    for url, width in served:
        status, headers, body = fetch(url)  # no signature, no credentials
        assert status == 200
        assert headers["Content-Type"] in ("image/webp", "image/jpeg")
        assert headers["Cache-Control"] == "public, max-age=31536000"
        with Image.open(io.BytesIO(body)) as rendition:
            rendition.load()
            assert rendition.size == (width, width)


def test_rendition_links_use_the_cdn_domain_when_one_is_set(superuser_client, client, media):
    media.use(media.bucket, AWS_S3_CUSTOM_DOMAIN="media.example.org")
    add_author(superuser_client, content=_jpeg(900, 600))
    author = Author.objects.get()

    response = client.get(author.get_absolute_url())

    webp_srcset, _, img = _picture(response.content.decode())
    for url, _ in links(webp_srcset) + links(img["srcset"]):
        assert url.startswith("https://media.example.org/renditions/")
        assert media.names(url.removeprefix("https://media.example.org/")), url
    assert "https://media.example.org" in response["Content-Security-Policy"]
    # Signed links to private uploads cannot go through the CDN: they stay on the store.
    assert author.photo.url.startswith(f"{media.server.endpoint}/{media.bucket}/authors/")


def test_the_uploads_stay_private_and_the_admin_links_them_signed(superuser_client, media):
    add_author(superuser_client, content=_jpeg(900, 600))
    photo = Author.objects.get().photo
    unsigned = f"{media.server.endpoint}/{media.bucket}/{photo.name}"

    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(unsigned)
    assert refused.value.code == 403

    assert "X-Amz-Signature=" in photo.url
    status, _, body = fetch(photo.url)
    assert status == 200 and body == media.read(photo.name)
    change_form = superuser_client.get(
        reverse("admin:articles_author_change", args=[photo.instance.pk])
    )
    assert photo.url.split("?")[0] in change_form.content.decode()


@pytest.mark.parametrize(
    "case", ["HTML named .png", "GIF with HTML appended", "decompression bomb, 100 megapixels"]
)
def test_hostile_uploads_are_refused_and_nothing_reaches_the_bucket(superuser_client, media, case):
    name, content, message = REFUSED[case]

    response = add_author(superuser_client, photo_name=name, content=content)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["photo"]), errors["photo"]
    assert not Author.objects.exists()
    assert media.names() == []


def test_an_upload_staged_for_a_form_refused_for_another_reason_is_deleted(superuser_client, media):
    response = add_author(superuser_client, slug="not a slug!")

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Author.objects.exists()
    assert media.names() == []


def test_a_cut_off_rendition_in_the_bucket_is_remade_before_a_page_links_it(
    superuser_client, client, media
):
    add_author(superuser_client, content=_jpeg(900, 600))
    author = Author.objects.get()
    broken = renditions.rendition_name(renditions.rendition_key(author.photo.name), 240, "jpg")
    whole = media.read(broken)
    media.server.client().put_object(Bucket=media.bucket, Key=broken, Body=whole[:300])
    cache.clear()  # the plan is made again, as it is after ten minutes

    html = client.get(author.get_absolute_url()).content.decode()

    _, _, img = _picture(html)
    assert 240 in [width for _, width in links(img["srcset"])]
    with Image.open(io.BytesIO(media.read(broken))) as remade:
        remade.load()
        assert remade.size == (240, 240)
