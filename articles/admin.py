from django.contrib import admin
from django.db import models
from django.db.models import F
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


class BylineInline(JournalistHelpInline, admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "byline"
    verbose_name_plural = "bylines (in the order readers see them)"
    help_texts = BYLINE_HELP


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
