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
