"""Uploaded images: accepted by what they contain, stored clean.

Every image field of the site is a ``SafeImageField``; its form field checks an
upload and replaces it with a re-encoded copy before anything is stored:

- only JPEG, PNG, WebP and GIF, recognised by their content (Pillow), and the
  file name's extension must agree with it;
- at most ``MAX_UPLOAD_BYTES``, refused by the size Django counted while it
  streamed the upload to a temporary file, before a byte of it is read into
  memory; and at most Pillow's ``MAX_IMAGE_PIXELS``, refused from the image's
  header before any pixel is decoded (a decompression bomb is a small file
  that expands to gigabytes of pixels);
- the whole picture must decode: truncated and damaged files are refused;
- no web page code hidden in or after the picture (polyglots that a browser
  could be tricked into running as HTML);
- the stored file is re-encoded from the pixels: the EXIF orientation is
  applied, and EXIF (GPS position, camera serial numbers), comments and
  anything appended are dropped. Readers only ever get that clean copy.

The clean copy is stored while the form is validated (``stage`` of
``AtomicFileSystemStorage`` or ``S3MediaStorage``): a disk or an object store
that cannot take it is a form error, before anything of the save is written.
"""

import io
import logging
import posixpath
import re
import uuid
import warnings
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
NOT_STORED = "The server could not store the picture; nothing was saved."
# Pillow's own bomb threshold (about 89 megapixels): more than any newsroom
# camera produces. Set here so the limit is explicit and the same everywhere.
MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# Pillow format → the extensions a file of that format may carry (first one is
# used for the stored copy), its MIME type, and how it is re-encoded.
FORMATS = {
    "JPEG": ([".jpg", ".jpeg"], "image/jpeg", {"quality": 90, "optimize": True}),
    "PNG": ([".png"], "image/png", {"optimize": True}),
    "WEBP": ([".webp"], "image/webp", {"quality": 90}),
    "GIF": ([".gif"], "image/gif", {}),
}
ACCEPTED = "JPEG, PNG, WebP or GIF"

# Markup that has no business inside a picture: a browser sniffing the file as
# HTML, or a page including it, could run it. Long enough not to occur by
# chance in compressed image data.
MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg[\s>/]|\?php|!doctype|object|embed)|javascript:",
    re.IGNORECASE,
)


def image_format_of(image):
    # Phones save photos with a depth map or a preview as MPO: JPEG files.
    return "JPEG" if image.format == "MPO" else image.format


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.0f}"


def refuse_if_too_big(size):
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This file is %(size)s MB; the limit is 15 MB. Export the picture at a "
            "smaller size and upload it again.",
            code="too_big",
            params={"size": f"{size / 1024 / 1024:.1f}"},
        )


def read_limited(uploaded):
    """The upload's bytes, read only once its size is known to be within the limit."""
    refuse_if_too_big(uploaded.size)
    uploaded.seek(0)
    # A file object's size can be stale or wrong: never read past the limit.
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    refuse_if_too_big(len(data))
    return data


