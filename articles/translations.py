"""Translations beyond the model: what the desk says of them, which pages
show a story's versions, and what happens to a translation whose original
is deleted.

Each version is a story of its own (edited, reviewed, corrected, published on
its own through the usual workflow); what ties them is ``translation_of``
(``articles/models/translation.py``).
"""

import reversion
from django.db.models.signals import post_delete, post_save, pre_delete

from . import changes, languages
from .models import Article

# -- pages that show a story's versions ---------------------------------------------


def versions_key(original_id):
    """``versions:12``: the language switch and ``hreflang`` links of every
    version of story 12: they change when a version is added, published,
    unpublished, retitled, re-linked or deleted."""
    return f"versions:{original_id}"


def _version_keys(article):
    stored = getattr(article, "stored_values", {})
    roots = {article.translation_of_id or article.pk}
    if "translation_of_id" in stored:
        roots.add(stored["translation_of_id"] or article.pk)
    return {versions_key(root) for root in roots if root is not None}


def _story_saved(sender, instance, created=False, raw=False, **kwargs):
    # A version's own save stamps its story key, which every page of its
    # versions declares; only a new link (a version the other pages did not
    # know) needs the family's key.
    if raw:
        return
    stored = getattr(instance, "stored_values", {})
    if (created and instance.translation_of_id) or any(
        name in stored and stored[name] != getattr(instance, name)
        for name in ("translation_of_id", "language")
    ):
        changes.record(keys=_version_keys(instance))


# -- deleting an original -----------------------------------------------------------


def _original_deleting(sender, instance, **kwargs):
    # Read before the delete sets their link to NULL: afterwards nothing says
    # which stories were its translations.
    instance.orphaned_translation_ids = list(
        Article.objects.filter(translation_of=instance).values_list("pk", flat=True)
    )


def _original_deleted(sender, instance, **kwargs):
    # Its versions' pages declared its story key, which the deletion stamps.
    orphans = getattr(instance, "orphaned_translation_ids", ())
    if not orphans:
        return
    note = (
        f"The original, “{instance.headline}” ({instance.language_name}), was deleted: "
        "this translation is kept, no longer linked to it."
    )
    for translation in Article.objects.filter(pk__in=orphans):
        with reversion.create_revision():
            reversion.add_to_revision(translation)
            reversion.set_comment(note)
    changes.record(stories=set(orphans))


def connect():
    """Called once from ``ArticlesConfig.ready``."""
    post_save.connect(_story_saved, sender=Article, dispatch_uid="translations-story-saved")
    pre_delete.connect(_original_deleting, sender=Article, dispatch_uid="translations-deleting")
    post_delete.connect(_original_deleted, sender=Article, dispatch_uid="translations-deleted")


# -- the desk -----------------------------------------------------------------------


class Status:
    NEEDED = "needed"
    IN_PROGRESS = "in progress"
    OUT_OF_DATE = "out of date"
    UP_TO_DATE = "up to date"


def translation_status(translation, original):
    """Where a translation stands against its original, in the desk's words."""
    changed = original.text_changed_at
    if changed is not None and translation.updated_at < changed:
        return Status.OUT_OF_DATE
    if not translation.is_published:
        return Status.IN_PROGRESS
    return Status.UP_TO_DATE


def family_status(article):
    """``[(language code, language name, status, the version or None), …]`` for
    every language of the site but the original's: a version's status, or
    "needed" where there is none yet. For an original's change form and the desk."""
    original = article.translation_of if article.translation_of_id else article
    versions = {t.language: t for t in Article.objects.filter(translation_of=original)}
    rows = []
    for code, name in languages.site_languages().items():
        if code == original.language:
            continue
        version = versions.get(code)
        status = translation_status(version, original) if version else Status.NEEDED
        rows.append((code, name, status, version))
    return rows


