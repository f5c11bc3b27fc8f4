"""Live coverage in the admin: the story's coverage on its change form (an
inline, editors open and close it), the list of live stories, and the quick
form where reporters post entries from a phone.

The quick form (``/admin/articles/livecoverage/story/<story id>/``) is one
text box that posts with Ctrl+Enter (⌘+Enter), the entries newest first under
it, and Edit and Delete beside the entries one may change. Who may post,
change and delete is asked of ``publishing/roles.py``: reporters with a byline
on the story post, and change their own entries; editors change every entry
and pin one. An entry is saved in one transaction with the coverage's row
locked, so an editor closing the coverage and a reporter posting cannot cross.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ..models import Article, LiveCoverage, LiveEntry
from ..publishing import roles as workflow
from ..publishing.roles import StaleCopy
from .live_forms import LiveEntryForm

ENTRIES_IN_QUICK_FORM = 50


def quick_form_url(article_id):
    return reverse("admin:articles_livecoverage_quick", args=[article_id])


@admin.display(description="Live coverage")
def live_coverage(article):
    """On the story's change form: whether it is a live story, with its quick
    form; an editor makes a story live, or changes its coverage's times, here."""
    if article is None or article.pk is None:
        return "Save the story first; then an editor can make it a live story."
    coverage = LiveCoverage.objects.filter(article=article).first()
    if coverage is None:
        return format_html(
            'Not a live story. <a href="{}?article={}">Make it a live story</a> '
            "(editors): reporters with a byline then post timestamped entries from a quick form.",
            reverse("admin:articles_livecoverage_add"),
            article.pk,
        )
    state = "Open" if coverage.is_open else "Closed"
    return format_html(
        '{} since {}. <a class="button" href="{}">Open the quick form</a> '
        '<a href="{}">Coverage times</a>',
        state,
        formats.date_format(timezone.localtime(coverage.started_at), "H:i, j F"),
        quick_form_url(article.pk),
        reverse("admin:articles_livecoverage_change", args=[coverage.pk]),
    )


@admin.register(LiveCoverage)
class LiveCoverageAdmin(admin.ModelAdmin):
    """Every live story, open ones first, each with its quick form. Editors
    make a story live here (from its change form's link) and set its
    coverage's start and end times; closing it ends the entries."""

    list_display = ["story", "state", "started_at", "ended_at", "entries"]
    list_display_links = None
    list_select_related = ["article"]
    ordering = ["-ended_at", "-started_at"]
    search_fields = ["article__headline"]

    def get_queryset(self, request):
        stories = Article.objects.changeable_by(request.user)
        return super().get_queryset(request).filter(article__in=stories)

    fields = ["article", "started_at", "ended_at"]
    raw_id_fields = ["article"]

    def get_readonly_fields(self, request, obj=None):
        return ["article"] if obj is not None else []

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return workflow.can_run_live_coverage(request.user)

    def has_add_permission(self, request):
        return workflow.can_run_live_coverage(request.user)

    def has_change_permission(self, request, obj=None):
        return workflow.can_run_live_coverage(request.user)

    def has_delete_permission(self, request, obj=None):
        return workflow.can_run_live_coverage(request.user)

    def response_post_save_add(self, request, obj):
        return redirect(quick_form_url(obj.article_id))

    @admin.display(description="Story")
    def story(self, coverage):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[coverage.article_id]),
            coverage.article.headline,
        )

    @admin.display(description="State")
    def state(self, coverage):
        return "Open" if coverage.is_open else "Closed"

    @admin.display(description="Entries")
    def entries(self, coverage):
        return format_html('<a href="{}">Quick form</a>', quick_form_url(coverage.article_id))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "story/<int:article_id>/", view(self.quick_form), name="articles_livecoverage_quick"
            ),
            path(
                "story/<int:article_id>/entry/<int:entry_id>/",
                view(self.quick_form),
                name="articles_livecoverage_entry",
            ),
            path(
                "story/<int:article_id>/entry/<int:entry_id>/delete/",
                view(require_POST(self.delete_entry)),
                name="articles_livecoverage_delete",
            ),
            *super().get_urls(),
        ]

    # -- the quick form ---------------------------------------------------

    def _coverage(self, request, article_id, *, lock=False):
        coverages = LiveCoverage.objects.select_related("article")
        if lock:
            coverages = coverages.select_for_update(of=("self",))
        coverage = coverages.filter(article_id=article_id).first()
        if coverage is None:
            if not Article.objects.filter(pk=article_id).exists():
                raise Http404("No such story.")
            raise Http404("This story has no live coverage: an editor adds it on the story's page.")
        if not workflow.can_post_live_entries(request.user, coverage.article):
            raise PermissionDenied
        return coverage

    def _entry(self, request, coverage, entry_id):
        entry = get_object_or_404(
            LiveEntry.objects.select_related("author", "article"),
            pk=entry_id,
            article=coverage.article,
        )
        if not workflow.can_change_live_entry(request.user, entry):
            raise PermissionDenied
        return entry

    def quick_form(self, request, article_id, entry_id=None):
        if request.method == "POST":
            with transaction.atomic():
                coverage = self._coverage(request, article_id, lock=True)
                entry = self._entry(request, coverage, entry_id) if entry_id else None
                form = LiveEntryForm(
                    request.POST,
                    request.FILES,
                    instance=entry,
                    coverage=coverage,
                    user=request.user,
                )
                if form.is_valid():
                    try:
                        saved = form.save()
                    except StaleCopy:
                        form.add_error(
                            None,
                            "Someone else changed this entry after you opened it. Your text "
                            "is still in the box; the entry as it is now is in the list below.",
                        )
                    else:
                        verb = "Changed" if entry else "Posted"
                        messages.success(request, f"{verb}: “{saved}”.")
                        return redirect(quick_form_url(article_id))
        else:
            coverage = self._coverage(request, article_id)
            entry = self._entry(request, coverage, entry_id) if entry_id else None
            form = LiveEntryForm(instance=entry, coverage=coverage, user=request.user)
        return self._render(request, coverage, form, entry)

    def _render(self, request, coverage, form, editing):
        article = coverage.article
        entries = Paginator(
            article.live_entries.newest_first().select_related("author", "expert", "created_by"),
            ENTRIES_IN_QUICK_FORM,
        ).get_page(request.GET.get("page"))
        for entry in entries:
            entry.can_change = workflow.can_change_live_entry(request.user, entry)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Live: {article.headline}",
            "subtitle": None,
            "opts": self.model._meta,
            "article": article,
            "coverage": coverage,
            "form": form,
            "editing": editing,
            "entries": entries,
            "change_url": reverse("admin:articles_article_change", args=[article.pk]),
            "quick_form_url": quick_form_url(article.pk),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/live/quick_form.html", context)

    def delete_entry(self, request, article_id, entry_id):
        with transaction.atomic():
            coverage = self._coverage(request, article_id, lock=True)
            entry = self._entry(request, coverage, entry_id)
            text = str(entry)
            entry.delete()
        messages.success(request, f"Deleted: “{text}”.")
        return redirect(quick_form_url(article_id))
