"""The one place that decides which HTML an article body may contain."""

import nh3

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

_body_cleaner = nh3.Cleaner(
    tags=BODY_TAGS,
    attributes=BODY_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_body(html):
    """Return ``html`` reduced to the body allow-list; an empty editor becomes ''."""
    cleaned = _body_cleaner.clean(html or "").strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned
