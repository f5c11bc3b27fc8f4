"""Pictures in lists and on social sites: 16:9 crops around the focal point
editors set, 1200 px crops in three shapes for Google Discover and social
cards, a generated card for a story without a picture, and portrait heroes
that leave the story's words on the first screen."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Front, Placement
from articles.pictures import renditions
from articles.pictures.renditions import crop_box, rendition_key, rendition_name
from tests.factories import make_article
from tests.test_images import _jpeg

pytestmark = pytest.mark.django_db


def _open(url_or_name):
    name = url_or_name.removeprefix("http://testserver").removeprefix(default_storage.base_url)
    with default_storage.open(name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def _meta(html, prop):
    return re.findall(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', html)


def _json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )


# The crop ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size, aspect, focus, box",
    [
        ((1600, 900), 9 / 16, (0.5, 0.5), (0, 0, 1600, 900)),  # already 16:9
        ((1000, 2000), 9 / 16, (0.5, 0.1), (0, 0, 1000, 562.5)),  # near the top
        ((1000, 2000), 9 / 16, (0.5, 0.5), (0, 718.75, 1000, 1281.25)),
        ((4000, 1000), 1.0, (1.0, 0.5), (3000, 0, 4000, 1000)),  # at the right edge
        ((4000, 1000), 1.0, (0.3, 0.5), (700, 0, 1700, 1000)),  # centred on the point
    ],
)
def test_the_crop_is_centred_on_the_focal_point_as_far_as_the_edges_allow(size, aspect, focus, box):
    assert crop_box(size, aspect, focus) == pytest.approx(box)


def _red_left_blue_right_story(**fields):
    """A wide panorama: its 16:9 crop shows either half, depending on the point."""
    return make_article(hero_image=SimpleUploadedFile("pano.jpg", _jpeg(3200, 900)), **fields)


def _colour(picture):
    image = _open(picture.largest.url).convert("RGB")
    red, _, blue = image.getpixel((image.width // 2, image.height // 2))
    return "red" if red > blue else "blue"


def test_the_fronts_crop_keeps_the_focal_point_in_view():
    left = _red_left_blue_right_story(hero_focus_x=0.1)
    right = _red_left_blue_right_story(hero_focus_x=0.9)

    left_crop = renditions.picture(left.hero_image, "wide", left.hero_focus)[0]
    right_crop = renditions.picture(right.hero_image, "wide", right.hero_focus)[0]

    assert _colour(left_crop) == "red" and _colour(right_crop) == "blue"
    assert left_crop.largest.width / left_crop.largest.height == pytest.approx(16 / 9, rel=0.01)


def test_moving_the_focal_point_makes_new_crops_after_the_save():
    story = _red_left_blue_right_story(hero_focus_x=0.1)
    before = rendition_key(story.hero_image.name, "wide", story.hero_focus)

    story.hero_focus_x = 0.9
    story.save()

    after = rendition_key(story.hero_image.name, "wide", story.hero_focus)
    assert after != before
    for width in (320, 640, 960, 1280):  # made by the save, before any page asks
        assert default_storage.exists(rendition_name(after, width, "webp"))
    assert _colour(renditions.picture(story.hero_image, "wide", story.hero_focus)[0]) == "blue"


def test_the_lead_and_top_stories_show_their_pictures_cropped_16_9_with_their_size(client):
    lead = _red_left_blue_right_story(headline="Lead", hero_focus_x=0.9)
    top = make_article(headline="Top", hero_image=SimpleUploadedFile("t.jpg", _jpeg(1200, 1600)))
    Placement.objects.create(front=Front.objects.get(section=None), article=lead, position=1)
    Placement.objects.create(front=Front.objects.get(section=None), article=top, position=2)

    html = client.get("/").content.decode()

    pictures = re.findall(r"<picture>(.*?)</picture>", html, re.S)
    assert len(pictures) == 2
    for block in pictures:
        assert '<source type="image/webp"' in block
        img = dict(re.findall(r'([\w-]+)="([^"]*)"', re.search(r"<img ([^>]+)>", block).group(1)))
        assert int(img["width"]) * 9 == int(img["height"]) * 16  # no layout shift: 16:9 reserved
    lead_img = re.search(r'<div class="lead__picture">.*?<img ([^>]+)>', html, re.S).group(1)
    assert 'loading="eager"' in lead_img and 'fetchpriority="high"' in lead_img
    assert lead.hero_image.name not in html and top.hero_image.name not in html


def test_a_picture_for_the_front_alone_replaces_the_storys_hero_there(client):
    story = _red_left_blue_right_story(headline="Placed")
    placement = Placement.objects.create(
        front=Front.objects.get(section=None),
        article=story,
        picture=SimpleUploadedFile("front.jpg", _jpeg(800, 450)),
        picture_focus_x=0.2,
    )
    own = renditions.picture(placement.picture, "wide", (0.2, 0.5))[0]

    home = client.get("/").content.decode()
    page = client.get(story.get_absolute_url()).content.decode()

    assert own.largest.url in home
    assert own.largest.url not in page


def test_a_portrait_hero_stands_beside_the_text_and_a_landscape_one_above_it(client):
    portrait = make_article(
        hero_image=SimpleUploadedFile("p.jpg", _jpeg(900, 1400)), hero_focus_y=0.2
    )
    landscape = make_article(hero_image=SimpleUploadedFile("l.jpg", _jpeg(1600, 900)))

    portrait_html = client.get(portrait.get_absolute_url()).content.decode()
    landscape_html = client.get(landscape.get_absolute_url()).content.decode()

    # On a phone it shows a band of its height around the point (20% down).
    assert 'class="story__hero story__hero--portrait focus-y-0"' in portrait_html
    assert '<figure class="story__hero">' in landscape_html


# Google Discover and social sites -------------------------------------------------------


def test_stories_allow_large_image_previews(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert '<meta name="robots" content="max-image-preview:large">' in html


def test_a_story_is_shared_with_1200_px_crops_of_its_hero_in_three_shapes(client):
    story = _red_left_blue_right_story(hero_focus_x=0.9, hero_alt="Red and blue")

    html = client.get(story.get_absolute_url()).content.decode()

    og_image = _meta(html, "og:image")[0]
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == (["1200"], ["675"])
    assert _meta(html, "twitter:image") == [og_image]
    images = _json_ld(html)["image"]
    assert images[0] == og_image
    assert [_open(url).size for url in images] == [(1200, 675), (1200, 900), (1200, 1200)]
    assert all(url.endswith(".jpg") for url in images)  # what every social site reads
    assert _colour(renditions.picture(story.hero_image, "share-1x1", story.hero_focus)[0]) == "blue"


def test_a_small_hero_is_still_shared_1200_px_wide():
    story = make_article(hero_image=SimpleUploadedFile("s.jpg", _jpeg(400, 300)))
    for kind in renditions.SHARE_KINDS:
        assert renditions.picture(story.hero_image, kind, story.hero_focus)[0].largest.width == 1200
    # …while the pages never enlarge it.
    assert renditions.picture(story.hero_image, "hero")[0].largest.width == 400


def test_a_story_without_a_picture_is_shared_with_its_generated_card(client):
    story = make_article(headline="Council votes to keep the night buses running")

    html = client.get(story.get_absolute_url()).content.decode()

    card = f"http://testserver{story.get_absolute_url()}share-16x9.png"
    assert _meta(html, "og:image") == [card]
    assert _meta(html, "twitter:card") == ["summary_large_image"]
    assert _json_ld(html)["image"] == [
        f"http://testserver{story.get_absolute_url()}share-{shape}.png"
        for shape in ("16x9", "4x3", "1x1")
    ]


@pytest.mark.parametrize(
    "shape, size", [("16x9", (1200, 675)), ("4x3", (1200, 900)), ("1x1", (1200, 1200))]
)
def test_the_share_card_is_a_png_of_the_headline_on_the_sites_colours(client, shape, size):
    story = make_article(headline="Council votes to keep the night buses running")
    response = client.get(
        reverse("articles:article_share_card", kwargs={"slug": story.slug, "shape": shape})
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    card = Image.open(io.BytesIO(response.content))
    assert card.size == size
    assert card.convert("RGB").getpixel((size[0] // 2, 5)) == (0xB3, 0x00, 0x1B)  # the red rule
    assert card.convert("RGB").getpixel((5, size[1] // 2)) == (0xFF, 0xFD, 0xF8)  # the paper


def test_the_share_card_follows_the_headline_and_exists_only_for_live_stories(client):
    story = make_article(headline="First headline")
    draft = make_article(status=Article.Status.DRAFT)
    url = reverse("articles:article_share_card", kwargs={"slug": story.slug, "shape": "16x9"})

    first = client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    story.headline = "A much longer second headline that needs another line or two to fit"
    story.save()
    second = client.get(url)

    assert second["X-Cache"] == "miss" and second.content != first.content
    for bad in (
        reverse("articles:article_share_card", kwargs={"slug": draft.slug, "shape": "16x9"}),
        reverse("articles:article_share_card", kwargs={"slug": story.slug, "shape": "2x1"}),
    ):
        assert client.get(bad).status_code == 404


# The admin: a point set by clicking the picture ------------------------------------------


def test_the_change_form_shows_a_rendition_to_click_and_the_two_numbers(superuser_client):
    story = make_article(
        hero_image=SimpleUploadedFile("h.jpg", _jpeg(1600, 900)), hero_focus_x=0.25
    )
    html = superuser_client.get(
        reverse("admin:articles_article_change", args=[story.pk])
    ).content.decode()

    picker = re.search(r'<div class="focus-picker" data-focus-picker>(.*?)</div></div>', html, re.S)
    assert picker and "/media/renditions/" in picker.group(1)
    assert story.hero_image.name not in picker.group(1)
    assert 'name="hero_focus_x" value="0.25"' in html and 'step="0.01"' in html
    assert "articles/admin/focus_point.js" in html


def test_a_focal_point_outside_the_picture_is_refused():
    from django.core.exceptions import ValidationError

    story = make_article(hero_focus_x=1.5)
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert "hero_focus_x" in refused.value.message_dict


def test_a_focal_point_left_empty_in_the_form_is_the_middle(superuser_client):
    from tests.workflow_helpers import change_url, submitted_form

    story = make_article(
        hero_image=SimpleUploadedFile("h.jpg", _jpeg(1600, 900)), hero_focus_x=0.25
    )
    form = superuser_client.get(change_url(story))
    response = superuser_client.post(
        change_url(story), submitted_form(form, hero_focus_x="", hero_focus_y="0.1")
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.hero_focus == (0.5, 0.1)
