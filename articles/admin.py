from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from taggit.models import Tag as TaggitTag

from .desk_admin import (
    BYLINE_HELP,
    QUOTE_HELP,
    DeskArticleAdminMixin,
    DeskArticleDisplayMixin,
    ExpertQuotedInMixin,
    JournalistHelpInline,
    MineFilter,
)
from .interchange.admin import ImportStoriesMixin
from .models import Article, Author, Byline, Expert, ExpertQuote, Section, Tag, TagMerge
from .publishing import roles as workflow
from .tag_admin import ControlledTagsMixin, TagAdmin, TagMergeAdmin
from .workflow_admin import ArticleWorkflowAdmin, StateFilter

# Our Tag model (with descriptions) replaces taggit's; one "Tags" entry, not two.
admin.site.unregister(TaggitTag)
admin.site.register(Tag, TagAdmin)
admin.site.register(TagMerge, TagMergeAdmin)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "role"]
    autocomplete_fields = ["user"]


@admin.register(Expert)
class ExpertAdmin(ExpertQuotedInMixin, admin.ModelAdmin):
    list_display = ["name", "title", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "title", "affiliation"]
    readonly_fields = ["quoted_in"]
    # A link typed without a scheme ("example.org/people/ana") is stored as https://,
    # Django 6.0's default, rather than plain http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class BylineFormSet(BaseInlineFormSet):
    """A reporter keeps their own byline on their story.

    The byline is what gives a reporter the story (workflow.can_change), so
    removing it would lock them out of their own work in mid-edit. Keeping their
    access some other way (by who created the story) would let them go on
    changing a story that no longer carries their name; handing a story over is
    the desk's decision, so the save is refused and an editor does it."""

    user = None  # set for each request by BylineInline.get_formset

    def clean(self):
        super().clean()
        article, user = self.instance, self.user
        if user is None or workflow.is_editor(user) or not article.has_byline_of(user):
            return
        # Whose bylines the story will carry: the stored ones, as the forms sent
        # change or delete them (a byline no form mentions stays as it is).
        owners = dict(article.bylines.values_list("pk", "author__user"))
        for form in self.forms:
            key = form.instance.pk or form
            author = form.cleaned_data.get("author")
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


class BylineInline(JournalistHelpInline, admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "byline"
    verbose_name_plural = "bylines (in the order readers see them)"
    help_texts = BYLINE_HELP

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
    help_texts = QUOTE_HELP


@admin.register(Article)
class ArticleAdmin(
    DeskArticleAdminMixin,
    DeskArticleDisplayMixin,
    ImportStoriesMixin,
    ControlledTagsMixin,
    ArticleWorkflowAdmin,
):
    list_display = [
        "headline",
        "state_badge",
        "section",
        "byline_names",
        "last_change",
        "published_at",
    ]
    list_filter = [MineFilter, StateFilter, "section", "authors", "tags", "published_at"]
    search_fields = ["headline", "dek", "body", "authors__name"]
    # Newest first; stories without a time yet (drafts) on top.
    ordering = [F("published_at").desc(nulls_first=True), "-created_at", "-pk"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section"]
    inlines = [BylineInline, ExpertQuoteInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "section", "status", "published_at"]}),
        ("On the site", {"fields": ["on_the_site"]}),
        ("Story", {"fields": ["body", "length", "tags"]}),
        ("Hero image", {"fields": ["hero_image", "hero_caption", "hero_credit", "hero_alt"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    @admin.display(description="Bylines")
    def byline_names(self, obj):
        return ", ".join(author.name for author in obj.ordered_bylines())
