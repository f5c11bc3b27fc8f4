"""One file in, one clear result out: shared by the commands and the admin form."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError

from articles.models import Article
from articles.publishing.checklist import NotReadyToPublish

from .copy import parse_copy
from .errors import ImportProblem
from .ninjs import parse_ninjs
from .store import Outcome, save_story

# Real copy is a few tens of kilobytes; anything this big is a mistake or an
# attack, and refusing it early keeps it out of memory and out of the body.
MAX_FILE_BYTES = 5 * 1024 * 1024

PARSERS = {
    "copy": lambda text: parse_copy(text).to_story(),
    "ninjs": parse_ninjs,
}
# What the admin's upload form recognises by the file's name.
FORMAT_BY_SUFFIX = {".txt": "copy", ".text": "copy", ".json": "ninjs"}


@dataclass
class FileResult:
    name: str
    outcome: Outcome | None = None
    problem: str = ""

    @property
    def ok(self):
        return self.outcome is not None

    def __str__(self):
        return f"{self.name}: {self.outcome if self.ok else self.problem}"


def read_limited(fileobj, size=None):
    """Read at most MAX_FILE_BYTES, refusing anything bigger without reading it all."""
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportProblem(too_big_message(size))
    data = fileobj.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(too_big_message())
    return data


def too_big_message(size=None):
    size_text = f"{size / 1024 / 1024:.1f} MB" if size is not None else "too big"
    return (
        f"the file is {size_text}; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB a story. "
        "Is this really one story?"
    )


def decode_text(data):
    """The file's text, or a problem saying why it is not UTF-8 text."""
    if not data.strip():
        raise ImportProblem("the file is empty")
    if b"\x00" in data:
        raise ImportProblem("this is a binary file, not text (it contains NUL bytes)")
    try:
        # utf-8-sig: Windows editors start UTF-8 files with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportProblem(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read); "
            "save it as UTF-8 and try again",
            line=line,
        ) from None


def import_file(
    name,
    fileobj,
    *,
    fmt,
    size=None,
    section=None,
    status=Article.Status.DRAFT,
    may_update=None,
    user=None,
    vocabulary=None,
    language="",
    translation_of="",
):
    """Import one file: parse it, then save its story in its own transaction.
    ``language`` and ``translation_of`` (the original's slug), when given,
    override what the file says.

    Whatever is wrong with the file comes back as the result's ``problem``,
    never as an exception, so the next file still gets its turn.
    """
    try:
        story = PARSERS[fmt](decode_text(read_limited(fileobj, size)))
        story.language = language or story.language
        story.translation_of_slug = translation_of or story.translation_of_slug
        outcome = save_story(
            story,
            section=section,
            status=status,
            may_update=may_update,
            user=user,
            source=name,
            vocabulary=vocabulary,
        )
        return FileResult(name, outcome=outcome)
    except ImportProblem as problem:
        return FileResult(name, problem=str(problem))
    except NotReadyToPublish as refusal:
        # The publish checklist refused it: the transaction wrote nothing.
        return FileResult(
            name,
            problem=f"not imported: {refusal} Import it as a draft to finish it on the desk.",
        )
    except ValidationError as error:
        return FileResult(name, problem=_validation_message(error))
    except PermissionDenied as error:
        return FileResult(name, problem=str(error))
    except DatabaseError as error:
        # E.g. a concurrent import of the same ninjs uri: the transaction is
        # rolled back, nothing of this story is stored.
        return FileResult(name, problem=f"the database refused the story: {error}")


def _validation_message(error):
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
