"""The article form's inlines, in the order the desk works through them:
bylines, expert quotes, and (for editors, on published stories) the public
ledger of corrections."""

from collections import defaultdict
from contextlib import suppress

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models.signals import post_save, pre_save
from django.forms.models import BaseInlineFormSet

from ..models import Byline, Correction, ExpertQuote
from ..publishing import checklist
from ..publishing import roles as workflow


class PickedInBulk(forms.ModelChoiceField):
    """A choice (a row's author or expert, which stored row a form is, a
    story's section) taken from objects already read (``known``: by the
    formset for all its rows at once, or held by the form's instance) instead
    of asked of the database one by one. A value not known is asked as usual."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}

    def to_python(self, value):
        if value not in self.empty_values and str(value) in self.known:
            return self.known[str(value)]
        return super().to_python(value)


class StoryRowsFormSet(BaseInlineFormSet):
    """The rows a story carries (bylines, quotes), edited in its form. Its
    rows are checked with a query per kind of thing they pick (the authors,
    the experts), not one per row and kind; which stored row each form is,
    and what the stored rows already pick, come from the formset's own read
    of the story's rows."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = PickedInBulk(
            pk.queryset, initial=pk.initial, required=False, widget=pk.widget
        )

    def full_clean(self):
        if self.is_bound:
            self._pick_in_bulk()
        super().full_clean()

    def _pick_in_bulk(self):
        rows = list(self.get_queryset())
        picks = defaultdict(list)  # field name: [(form, field)]
        for form in self.forms:
            for name, field in form.fields.items():
                if isinstance(field, PickedInBulk):
                    picks[name].append((form, field))
        for name, fields in picks.items():
            if name == self._pk_field.name:
                known = {str(row.pk): row for row in rows}
            else:
                known = self._known_choices(name, fields, rows)
            for _, field in fields:
                field.known = known

    def _known_choices(self, name, fields, rows):
        """``{posted value: object}`` for field ``name`` of every form: what
        the stored rows hold already, the rest in one query."""
        relation = self.model._meta.get_field(name)
        known = {
            str(getattr(row, relation.attname)): getattr(row, name)
            for row in rows
            if relation.is_cached(row)
        }
        wanted = {form[name].data for form, _ in fields} - {None, ""} - known.keys()
        if wanted:
            queryset = fields[0][1].queryset
            # Values that are not ids at all: each form says so, asking on its own.
            with suppress(ValueError, TypeError, ValidationError):
                known.update((str(obj.pk), obj) for obj in queryset.filter(pk__in=wanted))
        return known

    def save(self, commit=True):
        """Writes the rows in bulk: the new ones in one INSERT, the changed ones
        in one UPDATE, each row's model signals sent as its own save would send
        them (the after-commit hook records what changed from those)."""
        rows = super().save(commit=False)  # only decides: nothing written yet
        if not commit:
            return rows
        using = router.db_for_write(self.model)
        for row in self.deleted_objects:
            row.delete()
        new = self.new_objects
        changed = [row for row, _ in self.changed_objects]
        fields = {name for _, names in self.changed_objects for name in names}
        for row in [*new, *changed]:
            pre_save.send(self.model, instance=row, raw=False, using=using, update_fields=None)
            # A part's save() cleans its plain-text fields (PlainTextFields); the
            # form's full_clean() did so already, this is the same guarantee.
            if hasattr(row, "clean_plain_text"):
                row.clean_plain_text()
        rows_table = self.model._base_manager.db_manager(using)
        if changed:  # before the new rows, as Django's own order: one may take a freed author
            rows_table.bulk_update(
                changed, [f.name for f in self.model._meta.concrete_fields if f.name in fields]
            )
        rows_table.bulk_create(new)
        self.save_m2m()
        for row in new:
            post_save.send(
                self.model, instance=row, created=True, raw=False, using=using, update_fields=None
            )
        for row in changed:
            post_save.send(
                self.model, instance=row, created=False, raw=False, using=using, update_fields=None
            )
        return rows

    def rows_after_save(self):
        """The story's rows once this formset is saved: the stored ones it did
        not delete (changed in place) and the new ones."""
        deleted = {id(row) for row in self.deleted_objects}
        return [
            *(row for row in self.get_queryset() if id(row) not in deleted),
            *self.new_objects,
        ]


