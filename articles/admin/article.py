"""The article admin: one ModelAdmin for the desk's stories.

Who sees and changes what is enforced here, on the server (``roles``), not by
hiding buttons. A save is validated whole before anything is written
(``ArticleForm``, ``BylineFormSet``); then the story's tags and inlines are
saved and, once, its status change (``transitions``): every save of a story
is one version of it and one revision in its history.
"""

import json

import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.urls import reverse
from reversion.admin import VersionAdmin
from taggit.managers import TaggableManager

from ..interchange.admin import ImportStoriesMixin
from ..models import Article, Author, Byline, Correction
from ..publishing import preview, transitions
from ..publishing import roles as workflow
from . import article_actions, focus_point, revisions
from .article_form import ArticleForm
from .displays import (
    last_change,
    length,
    on_the_site,
    publication_time,
    publish_checklist,
    section_name,
    state_badge,
    story,
)
from .filters import MineFilter, StateFilter
from .inlines import (
    BylineInline,
    CorrectionInline,
    ExpertQuoteInline,
    PickedInBulk,
    StoryRowsFormSet,
)
from .live import live_coverage
from .revisions import BaselineRevisionMixin
from .stale_forms import LockedForSave
from .tag_field import save_tags, tags_formfield
from .translations import TranslationsMixin
from .widgets import LabelledSplitDateTime

Status = Article.Status

# django-reversion's revision view passes this to changeform_view: the story
# as it is live, from before reversion wrote the old revision's row over it.
LIVE_BEFORE_RESTORE = "live_before_restore"


