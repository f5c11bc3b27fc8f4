"""Contributors' plain-text copy, as they send it.

    Summit ends with a promise and little else          <- headline: first non-blank line
    Monday 08/May/2023 - 06:10 PM                       <- dateline and byline,
    By Maria Lindqvist and Tomás Okafor                    each on its line, either order

    The first paragraph. Lines may be wrapped; a blank line ends a paragraph.

    What was said                                       <- a crosshead (becomes <h2>)

    The next paragraph…

Every paragraph lands in the body, in order, word for word: wrapped lines are
joined with a space and nothing else is changed.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .errors import ImportProblem
from .store import Story

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}

# "Monday 08/May/2023 - 06:10 PM", the wire style; weekday, dash and AM/PM optional.
# Month names only: "08/05/2023" means different days in London and New York.
WIRE_DATELINE = re.compile(
    r"""^(?:(?P<weekday>[a-z]+)\.?,?\s+)?
    (?P<day>\d{1,2})\s*/\s*(?P<month>[a-z]+)\.?\s*/\s*(?P<year>\d{4})
    \s*(?:[-–—,]|\bat\b)?\s*
    (?P<hour>\d{1,2})[:.](?P<minute>\d{2})
    (?:\s*(?P<meridiem>[ap])\.?\s*m\.?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DATELINE_EXAMPLES = "'Monday 08/May/2023 - 06:10 PM' or ISO 8601 such as '2023-05-08T18:10'"

BYLINE_PREFIX = re.compile(r"^by\b[\s:]*", re.IGNORECASE)
BYLINE_SEPARATORS = re.compile(r"\s*,\s*(?:and\b|&)?\s*|\s+and\s+|\s*&\s*", re.IGNORECASE)
MAX_WORDS_IN_A_NAME = 6

# A crosshead is short and does not end like a sentence does.
CROSSHEAD_MAX_CHARS = 70
CROSSHEAD_MAX_WORDS = 10
SENTENCE_ENDINGS = tuple(".,;:!?…\"'”’»)")
HEADLINE_MAX_CHARS = 255


@dataclass
class Block:
    kind: str  # "p" or "h2"
    text: str
    line: int  # where it starts in the file


@dataclass
class Copy:
    """One story as the contributor sent it, before it meets the database."""

    headline: str
    published_at: datetime
    authors: list[str]
    blocks: list[Block] = field(default_factory=list)

    def body_html(self):
        return "".join(
            f"<{block.kind}>{html.escape(block.text, quote=False)}</{block.kind}>"
            for block in self.blocks
        )

    def to_story(self):
        return Story(
            headline=self.headline,
            published_at=self.published_at,
            authors=self.authors,
            body=self.body_html(),
        )


def parse_copy(text):
    """Parse copy (already decoded text) into a :class:`Copy`, or raise ImportProblem."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(number, line.strip()) for number, line in enumerate(lines, start=1)]
    filled = [(number, line) for number, line in numbered if line]
    if not filled:
        raise ImportProblem("the file is empty")

    headline_line, headline = filled[0]
    if len(headline) > HEADLINE_MAX_CHARS:
        raise ImportProblem(
            f"the headline is {len(headline)} characters long; the limit is {HEADLINE_MAX_CHARS}",
            line=headline_line,
        )
    if len(filled) < 3:
        raise ImportProblem(
            "expected a dateline and a byline, each on its own line, after the headline",
            line=filled[-1][0] + 1 if len(filled) > 1 else headline_line + 1,
        )
    published_at, authors = _parse_dateline_and_byline(filled[1], filled[2])

    body_starts_after = filled[2][0]
    blocks = _body_blocks(numbered[body_starts_after:])
    if not blocks:
        raise ImportProblem(
            "the story has no body: paragraphs should follow the dateline and byline",
            line=body_starts_after + 1,
        )
    return Copy(headline=headline, published_at=published_at, authors=authors, blocks=blocks)


def _parse_dateline_and_byline(first, second):
    first_date, second_date = parse_dateline(*first), parse_dateline(*second)
    if first_date and second_date:
        raise ImportProblem(
            "two datelines after the headline; expected one dateline and one byline",
            line=second[0],
        )
    if first_date:
        return first_date, parse_byline(second[1], line=second[0])
    if second_date:
        return second_date, parse_byline(first[1], line=first[0])

    # Neither line is a dateline: say which one was meant to be, so the
    # contributor knows what to fix.
    def meant_as_dateline(candidate):
        _, text = candidate
        return not BYLINE_PREFIX.match(text) and any(char.isdigit() for char in text)

    if BYLINE_PREFIX.match(first[1]):
        culprit = second
    elif BYLINE_PREFIX.match(second[1]) or meant_as_dateline(first):
        culprit = first
    elif meant_as_dateline(second):
        culprit = second
    else:
        culprit = first
    raise ImportProblem(
        f"the dateline {culprit[1]!r} is not in a format we know; "
        f"write it like {DATELINE_EXAMPLES}",
        line=culprit[0],
    )


def parse_dateline(line_number, text):
    """The aware datetime of a dateline, None if ``text`` is no dateline at all.

    Raises ImportProblem when it is plainly meant as one but is impossible
    (31 February, a Tuesday that is a Monday, 13 PM). Times without a zone
    are in the site's time zone.
    """
    if ISO_DATE.match(text):
        return _parse_iso(line_number, text)
    match = WIRE_DATELINE.match(text)
    if not match:
        return None
    month = MONTHS.get(match["month"].lower())
    if month is None:
        raise ImportProblem(f"{match['month']!r} in the dateline is not a month", line=line_number)
    hour, minute = int(match["hour"]), int(match["minute"])
    if match["meridiem"]:
        if not 1 <= hour <= 12:
            raise ImportProblem(
                f"{hour}:{minute:02d} is not a time on a 12-hour clock", line=line_number
            )
        hour = hour % 12 + (12 if match["meridiem"].lower() == "p" else 0)
    try:
        naive = datetime(int(match["year"]), month, int(match["day"]), hour, minute)
    except ValueError as error:
        raise ImportProblem(
            f"the dateline {text!r} is not a real date and time: {error}", line=line_number
        ) from None
    if match["weekday"]:
        weekday = WEEKDAYS.get(match["weekday"].lower())
        if weekday is None:
            raise ImportProblem(
                f"{match['weekday']!r} in the dateline is not a day of the week", line=line_number
            )
        if weekday != naive.weekday():
            raise ImportProblem(
                f"the dateline says {match['weekday']}, but {naive:%d %B %Y} is a {naive:%A}: "
                "please check the date",
                line=line_number,
            )
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _parse_iso(line_number, text):
    if not ISO_DATETIME.match(text):
        raise ImportProblem(
            f"the dateline {text!r} has a date but no time; write it like {DATELINE_EXAMPLES}",
            line=line_number,
        )
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ImportProblem(
            f"the dateline {text!r} is not a valid ISO 8601 date and time", line=line_number
        ) from None
    return (
        value
        if timezone.is_aware(value)
        else timezone.make_aware(value, timezone.get_default_timezone())
    )


def parse_byline(text, *, line=None):
    """Author names in byline order: "By A and B", "A, B", "A, B and C"."""
    names = []
    for part in BYLINE_SEPARATORS.split(BYLINE_PREFIX.sub("", text)):
        name = part.strip(" .;")
        if name and name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    looks_like_names = names and all(
        len(name.split()) <= MAX_WORDS_IN_A_NAME
        and any(char.isalpha() for char in name)
        and not any(char.isdigit() for char in name)
        for name in names
    )
    if not looks_like_names:
        raise ImportProblem(
            f"expected the byline (one or more author names) here, found {text[:80]!r}",
            line=line,
        )
    return names


def _body_blocks(numbered_lines):
    paragraphs = []  # (number of its first line, [its lines])
    current = None
    for number, line in numbered_lines:
        if not line:
            current = None
        elif current is None:
            current = (number, [line])
            paragraphs.append(current)
        else:
            current[1].append(line)

    shaped_like_heading = [_shaped_like_heading(lines) for _, lines in paragraphs]
    blocks = []
    for index, (number, lines) in enumerate(paragraphs):
        # A crosshead stands alone between two real paragraphs; a run of
        # short lines (a list of times, an address) stays as paragraphs.
        is_crosshead = (
            shaped_like_heading[index]
            and 0 < index < len(paragraphs) - 1
            and not shaped_like_heading[index - 1]
            and not shaped_like_heading[index + 1]
        )
        blocks.append(Block(kind="h2" if is_crosshead else "p", text=" ".join(lines), line=number))
    return blocks


def _shaped_like_heading(lines):
    if len(lines) != 1:
        return False
    text = lines[0]
    return (
        len(text) <= CROSSHEAD_MAX_CHARS
        and len(text.split()) <= CROSSHEAD_MAX_WORDS
        and not text.endswith(SENTENCE_ENDINGS)
    )
