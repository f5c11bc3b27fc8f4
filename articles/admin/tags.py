"""The tag admin for tag managers: renaming, merging and cleaning up tags.

Who may do what is Django's model permissions on ``articles.Tag``: the
"Tag manager" group has add, change and delete; renaming needs change,
merging needs change and delete, cleaning up needs delete, and creating a tag
from the article form needs add. Reporters and editors have view, which the
article form's autocomplete needs (the roles migration, 0006_roles).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import get_text_list
from taggit.forms import MergeTagsForm
from taggit.models import Tag as TaggitTag

from ..html import clean_name as plain_name
from ..models import Tag, TagMerge, TagRedirect


class TagAdminForm(forms.ModelForm):
    """Rename-aware: when the name changes and the slug is left alone, the slug
    follows the name (the old address then redirects)."""

    class Meta:
        model = Tag
        fields = ["name", "slug", "description"]
        help_texts = {
            "name": "Tags ignore case: “Ukraine” and “ukraine” are one tag.",
            "slug": "The tag's web address. Leave it as it is when renaming: it follows the "
            "new name, and the old address keeps working (it redirects to the new one).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Absent for those who may only view tags: their form has no fields.
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_name(self):
        # Checked, and its slug made, as it will be stored: without markup.
        name = plain_name(self.cleaned_data["name"])
        if self.instance.pk and name == self.instance.name:
            self.name_slug = self.instance.slug
        else:
            ignoring = [self.instance] if self.instance.pk else []
            self.name_slug = Tag.check_new_name(name, ignoring=ignoring)
        return name

    def clean(self):
        cleaned = super().clean()
        if "name" not in cleaned:
            return cleaned
        renamed = self.instance.pk and "name" in self.changed_data
        if not cleaned.get("slug") or (renamed and "slug" not in self.changed_data):
            cleaned["slug"] = self.name_slug
        return cleaned


class TagMergeForm(MergeTagsForm):
    """taggit's merge form, choosing which selected tag survives.

    taggit's ``new_tag_name`` stays, optional: a new name for the kept tag.
    """

    kept_tag = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep this tag",
        help_text="Its address stays; the others' addresses redirect to it.",
    )
    field_order = ["kept_tag", "new_tag_name"]

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = list(tags)
        self.fields["kept_tag"].queryset = tags
        self.fields["kept_tag"].label_from_instance = lambda tag: (
            f"{tag.name} ({tag.get_absolute_url()})"
        )
        new_name = self.fields["new_tag_name"]
        new_name.required = False
        new_name.label = "New name for the kept tag"
        new_name.help_text = "Optional. Leave empty to keep its name."

    def clean_new_tag_name(self):
        # Checked as it will be stored: without markup.
        return plain_name(self.cleaned_data["new_tag_name"])

    def clean(self):
        cleaned = super().clean()
        if len(self.tags) < 2:
            raise ValidationError(
                "Select at least two tags: the one to keep and those to merge into it."
            )
        kept, new_name = cleaned.get("kept_tag"), cleaned.get("new_tag_name")
        if kept and new_name and new_name != kept.name:
            try:
                Tag.check_new_name(new_name, ignoring=self.tags)
            except ValidationError as error:
                self.add_error("new_tag_name", error)
        return cleaned

    def merged_tags(self):
        return [tag for tag in self.tags if tag != self.cleaned_data["kept_tag"]]

    def save(self, user):
        kept = self.cleaned_data["kept_tag"]
        return kept.merge(self.merged_tags(), user=user, new_name=self.cleaned_data["new_tag_name"])


class UsageFilter(admin.SimpleListFilter):
    title = "usage"
    parameter_name = "usage"

    def lookups(self, request, model_admin):
        return [("unused", "Unused (no story at all)"), ("used", "Used")]

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


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "usage_count", "live_count"]
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

    # Two counts, each saying what it counts: every story with the tag (what a
    # merge or a deletion touches) and the live ones (what its public page lists).

    @admin.display(description="Stories (all states)", ordering="usage_count")
    def usage_count(self, tag):
        url = reverse("admin:articles_article_changelist") + f"?tags__id__exact={tag.pk}"
        return format_html('<a href="{}">{}</a>', url, tag.usage_count)

    @admin.display(description="Live (on its public page)", ordering="live_count")
    def live_count(self, tag):
        return format_html('<a href="{}">{}</a>', tag.get_absolute_url(), tag.live_count)

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


@admin.register(TagMerge)
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


# Our Tag model (with descriptions) replaces taggit's; one "Tags" entry, not two.
admin.site.unregister(TaggitTag)
