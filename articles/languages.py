"""The languages the site publishes in (``NEWSROOM_LANGUAGES``), and what a
page needs to know of one: its name, in itself, and which way it is written.

Codes are BCP 47 (``en``, ``ar``, ``pt-br``). Names and directions come from
Django's own table of languages (``django.conf.locale.LANG_INFO``); a code it
does not know may still be configured with its name: ``("tzm", "Tamaziɣt")``.
"""

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError

# Scripts written from right to left, by the language's primary subtag. Django
# marks these ``bidi`` too; the set also serves codes Django does not list.
RIGHT_TO_LEFT = {"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "ckb", "dv"}


def _entry(item):
    code, name = (item, None) if isinstance(item, str) else item
    code = code.strip().lower()
    if name is None:
        info = LANG_INFO.get(code) or LANG_INFO.get(code.split("-")[0], {})
        name = info.get("name_local") or code
    return code, name


def site_languages():
    """``{code: name}`` of every language the site publishes in, the site's own first."""
    entries = dict(_entry(item) for item in settings.NEWSROOM_LANGUAGES)
    own = default_language()
    if own not in entries:
        entries = {**dict([_entry(own)]), **entries}
    return {own: entries.pop(own), **entries}


def choices():
    """For a form's select: ``[("ar", "ar · العربيّة"), …]``."""
    return [(code, f"{code} · {name}") for code, name in site_languages().items()]


def default_language():
    """The site's own language: a new story is written in it unless told otherwise."""
    return settings.NEWSROOM_LANGUAGE.strip().lower()


def site_language_for(code):
    """The site's code for a language tag from elsewhere ("en-GB" → "en" on a
    site that has English), or None if the site has no such language."""
    code = (code or "").strip().lower().replace("_", "-")
    known = site_languages()
    if code in known:
        return code
    primary = code.split("-")[0]
    return primary if primary in known else None


def is_multilingual():
    """Does the site publish in more than one language (and so need lists per language)?"""
    return len(site_languages()) > 1


def editions():
    """``[(code, name, direction), …]``: the site's language editions (``/ar/``…),
    none for a site in one language."""
    if not is_multilingual():
        return []
    return [(code, name, direction(code)) for code, name in site_languages().items()]


def language_name(code):
    return site_languages().get(code) or _entry(code)[1]


def direction(code):
    """``"rtl"`` for languages written right to left, else ``"ltr"``."""
    primary = (code or "").split("-")[0].lower()
    if primary in RIGHT_TO_LEFT:
        return "rtl"
    return "rtl" if LANG_INFO.get(primary, {}).get("bidi") else "ltr"


def validate_language(code):
    """Refuses a code that is not one of the site's languages, naming those that are."""
    if code not in site_languages():
        known = ", ".join(f"{code} ({name})" for code, name in site_languages().items())
        raise ValidationError(
            "“%(code)s” is not one of the site's languages. Use one of: %(known)s "
            "(NEWSROOM_LANGUAGES in the settings).",
            code="unknown_language",
            params={"code": code, "known": known},
        )
