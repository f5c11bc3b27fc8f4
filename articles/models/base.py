import functools
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS

from ..html import clean_name, clean_text
from ..publishing.roles import StaleCopy

_STAND_IN_SLUG = "stand-in-slug"


@functools.cache
def _route_with_stand_in(viewname, script_prefix, urlconf):
    return reverse(viewname, kwargs={"slug": _STAND_IN_SLUG}, urlconf=urlconf)


def slug_url(viewname, slug):
    """What ``reverse(viewname, kwargs={"slug": slug})`` gives, from the route
    reversed once with a stand-in slug: reverse() matches each address
    against its route, and was a sixth of a list page's time (a hundred
    links: stories, sections, authors). The site's URLs are the project's
    (no middleware sets a request's own ``urlconf``)."""
    route = _route_with_stand_in(viewname, get_script_prefix(), settings.ROOT_URLCONF)
    # Quoted as reverse() quotes: a tag's slug may be in any script.
    return route.replace(_STAND_IN_SLUG, quote(slug, safe=RFC3986_SUBDELIMS + "/~:@"))


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

    def validate_unique(self, exclude=None):
        # A unique value unchanged since the row was loaded is still unique: the
        # database's constraint holds it for this row. Asking again costs a
        # query per unique field (a story's slug on every save of its form).
        # Fields that are also unique together with others are still asked.
        stored = getattr(self, "stored_values", {})
        together = {name for fields in self._meta.unique_together for name in fields} | {
            name
            for constraint in self._meta.constraints
            for name in getattr(constraint, "fields", ())
        }
        unchanged = {
            field.name
            for field in self._meta.concrete_fields
            if field.unique
            and not field.primary_key
            and field.name not in together
            and field.attname in stored
            and stored[field.attname] == getattr(self, field.attname)
        }
        super().validate_unique(exclude={*(exclude or ()), *unchanged})

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        # What was just read is what is stored now: a save after a refresh
        # compares with that, not with what was loaded before it.
        read = None if fields is None else set(fields)
        self.stored_values = {
            **getattr(self, "stored_values", {}),
            **{
                field.attname: _column_value(self.__dict__[field.attname])
                for field in self._meta.concrete_fields
                if field.attname in self.__dict__
                and (read is None or {field.name, field.attname} & read)
            },
        }

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
    after it was loaded raises ``stale_copy`` instead of overwriting their work.
    Stories and fronts both keep this rule, here.

    The check rides on the save's own UPDATE (``... WHERE id = %s AND version
    = <loaded>``, the way django-concurrency does it): an UPDATE is atomic, so
    of two saves racing from one version one wins, and the check costs no
    query of its own."""

    version = models.PositiveIntegerField(
        default=0,
        help_text="Counts saves; a save from an out-of-date copy is refused (no lost updates).",
    )

    stale_copy = StaleCopy  # what a save from an out-of-date copy raises

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        loaded_version = self.version
        self.version = loaded_version + 1
        self._version_loaded = loaded_version
        connection = transaction.get_connection(
            kwargs.get("using") or router.db_for_write(type(self), instance=self)
        )
        doomed = connection.in_atomic_block and connection.needs_rollback
        try:
            super().save(*args, **kwargs)
        except StaleCopy:
            self.version = loaded_version
            if connection.in_atomic_block and not doomed:
                # Django marks the transaction for rollback on any error in a
                # save; this UPDATE matched no row and wrote nothing, so the
                # caller's transaction may go on (an action moves the next story).
                transaction.set_rollback(False, using=connection.alias)
            raise
        except Exception:
            self.version = loaded_version  # not written: still the copy it was
            raise
        finally:
            del self._version_loaded

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        # Django's hook for the UPDATE of a save. Raw saves (django-reversion
        # writing an old revision back) come here without a loaded version.
        loaded_version = getattr(self, "_version_loaded", None)
        if loaded_version is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        base_qs = base_qs.filter(version=loaded_version)
        if not super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update):
            # Not "no row, so INSERT it", as Django would go on: the row moved on,
            # or was deleted, since this copy was loaded.
            self.version = loaded_version
            raise self.stale_copy(self)
        return True


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