def corrections_since_translated(translation):
    """The original's corrections made after this translation was last saved:
    each one may need carrying over."""
    if translation.translation_of_id is None or translation.pk is None:
        return []
    return list(
        translation.translation_of.corrections.filter(
            created_at__gt=translation.updated_at
        ).order_by("created_at", "pk")
    )


# -- starting a translation ---------------------------------------------------------


class CannotTranslate(Exception):
    """Why a translation cannot be started, in words for the person who asked."""


def _free_slug(base):
    slug, n = base[:240], 2
    while Article.objects.filter(slug=slug).exists():
        slug, n = f"{base[:236]}-{n}", n + 1
    return slug


def start_translation(original, language, *, translator=None):
    """A new draft in ``language`` translating ``original`` (or, for a
    translation, its original), with the structure copied for the translator
    to put into words: headline, standfirst and text (its crossheads), the
    section, tags, the hero with its caption, credit and alt text, the quotes
    with their experts, and the bylines, the translator's (an ``Author``)
    added. The caller holds the transaction."""
    from .models import Byline, ExpertQuote
    from .models.translation import BylineRole

    original = original.translation_of or original
    if language not in languages.site_languages():
        languages.validate_language(language)  # raises, naming the site's languages
    if language == original.language:
        raise CannotTranslate(f"“{original}” is already in {languages.language_name(language)}.")
    existing = Article.objects.filter(translation_of=original, language=language).first()
    if existing is not None:
        raise CannotTranslate(
            f"“{original}” already has a translation in {languages.language_name(language)}: "
            f"“{existing}”."
        )
    copied = {
        name: getattr(original, name)
        for name in (
            "headline",
            "dek",
            "body",
            "section_id",
            "hero_image",
            "hero_caption",
            "hero_credit",
            "hero_alt",
            "hero_focus_x",
            "hero_focus_y",
        )
    }
    translation = Article.objects.create(
        **copied,
        slug=_free_slug(f"{original.slug}-{language}"),
        language=language,
        translation_of=original,
        status=Article.Status.DRAFT,
    )
    bylines = list(original.bylines.all())
    Byline.objects.bulk_create(
        Byline(article=translation, author_id=b.author_id, position=b.position, role=b.role)
        for b in bylines
        if translator is None or b.author_id != translator.pk
    )
    if translator is not None:
        Byline.objects.create(
            article=translation,
            author=translator,
            position=max((b.position for b in bylines), default=-1) + 1,
            role=BylineRole.TRANSLATOR,
        )
    for quote in original.quotes.all():
        ExpertQuote.objects.create(
            article=translation,
            expert_id=quote.expert_id,
            kind=quote.kind,
            text=quote.text,
            context=quote.context,
            position=quote.position,
        )
    translation.tags.set(list(original.tags.all()))
    changes.record(stories={translation.pk})
    return translation


# -- the desk's list ----------------------------------------------------------------

DESK_ROWS = 10


def desk_rows(user):
    """What the desk says about translations, for the stories ``user`` may
    change: ``[(story, language name, status), …]`` — translations out of date
    or in progress, and originals with translations still missing a language
    of the site. Three queries however many rows."""
    stories = Article.objects.changeable_by(user)
    rows = []
    translations = (
        stories.filter(translation_of__isnull=False)
        .select_related("translation_of")
        .order_by("-updated_at", "-pk")
    )
    for translation in translations[: DESK_ROWS * 3]:
        status = translation_status(translation, translation.translation_of)
        if status != Status.UP_TO_DATE:
            rows.append((translation, translation.language_name, status))
    originals = (
        stories.filter(translation_of__isnull=True, translations__isnull=False)
        .distinct()
        .prefetch_related("translations")
        .order_by("-updated_at", "-pk")
    )
    site = languages.site_languages()
    for original in originals[:DESK_ROWS]:
        done = {original.language, *(t.language for t in original.translations.all())}
        for code in site.keys() - done:
            rows.append((original, site[code], Status.NEEDED))
    return rows[:DESK_ROWS]
