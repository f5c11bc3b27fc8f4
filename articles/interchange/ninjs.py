"""IPTC ninjs 2.x ("News in JSON"): an article out as a ninjs document, and back in.

The mapping, both ways:

=====================  ==============================================
ninjs                  Newsroom
=====================  ==============================================
uri                    Article.guid (kept across systems)
slugline               slug
headlines[main]        headline
descriptions[summary]  dek (standfirst)
bodies[main]           body (HTML)
firstcreated           published_at (the dateline)
versioncreated         the last change
embargoed              embargoed_until (written only while the embargo holds)
pubstatus              "usable"; "withheld" or "canceled" are imported as drafts only
language               language (the story's own; BCP 47)
by, people[author]     bylines, in order; people[translator] and the other
                       byline roles (rel = the role) credited apart
people[source]         the experts the story quotes (export only)
subjects[section]      section
subjects[about]        tags
associations[hero]     hero image: caption, alt text, credit, rendition
=====================  ==============================================
"""

import json
import mimetypes
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from articles.html import body_text
from articles.languages import site_language_for, validate_language
from articles.models.translation import BylineRole

from .copy import parse_byline
from .errors import ImportProblem
from .store import TAG_NAME_MAX_CHARS, Story

NINJS_VERSION = "2.4"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.4.json"

# ninjs leaves ``rel`` free; these are ours, and the importer reads them back.
REL_AUTHOR = "author"
REL_SOURCE = "source"  # an expert quoted in the story
REL_SECTION = "section"
REL_TAG = "about"
HERO = "hero"


def article_to_ninjs(article, *, base_url):
    """The article as a ninjs 2.x document (a dict ready for ``json.dumps``).

    ``base_url`` ("https://news.example.org/") makes the links absolute. The
    article should come from ``Article.objects.published().for_page()``; a
    staff export may add stories under embargo (``export_ninjs --embargoed``),
    which carry their release in ``embargoed``.
    """

    def absolute(path):
        return urljoin(base_url, path)

    authors = article.ordered_bylines()
    experts = list({quote.expert_id: quote.expert for quote in article.quotes.all()}.values())
    document = {
        "uri": article.guid,
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
        "type": "text",
        "representationtype": "full",
        "version": _version(article),
        "firstcreated": _timestamp(article.published_at),
        "versioncreated": _timestamp(max(article.updated_at, article.published_at)),
        "pubstatus": "usable",
        "embargoed": _timestamp(article.embargoed_until) if article.is_embargoed else None,
        "language": article.language,
        "copyrightholder": settings.NEWSROOM_SITE_NAME,
        "slugline": article.slug,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": article.headline}],
        "descriptions": [{"role": "summary", "contenttype": "text/plain", "value": article.dek}]
        if article.dek
        else [],
        "bodies": [_body(article.body)],
        "by": byline_text([author.name for author in authors]),
        "people": [
            {
                "name": byline.author.name,
                "rel": REL_AUTHOR if byline.role == BylineRole.AUTHOR else byline.role,
                "uri": absolute(byline.author.get_absolute_url()),
            }
            for byline in article.bylines.all()
        ]
        + [
            {"name": expert.name, "rel": REL_SOURCE, "uri": absolute(expert.get_absolute_url())}
            for expert in experts
        ],
        "subjects": (
            [
                {
                    "name": article.section.name,
                    "rel": REL_SECTION,
                    "literal": article.section.slug,
                    "uri": absolute(article.section.get_absolute_url()),
                }
            ]
            if article.section
            else []
        )
        + [
            {
                "name": tag.name,
                "rel": REL_TAG,
                "literal": tag.slug,
                "uri": absolute(tag.get_absolute_url()),
            }
            for tag in article.tags.all()
        ],
    }
    if article.hero_image:
        document["associations"] = [_hero(article, absolute)]
    return {key: value for key, value in document.items() if value not in ("", [], None)}


def byline_text(names):
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _version(article):
    # Article.version counts saves after the first, so a new story is version 1.
    return str(article.version + 1)


def _timestamp(value):
    return timezone.localtime(value).isoformat()


def _body(body_html):
    words = body_text(body_html).split()
    return {
        "role": "main",
        "contenttype": "text/html",
        "value": body_html,
        "charcount": len(" ".join(words)),
        "wordcount": len(words),
    }