class ArticleChangeList(ChangeList):
    """The list's rows come with their section, bylines and last editor, and
    the address of their change form with the list's filters, which the story
    column links (``displays.story``) as Django's own links would: after a
    save the editor is back in the list as they filtered it."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).for_listing().with_last_editor()

    def get_results(self, request):
        super().get_results(request)
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        for article in self.result_list:
            url = reverse("admin:articles_article_change", args=[article.pk])
            article.change_url_in_list = add_preserved_filters(context, url)


@admin.register(Article)
class ArticleAdmin(
    LockedForSave, BaselineRevisionMixin, ImportStoriesMixin, TranslationsMixin, VersionAdmin
):
    form = ArticleForm
    list_display = [story, state_badge, section_name, last_change, publication_time]
    list_display_links = None  # the story column links its headline, not its bylines
    list_filter = [MineFilter, StateFilter, "section", "authors", "tags", "published_at"]
    search_fields = ["headline", "dek", "body", "authors__name"]
    # Newest first; stories without a time yet (drafts) on top.
    ordering = [F("published_at").desc(nulls_first=True), "-created_at", "-pk"]
    date_hierarchy = "published_at"
    actions = [
        article_actions.publish_now,
        article_actions.unpublish,
        article_actions.send_back_to_draft,
        article_actions.submit_for_review,
        article_actions.lift_embargo,
    ]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "translation_of"]
    readonly_fields = [on_the_site, publish_checklist, length, "hero_focus_picker", live_coverage]
    inlines = [BylineInline, ExpertQuoteInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "slug",
                    "dek",
                    "section",
                    "status",
                    "published_at",
                    "embargoed_until",
                    "version",
                ]
            },
        ),
        ("Language", {"fields": [("language", "translation_of")]}),
        ("On the site", {"fields": [on_the_site, publish_checklist, live_coverage]}),
        ("Story", {"fields": ["body", length, "tags"]}),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    ("hero_focus_x", "hero_focus_y"),
                    "hero_focus_picker",
                    "hero_caption",
                    "hero_credit",
                    "hero_alt",
                ]
            },
        ),
    ]
    history_latest_first = True
    formfield_overrides = {
        models.DateTimeField: {"widget": LabelledSplitDateTime},
        models.FloatField: focus_point.FOCUS_FIELD,
    }

    class Media:
        # The styles (articles/desk.css) come with every admin page: templates/admin/base_site.html.
        css = {"all": [*focus_point.CSS]}
        js = [
            "articles/admin/live_length.js",
            "articles/admin/publish_checklist.js",
            "articles/admin/accessible_names.js",
            *focus_point.JS,
        ]

    @admin.display(description="Focal point")
    def hero_focus_picker(self, article):
        return focus_point.picker(article.hero_image if article else None)

    def create_revision(self, request):
        # Every save through this admin keeps one revision, written from what
        # the save holds in memory (revisions.py) rather than collected by
        # django-reversion's signals.
        return revisions.story_revisions(request.user)

    # Who sees and changes what.

    def get_queryset(self, request):
        return super().get_queryset(request).changeable_by(request.user).select_related("section")

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

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

    # The change form.

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.is_editor(request.user):
            fields += ["published_at", "embargoed_until"]
            if obj is not None and obj.status == Status.PUBLISHED:
                fields.append("status")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a new class per request: safe to set
        status = form.base_fields.get("status")
        if status is not None and not workflow.is_editor(request.user):
            status.choices = [(s.value, s.label) for s in (Status.DRAFT, Status.IN_REVIEW)]
            status.help_text = "Set to “In review” when the story is ready for an editor."
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, TaggableManager):
            return tags_formfield(db_field, request, self.admin_site)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The section: the form takes the story's own from it (ArticleForm).
        return super().formfield_for_foreignkey(
            db_field, request, form_class=PickedInBulk, **kwargs
        )

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and workflow.can_add_corrections(request.user, obj):
            inlines.append(CorrectionInline)
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish_now"] = (
            obj is None or not (obj.is_published or obj.is_embargoed)
        ) and (workflow.can_publish(request.user, obj or Article()))
        if obj is not None and obj.pk is not None and not obj.is_published:
            # Sent by mail or chat to people outside the admin: a full address,
            # which only the request knows (the site answers at several hosts).
            context["share_preview_link"] = request.build_absolute_uri(preview.preview_url(obj))
            context["share_preview_days"] = preview.PREVIEW_LINK_MAX_AGE.days
            if obj.is_embargoed:
                context["embargoed_until"] = obj.embargoed_until
                if workflow.can_embargo(request.user, obj):
                    context["embargo_preview_link"] = request.build_absolute_uri(
                        preview.embargo_preview_url(obj)
                    )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Saving: the form and its inlines are valid, and the story's row is held
    # (ArticleForm's version check) until the view's transaction ends.

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()  # a new story needs its row before its bylines can point at it
        # A change is written once, after its inlines, by save_related.

    def save_related(self, request, form, formsets, change):
        """Saves the tags (the form's only many-to-many) and the inlines, then
        writes the story once with the status change its form asked for, and
        puts it in the save's revision with what it now carries."""
        article = form.instance
        carried = {}  # accessor: the rows as saved, for the revision
        if "tags" in form.cleaned_data:
            carried["taggedarticle_set"] = save_tags(
                article, form.cleaned_data["tags"], change=change
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
            if isinstance(formset, StoryRowsFormSet):
                carried[formset.fk.remote_field.get_accessor_name()] = formset.rows_after_save()
        bylines = next((formset for formset in formsets if formset.model is Byline), None)
        if not change and not workflow.is_editor(request.user):
            own = self._give_the_reporter_a_byline(request.user, article, bylines)
            if own is not None and "bylines" in carried:
                carried["bylines"].append(own)
        if change or form.transition.changes_status:
            asked = transitions.apply(
                article,
                form.transition,
                by=request.user,
                # The byline formset asked the checklist's byline rule of these.
                has_byline=bool(bylines.author_ids_after_save) if bylines is not None else None,
            )
            for warning in asked.warnings if asked is not None else ():
                self.message_user(request, f"“{article}”: {warning}", messages.WARNING)
        revisions.keep(article, **carried)

    def construct_change_message(self, request, form, formsets, add=False):
        """The history names an embargo put, moved or lifted, before the fields changed."""
        message = super().construct_change_message(request, form, formsets, add)
        note = form.history_note() if hasattr(form, "history_note") else ""
        if not note:
            return message
        fields = LogEntry(change_message=json.dumps(message)).get_change_message()
        return f"{note} {fields}".strip()

    def _give_the_reporter_a_byline(self, user, article, bylines):
        """A reporter's new story carries their byline, so it stays theirs to edit."""
        author = Author.objects.filter(user=user).first()
        taken = bylines.author_ids_after_save if bylines is not None else []
        if author is not None and author.pk not in taken:
            return Byline.objects.create(article=article, author=author, position=len(taken))
        return None

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            if correction.created_by_id is None:
                correction.created_by = request.user
            correction.save()

    # History: restoring a revision, recovering a deleted story.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        live = extra_context.pop(LIVE_BEFORE_RESTORE, None)
        if live is not None:
            transitions.keep_live_state_after_restore(live)
        elif extra_context.get("recover"):  # django-reversion's recover_view
            transitions.recover_as_draft(unquote(object_id))
        if reversion.is_active():
            # Inside django-reversion's create_revision (which VersionAdmin puts
            # around the add, change and history views), the view already runs in
            # a transaction: Django's own atomic block would only add a savepoint.
            return self._changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        live = self.get_object(request, unquote(object_id))
        if live is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra_context = {**(extra_context or {}), LIVE_BEFORE_RESTORE: live}
        return super().revision_view(request, object_id, version_id, extra_context)

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
        return super().recover_view(request, version_id, extra_context)
