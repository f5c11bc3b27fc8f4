"""What readers receive instead of an uploaded image: renditions.

Each hero image, author photo and expert photo is served as a few widths, in
WebP and in JPEG (PNG when the picture has transparency), made with Pillow.
Fronts and social sites get crops of a fixed shape (16:9 for the front, and
16:9, 4:3 and 1:1 at 1200 px for sharing) centred on the focal point editors
set, as near as the picture's edges allow.
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
CACHE_PREFIX = "newsroom:renditions:3:"  # bump the number if Plan changes shape
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
    # A crop to this height / width around the picture's focal point (16:9 is
    # 0.5625); None keeps the picture's own shape.
    crop: float | None = None
    # Every width, even from a smaller upload: sharing needs 1200 px pictures.
    enlarge: bool = False
    webp: bool = True  # social sites and search engines take JPEG or PNG only


HERO = Kind(widths=(240, 480, 800, 1200, 1600))
PORTRAIT = Kind(widths=(120, 240, 480), square=True)
# The front's lead and top stories: 16:9, from a phone's thumbnail to a wide lead.
WIDE = Kind(widths=(320, 640, 960, 1280), crop=9 / 16)
# What Google Discover and social sites show: 1200 px wide at the three
# shapes Google asks for.
SHARE_KINDS = {
    "share-16x9": Kind(widths=(1200,), crop=9 / 16, enlarge=True, webp=False),
    "share-4x3": Kind(widths=(1200,), crop=3 / 4, enlarge=True, webp=False),
    "share-1x1": Kind(widths=(1200,), crop=1.0, enlarge=True, webp=False),
}
KINDS = {"hero": HERO, "portrait": PORTRAIT, "wide": WIDE, **SHARE_KINDS}
# The kinds a story's hero is made in after each save (``articles.changes``).
STORY_KINDS = ("hero", "wide", *SHARE_KINDS)
CENTRE = (0.5, 0.5)

WEBP_QUALITY = 80
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Plan:
    """The renditions of one upload: their widths and the picture's shape."""

    key: str
    widths: tuple  # the widths actually made: never wider than the upload (unless enlarged)
    aspect: float  # height / width of every rendition
    fallback: str  # "jpg" or "png"
    webp: bool = True

    def height(self, width):
        return max(1, round(width * self.aspect))

    @property
    def extensions(self):
        return ("webp", self.fallback) if self.webp else (self.fallback,)


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


def rendition_key(name, kind_name=None, focus=None):
    """An unguessable, stable stand-in for the upload's storage name. A crop
    around a focal point has a key of its own for each point: moving the
    point makes new files, and a page never links a crop made for the old one."""
    if kind_name is not None and KINDS[kind_name].crop is not None:
        x, y = _rounded(focus)
        name = f"{name}\n{kind_name}\n{x:.3f},{y:.3f}"
    return salted_hmac("newsroom.images.rendition", name).hexdigest()[:32]


def _rounded(focus):
    x, y = focus or CENTRE
    return round(min(max(float(x), 0.0), 1.0), 3), round(min(max(float(y), 0.0), 1.0), 3)


def rendition_name(key, width, extension):
    return f"{RENDITIONS_DIR}/{key[:2]}/{key}-{width}.{extension}"


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def crop_box(size, aspect, focus):
    """The largest box of ``aspect`` (height / width) inside a picture of
    ``size``, as near centred on ``focus`` (fractions across and down) as the
    picture's edges allow."""
    width, height = size
    if height / width > aspect:
        box_width, box_height = width, width * aspect
    else:
        box_width, box_height = height / aspect, height
    x, y = _rounded(focus)
    left = min(max(x * width - box_width / 2, 0), width - box_width)
    top = min(max(y * height - box_height / 2, 0), height - box_height)
    return (left, top, left + box_width, top + box_height)


def _cut(image, kind, width, aspect, focus=None):
    height = max(1, round(width * aspect))
    if kind.square:
        return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    if kind.crop is not None:
        box = crop_box(image.size, kind.crop, focus)
        return image.resize((width, height), Image.Resampling.LANCZOS, box=box)
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
    if kind.square:
        aspect, largest = 1.0, min(source_width, source_height)
    elif kind.crop is not None:
        aspect = kind.crop
        left, _, right, _ = crop_box((source_width, source_height), aspect, CENTRE)
        largest = int(right - left)
    else:
        aspect, largest = source_height / source_width, source_width
    fallback = "png" if alpha else "jpg"
    if kind.enlarge:
        return Plan(key, kind.widths, aspect, fallback, kind.webp)
    # Never wider than the upload, and never less detail than it has.
    widths = tuple(w for w in kind.widths if w < largest)
    if largest <= max(kind.widths):
        widths += (largest,)
    return Plan(key, widths, aspect, fallback, kind.webp)


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


