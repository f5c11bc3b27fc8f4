"""The editorial workflow in the admin: roles, status changes, no lost updates,
revisions, corrections and preview links.

``ArticleAdmin`` builds on ``ArticleWorkflowAdmin``. Every status change made
here (the change form, the "Publish now" button, the list actions) is a call to
the matching ``Article`` method, and every write goes through ``Article.save()``
and its version check.
"""

from functools import partial

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from reversion.admin import VersionAdmin
from reversion.models import Version

from .models import Article, Author, Byline, Correction
from .publishing import preview
from .publishing import roles as workflow
from .publishing.checklist import NotReadyToPublish

PUBLISH_NOW = "_publish_now"  # the name of the change form's "Publish now" button

Status = Article.Status


def save_only(article, by):
    article.save()


def same_second(first, second):
    """The form shows times to the second; stored ones may carry microseconds."""
    if first is None or second is None:
        return first is second
    return first.replace(microsecond=0) == second.replace(microsecond=0)


class ArticleAdminForm(forms.ModelForm):
    """Checks that the story has not been saved by someone else since this form
    was opened, and works out which workflow step the save is: the ``Article``
    method that ``ArticleWorkflowAdmin.save_model`` then calls."""

    user = None  # set for each request by ArticleWorkflowAdmin.get_form

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
        if "version" in self.fields:
            # A change must say which version it was made to; a new story has none yet.
            self.fields["version"].required = self.instance.pk is not None

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and "version" in cleaned_data:
            self._refuse_stale_save(cleaned_data["version"])
        self.status_before = self.instance.status if self.instance.pk else Status.DRAFT
        if "published_at" in cleaned_data and same_second(
            cleaned_data["published_at"], self.instance.published_at
        ):
            # Untouched: keep the stored time, microseconds and all.
            cleaned_data["published_at"] = self.instance.published_at
        self.workflow_step = self._decide_step(cleaned_data)
        return cleaned_data

    def _refuse_stale_save(self, opened_version):
        current = Article.objects.filter(pk=self.instance.pk).first()
        if current is not None and current.version == opened_version:
            return
        stale = Article(pk=self.instance.pk, version=opened_version)
        problems = [workflow.StaleArticle(stale).describe_last_save()]
        if current is not None:
            differing = self._fields_differing_from(current)
            if differing:
                problems.append("Fields that differ from the saved story: " + differing + ".")
            problems.append(
                "Nothing was saved and your text is still below. Reload the page to start "
                "from their version, or save again to replace it with yours (theirs stays "
                "in the history)."
            )
            # Saving again is now a deliberate choice made knowing the above.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = str(current.version)
        raise ValidationError(problems, code="stale")

    def _fields_differing_from(self, current):
        # The saved story as this form would show it (times to the second, tags as
        # text), compared with what was sent, the way Django's changed_data does.
        saved = type(self)(instance=current)
        return ", ".join(
            str(field.label or name)
            for name, field in self.fields.items()
            if name != "version" and field.has_changed(saved[name].initial, self[name].data)
        )

    def _decide_step(self, cleaned_data):
        """The status change this save asks for, checked against the user's role,
        as a call ``step(article, by)``. Publishing without a time means "now";
        clearing or changing the time of a scheduled story never publishes it by
        accident."""
        article = self.instance
        status = cleaned_data.get("status", self.status_before)
        time_before = article.published_at if article.pk else None
        time = cleaned_data.get("published_at") if "published_at" in self.fields else time_before
        now = timezone.now()

        if PUBLISH_NOW in self.data:
            self._require(workflow.can_publish, "Only an editor publishes a story.")
            return Article.publish_now
        if status == Status.PUBLISHED:
            # The form shows whole seconds; "Publish now" stored microseconds too.
            if self.status_before == Status.PUBLISHED and _to_the_second(time) == _to_the_second(
                time_before
            ):
                return save_only
            self._require(
                workflow.can_publish,
                "Only an editor publishes a story or changes the time of a published one.",
            )
            if self.status_before != Status.PUBLISHED:
                return partial(Article.publish, at=time or now)
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
            return partial(Article.publish, at=time)
        if self.status_before == Status.PUBLISHED:
            self._require(workflow.can_publish, "Only an editor takes a story off the site.")
            return partial(Article.unpublish, back_to=status)
        if status != self.status_before:
            if status == Status.IN_REVIEW:
                return Article.submit_for_review
            return Article.send_back_to_draft
        return save_only

    def _require(self, may, message):
        if not may(self.user, self.instance):
            raise ValidationError({"status": message} if "status" in self.fields else message)


def _to_the_second(moment):
    return moment.replace(microsecond=0) if moment is not None else None


