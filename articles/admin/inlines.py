"""The article form's inlines, in the order the desk works through them:
bylines, expert quotes, and (for editors, on published stories) the public
ledger of corrections."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from ..models import Byline, Correction, ExpertQuote
from ..models.translation import BylineRole
from ..publishing import checklist
from ..publishing import roles as workflow


class BylineFormSet(BaseInlineFormSet):
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
    def clean_role(self):
        # A byline sent without a role (an older form, a script) credits an author.
        return self.cleaned_data.get("role") or BylineRole.AUTHOR


class BylineInline(JournalistHelpInline, admin.TabularInline):
    model = Byline
    form = BylineForm
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "role":
            field.required = False
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user  # a new class per request: safe to set
        return formset


class ExpertQuoteInline(JournalistHelpInline, admin.StackedInline):
    model = ExpertQuote
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
