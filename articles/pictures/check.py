"""What ``manage.py check_media`` looks for, and how ``--repair`` mends it.

- **missing rendition / broken rendition**: a picture a row points at lacks a
  rendition, or has one that is empty, cut off or of the wrong width (with
  ``decode``, also one that does not decode). Repair remakes it.
- **temporary file**: a write that never finished (a crash, a killed worker).
  Repair removes it once it is older than ``GRACE``: younger ones may still be
  being written.
- **unreferenced file**: a file in a picture folder that no row and no revision
  points at, e.g. an upload whose save was rolled back, or a rendition of a
  deleted picture. Repair removes it, also only after ``GRACE``.
- **missing original / unreadable original**: nothing to make renditions from;
  only a new upload mends it, so these are reported and left.

Files referenced only by a revision (an older hero image, a deleted story that
can be recovered) are kept, and so are their renditions, crops included (cut
around the focal point the revision holds). A crop made for a focal point
that editors have since moved, and that no revision holds, is unreferenced.
"""

import json
import logging
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import reversion
from django.apps import apps
from django.core.cache import cache
from django.db import models
from PIL import Image, UnidentifiedImageError
from reversion.models import Version

from ..models import Article, Author, Expert, Placement
from . import renditions
from .storage import StorageUnavailable, is_temporary

logger = logging.getLogger(__name__)

# Every picture the site makes renditions of, in which kinds, and the fields
# holding the focal point its crops keep in view (``articles.changes``).
HERO_FOCUS = ("hero_focus_x", "hero_focus_y")
PICTURES = [
    *((Article, "hero_image", kind, HERO_FOCUS) for kind in renditions.STORY_KINDS),
    (Placement, "picture", "wide", ("picture_focus_x", "picture_focus_y")),
    (Author, "photo", "portrait", ()),
    (Expert, "photo", "portrait", ()),
]
# Long enough for any upload or rendition being written right now to be done.
GRACE = 10 * 60

MISSING_ORIGINAL = "missing original"
UNREADABLE_ORIGINAL = "unreadable original"
MISSING_RENDITION = "missing rendition"
BROKEN_RENDITION = "broken rendition"
TEMPORARY_FILE = "temporary file"
UNREFERENCED_FILE = "unreferenced file"


@dataclass
class Problem:
    kind: str
    name: str
    detail: str = ""
    # For renditions: (model, field name, kind, focus fields) of their picture,
    # and the focal point they were cut around.
    picture: tuple = ()
    focus: tuple | None = None
    original: str = ""  # for renditions: the picture's stored name
    old: bool = True  # past GRACE: safe to remove

    def __str__(self):
        about = f" (of {self.original})" if self.original else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.kind}: {self.name}{about}{detail}"


@dataclass
class Report:
    problems: list = field(default_factory=list)
    pictures: int = 0
    renditions: int = 0


def file_fields():
    """(model, field) for every file field of every installed model."""
    return [
        (model, model_field)
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        if isinstance(model_field, models.FileField)
    ]


def referenced_names():
    """Every stored name a row or a revision points at."""
    names = set()
    for model, model_field in file_fields():
        names.update(
            model._default_manager.exclude(**{model_field.attname: ""})
            .values_list(model_field.attname, flat=True)
            .order_by()
        )
        if not reversion.is_registered(model):
            continue
        versions = Version.objects.get_for_model(model).values_list("serialized_data", flat=True)
        for data in versions.iterator(chunk_size=500):  # every revision: read in batches
            names.add(_name_in_revision(data, model_field.attname))
    return names - {None, ""}


def _name_in_revision(data, attname):
    return _fields_in_revision(data).get(attname)


def _fields_in_revision(data):
    try:
        fields = json.loads(data)[0]["fields"]
    except (ValueError, KeyError, IndexError, TypeError):
        return {}  # another serialisation format: such files are reported, not guessed at
    return fields if isinstance(fields, dict) else {}


def revision_crop_keys():
    """The keys of the crops of pictures that revisions point at, each cut
    around the focal point its revision holds."""
    crops = {}
    for model, field_name, kind, focus_fields in PICTURES:
        if renditions.KINDS[kind].crop is not None and reversion.is_registered(model):
            crops.setdefault(model, []).append((field_name, kind, focus_fields))
    keys = set()
    for model, pictures in crops.items():
        versions = Version.objects.get_for_model(model).values_list("serialized_data", flat=True)
        for data in versions.iterator(chunk_size=500):
            fields = _fields_in_revision(data)
            for field_name, kind, focus_fields in pictures:
                if name := fields.get(field_name):
                    focus = tuple(fields.get(focus_field, 0.5) for focus_field in focus_fields)
                    keys.add(renditions.rendition_key(name, kind, focus))
    return keys


def picture_folders():
    """The folders uploads go to, and the renditions folder."""
    folders = {renditions.RENDITIONS_DIR}
    for _, model_field in file_fields():
        folders.add(posixpath.dirname(model_field.generate_filename(None, "upload.jpg")))
    return sorted(folders - {""})