def _hero(article, absolute):
    image_url = absolute(article.hero_image.url)
    rendition = {"name": "original", "href": image_url}
    contenttype, _ = mimetypes.guess_type(article.hero_image.name)
    if contenttype:
        rendition["contenttype"] = contenttype
    hero = {
        "name": HERO,
        "uri": image_url,
        "type": "picture",
        "renditions": [rendition],
        "descriptions": [
            {"role": role, "contenttype": "text/plain", "value": value}
            for role, value in (("caption", article.hero_caption), ("alt", article.hero_alt))
            if value
        ],
        "by": article.hero_credit,
    }
    return {key: value for key, value in hero.items() if value not in ("", [])}


def parse_ninjs(text):
    """A :class:`Story` from a ninjs document's text, or ImportProblem naming the field."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(
            f"this is not valid JSON: {error.msg} (column {error.colno})", line=error.lineno
        ) from None
    except RecursionError:
        raise ImportProblem("this JSON is nested too deeply to be a story") from None
    except ValueError:  # Python refuses integers thousands of digits long
        raise ImportProblem("this JSON cannot be read: a number in it is far too long") from None
    # JSON escapes can spell what no text file can hold: a NUL, half of a
    # surrogate pair. The database would refuse them, so refuse them here.
    if any(_not_storable(string) for string in _strings(document)):
        raise ImportProblem(
            "this JSON contains characters that are not text (a NUL or a lone surrogate)"
        )
    if not isinstance(document, dict) or "uri" not in document:
        raise ImportProblem(
            "this JSON is not a ninjs document: it needs to be an object with a 'uri', "
            "the one field every ninjs item has"
        )
    uri = _string(document, "uri")
    if not uri.strip():
        raise ImportProblem("the ninjs 'uri' is empty", field="uri")
    if len(uri) > 255:
        raise ImportProblem("the ninjs 'uri' is longer than 255 characters", field="uri")
    kind = _string(document, "type", default="text")
    if kind != "text":
        raise ImportProblem(
            f"this is a ninjs {kind!r} item, not a story: only 'text' items can be imported",
            field="type",
        )

    story = Story(
        guid=uri,
        headline=_headline(document),
        dek=_pick(document, "descriptions", roles=("summary", "dek", "standfirst")),
        body=_body_html(document),
        published_at=_published_at(document),
        slug=_string(document, "slugline"),
        embargoed_until=_moment(document, "embargoed"),
        pubstatus=_pubstatus(document),
        language=_language(document),
    )
    story.authors, story.roles = _bylines(document)
    if story.embargoed_until is not None and story.embargoed_until <= timezone.now():
        story.notes.append(
            f"its embargo ended at {story.embargoed_until.isoformat()}: it is not under embargo"
        )
        story.embargoed_until = None
    if story.pubstatus != "usable":
        story.notes.append(f"the sender marks it {story.pubstatus!r}: it is not published")
    for index, subject in enumerate(_objects(document, "subjects")):
        name = _string(subject, "name", field=f"subjects[{index}].name") or _string(
            subject, "literal", field=f"subjects[{index}].literal"
        )
        if subject.get("rel") == REL_SECTION:
            story.section_slug = _string(subject, "literal", field=f"subjects[{index}].literal")
            story.section_name = _string(subject, "name", field=f"subjects[{index}].name")
        elif name and name.casefold() not in {tag.casefold() for tag in story.tags}:
            if len(name) > TAG_NAME_MAX_CHARS:
                raise ImportProblem(
                    f"the tag is {len(name)} characters long; the limit is {TAG_NAME_MAX_CHARS}",
                    field=f"subjects[{index}].name",
                )
            story.tags.append(name)
    _read_hero(document, story)
    sources = [
        person.get("name")
        for person in _objects(document, "people")
        if person.get("rel") == REL_SOURCE
    ]
    if sources:
        # ninjs names the people a story quotes, but not what they said.
        story.notes.append(
            f"the quoted experts ({', '.join(map(str, sources))}) were not imported: "
            "add their quotes in the admin"
        )
    return story


def _strings(document):
    """Every key and string value in the document (without recursion: it may be deep)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from value.keys()
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _not_storable(string):
    if "\x00" in string:
        return True
    try:
        string.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _headline(document):
    headline = _pick(document, "headlines", roles=("main",))
    if not headline.strip():
        raise ImportProblem("a story needs a headline: none found", field="headlines")
    headline = headline.strip()
    if len(headline) > 255:
        raise ImportProblem(
            f"the headline is {len(headline)} characters long; the limit is 255",
            field="headlines",
        )
    return headline