def make_renditions(name, kind, focus=None, kind_name=None):
    """Make whichever renditions of the upload ``name`` are missing or broken
    (``focus``: the focal point a crop keeps in view; ``kind_name`` names a
    cropping kind, whose files are keyed by the point too).

    Returns ``(plan, complete)``. The plan lists only the widths whose files are
    whole, so nothing broken is ever linked; ``complete`` is false when a file
    could not be written (a full disk). Raises ``OSError``/``UnidentifiedImageError``
    when the upload itself cannot be read.
    """
    storage = rendition_storage()
    with upload_storage().open(name, "rb") as handle, Image.open(handle) as original:
        original.seek(0)  # the first frame of an animation
        plan = plan_of(rendition_key(name, kind_name, focus), original, kind)
        to_make = _missing(storage, plan)
        failed = _make(storage, original, plan, kind, to_make, focus) if to_make else set()
    whole = tuple(width for width in plan.widths if width not in failed)
    return replace(plan, widths=whole), not failed


def whole_renditions(name, kind, focus=None, kind_name=None):
    """``(plan, complete)`` as ``make_renditions`` gives them, making nothing.

    Reads the upload's header and the two ends of each rendition: what a page
    may link now, without waiting for a resize.
    """
    with upload_storage().open(name, "rb") as handle, Image.open(handle) as original:
        plan = plan_of(rendition_key(name, kind_name, focus), original, kind)
    missing = {width for width, _ in _missing(rendition_storage(), plan)}
    whole = tuple(width for width in plan.widths if width not in missing)
    return replace(plan, widths=whole), not missing


def _make(storage, original, plan, kind, to_make, focus=None):
    """Write the renditions in ``to_make``; the widths that could not be written."""
    upright = ImageOps.exif_transpose(original)
    upright = upright.convert("RGBA" if plan.fallback == "png" else "RGB")
    cut = None
    for done, (width, extension) in enumerate(to_make):
        name = rendition_name(plan.key, width, extension)
        try:
            if cut is None or cut.width != width:
                cut = _cut(upright, kind, width, plan.aspect, focus)
            storage.save(name, ContentFile(_encode(cut, extension)))
        except OSError as error:
            # A full or failing disk fails every write alike: stop here; the
            # task that asked fails, and is tried again later (articles.tasks).
            logger.warning("Renditions of %s not written: %s", plan.key, error)
            return {width for width, _ in to_make[done:]}
    return set()


def make_all(name, kind_name, focus=None):
    """Make the missing renditions of an upload; whether all are whole now.

    A complete plan is cached for ``PLAN_SECONDS``, so the pages that show the
    picture next link it without opening a file.
    """
    plan, complete = make_renditions(name, KINDS[kind_name], focus, kind_name)
    if complete:
        cache.set(plan_cache_key(name, kind_name, focus), plan, PLAN_SECONDS)
    return complete


def plan_for(name, kind_name, focus=None):
    """``(plan, complete)``: the renditions of an upload a page may link.

    From the cache, or else from the files, writing nothing. Only a complete
    plan is cached, and only for ``PLAN_SECONDS``: a rendition lost or damaged
    on the disk since is found by the next page after that.
    """
    cache_key = plan_cache_key(name, kind_name, focus)
    plan = cache.get(cache_key)
    if plan is not None:
        return plan, True
    plan, complete = whole_renditions(name, KINDS[kind_name], focus, kind_name)
    if complete:
        cache.set(cache_key, plan, PLAN_SECONDS)
    return plan, complete


def plan_cache_key(name, kind_name, focus=None):
    return CACHE_PREFIX + rendition_key(name, kind_name, focus) + ":" + kind_name


def picture(field_file, kind_name, focus=None):
    """``(picture, complete)`` for an image field: a ``Picture`` of the renditions
    that are whole (None when there are none, or no usable image), and whether
    none is missing. Nothing is made here (see the module's docstring).
    ``focus`` is the focal point (across, down) that a cropping kind keeps in view.

    A file that cannot be read (missing, corrupt) gives None and a log entry:
    the page shows without the picture rather than failing, and asks for nothing.
    """
    if not field_file:
        return None, True
    try:
        plan, complete = plan_for(field_file.name, kind_name, focus)
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
