"""What readers receive instead of an uploaded image: renditions.

Each hero image, author photo and expert photo is served as a few widths, in
WebP and in JPEG (PNG when the picture has transparency), made with Pillow.
While making them we turn the picture upright (EXIF orientation) and write no
metadata at all, so a camera's GPS position or serial number never reaches a
reader. The original upload's URL is never put in a page.

Renditions are files in the ``renditions`` storage (``MEDIA_ROOT/renditions/``, or
``renditions/`` in the object store's bucket), served from there (or a CDN),
named by an HMAC of the upload's name: a rendition's URL does not reveal where
the original lives. They are made by a task (``articles.tasks.make_renditions``
calls ``make_all``) after the article, author or expert is saved, and when a
page finds some missing. A page itself never makes one: ``picture`` links the
renditions that are whole and says whether any are missing, and the reader
path (``articles/templatetags/reader.py``) asks the task queue for those. What
a page needs to write the ``<picture>`` (the widths, the height of each) is
kept in the cache for a few minutes, so rendering a page rarely opens a file.

A rendition that could not be written (a full disk) or that is missing or cut
off on the disk is never linked from a page: the plan lists only whole files,
is cached only when every file is whole, and each file is checked when the
plan is made again, so the next page after that asks for what is broken.
"""

import io
import logging
import os
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.utils.crypto import salted_hmac
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

RENDITIONS_DIR = "renditions"
CACHE_PREFIX = "newsroom:renditions:2:"  # bump the number if Plan changes shape
# How long a page trusts that a picture's renditions are still on the disk.
PLAN_SECONDS = 600

ORIENTATION = 0x0112
TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


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

    @property
    def extensions(self):
        return ("webp", self.fallback)


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


def rendition_storage():
    return storages["renditions"]


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


def is_whole(storage, name):
    """Whether the rendition ``name`` is all there.

    Each format says how it ends (a WebP file its length, JPEG and PNG an end
    marker), so a missing, empty or cut-off file is found with two small reads
    and no decoding.
    """
    try:
        with storage.open(name) as handle:
            return is_whole_file(handle, name)
    except OSError:
        return False


def is_whole_file(handle, name):
    """``is_whole`` of a rendition already opened."""
    handle.seek(0)
    head = handle.read(12)
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - len(PNG_END)))
    tail = handle.read()
    extension = name.rsplit(".", 1)[-1]
    if extension == "webp":
        return (
            head[:4] == b"RIFF"
            and head[8:12] == b"WEBP"
            and int.from_bytes(head[4:8], "little") + 8 == size
        )
    if extension == "png":
        return head.startswith(PNG_SIGNATURE) and tail == PNG_END
    return head.startswith(b"\xff\xd8") and tail.endswith(b"\xff\xd9")


def _upright_size(image):
    width, height = image.size
    return (height, width) if image.getexif().get(ORIENTATION) in TURNED else (width, height)


def plan_of(key, original, kind):
    """The ``Plan`` of an opened upload, from its header alone."""
    alpha = _has_alpha(original)
    source_width, source_height = _upright_size(original)
    aspect = 1.0 if kind.square else source_height / source_width
    largest = min(source_width, source_height) if kind.square else source_width
    # Never wider than the upload, and never less detail than it has.
    widths = tuple(w for w in kind.widths if w < largest)
    if largest <= max(kind.widths):
        widths += (largest,)
    return Plan(key, widths, aspect, "png" if alpha else "jpg")


def upload_storage():
    """Where uploads live: the storage of the models' picture fields."""
    return default_storage


def _missing(storage, plan):
    """The (width, extension) of each rendition in ``plan`` that is not whole."""
    return [
        (width, extension)
        for width in plan.widths
        for extension in plan.extensions
        if not is_whole(storage, rendition_name(plan.key, width, extension))
    ]


