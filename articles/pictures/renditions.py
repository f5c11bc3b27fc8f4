"""What readers receive instead of an uploaded image: renditions.

Each hero image, author photo and expert photo is served as a few widths, in
WebP and in JPEG (PNG when the picture has transparency), made with Pillow.
While making them we turn the picture upright (EXIF orientation) and write no
metadata at all, so a camera's GPS position or serial number never reaches a
reader. The original upload's URL is never put in a page.

Renditions are files in the default storage under ``renditions/``, named by an
HMAC of the upload's name: a rendition's URL does not reveal where the
original lives. They are made after the article, author or expert is saved
(``articles.changes``) and, for images that arrived some other way, the
first time a page needs them. What a page needs to write the ``<picture>``
(the widths, the height of each) is kept in the cache, so rendering a page
never opens an image once the renditions exist.
"""

import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.crypto import salted_hmac
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

RENDITIONS_DIR = "renditions"
CACHE_PREFIX = "newsroom:renditions:1:"  # bump the number if Plan changes shape


@dataclass(frozen=True)
class Kind:
    """How one kind of picture is cut and at which widths."""

    widths: tuple
    square: bool = False  # portraits are cropped square, a little above centre


HERO = Kind(widths=(240, 480, 800, 1200, 1600))
PORTRAIT = Kind(widths=(120, 240, 480), square=True)
KINDS = {"hero": HERO, "portrait": PORTRAIT}

WEBP_QUALITY = 80
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Plan:
    """The renditions of one upload: their widths and the picture's shape."""

    key: str
    widths: tuple  # the widths actually made: never wider than the upload
    aspect: float  # height / width of every rendition
    fallback: str  # "jpg" or "png"

    def height(self, width):
        return max(1, round(width * self.aspect))


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """Everything a ``<picture>`` needs; ``img`` is the default fallback file."""

    webp: tuple
    fallback: tuple
    fallback_type: str

    @property
    def img(self):
        # The middle width: a sensible choice for browsers without srcset.
        return self.fallback[len(self.fallback) // 2]

    @property
    def largest(self):
        return self.fallback[-1]

    @staticmethod
    def srcset(renditions):
        return ", ".join(f"{r.url} {r.width}w" for r in renditions)

    @property
    def webp_srcset(self):
        return self.srcset(self.webp)

    @property
    def fallback_srcset(self):
        return self.srcset(self.fallback)


def rendition_key(name):
    """An unguessable, stable stand-in for the upload's storage name."""
    return salted_hmac("newsroom.images.rendition", name).hexdigest()[:32]


def rendition_name(key, width, extension):
    return f"{RENDITIONS_DIR}/{key[:2]}/{key}-{width}.{extension}"


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _cut(image, kind, width, aspect):
    height = max(1, round(width * aspect))
    if kind.square:
        return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _encode(image, extension):
    """The picture's pixels in one format, with no metadata of any kind."""
    # A new image object: nothing of the original's info (EXIF, XMP, comments)
    # travels with it, whatever the plugin would otherwise copy.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    if extension == "webp":
        pixels.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    elif extension == "png":
        pixels.save(buffer, "PNG", optimize=True)
    else:
        pixels.convert("RGB").save(
            buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
        )
    return buffer.getvalue()


def make_renditions(field_file, kind):
    """Write any missing renditions of ``field_file``; return their ``Plan``.

    Raises ``OSError``/``UnidentifiedImageError`` when the file cannot be read.
    """
    key = rendition_key(field_file.name)
    field_file.open("rb")
    try:
        with Image.open(field_file) as original:
            original.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(original)
            alpha = _has_alpha(upright)
            upright = upright.convert("RGBA" if alpha else "RGB")
            source_width, source_height = upright.size
            aspect = 1.0 if kind.square else source_height / source_width
            largest = min(source_width, source_height) if kind.square else source_width
            # Never wider than the upload, and never less detail than it has.
            widths = tuple(w for w in kind.widths if w < largest)
            if largest <= max(kind.widths):
                widths += (largest,)
            plan = Plan(key, widths, aspect, "png" if alpha else "jpg")
            for width in widths:
                cut = None
                for extension in ("webp", plan.fallback):
                    name = rendition_name(key, width, extension)
                    if default_storage.exists(name):
                        continue
                    if cut is None:
                        cut = _cut(upright, kind, width, aspect)
                    default_storage.save(name, ContentFile(_encode(cut, extension)))
    finally:
        field_file.close()
    return plan


def plan_for(field_file, kind_name):
    """The ``Plan`` of an upload, from the cache, making renditions if needed."""
    cache_key = CACHE_PREFIX + rendition_key(field_file.name) + ":" + kind_name
    plan = cache.get(cache_key)
    if plan is None:
        plan = make_renditions(field_file, KINDS[kind_name])
        cache.set(cache_key, plan, None)
    return plan


def picture(field_file, kind_name):
    """A ``Picture`` for an image field, or None when there is no usable image.

    A file that cannot be read (missing, corrupt) gives None and a log entry:
    the page shows without the picture rather than failing.
    """
    if not field_file:
        return None
    try:
        plan = plan_for(field_file, kind_name)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        logger.exception("No renditions for %s", field_file.name)
        return None

    def renditions(extension):
        return tuple(
            Rendition(
                default_storage.url(rendition_name(plan.key, width, extension)),
                width,
                plan.height(width),
            )
            for width in plan.widths
        )

    return Picture(
        webp=renditions("webp"),
        fallback=renditions(plan.fallback),
        fallback_type="image/png" if plan.fallback == "png" else "image/jpeg",
    )
