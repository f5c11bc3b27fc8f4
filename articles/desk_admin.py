"""The editors' desk in the admin: the publish checklist on the change form,
and the conveniences of the article form and list.

``ArticleAdmin`` puts ``DeskArticleAdminMixin`` in front of the workflow admin.
"""

from contextlib import contextmanager

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from .models import Article
from .publishing import preview
from .publishing.checklist import NotReadyToPublish
from .workflow_admin import ArticleAdminForm, save_only


@contextmanager
def uploads_held_back(instance):
    """Saves ``instance`` inside the block without its new uploads: they are
    written by its next save. A publication the checklist then refuses leaves no
    file (nor renditions of one) in media storage, where the rollback of the
    database cannot reach."""
    pending = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            upload = getattr(instance, field.attname)
            if upload and not upload._committed:
                pending[field.attname] = upload
                setattr(instance, field.attname, "")
    try:
        yield
    finally:
        for name, upload in pending.items():
            setattr(instance, name, upload)


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
        if not change:
            # A new story needs its row before its bylines can point at it.
            with uploads_held_back(obj):
                obj.save()
            return
        # The step's save, after the inlines, is this form's one save of the
        # story (one version, one set of signals); its version check still
        # refuses a stale form and the view's transaction rolls the inlines back.
        # Until then the story's row is held, as a plain save would hold it
        # first, so a concurrent save of the same story waits here instead of
        # deadlocking with this one over the inline rows (PostgreSQL).
        Article.objects.select_for_update().filter(pk=obj.pk).values_list("pk").first()

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


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine (my byline)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.written_by(request.user)
        return queryset


STATE_BADGES = {"Live": "live", "Scheduled": "scheduled", "In review": "review"}


def _badge(article, text):
    """``text`` in the coloured pill of the article's state (Live, Scheduled, …)."""
    return format_html(
        '<span class="state-badge state-badge--{}">{}</span>',
        STATE_BADGES.get(article.state_label, "draft"),
        text,
    )


def _local(moment, date_format):
    return formats.date_format(timezone.localtime(moment), date_format)


class DeskArticleDisplayMixin:
    """The article list's columns and the change form's readonly conveniences."""

    readonly_fields = ["on_the_site", "length"]

    class Media:
        css = {"all": ["articles/desk.css"]}
        js = ["articles/admin/live_length.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_editor()

    @admin.display(description="State", ordering="published_at")
    def state_badge(self, obj):
        text = obj.state_label
        if obj.is_scheduled:
            text = f"Scheduled for {_local(obj.published_at, 'j M, H:i')}"
        return _badge(obj, text)

    @admin.display(description="Last change", ordering="updated_at")
    def last_change(self, obj):
        when = _local(obj.updated_at, "j M, H:i")
        if obj.last_editor:
            return format_html('{}<div class="quiet">by {}</div>', when, obj.last_editor)
        return when

    @admin.display(description="Length")
    def length(self, obj):
        # live_length.js counts again as the body is typed.
        if obj is None or obj.pk is None:
            text = "Counted as you type."
        else:
            minutes = obj.reading_minutes
            text = (
                f"{obj.word_count} words, about {minutes} minute{pluralize(minutes)} to read "
                "(as last saved)"
            )
        return format_html(
            '<span data-live-length data-words-per-minute="{}">{}</span>',
            Article.WORDS_PER_MINUTE,
            text,
        )

    @admin.display(description="On the site")
    def on_the_site(self, obj):
        if obj is None or obj.pk is None:
            return "Not public: the story has not been saved yet."
        url = obj.get_absolute_url()
        links = []
        if obj.is_published:
            status = format_html(
                '{} since {} at <a href="{}">{}</a>',
                _badge(obj, "Live"),
                _local(obj.published_at, "H:i, j F Y"),
                url,
                url,
            )
            links.append(("Public page", url))
        else:
            if obj.is_scheduled:
                status = format_html(
                    "{} for {}: it will be at {}",
                    _badge(obj, "Scheduled"),
                    _local(obj.published_at, "H:i, j F Y"),
                    url,
                )
            else:
                status = format_html(
                    "{} ({}): once published it will be at {}",
                    _badge(obj, "Not public"),
                    obj.get_status_display().lower(),
                    url,
                )
            links.append(("Preview", preview.preview_url(obj)))
        links.append(("History", reverse("admin:articles_article_history", args=[obj.pk])))
        return format_html(
            '{}<ul class="desk-quick-links">{}</ul>',
            status,
            format_html_join("", '<li><a href="{}">{}</a></li>', ((u, t) for t, u in links)),
        )


class JournalistHelpInline:
    """An inline whose fields explain themselves in the desk's words."""

    help_texts = {}

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, help_texts=self.help_texts, **kwargs)


BYLINE_HELP = {
    "author": "Type a name to find the author.",
    "position": "Bylines appear in this order, lowest number first.",
}
QUOTE_HELP = {
    "expert": "Type a name, title or institution. Someone new? Add them with the + "
    "without leaving this story.",
    "kind": "Direct: their exact words, in quotation marks. Paraphrase: what they said, "
    "in your words.",
    "text": "A direct quote is word for word, as in your notes or recording.",
    "position": "Quotes are listed in this order, lowest number first.",
}


class ExpertQuotedInMixin:
    """The expert's page in the admin lists every story that quotes them."""

    @admin.display(description="Quoted in")
    def quoted_in(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        articles = (
            Article.objects.filter(quotes__expert=obj)
            .distinct()
            .order_by(F("published_at").desc(nulls_first=True), "-pk")
        )
        rows = [
            (
                reverse("admin:articles_article_change", args=[article.pk]),
                article.headline,
                article.state_label,
            )
            for article in articles
        ]
        if not rows:
            return "No story quotes them yet."
        return format_html(
            '<ul class="desk-quoted-in">{}</ul>',
            format_html_join("", '<li><a href="{}">{}</a> ({})</li>', rows),
        )