def make_renditions(name, kind):
    """Make whichever renditions of the upload ``name`` are missing or broken.

    Returns ``(plan, complete)``. The plan lists only the widths whose files are
    whole, so nothing broken is ever linked; ``complete`` is false when a file
    could not be written (a full disk). Raises ``OSError``/``UnidentifiedImageError``
    when the upload itself cannot be read.
    """
    storage = rendition_storage()
    with upload_storage().open(name, "rb") as handle, Image.open(handle) as original:
        original.seek(0)  # the first frame of an animation
        plan = plan_of(rendition_key(name), original, kind)
        to_make = _missing(storage, plan)
        failed = _make(storage, original, plan, kind, to_make) if to_make else set()
    whole = tuple(width for width in plan.widths if width not in failed)
    return replace(plan, widths=whole), not failed


def whole_renditions(name, kind):
    """``(plan, complete)`` as ``make_renditions`` gives them, making nothing.

    Reads the upload's header and the two ends of each rendition: what a page
    may link now, without waiting for a resize.
    """
    with upload_storage().open(name, "rb") as handle, Image.open(handle) as original:
        plan = plan_of(rendition_key(name), original, kind)
    missing = {width for width, _ in _missing(rendition_storage(), plan)}
    whole = tuple(width for width in plan.widths if width not in missing)
    return replace(plan, widths=whole), not missing


def _make(storage, original, plan, kind, to_make):
    """Write the renditions in ``to_make``; the widths that could not be written."""
    upright = ImageOps.exif_transpose(original)
    upright = upright.convert("RGBA" if plan.fallback == "png" else "RGB")
    cut = None
    for done, (width, extension) in enumerate(to_make):
        name = rendition_name(plan.key, width, extension)
        try:
            if cut is None or cut.width != width:
                cut = _cut(upright, kind, width, plan.aspect)
            storage.save(name, ContentFile(_encode(cut, extension)))
        except OSError as error:
            # A full or failing disk fails every write alike: stop here; the
            # task that asked fails, and is tried again later (articles.tasks).
            logger.warning("Renditions of %s not written: %s", plan.key, error)
            return {width for width, _ in to_make[done:]}
    return set()


def make_all(name, kind_name):
    """Make the missing renditions of an upload; whether all are whole now.

    A complete plan is cached for ``PLAN_SECONDS``, so the pages that show the
    picture next link it without opening a file.
    """
    plan, complete = make_renditions(name, KINDS[kind_name])
    if complete:
        cache.set(plan_cache_key(name, kind_name), plan, PLAN_SECONDS)
    return complete


def plan_for(name, kind_name):
    """``(plan, complete)``: the renditions of an upload a page may link.

    From the cache, or else from the files, writing nothing. Only a complete
    plan is cached, and only for ``PLAN_SECONDS``: a rendition lost or damaged
    on the disk since is found by the next page after that.
    """
    cache_key = plan_cache_key(name, kind_name)
    plan = cache.get(cache_key)
    if plan is not None:
        return plan, True
    plan, complete = whole_renditions(name, KINDS[kind_name])
    if complete:
        cache.set(cache_key, plan, PLAN_SECONDS)
    return plan, complete


def plan_cache_key(name, kind_name):
    return CACHE_PREFIX + rendition_key(name) + ":" + kind_name


def picture(field_file, kind_name):
    """``(picture, complete)`` for an image field: a ``Picture`` of the renditions
    that are whole (None when there are none, or no usable image), and whether
    none is missing. Nothing is made here (see the module's docstring).

    A file that cannot be read (missing, corrupt) gives None and a log entry:
    the page shows without the picture rather than failing, and asks for nothing.
    """
    if not field_file:
        return None, True
    try:
        plan, complete = plan_for(field_file.name, kind_name)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        logger.exception("No renditions for %s", field_file.name)
        return None, True
    if not plan.widths:
        return None, complete
    storage = rendition_storage()

    def renditions(extension):
        return tuple(
            Rendition(
                storage.url(rendition_name(plan.key, width, extension)),
                width,
                plan.height(width),
            )
            for width in plan.widths
        )

    found = Picture(
        webp=renditions("webp"),
        fallback=renditions(plan.fallback),
        fallback_type="image/png" if plan.fallback == "png" else "image/jpeg",
    )
    return found, complete
