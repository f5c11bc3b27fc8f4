"""Template tags for pages in several languages: the links between a story's
versions (``hreflang`` and the reader's language switch), its dateline in its
own language, and the language and direction of a page or a fragment."""

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import format_html

from articles import languages

register = template.Library()

# The dateline, per language: Arabic separates the date from the time with
# its own comma. Anything not listed uses the site's (English) pattern.
DATELINE_FORMATS = {"ar": "l j F Y، H:i T"}
DATELINE_FORMAT = "l j F Y, H:i T"


@register.filter
def dateline(moment):
    """A story's time as its dateline shows it, in the active language (the
    story page renders its story inside ``{% language article.language %}``):
    day and month names from Django's own translations, the pattern from
    ``DATELINE_FORMATS``."""
    if moment is None:
        return ""
    language = (translation.get_language() or "").split("-")[0]
    return formats.date_format(
        timezone.localtime(moment), DATELINE_FORMATS.get(language, DATELINE_FORMAT)
    )


@register.filter
def text_direction(code):
    """``rtl`` or ``ltr`` for a language code."""
    return languages.direction(code)


@register.filter
def foreign_language_attributes(code):
    """`` lang="ar" dir="rtl"`` for a fragment (a card, a teaser) in another
    language than the site's; nothing for one in the site's own."""
    if code == languages.default_language():
        return ""
    return format_html(' lang="{}" dir="{}"', code, languages.direction(code))


@register.filter
def language_name(code):
    """The language's name in itself: "العربيّة", "English"."""
    return languages.language_name(code)


@register.inclusion_tag("includes/hreflang.html", takes_context=True)
def hreflang_links(context, article):
    """``<link rel="alternate" hreflang>`` to every live version of a live
    story, itself included, and ``x-default`` to the original."""
    request = context["request"]
    versions = article.live_versions if article.is_published else []
    if len(versions) < 2:
        return {"links": []}
    links = [
        (version.language, request.build_absolute_uri(version.get_absolute_url()))
        for version in versions
    ]
    # The original leads the list (live_versions); readers of any other
    # language are sent to it.
    return {"links": [*links, ("x-default", links[0][1])]}


@register.inclusion_tag("includes/language_switch.html")
def language_switch(article):
    """The versions of this story a reader can switch to, each named in its
    own language; this one marked as the current page."""
    others = article.other_live_versions if article.pk else []
    if not others:
        return {"versions": []}
    # A preview of a version not yet live lists itself beside the live ones.
    versions = article.live_versions if article.is_published else [article, *others]
    return {"versions": versions, "current": article}