class CorrectionInline(admin.StackedInline):
    """The story's public ledger; entries are never deleted."""

    model = Correction
    extra = 0
    can_delete = False
    fields = ["kind", "text", "created_at", "created_by", "edited_at"]
    readonly_fields = ["created_at", "created_by", "edited_at"]
    verbose_name = "correction or update"
    verbose_name_plural = "corrections and updates (readers see them at the foot of the story)"


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("scheduled", "Scheduled"),
            ("review", "In review"),
            ("draft", "Draft"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "live":
                return queryset.published()
            case "scheduled":
                return queryset.scheduled()
            case "review":
                return queryset.in_review()
            case "draft":
                return queryset.drafts()
        return queryset


class ArticleWorkflowAdmin(VersionAdmin):
    form = ArticleAdminForm
    actions = ["publish_now", "unpublish", "send_back_to_draft", "submit_for_review"]
    history_latest_first = True

    # Who sees and changes what: enforced here on the server, not by hiding buttons.

    def get_queryset(self, request):
        return super().get_queryset(request).changeable_by(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_change(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or workflow.can_delete(request.user, obj)
        )

    def has_publish_permission(self, request):
        return workflow.is_editor(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not workflow.is_editor(request.user):
            # Bulk delete asks no question per story; reporters delete one at a time.
            actions.pop("delete_selected", None)
        return actions

    def delete_queryset(self, request, queryset):
        if not all(workflow.can_delete(request.user, article) for article in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.is_editor(request.user):
            fields.append("published_at")
            if obj is not None and obj.status == Status.PUBLISHED:
                fields.append("status")
        return fields

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a new class per request: safe to set
        status = form.base_fields.get("status")
        if status is not None and not workflow.is_editor(request.user):
            status.choices = [(s.value, s.label) for s in (Status.DRAFT, Status.IN_REVIEW)]
            status.help_text = "Set to “In review” when the story is ready for an editor."
        return form

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and workflow.can_add_corrections(request.user, obj):
            inlines.append(CorrectionInline)
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish_now"] = (obj is None or not obj.is_published) and (
            workflow.can_publish(request.user, obj or Article())
        )
        if obj is not None and obj.pk is not None and not obj.is_published:
            # Sent by mail or chat to people outside the admin: a full address,
            # which only the request knows (the site answers at several hosts).
            context["share_preview_link"] = request.build_absolute_uri(preview.preview_url(obj))
            context["share_preview_days"] = preview.PREVIEW_LINK_MAX_AGE.days
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Saving: through the model's workflow methods and its version check.

    def save_model(self, request, obj, form, change):
        obj.status = form.status_before  # the step moves the story on from where it was
        form.workflow_step(obj, request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change and not workflow.is_editor(request.user):
            # A reporter's new story carries their byline, so it stays theirs to edit.
            author = Author.objects.filter(user=request.user).first()
            if author is not None and not article.bylines.filter(author=author).exists():
                Byline.objects.create(
                    article=article, author=author, position=article.bylines.count()
                )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            if correction.created_by_id is None:
                correction.created_by = request.user
            correction.save()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            self._keep_a_baseline_revision(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def _keep_a_baseline_revision(self, request, object_id):
        """Stories made outside the admin (demo content, imports) have no revision
        yet. Before their first change here, keep how they stood, so that the
        history can bring it back."""
        article = self.get_object(request, unquote(object_id))
        if article is None or Version.objects.get_for_object(article).exists():
            return
        with reversion.create_revision():
            reversion.add_to_revision(article)
            reversion.set_comment("As it stood before its first change in the admin.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        live = getattr(request, "article_before_restore", None)
        if live is not None:
            live.keep_live_state_after_restore()
        if getattr(request, "recovering_article", False):
            # A deleted story comes back as a draft: going live again is a decision
            # taken through publish(), like every other publication.
            Article.objects.filter(pk=unquote(object_id)).update(status=Status.DRAFT)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.StaleArticle:
            # Someone saved between this form's check and its write. The view's
            # transaction rolled back, so nothing was written; showing the form
            # again runs the check, which now explains the conflict.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # django-reversion's list template offers "Recover deleted articles" when
        # this is true; only editors recover (see recover_view).
        extra_context = {
            **(extra_context or {}),
            "has_change_permission": workflow.is_editor(request.user),
        }
        return super().changelist_view(request, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not workflow.is_editor(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # Deleted stories are anyone's: only editors bring them back.
        if not workflow.is_editor(request.user):
            raise PermissionDenied
        request.recovering_article = True
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        live = self.get_object(request, unquote(object_id))
        if live is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        request.article_before_restore = live
        return super().revision_view(request, object_id, version_id, extra_context)

    # List columns and actions.

    def _apply_step(self, request, queryset, *, may, step, done):
        changed, refused = [], []
        for article in queryset:
            if not may(request.user, article):
                refused.append(f"“{article}” ({article.state_label.lower()})")
                continue
            try:
                step(article)
            except workflow.StaleArticle as conflict:
                refused.append(f"“{article}”: {conflict.describe_last_save()}")
                continue
            except NotReadyToPublish as refusal:
                # Refused before anything was written; each story names what it lacks.
                self.message_user(request, str(refusal), messages.ERROR)
                continue
            self.log_change(request, article, done)
            changed.append(article)
            if article.status == Status.PUBLISHED:
                self.message_publish_warnings(request, article)
        if changed:
            self.message_user(request, f"{done}: {len(changed)} stories.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Left as they were: " + "; ".join(refused), messages.WARNING)

    def message_publish_warnings(self, request, article):
        """The checklist's non-blocking advice, after a story was published."""
        for warning in article.publish_checklist().warnings:
            self.message_user(request, f"“{article}”: {warning}", messages.WARNING)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply_step(
            request,
            queryset,
            may=lambda user, a: not a.is_published and workflow.can_publish(user, a),
            step=lambda a: a.publish_now(request.user),
            done="Published now",
        )

    @admin.action(description="Unpublish (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply_step(
            request,
            queryset,
            may=lambda user, a: a.status == Status.PUBLISHED and workflow.can_publish(user, a),
            step=lambda a: a.unpublish(request.user),
            done="Unpublished",
        )

    @admin.action(description="Send back to draft", permissions=["change"])
    def send_back_to_draft(self, request, queryset):
        self._apply_step(
            request,
            queryset,
            may=workflow.can_send_back_to_draft,
            step=lambda a: a.send_back_to_draft(request.user),
            done="Sent back to draft",
        )

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._apply_step(
            request,
            queryset,
            may=workflow.can_submit_for_review,
            step=lambda a: a.submit_for_review(request.user),
            done="Submitted for review",
        )
