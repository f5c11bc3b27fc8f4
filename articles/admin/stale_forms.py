"""No lost updates in the admin: a save made from a form opened before someone
else's save is refused as a form error, naming who saved and when and which
fields differ, with what was typed kept. Stories and fronts both use it.

The models refuse such a write too (``NoLostUpdates``: the version check in
the save's UPDATE); the form asks first, while it is validated, so that the
refusal is a message on the form and not an error page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import router, transaction


class RefusesStaleSaves(forms.ModelForm):
    """A model form with the model's ``version`` as a hidden field: the
    version the form was opened with. A change must send it."""

    # The end of the refusal: what is kept, and what reloading brings.
    kept_below = "your changes"
    theirs = "their version"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            # A change must say which version it was made to; a new row has none yet.
            self.fields["version"].required = self.instance.pk is not None

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and "version" in cleaned_data:
            self._refuse_stale_save(cleaned_data["version"])
        return cleaned_data

    def _refuse_stale_save(self, opened_version):
        current = self._stored_row()
        if current is not None and current.version == opened_version:
            return
        model = type(self.instance)
        stale = model.stale_copy(model(pk=self.instance.pk, version=opened_version))
        problems = [stale.describe_last_save()]
        if current is not None:
            differing = self._fields_differing_from(current)
            if differing:
                problems.append(f"Fields that differ from the saved {stale.noun}: {differing}.")
            problems.append(
                f"Nothing was saved and {self.kept_below} is still below. Reload the page to "
                f"start from {self.theirs}, or save again to replace it with yours (theirs "
                "stays in the history)."
            )
            # Saving again is now a deliberate choice made knowing the above.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = str(current.version)
        raise ValidationError(problems, code="stale")

    def _stored_row(self):
        """The row as stored, locked until the admin's transaction (the whole
        save) ends: no other save of it can land between this check and this
        form's write. PostgreSQL locks the row; SQLite's IMMEDIATE transactions
        already let one writer in at a time. The admin reads its object so
        (``LockedForSave``): then it is this form's instance, as loaded."""
        if getattr(self.instance, "locked_for_save", False):
            return self.instance
        # Ordered by pk: no join from a default ordering (PostgreSQL locks no
        # row on the nullable side of an outer join).
        stored = type(self.instance)._base_manager.select_for_update()
        return stored.filter(pk=self.instance.pk).order_by("pk").first()

    def _fields_differing_from(self, current):
        # The saved row as this form would show it (times to the second, tags as
        # text), compared with what was sent, the way Django's changed_data does.
        saved = type(self)(instance=current)
        return ", ".join(
            str(field.label or name)
            for name, field in self.fields.items()
            if name != "version" and field.has_changed(saved[name].initial, self[name].data)
        )


class LockedForSave:
    """A ModelAdmin whose change form's POST reads its object with the row
    locked, in the view's transaction: the form's version check
    (``RefusesStaleSaves``) then needs no read of its own."""

    def get_object(self, request, object_id, from_field=None):
        using = router.db_for_write(self.model)
        if request.method != "POST" or not transaction.get_connection(using).in_atomic_block:
            return super().get_object(request, object_id, from_field)
        queryset = self.get_queryset(request).select_for_update(of=("self",))
        field = (
            self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        )
        try:
            obj = queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None
        obj.locked_for_save = True
        return obj