def _body_html(document):
    bodies = _objects(document, "bodies")
    for index, body in enumerate(bodies):
        contenttype = _string(body, "contenttype", field=f"bodies[{index}].contenttype")
        if contenttype.startswith("text/html") or (not contenttype and body.get("role") == "main"):
            return _string(body, "value", field=f"bodies[{index}].value")
    for index, body in enumerate(bodies):
        # Plain text: a blank line between paragraphs, as in contributors' copy.
        text = _string(body, "value", field=f"bodies[{index}].value")
        return "".join(
            f"<p>{escape(' '.join(paragraph.split()))}</p>"
            for paragraph in text.replace("\r\n", "\n").split("\n\n")
            if paragraph.strip()
        )
    return ""


def _published_at(document):
    for key in ("firstcreated", "versioncreated", "contentcreated"):
        moment = _moment(document, key)
        if moment is not None:
            return moment
    return None


def _moment(document, key):
    """``document[key]`` as an aware datetime (naive ones are in ``TIME_ZONE``), or None."""
    value = _string(document, key)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ImportProblem(f"{value!r} is not an ISO 8601 date and time", field=key) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


PUBSTATUSES = ("usable", "withheld", "canceled")


def _pubstatus(document):
    value = _string(document, "pubstatus", default="usable")
    if value not in PUBSTATUSES:
        raise ImportProblem(
            f"{value!r} is not a ninjs pubstatus: use one of {', '.join(PUBSTATUSES)}",
            field="pubstatus",
        )
    return value


def _bylines(document):
    """``(names, roles)`` of the people credited, in order: the authors and
    those in the other byline roles (translators…), each rel its role."""
    names, roles = [], []
    for index, person in enumerate(_objects(document, "people")):
        rel = person.get("rel")
        if rel in BylineRole.values:
            name = _string(person, "name", field=f"people[{index}].name").strip()
            if name and name.casefold() not in {known.casefold() for known in names}:
                names.append(name)
                roles.append(rel)
    if any(role == REL_AUTHOR for role in roles):
        return names, roles
    by = _string(document, "by")
    if not by.strip():
        return names, roles
    try:
        authors = parse_byline(by)
    except ImportProblem as problem:
        raise ImportProblem(problem.message, field="by") from None
    return authors + names, [REL_AUTHOR] * len(authors) + roles


def _language(document):
    """The story's language, as one of the site's codes ("en-GB" is "en" here)."""
    code = _string(document, "language")
    if not code.strip():
        return ""
    known = site_language_for(code)
    if known is None:
        try:
            validate_language(code)
        except ValidationError as error:
            raise ImportProblem(error.messages[0], field="language") from None
    return known


def _read_hero(document, story):
    for index, association in enumerate(_objects(document, "associations")):
        if association.get("name") != HERO and association.get("type") != "picture":
            continue
        field = f"associations[{index}]"
        for item_index, description in enumerate(
            _objects(association, "descriptions", field=f"{field}.descriptions")
        ):
            value = _string(description, "value", field=f"{field}.descriptions[{item_index}]")
            if description.get("role") == "alt":
                story.hero_alt = value
            else:
                story.hero_caption = story.hero_caption or value
        story.hero_credit = _string(association, "by", field=f"{field}.by")
        hrefs = [
            _string(rendition, "href", field=f"{field}.renditions")
            for rendition in _objects(association, "renditions", field=f"{field}.renditions")
        ]
        # Fetching pictures from addresses in a file would let any file make
        # the server download anything; the desk attaches the picture instead.
        story.notes.append(
            "the hero image was not downloaded: attach it in the admin"
            + (f" (it is at {hrefs[0]})" if any(hrefs) else "")
        )
        return


def _pick(document, key, *, roles):
    """The value of the item with one of ``roles``, else of the first item."""
    items = _objects(document, key)
    for wanted in roles:
        for index, item in enumerate(items):
            if item.get("role") == wanted:
                return _string(item, "value", field=f"{key}[{index}].value")
    return _string(items[0], "value", field=f"{key}[0].value") if items else ""


def _objects(document, key, *, field=None):
    """``document[key]`` as a list of objects; [] when absent."""
    field = field or key
    value = document.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ImportProblem("expected a list of objects", field=field)
    return value


def _string(document, key, *, field=None, default=""):
    value = document.get(key, default)
    if not isinstance(value, str):
        raise ImportProblem(
            f"expected text, found {type(value).__name__.replace('dict', 'an object')}",
            field=field or key,
        )
    return value
