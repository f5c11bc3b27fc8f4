from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile

from ..html import clean_name, clean_text
from ..publishing.roles import StaleCopy


class StoredValues(models.Model):
    """Remembers what the row held when it was loaded (Django's documented
    ``from_db`` pattern), so a change can tell what it replaced — which list a
    story left — without reading the row again."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.stored_values = dict(zip(field_names, values, strict=True))
        return instance

    def clean_fields(self, exclude=None):
        # A form's choice field has just fetched the section, author or expert
        # picked: asking the database again whether it exists costs a query per
        # relation for nothing (the foreign key constraint still guards the write).
        fetched = {
            field.name
            for field in self._meta.concrete_fields
            if field.is_relation and field.is_cached(self) and getattr(self, field.name)
        }
        super().clean_fields(exclude={*(exclude or ()), *fetched})

    def remember_stored_values(self):
        """After a save: what is stored now is what this instance holds."""
        self.stored_values = {
            field.attname: _column_value(self.__dict__[field.attname])
            for field in self._meta.concrete_fields
            if field.attname in self.__dict__
        }


def _column_value(value):
    # A file field holds a FieldFile that a later upload renames in place:
    # its name is what the column stores.
    return value.name if isinstance(value, FieldFile) else value


class PlainTextFields(models.Model):
    """The fields a model names in ``plain_text_fields`` lose all markup on
    every save, whichever path writes them (admin, import, shell), and before
    validation, so that uniqueness is checked on what will be stored.

    ``tests/test_sanitising.py`` derives the list from the fields themselves:
    every typed text field of the app must be named here."""

    plain_text_fields = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.clean_plain_text()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.clean_plain_text()

    @classmethod
    def as_plain_text(cls, name, value):
        """``value`` as the field ``name`` stores it. A field that may not be
        blank never comes out empty: typed as markup only, it keeps its
        characters without angle brackets."""
        return (clean_text if cls._meta.get_field(name).blank else clean_name)(value)

    def clean_plain_text(self):
        for name in self.plain_text_fields:
            setattr(self, name, self.as_plain_text(name, getattr(self, name)))


class StoryPart(PlainTextFields, StoredValues):
    """Something that belongs to one story and shows on its page: an expert
    quote, a live story's entries. A model built on this needs nothing more
    from the spine: ``articles.changes`` refreshes its story's pages after a
    part is saved or deleted, its story's revisions carry it (registered in
    ``articles/models/__init__``), and its ``plain_text_fields`` are cleaned.

    ``story_field`` names its foreign key to ``Article``. A part that lives a
    life of its own beside the story's text (a live story's entries) says
    ``carried_by_revisions = False``, and one that shows somewhere besides the
    story's page names that page's dependency keys in ``recorded_keys()``."""

    story_field = "article"
    carried_by_revisions = True

    class Meta:
        abstract = True

    @property
    def story_id(self):
        return getattr(self, f"{self.story_field}_id")

    def recorded_keys(self):
        """Dependency keys besides its story's page that a save or delete of this stamps."""
        return set()


class NoLostUpdates(models.Model):
    """A ``version`` that every save moves on by one, and only from the version
    the saved copy was loaded with: a save from a copy someone else saved
    after it was loaded raises ``StaleCopy`` instead of overwriting their work.
    (``Article`` keeps the same rule in its own ``save()``.)"""

    version = models.PositiveIntegerField(
        default=0,
        help_text="Counts saves; a save from an out-of-date copy is refused (no lost updates).",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        loaded_version = self.version
        try:
            with transaction.atomic(using=kwargs.get("using")):
                self._claim_version(kwargs.get("using"))
                super().save(*args, **kwargs)
        except Exception:
            self.version = loaded_version  # rolled back: still the copy it was
            raise

    def _claim_version(self, using=None):
        # A conditional UPDATE is atomic: of two saves racing from one version, one wins.
        stored = type(self)._base_manager.db_manager(using).filter(pk=self.pk)
        if not stored.filter(version=self.version).update(version=F("version") + 1):
            raise StaleCopy(self)
        self.version += 1


def focus_field(verbose_name, help_text):
    """One coordinate of a picture's focal point, 0 to 1: crops keep that point in view."""
    return models.FloatField(
        verbose_name,
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=help_text,
    )


ACROSS = "From 0 at the left edge to 1 at the right; 0.5 is the middle."
DOWN = "From 0 at the top to 1 at the bottom."