def check(*, decode=False):
    """A ``Report`` of what is wrong in the media storage (``MEDIA_ROOT`` or the
    bucket); ``decode`` decodes every rendition too (slow), instead of reading
    its header and its end. ``StorageUnavailable`` when the storage does not answer.

    Everything goes through the storage's API, so the same check runs on a
    disk and on an object store. Both storages share one place (settings), so
    the renditions storage lists the upload folders too.
    """
    report = Report()
    storage = renditions.rendition_storage()
    expected, row_keys, originals = set(), set(), set()
    for picture in PICTURES:
        model, field_name, kind, focus_fields = picture
        for field_file, focus in _pictures(model, field_name, focus_fields):
            originals.add(field_file.name)
            row_keys.add(renditions.rendition_key(field_file.name, kind, focus))
            expected.update(_check_picture(field_file, focus, picture, report, storage, decode))
    report.pictures = len(originals)
    referenced = referenced_names()
    # Pictures only a revision points at may come back: their renditions stay.
    revision_keys = {renditions.rendition_key(name) for name in referenced} - row_keys
    revision_keys |= revision_crop_keys() - row_keys
    now = time.time()
    for folder in picture_folders():
        for name, modified in storage.files_in(folder):
            old = now - modified > GRACE
            if is_temporary(PurePosixPath(name).name):
                age = f"{(now - modified) / 60:.0f} min old"
                report.problems.append(Problem(TEMPORARY_FILE, name, age, old=old))
            elif folder == renditions.RENDITIONS_DIR:
                if name not in expected and _key_of(name) not in revision_keys:
                    report.problems.append(Problem(UNREFERENCED_FILE, name, old=old))
            elif name not in referenced:
                report.problems.append(Problem(UNREFERENCED_FILE, name, old=old))
    return report


def _pictures(model, field_name, focus_fields):
    """``(field file, focal point or None)`` of every row with a picture."""
    instances = (
        model._default_manager.exclude(**{field_name: ""})
        .only(field_name, *focus_fields)
        .order_by()
    )
    for instance in instances.iterator(chunk_size=500):
        focus = tuple(getattr(instance, name) for name in focus_fields) or None
        yield getattr(instance, field_name), focus


def _check_picture(field_file, focus, picture, report, storage, decode):
    """The rendition names the picture should have; its problems added to ``report``."""
    name = field_file.name
    kind = picture[2]
    if not field_file.storage.exists(name):
        # One report per picture, however many kinds it is made in.
        if not any(p.kind == MISSING_ORIGINAL and p.name == name for p in report.problems):
            report.problems.append(Problem(MISSING_ORIGINAL, name, "upload it again"))
        return set()
    key = renditions.rendition_key(name, kind, focus)
    try:
        with field_file.storage.open(name) as handle, Image.open(handle) as original:
            plan = renditions.plan_of(key, original, renditions.KINDS[kind])
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as error:
        if not any(p.kind == UNREADABLE_ORIGINAL and p.name == name for p in report.problems):
            report.problems.append(Problem(UNREADABLE_ORIGINAL, name, str(error)))
        return set()
    names = set()
    for width in plan.widths:
        for extension in plan.extensions:
            rendition = renditions.rendition_name(key, width, extension)
            names.add(rendition)
            report.renditions += 1
            found = _rendition_problem(storage, rendition, width, decode)
            if found:
                kind, detail = found
                report.problems.append(
                    Problem(kind, rendition, detail, picture=picture, original=name, focus=focus)
                )
    return names


def _rendition_problem(storage, name, width, decode):
    # One open per rendition: on an object store, each is a request.
    try:
        handle = storage.open(name)
    except FileNotFoundError:
        return MISSING_RENDITION, ""
    except StorageUnavailable:
        raise  # the store is down, not the file broken: nothing to repair
    except OSError as error:
        return BROKEN_RENDITION, str(error) or type(error).__name__
    with handle:
        if not renditions.is_whole_file(handle, name):
            return BROKEN_RENDITION, "empty or cut off"
        handle.seek(0)
        try:
            with Image.open(handle) as image:
                if image.width != width:
                    return BROKEN_RENDITION, f"{image.width} px wide, not {width}"
                if decode:
                    image.load()
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
            return BROKEN_RENDITION, str(error) or type(error).__name__
    return None


def _key_of(rendition_name):
    return PurePosixPath(rendition_name).name.split("-", 1)[0]


def repair(report):
    """Mend what can be mended; the problems that remain."""
    storage = renditions.rendition_storage()
    remaining, remade = [], {}
    for problem in report.problems:
        if problem.kind in (MISSING_RENDITION, BROKEN_RENDITION):
            made = (problem.original, problem.picture[2], problem.focus)
            if made not in remade:
                remade[made] = _remake(problem, report)
            if not remade[made]:
                remaining.append(problem)
        elif problem.kind in (TEMPORARY_FILE, UNREFERENCED_FILE) and problem.old:
            storage.delete(problem.name)
        else:
            remaining.append(problem)
    return remaining


def _remake(problem, report):
    """Remove the picture's broken renditions and make them all again."""
    storage = renditions.rendition_storage()
    for other in report.problems:
        if (
            other.original == problem.original
            and other.picture == problem.picture
            and other.focus == problem.focus
            and other.kind == BROKEN_RENDITION
        ):
            storage.delete(other.name)
    model, field_name, kind, _ = problem.picture
    if not model._default_manager.filter(**{field_name: problem.original}).exists():
        return False  # changed since the check: the next check sees it as it is now
    try:
        _, complete = renditions.make_renditions(
            problem.original, renditions.KINDS[kind], problem.focus, kind
        )
    except (OSError, UnidentifiedImageError, ValueError) as error:
        logger.warning("Renditions of %s not remade: %s", problem.original, error)
        return False
    cache.delete(renditions.plan_cache_key(problem.original, kind, problem.focus))
    return complete
