"""The tag admin for tag managers, and the controlled vocabulary of the
article form.

Who may do what is Django's model permissions on ``articles.Tag``: the
"Tag manager" group has add, change and delete; renaming needs change,
merging needs change and delete, cleaning up needs delete, and creating a tag
from the article form needs add. Reporters and editors have view, which the
article form's autocomplete needs (the roles migration, 0006_roles).
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import get_text_list
from taggit.managers import TaggableManager

from .models import Tag, TagRedirect
from .tag_forms import ArticleTagsField, TagAdminForm, TagAutocomplete, TagMergeForm


class UsageFilter(admin.SimpleListFilter):
    title = "usage"
    parameter_name = "usage"

    def lookups(self, request, model_admin):
        return [("unused", "Unused (no articles)"), ("used", "Used")]

    def queryset(self, request, queryset):
        if self.value() == "unused":
            return queryset.filter(usage_count=0)
        if self.value() == "used":
            return queryset.filter(usage_count__gt=0)
        return queryset


class TagRedirectInline(admin.TabularInline):
    model = TagRedirect
    fields = ["old_slug", "created_at"]
    readonly_fields = ["old_slug", "created_at"]
    extra = 0
    verbose_name = "old address"
    verbose_name_plural = "old addresses (they redirect to this tag)"

    def has_add_permission(self, request, obj=None):
        return False  # made by renames and merges, never by hand


class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "usage_count"]
    list_filter = [UsageFilter]
    ordering = ["name"]  # Meta.ordering is dropped by the usage count's GROUP BY
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TagRedirectInline]
    actions = ["merge_tags", "delete_unused_tags"]
    merge_template = "admin/articles/tag/merge_tags.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new tag has no old addresses

    @admin.display(description="Articles", ordering="usage_count")
    def usage_count(self, tag):
        url = reverse("admin:articles_article_changelist") + f"?tags__id__exact={tag.pk}"
        return format_html('<a href="{}">{}</a>', url, tag.usage_count)

    @admin.action(description="Merge selected tags into one…", permissions=["change", "delete"])
    def merge_tags(self, request, queryset):
        """Builds on taggit's merge action: a confirmation page (taggit's form,
        plus the choice of the tag to keep) posted back to this action."""
        if "apply" not in request.POST and len(queryset) < 2:
            self.message_user(
                request,
                "Select at least two tags: the one to keep and those to merge into it.",
                messages.ERROR,
            )
            return None
        most_used = max(queryset, key=lambda tag: tag.usage_count, default=None)
        form = TagMergeForm(
            request.POST if "apply" in request.POST else None,
            tags=queryset,
            initial={"kept_tag": most_used},
        )
        if form.is_valid():
            record = form.save(request.user)
            kept = record.kept_tag
            self.log_change(request, kept, f"Merged {record.merged_names} into this tag.")
            self.message_user(
                request,
                format_html(
                    "Merged {} into “{}”. Their old addresses now redirect to {}.",
                    get_text_list([f"“{tag['name']}”" for tag in record.merged_tags], "and"),
                    kept.name,
                    kept.get_absolute_url(),
                ),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "tags": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.merge_template, context)

    @admin.action(description="Delete selected tags that no article uses", permissions=["delete"])
    def delete_unused_tags(self, request, queryset):
        """Like taggit's ``remove_orphaned_tags``, for the selection: select all
        with the "Unused" filter on to clean up the whole vocabulary."""
        unused = Tag.objects.filter(pk__in=queryset.values("pk")).unused()
        names = [tag.name for tag in unused]
        in_use = len(queryset) - len(names)
        if names:
            self.log_deletions(request, unused)
            self.delete_queryset(request, unused)
            self.message_user(
                request, f"Deleted {len(names)} unused tags: {', '.join(names)}.", messages.SUCCESS
            )
        if in_use:
            self.message_user(
                request,
                f"Kept {in_use} selected tags that articles still use.",
                messages.WARNING if not names else messages.INFO,
            )


class TagMergeAdmin(admin.ModelAdmin):
    """The merge audit trail: read only."""

    list_display = ["merged_at", "merged_by", "merged_names", "kept_name", "kept_tag"]
    list_filter = ["merged_by"]
    search_fields = ["kept_name", "merged_tags"]
    date_hierarchy = "merged_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ControlledTagsMixin:
    """For a ModelAdmin whose model has tags: pick them with the admin's
    autocomplete. With ``NEWSROOM_CONTROLLED_TAGS`` on, only users who may add
    tags (tag managers) can type new ones; for anyone else a new name is a
    form error naming it. Command-line imports are trusted and not checked."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if not isinstance(db_field, TaggableManager):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        tag_opts = db_field.remote_field.model._meta
        may_add = request.user.has_perm(
            f"{tag_opts.app_label}.{get_permission_codename('add', tag_opts)}"
        )
        allow_new = may_add or not settings.NEWSROOM_CONTROLLED_TAGS
        if allow_new:
            help_text = "Type to find a tag. To add a new tag, type its name and press Enter."
        else:
            help_text = "Type to find a tag. Only tag managers can add new tags to the vocabulary."
        return db_field.formfield(
            form_class=ArticleTagsField,
            queryset=db_field.remote_field.model._default_manager.all(),
            widget=TagAutocomplete(db_field, self.admin_site),
            allow_new=allow_new,
            help_text=help_text,
        )
