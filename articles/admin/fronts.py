"""The fronts and the breaking-news banner: what the desk puts at the top of the site.

A front is arranged like a story is edited: the whole page in one form (its
placements as an inline), one revision per save (History restores an earlier
arrangement), and a save from a form opened before someone else's save is
refused (``NoLostUpdates``), naming who saved and when, with what was typed
kept. Every save of the form writes the front's row, moving its version on,
even one that changes only placements: two editors arranging one front collide.
"""

from datetime import timedelta

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Version

from ..fronts import front_page
from ..models import Banner, Front, Placement
from . import focus_point
from .stale_forms import RefusesStaleSaves

BANNER_HOURS = 6  # a new banner's end time, unless the editor changes it

# django-reversion's revision view passes this to changeform_view: the front's
# version counter from before reversion wrote the old revision's row over it.
LIVE_VERSION = "live_front_version"


class BaselineRevisionMixin:
    """Rows made outside the admin (the demo, a migration) have no revision yet.
    Before their first change here, keep how they stood, so that the history
    can bring it back."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and not Version.objects.get_for_object(obj).exists():
                with reversion.create_revision():
                    reversion.add_to_revision(obj)
                    reversion.set_comment("As it stood before its first change in the admin.")
        return super().change_view(request, object_id, form_url, extra_context)


class FrontForm(RefusesStaleSaves):
    """Refuses a save made from a form opened before someone else's save."""

    kept_below = "your arrangement"
    theirs = "theirs"

    class Meta:
        model = Front
        fields = ["section", "version"]
        widgets = {"version": forms.HiddenInput}


@admin.display(description="State")
def story_state(placement):
    """Whether readers see the placed story now, in the desk's words."""
    if placement is None or placement.pk is None:
        return "—"
    article = placement.article
    if article.is_scheduled:
        at = formats.date_format(timezone.localtime(article.published_at), "j M, H:i")
        return f"Scheduled: takes its place at {at}"
    if article.is_published:
        return "Live: on the front"
    return f"{article.state_label}: not on the front until it is published"


@admin.display(description="Focal point")
def placement_focus_picker(placement):
    return focus_point.picker(placement.picture if placement is not None else None)


class PlacementInline(admin.StackedInline):
    model = Placement
    extra = 1
    autocomplete_fields = ["article"]
    # The story and its place first; its words and picture for the front are
    # optional, folded away until needed.
    fieldsets = [
        (None, {"fields": ["article", "position", story_state]}),
        (
            "The front's own headline, standfirst and picture",
            {
                "classes": ["collapse"],
                "fields": [
                    "headline",
                    "dek",
                    "picture",
                    ("picture_focus_x", "picture_focus_y"),
                    placement_focus_picker,
                ],
            },
        ),
    ]
    readonly_fields = [story_state, placement_focus_picker]
    formfield_overrides = {
        models.FloatField: focus_point.FOCUS_FIELD,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }
    help_texts = {
        "article": "Type words of its headline. A draft or a scheduled story takes its "
        "place when it goes live.",
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, help_texts=self.help_texts, **kwargs)


@admin.display(description="On the site now")
def on_the_site_now(front):
    """The front as readers see it at this moment: the placed stories that are
    live, in order, and the newest stories filling the places left."""
    if front is None or front.pk is None:
        return "—"
    page = front_page(front.section)
    if not page.teasers:
        return "No live stories yet."
    rows = [
        (
            "Leads" if number == 0 else f"Top story {number}",
            teaser.headline,
            "placed by the desk" if teaser.placed else "newest story, filling an empty place",
        )
        for number, teaser in enumerate(page.teasers)
    ]
    return format_html(
        '<ol class="front-now">{}</ol>',
        format_html_join("", "<li><strong>{}:</strong> {} <em>({})</em></li>", rows),
    )


@admin.display(description="Page")
def page(front):
    return front.section.name if front.section else "Home page"


@admin.register(Front)
class FrontAdmin(BaselineRevisionMixin, VersionAdmin):
    form = FrontForm
    list_display = ["__str__", "placed", "updated_at"]
    inlines = [PlacementInline]
    readonly_fields = [page, on_the_site_now]
    history_latest_first = True

    class Media:
        css = {"all": focus_point.CSS}
        js = focus_point.JS

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("section")
        return queryset.annotate(placed_count=Count("placements"))

    def get_fields(self, request, obj=None):
        # A front belongs to its page for good: another page gets a front of its own.
        return [page, "version", on_the_site_now] if obj else ["section", "version"]

    @admin.display(description="Stories placed")
    def placed(self, front):
        return front.placed_count

    def has_delete_permission(self, request, obj=None):
        # A section's front may go (its page then leads with its newest
        # stories); the home page always has one.
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.section_id is not None
        )

    # History: restoring an earlier arrangement keeps the version counter, so the
    # restored form is checked against the version its user opened.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        live = self.get_object(request, unquote(object_id))
        if live is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra_context = {**(extra_context or {}), LIVE_VERSION: live.version}
        return super().revision_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        live_version = extra_context.pop(LIVE_VERSION, None)
        if live_version is not None:
            Front.objects.filter(pk=unquote(object_id)).update(version=live_version)
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.display(description="Shown")
def showing(banner):
    if not banner.is_showing:
        at = formats.date_format(timezone.localtime(banner.ends_at), "j M, H:i")
        return f"Ended {at}"
    if banner.ends_at is None:
        return "Until you end it"
    at = formats.date_format(timezone.localtime(banner.ends_at), "j M, H:i")
    return f"Until {at}"


@admin.action(description="End the selected banners now")
def end_now(modeladmin, request, queryset):
    now = timezone.now()
    ended = 0
    for banner in queryset.showing(now):
        banner.ends_at = now
        banner.save(update_fields=["ends_at", "updated_at"])  # through save(): pages refresh
        ended += 1
    modeladmin.message_user(request, f"{ended} banner(s) ended.", messages.SUCCESS)


@admin.register(Banner)
class BannerAdmin(BaselineRevisionMixin, VersionAdmin):
    list_display = ["text", showing, "created_at"]
    fields = ["text", "link", "ends_at"]
    actions = [end_now]
    history_latest_first = True

    def get_changeform_initial_data(self, request):
        # Breaking news is news for hours, not for ever: an end time by default.
        initial = {"ends_at": timezone.now() + timedelta(hours=BANNER_HOURS)}
        return {**initial, **super().get_changeform_initial_data(request)}
