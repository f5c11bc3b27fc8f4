"""The article change form: which status change a save asks for, the publish
checklist, and the check that nobody saved the story since the form was opened
(``stale_forms``).

Everything here happens while the form is validated, inside the admin's
transaction and before anything is written: a refusal is a form error, shown
with what was typed.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone

from ..models import Article
from ..publishing import checklist, transitions
from ..publishing import roles as workflow
from .inlines import PickedInBulk
from .stale_forms import RefusesStaleSaves

PUBLISH_NOW = "_publish_now"  # the name of the change form's "Publish now" button

Status = Article.Status

NOT_PUBLISHED = (
    "This story was not published and nothing was saved; your changes are still below. "
    "Before it can go live:"
)


def to_the_second(moment):
    """The form shows times to the second; stored ones may carry microseconds."""
    return moment.replace(microsecond=0) if moment is not None else None


class PublicationCheck:
    """The publish checklist of a save that publishes, asked in two halves
    while the form and its inlines are validated: the form asks about the
    story's own fields, and the byline formset, cleaned after the form with
    the same story as its ``instance``, about the bylines the story will have.
    Every missing item is named on the field where it is fixed and, all
    together, at the top of the form."""

    def __init__(self, form):
        self.form = form
        self.problems = []

    def refuse(self, problems):
        if not problems:
            return
        intro = [] if self.problems else [NOT_PUBLISHED]
        self.problems.extend(problems)
        for problem in problems:
            if problem.field in self.form.fields:
                self.form.add_error(problem.field, problem.message)
        self.form.add_error(
            None,
            ValidationError([*intro, *(problem.message for problem in problems)], code="not_ready"),
        )


class ArticleForm(RefusesStaleSaves):
    """Decides which ``Transition`` the save asks for, as data
    (``self.transition``), checked against the user's role and, for a
    publication, the checklist. The status and time are left on the story as
    they are: only the transition changes them, applied by
    ``ArticleAdmin.save_related`` once the inlines are saved. A save from a
    form opened before someone else's save is refused (``RefusesStaleSaves``)."""

    user = None  # set for each request by ArticleAdmin.get_form
    kept_below = "your text"

    class Meta:
        model = Article
        fields = ["version"]  # the admin adds the rest, from its fieldsets
        # Headlines and slugs are read whole: the admin's default box shows 20em.
        widgets = {
            "version": forms.HiddenInput,
            "headline": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "slug": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = None
        for name, field in self.fields.items():
            relation = (
                getattr(self.instance, name, None) if isinstance(field, PickedInBulk) else None
            )
            if relation is not None:
                # Kept as loaded (with the row locked): no query to find it again.
                field.known[str(relation.pk)] = relation

    def clean(self):
        cleaned_data = super().clean()  # RefusesStaleSaves: the version check first
        self.transition = self._requested_transition(cleaned_data)
        self._leave_status_and_time_to_the_transition(cleaned_data)
        # The byline formset is cleaned after this form, with this form's story
        # as its instance: it finds the check there and adds the byline rule.
        self.instance.publication_check = None
        if self.transition.publishes:
            self.instance.publication_check = PublicationCheck(self)
            story = construct_instance(self, copy.copy(self.instance))  # as typed
            own_fields = checklist.check(story, has_byline=True)
            self.instance.publication_check.refuse(own_fields.problems)
        return cleaned_data

    def _leave_status_and_time_to_the_transition(self, cleaned_data):
        if "status" in cleaned_data:
            cleaned_data["status"] = self.instance.status
        if "published_at" in cleaned_data and to_the_second(
            cleaned_data["published_at"]
        ) == to_the_second(self.instance.published_at):
            # Untouched: keep the stored time, microseconds and all.
            cleaned_data["published_at"] = self.instance.published_at

    # Which status change the save asks for.

    def _requested_transition(self, cleaned_data):
        """Publishing without a time means "now"; clearing or changing the time
        of a scheduled story never publishes it by accident."""
        article = self.instance
        status_before = article.status if article.pk else Status.DRAFT
        time_before = article.published_at if article.pk else None
        status = cleaned_data.get("status", status_before)
        time = cleaned_data.get("published_at") if "published_at" in self.fields else time_before
        now = timezone.now()

        if PUBLISH_NOW in self.data:
            self._require(workflow.can_publish, "Only an editor publishes a story.")
            return transitions.publication_at(now)
        if status == Status.PUBLISHED:
            # "Publish now" stored microseconds the form does not show.
            if status_before == Status.PUBLISHED and to_the_second(time) == to_the_second(
                time_before
            ):
                return transitions.KEEP
            self._require(
                workflow.can_publish,
                "Only an editor publishes a story or changes the time of a published one.",
            )
            if status_before != Status.PUBLISHED:
                return transitions.publication_at(time or now)
            if time is None:
                raise ValidationError(
                    {
                        "published_at": "A published story needs its time. To publish it "
                        "now, use “Publish now”; to take it off the site, set it to Draft."
                    }
                )
            if article.is_scheduled and time <= now:
                raise ValidationError(
                    {
                        "published_at": "That time has passed, so this would publish the "
                        "story at once. To do that, use “Publish now”; otherwise pick a "
                        "time still to come."
                    }
                )
            return transitions.publication_at(time)
        if status_before == Status.PUBLISHED:
            self._require(workflow.can_publish, "Only an editor takes a story off the site.")
            return transitions.unpublication(back_to=status)
        if status == status_before:
            return transitions.KEEP
        if status == Status.IN_REVIEW:
            return transitions.SUBMIT_FOR_REVIEW
        return transitions.SEND_BACK_TO_DRAFT

    def _require(self, may, message):
        if not may(self.user, self.instance):
            raise ValidationError({"status": message} if "status" in self.fields else message)