class BylineFormSet(StoryRowsFormSet):
    """Knows the bylines the story will have once it is saved
    (``author_ids_after_save``), and asks two rules of them: the publish
    checklist's, when the save publishes, and that a reporter keeps their own
    byline.

    The byline is what gives a reporter the story (roles.can_change), so
    removing it would lock them out of their own work in mid-edit. Keeping their
    access some other way (by who created the story) would let them go on
    changing a story that no longer carries their name; handing a story over is
    the desk's decision, so the save is refused and an editor does it."""

    user = None  # set for each request by BylineInline.get_formset

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A row of the byline table has column headings but no <label>: name its
        # boxes for screen readers, row by row ("Position of byline 2").
        which = "the new byline" if index is None else f"byline {index + 1}"
        names = {
            "author": f"Author of {which}",
            "position": f"Position of {which}",
            "role": f"Role of {which}",
            "DELETE": f"Delete {which}",
        }
        for name, text in names.items():
            if name in form.fields:
                widget = form.fields[name].widget
                # The author box is wrapped in the add/change links' widget.
                getattr(widget, "widget", widget).attrs["aria-label"] = text

    def clean(self):
        super().clean()
        self.author_ids_after_save = list(self._bylines_after_save().values())
        self._refuse_publishing_without_a_byline()
        self._refuse_removing_the_reporters_own_byline()

    def _bylines_after_save(self):
        """``{byline: author id}`` as the story will have them: the stored
        ones, as the forms sent change or delete them (a byline no form
        mentions stays as it is), and the new ones."""
        after = {byline.pk: byline.author_id for byline in self.get_queryset()}
        for form in self.forms:
            key = form.instance.pk or form
            author = getattr(form, "cleaned_data", {}).get("author")
            if self._should_delete_form(form) or author is None:
                after.pop(key, None)
            else:
                after[key] = author.pk
        return after

    def _refuse_publishing_without_a_byline(self):
        # Set by ArticleForm.clean on the story this formset shares with it:
        # the form is validated first and knows whether the save publishes.
        publication = getattr(self.instance, "publication_check", None)
        problems = checklist.byline_problems(bool(self.author_ids_after_save))
        if publication is not None and problems:
            publication.refuse(problems)
            raise ValidationError([problem.message for problem in problems], code="not_ready")

    def _refuse_removing_the_reporters_own_byline(self):
        article, user = self.instance, self.user
        if user is None or workflow.is_editor(user) or not article.has_byline_of(user):
            return
        owners = dict(article.bylines.values_list("pk", "author__user"))
        for form in self.forms:
            key = form.instance.pk or form
            author = getattr(form, "cleaned_data", {}).get("author")
            if self._should_delete_form(form) or author is None:
                owners.pop(key, None)
            else:
                owners[key] = author.user_id
        if user.pk not in owners.values():
            raise ValidationError(
                "You can’t remove your own byline: without it this story is no longer "
                "yours to edit. Ask an editor to take you off it.",
                code="own_byline",
            )


class JournalistHelpInline:
    """An inline whose fields explain themselves in the desk's words."""

    help_texts = {}

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, help_texts=self.help_texts, **kwargs)


class BylineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.add_prefix("role") not in self.data:
            # Sent without a role (an older form, a script): the byline keeps
            # its role, a new one credits an author, and nothing counts as changed.
            self.fields["role"].disabled = True


class StoryRowsInline:
    """An inline of rows a story carries: each picks one thing (an author, an
    expert), checked in bulk by ``StoryRowsFormSet``."""

    formset = StoryRowsFormSet
    picks = None  # the field naming what each row picks

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, form_class=PickedInBulk, **kwargs
        )

    def get_queryset(self, request):
        # With what each row picks: the forms check it, the revision names it.
        return super().get_queryset(request).select_related(self.picks)


class BylineInline(StoryRowsInline, JournalistHelpInline, admin.TabularInline):
    model = Byline
    form = BylineForm
    picks = "author"
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]
    verbose_name = "byline"
    verbose_name_plural = "bylines (in the order readers see them)"
    help_texts = {
        "author": "Type a name to find the author.",
        "position": "Bylines appear in this order, lowest number first.",
        "role": "A translator is credited apart: “Translated by …”.",
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user  # a new class per request: safe to set
        return formset


class ExpertQuoteInline(StoryRowsInline, JournalistHelpInline, admin.StackedInline):
    model = ExpertQuote
    picks = "expert"
    extra = 0
    autocomplete_fields = ["expert"]
    fields = ["expert", "kind", "text", "context", "position"]
    verbose_name = "expert quote"
    verbose_name_plural = "expert quotes (in the order they appear in the story)"
    help_texts = {
        "expert": "Type a name, title or institution. Someone new? Add them with the + "
        "without leaving this story.",
        "kind": "Direct: their exact words, in quotation marks. Paraphrase: what they said, "
        "in your words.",
        "text": "A direct quote is word for word, as in your notes or recording.",
        "position": "Quotes are listed in this order, lowest number first.",
    }


class CorrectionInline(admin.StackedInline):
    """The story's public ledger; entries are never deleted."""

    model = Correction
    extra = 0
    can_delete = False
    fields = ["kind", "text", "created_at", "created_by", "edited_at"]
    readonly_fields = ["created_at", "created_by", "edited_at"]
    verbose_name = "correction or update"
    verbose_name_plural = "corrections and updates (readers see them at the foot of the story)"
