"""The editors' desk in the admin: the publish checklist on the change form,
and the conveniences of the article form and list.

``ArticleAdmin`` puts ``DeskArticleAdminMixin`` in front of the workflow admin.
"""

from django.core.exceptions import ValidationError

from .checklist import NotReadyToPublish
from .models import Article
from .workflow_admin import ArticleAdminForm, save_only


class DeskArticleForm(ArticleAdminForm):
    """Shows a refused publication as errors: every missing item at the top,
    and each on the field where it is fixed."""

    publish_refusal = None  # set for the request that re-shows a refused form

    def clean(self):
        cleaned_data = super().clean()
        refusal = self.publish_refusal
        if refusal is not None:
            for problem in refusal.problems:
                if problem.field in self.fields:
                    self.add_error(problem.field, problem.message)
            raise ValidationError(
                [
                    "This story was not published and nothing was saved; "
                    "your changes are still below. Before it can go live:",
                    *refusal.messages,
                ],
                code="not_ready",
            )
        return cleaned_data


class DeskArticleAdminMixin:
    form = DeskArticleForm

    # The publish checklist on the change form. The checklist counts the
    # story's bylines, and the admin saves the inlines after the story itself,
    # so a status change (publishing among them) waits until they are saved.
    # If the checklist refuses, the view's transaction rolls everything back
    # and the form is shown again with the refusal: nothing is saved half-way.

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.publish_refusal = getattr(request, "publish_refusal", None)
        return form

    def save_model(self, request, obj, form, change):
        if form.workflow_step is save_only:
            return super().save_model(request, obj, form, change)
        obj.status = form.status_before  # the step, in save_related, moves it on
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.workflow_step is not save_only:
            form.workflow_step(form.instance, request.user)
            if form.instance.status == Article.Status.PUBLISHED:
                self.message_publish_warnings(request, form.instance)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NotReadyToPublish as refusal:
            request.publish_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)
