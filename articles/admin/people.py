"""The desks and the people in the stories: sections, authors and experts."""

from django.contrib import admin
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Article, Author, Expert, Section


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
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "title", "affiliation"]
    readonly_fields = ["quoted_in"]
    # A link typed without a scheme ("example.org/people/ana") is stored as https://,
    # Django 6.0's default, rather than plain http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Quoted in")
    def quoted_in(self, obj):
        """Every story that quotes the expert, newest first."""
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
