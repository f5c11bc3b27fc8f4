"""The one place that decides which HTML the site stores.

The article body keeps a small rich-text allow-list (``clean_body``). Every
other field an editor types into is plain text (``clean_text``, or
``clean_name`` for a required field, which must not come out empty): any
markup in it is removed on save, whatever wrote it (admin, import, shell).
Templates escape on output as well; this keeps stored content clean for every
other consumer (feeds, JSON-LD, exports), and feeds clean each field again as
they write it (``articles.feeds.PlainTextFeed``).
"""

import re
from dataclasses import dataclass
from html import unescape

import nh3
from django.utils.html import strip_tags
from django.utils.text import slugify

# What the body editor can produce: paragraphs, crossheads, links, emphasis,
# lists and block quotes. Anything else is stripped on save.
BODY_TAGS = {"p", "h2", "h3", "a", "strong", "em", "ul", "ol", "li", "blockquote", "br"}
BODY_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# The prose editor's extensions, kept in step with BODY_TAGS.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "History": True,
}

_BODY_RULES = {
    "tags": BODY_TAGS,
    "attributes": BODY_ATTRIBUTES,
    "url_schemes": URL_SCHEMES,
    "link_rel": "noopener noreferrer",
    "strip_comments": True,
}
_body_cleaner = nh3.Cleaner(**_BODY_RULES)


def body_text(html):
    """The words of a body, without its markup: for word counts, the search
    index and the checklist."""
    # A space before each tag keeps "</h2><p>" from gluing two words together.
    text = strip_tags((html or "").replace("<", " <"))
    return " ".join(unescape(text).replace("\xa0", " ").split())


def clean_body(html):
    """Return ``html`` reduced to the body allow-list; an empty editor becomes ''."""
    cleaned = _body_cleaner.clean(html or "").strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


def clean_body_for_elsewhere(html, base_url):
    """The body for a reader away from the site (a feed reader): cleaned to the
    same allow-list, whatever wrote the stored value, with every relative link
    resolved against ``base_url``, the story's own address, as its page would."""
    return nh3.clean(
        html or "", **_BODY_RULES, url_relative=("rewrite_with_base", base_url)
    ).strip()


# -- plain text -----------------------------------------------------------------

_text_cleaner = nh3.Cleaner(tags=set(), attributes={}, strip_comments=True)
_ANGLE_BRACKETS = re.compile(r"[<>]")


def clean_text(value):
    """``value`` as plain text: tags (and the contents of script and style)
    removed, entities turned back into the characters they stand for, so that
    "Q&A" stays "Q&A" and the template's escaping shows it as typed."""
    # Unescaping can reveal markup ("&lt;script&gt;" or what mutation XSS
    # hides in attributes), so clean again until nothing changes: the result
    # has no tags however it is later parsed.
    for _ in range(10):
        if not value:
            return value
        cleaned = unescape(_text_cleaner.clean(value))
        if cleaned == value:
            return cleaned
        value = cleaned
    return _ANGLE_BRACKETS.sub("", value)


def clean_name(value):
    """A name that must not come out empty (a tag's): plain text, or, if that
    leaves nothing, the typed characters without angle brackets."""
    return clean_text(value).strip() or _ANGLE_BRACKETS.sub("", unescape(value)).strip()


# -- crossheads ---------------------------------------------------------------
# Runs on bodies that clean_body() produced, where <h2> never carries
# attributes and never nests, so a pattern over the serialised HTML is exact.
_CROSSHEAD = re.compile(r"<h2>(.*?)</h2>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# Ids the page around the body already uses.
RESERVED_IDS = frozenset({"main", "in-this-story", "in-this-story-heading", "quotes-heading"})


@dataclass(frozen=True)
class Crosshead:
    anchor: str
    text: str


@dataclass(frozen=True)
class AnchoredBody:
    html: str
    crossheads: tuple


def anchor_crossheads(html):
    """Give every crosshead (``<h2>``) a stable ``id`` made from its words.

    Returns the body with the ids and the crossheads in order. The same words
    always give the same anchor, so shared links keep working across edits
    that do not touch the crosshead; repeats get ``-2``, ``-3``…
    """
    used = set(RESERVED_IDS)
    crossheads = []

    def add_id(match):
        text = unescape(_TAG.sub("", match.group(1))).strip()
        base = slugify(text, allow_unicode=True) or "part"
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        crossheads.append(Crosshead(anchor, text))
        return f'<h2 id="{anchor}">{match.group(1)}</h2>'

    return AnchoredBody(_CROSSHEAD.sub(add_id, html or ""), tuple(crossheads))