def open_checked(data, name):
    """The ``Image`` in ``data`` (bytes), decoded and checked; ValidationError
    with a message for the editor otherwise."""
    refuse_if_too_big(len(data))
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image_format_of(image)
            if image_format not in FORMATS:
                raise ValidationError(
                    "This is a %(format)s file. Upload a JPEG, PNG, WebP or GIF picture.",
                    code="format",
                    params={"format": image_format or "unknown"},
                )
            image.verify()  # structure and checksums, without decoding
            # verify() leaves the image unusable: open again and decode every pixel.
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This picture is too large to process: the most we accept is %(limit)s megapixels.",
            code="bomb",
            params={"limit": _megapixels(MAX_IMAGE_PIXELS)},
        ) from None
    except Image.UnidentifiedImageError:
        raise ValidationError(
            "This file is not a picture. Upload a JPEG, PNG, WebP or GIF picture.",
            code="not_image",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow's words for truncated or corrupt data.
        raise ValidationError(
            "This picture is damaged or incomplete (%(reason)s). Export it again "
            "and upload the new file.",
            code="damaged",
            params={"reason": str(error) or type(error).__name__},
        ) from None

    extensions = FORMATS[image_format][0]
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in extensions:
        raise ValidationError(
            "This file is a %(format)s picture but its name ends in “%(suffix)s”. "
            "Rename it to end in %(expected)s and upload it again.",
            code="misnamed",
            params={
                "format": image_format,
                "suffix": suffix or "(nothing)",
                "expected": " or ".join(extensions),
            },
        )
    found = MARKUP.search(data)
    if found:
        raise ValidationError(
            "This file contains web page code (“%(markup)s”) besides the picture, "
            "so it is refused. Export the picture again from an image editor.",
            code="polyglot",
            params={"markup": found.group().decode("ascii", "replace")},
        )
    return image


def reencode(image):
    """The picture alone, upright, in its own format: no EXIF, no comments,
    nothing appended. Returns ``(bytes, extension, content_type)``."""
    image_format = image_format_of(image)
    extensions, content_type, options = FORMATS[image_format]
    animated = image_format != "JPEG" and getattr(image, "n_frames", 1) > 1
    if not animated:
        # Turns the pixels as the camera's orientation tag says; the tag goes
        # with the rest of the EXIF.
        image = ImageOps.exif_transpose(image)
    options = dict(options)
    if animated:
        options.update(save_all=True)
    keep = {"icc_profile", "transparency", "duration", "loop", "background"}
    info = {key: value for key, value in image.info.items() if key in keep}
    image.info = info
    if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, image_format, **{**info, **options})
    return buffer.getvalue(), extensions[0], content_type


def clean_upload(uploaded):
    """A checked, re-encoded copy of an uploaded file, ready to be stored."""
    data = read_limited(uploaded)
    image = open_checked(data, uploaded.name)
    clean, extension, content_type = reencode(image)
    stem = PurePath(uploaded.name).stem[:80] or "image"
    result = SimpleUploadedFile(f"{stem}{extension}", clean, content_type)
    result.image = Image.open(io.BytesIO(clean))
    return result


class SafeImageFormField(forms.ImageField):
    """An image upload that is checked by content and stored re-encoded.

    Given the model field's ``storage`` and ``folder``, the clean copy is
    written there under a temporary name as soon as it is checked; the
    model's save moves it into place.
    """

    def __init__(self, *, storage=None, folder="", **kwargs):
        self.storage = storage
        self.folder = folder
        super().__init__(**kwargs)

    def to_python(self, data):
        uploaded = forms.FileField.to_python(self, data)  # empty, missing, too long a name
        if uploaded is None:
            return None
        return self.stage(clean_upload(uploaded))

    def stage(self, clean):
        # Staged only inside a transaction (the admin's): its commit is when an
        # upload that was never saved (another field refused) is removed. Outside
        # one, the model's save writes the file itself, just as atomically.
        if not hasattr(self.storage, "stage") or not transaction.get_connection().in_atomic_block:
            return clean
        try:
            staged = self.storage.stage(self.folder, clean)
        except OSError as error:
            logger.error("An upload could not be stored in %s/: %s", self.folder, error)
            raise ValidationError(NOT_STORED, code="not_stored") from None
        staged.image = clean.image
        staged.content_type = clean.content_type
        transaction.on_commit(staged.discard)
        return staged


class SafeImageField(models.ImageField):
    """``ImageField`` whose forms (admin and any ModelForm) use ``SafeImageFormField``."""

    def formfield(self, **kwargs):
        folder = posixpath.dirname(self.generate_filename(None, "upload.jpg"))
        return super().formfield(
            **{
                "form_class": SafeImageFormField,
                "storage": self.storage,
                "folder": folder,
                **kwargs,
            }
        )

    def deconstruct(self):
        # Only the form differs, not the column: migrations see a plain
        # ImageField, so switching a field to this one needs no migration.
        name, path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


@deconstructible(path="articles.pictures.uploads.GeneratedName")
class GeneratedName:
    """``upload_to`` that never builds a path from the uploaded file's name.

    Only the (lower-cased) extension survives; the name is a random UUID so an
    upload can neither overwrite another nor smuggle a path.
    """

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        suffix = PurePath(filename).suffix.lower()[:5]
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other):
        return isinstance(other, GeneratedName) and other.folder == self.folder
