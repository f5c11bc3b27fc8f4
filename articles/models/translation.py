"""A story's language, and its link to the story it translates.

One original, any number of translations, each in a language of its own:
the link always points at the original (a translation of a translation is
linked to the original instead), and the pair (original, language) is unique
(``unique_translation_language`` in ``Article.Meta``). Deleting an original
keeps its translations: the link is dropped (``SET_NULL``) and each
translation's history says so (``articles.translations``).

Credits: a byline has a ``role``; translators are credited apart from the
authors ("Translated by …").
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from .. import languages


class BylineRole(models.TextChoices):
    """What a byline credits. A new role is one more line here (and in the
    migration Django writes for it): nothing else needs to know."""

    AUTHOR = "author", "Author"
    TRANSLATOR = "translator", "Translator"
    REPORTING = "reporting", "Reporting"
    ADDITIONAL_REPORTING = "additional-reporting", "Additional reporting"
    PHOTOGRAPHER = "photographer", "Photographer"


# Roles readers see as the story's authors (schema.org ``author``); the others
# are credited on a line of their own.
AUTHOR_ROLES = {BylineRole.AUTHOR, BylineRole.REPORTING, BylineRole.ADDITIONAL_REPORTING}


def byline_role_field():
    return models.CharField(
        max_length=30,
        choices=BylineRole.choices,
        default=BylineRole.AUTHOR,
        help_text="What this person did on the story.",
    )


class Translatable(models.Model):
    """The language fields of a story (mixed into ``Article``)."""

    language = models.CharField(
        max_length=64,
        default=languages.default_language,
        validators=[languages.validate_language],
        help_text="The language the story is written in (NEWSROOM_LANGUAGES).",
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text="The original story this one translates. Leave empty for an original.",
    )
    text_changed_at = models.DateTimeField(
        "text changed",
        null=True,
        blank=True,
        editable=False,
        help_text="When the headline, standfirst or text last changed, in any state: "
        "a translation saved before this is out of date.",
    )

    # What a translation translates: a change to one of these makes it out of date.
    TRANSLATED_FIELDS = ("headline", "dek", "body")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._text_changed():
            self.text_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "text_changed_at"}
        super().save(*args, **kwargs)

    def _text_changed(self):
        stored = getattr(self, "stored_values", None)
        if self._state.adding or stored is None:
            return self._state.adding
        return any(
            name in stored and stored[name] != getattr(self, name)
            for name in self.TRANSLATED_FIELDS
        )

    def clean(self):
        super().clean()
        self.link_to_the_original()

    def link_to_the_original(self):
        """Points ``translation_of`` at the original (never at another
        translation) and refuses the links that make no sense, each with a
        message saying what to do instead."""
        original = self.translation_of
        if original is None:
            return
        if original.translation_of_id is not None:
            original = self.translation_of = original.translation_of
        if self.pk is not None and original.pk == self.pk:
            raise ValidationError(
                {"translation_of": "A story cannot be a translation of itself."},
                code="own_translation",
            )
        if self.pk is not None and type(self).objects.filter(translation_of=self).exists():
            raise ValidationError(
                {
                    "translation_of": "This story is the original of translations of its own: "
                    "it cannot also be a translation. Link the other story to this one instead."
                },
                code="original_with_translations",
            )
        if original.language == self.language:
            raise ValidationError(
                {
                    "language": f"The original, “{original}”, is in this language "
                    f"({languages.language_name(self.language)}): a translation is in another."
                },
                code="same_language_as_original",
            )

    # Reading the family: the original and its translations.

    @property
    def is_translation(self):
        return self.translation_of_id is not None

    @property
    def original_id(self):
        return self.translation_of_id or self.pk

    @property
    def direction(self):
        return languages.direction(self.language)

    @property
    def language_name(self):
        return languages.language_name(self.language)

    def family(self):
        """Every version of this story, the original and its translations, in
        any state (this one included)."""
        root = self.original_id
        return type(self).objects.filter(Q(pk=root) | Q(translation_of_id=root))

    @cached_property
    def versions(self):
        """Every version in any state, this one included, the original first:
        one query. The story page declares each (``articles/views.py``)."""
        if self.pk is None:
            return []
        # What ``is_published`` and ``is_scheduled`` ask, the embargo included.
        versions = self.family().only(
            "pk",
            "slug",
            "language",
            "headline",
            "translation_of_id",
            "status",
            "published_at",
            "embargoed_until",
        )
        return sorted(versions, key=lambda v: (v.translation_of_id is not None, v.language))

    @property
    def live_versions(self):
        """The versions readers can read (this one included when live), the
        original first: for hreflang links and the language switch."""
        return [version for version in self.versions if version.is_published]

    @property
    def other_live_versions(self):
        return [version for version in self.live_versions if version.pk != self.pk]

    def credited(self, roles):
        """The people credited in these roles, in byline order (uses the prefetch)."""
        return [byline.author for byline in self.bylines.all() if byline.role in roles]

    @property
    def translators(self):
        return self.credited({BylineRole.TRANSLATOR})

    @property
    def other_credits(self):
        """``[(role label, [author, …]), …]`` for the roles credited apart from
        authors and translators (photographers…)."""
        apart = set(BylineRole) - AUTHOR_ROLES - {BylineRole.TRANSLATOR}
        return [
            (role.label, people)
            for role in BylineRole
            if role in apart and (people := self.credited({role}))
        ]
