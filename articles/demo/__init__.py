"""The demo site's sections, people and stories, kept as data in ``content.toml``."""

import tomllib
from pathlib import Path

_CONTENT = tomllib.loads(Path(__file__).with_name("content.toml").read_text(encoding="utf-8"))

SECTIONS = _CONTENT["sections"]
AUTHORS = _CONTENT["authors"]
EXPERTS = _CONTENT["experts"]
# Live stories, and the desk's drafts, stories in review and scheduled stories.
ARTICLES = _CONTENT["stories"]
DESK_ARTICLES = _CONTENT["desk_stories"]
# The home page's placements in order, the sections' fronts, the banner.
FRONT = _CONTENT["front"]
SECTION_FRONTS = _CONTENT["section_fronts"]
BANNER = _CONTENT["banner"]
# One staff account per role (development only).
ACCOUNTS = _CONTENT["accounts"]


def guid(slug):
    """A demo story's stable identity: what ``load_demo`` knows it by after an
    editor has changed its slug."""
    return f"urn:newsroom:demo:{slug}"
