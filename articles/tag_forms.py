"""Forms for looking after tags: the tag form, the merge form and the article
form's tag field with its controlled vocabulary."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Q
from taggit.forms import MergeTagsForm
from taggit.utils import parse_tags

from .html import clean_text
from .models import Tag


def split_tag_names(value):
    """One posted value as tag names. The autocomplete posts one tag per value;
    a value with commas or quotes is taggit's text syntax (``"New York", Oslo``),
    as typed without JavaScript or posted by scripts."""
    if "," in value or '"' in value:
        return parse_tags(value)
    return [value.strip()] if value.strip() else []


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
        self.fields["slug"].required = False

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
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
        return self.cleaned_data["new_tag_name"].strip()

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


class TagAutocomplete(AutocompleteSelectMultiple):
    """The admin's autocomplete, in Select2's "tags" mode: a name that matches
    no tag can be typed in (a comma ends it). New names are posted as
    themselves, existing tags as their ids; the form field tells them apart."""

    @property
    def media(self):
        # Listed after Select2 and jquery.init.js, so that media merging keeps it after them.
        base = super().media
        return forms.Media(js=[*base._js, "articles/admin/tag_autocomplete.js"], css=base._css)

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        return {**attrs, "data-tags": "true", "data-token-separators": '[","]'}

    def optgroups(self, name, value, attr=None):
        ids = [v for v in value if str(v).isdigit()]
        groups = super().optgroups(name, ids, attr)
        options = groups[0][1]
        known = {str(option["value"]) for option in options}
        # Typed names survive a form error elsewhere on the page.
        for typed in value:
            if typed and str(typed) not in known:
                options.append(self.create_option(name, typed, typed, True, len(options)))
        return groups


class ArticleTagsField(forms.ModelMultipleChoiceField):
    """Existing tags, picked by id, and new tag names, typed.

    With ``allow_new`` false (the controlled vocabulary, for staff who are
    not tag managers) a name that matches no tag is an error that names it.
    Names that match a tag, in any case, become that tag. A value of digits
    only is an id; one matching no tag is an error (see ``clean``), so a stale
    form never creates a tag called "17".
    Cleans to a list of tags and new names: what taggit's ``set()`` takes.
    """

    def __init__(self, *, allow_new=True, **kwargs):
        self.allow_new = allow_new
        super().__init__(**kwargs)

    def clean(self, value):
        if self.disabled:
            value = self.prepare_value(self.initial)
        # Names are compared as they will be stored: "<b>Oslo</b>" is the tag
        # "Oslo", not a new tag that would clash with it on save.
        values = [
            cleaned
            for v in value or []
            for name in split_tag_names(str(v))
            if (cleaned := clean_text(name).strip())
        ]
        if self.required and not values:
            raise ValidationError(self.error_messages["required"], code="required")
        tags, new_names = self.existing_and_new(values)
        if any(name.isdigit() for name in new_names):
            # An id that no longer matches a tag (merged or deleted while the form
            # was open), not a name to create: refuse rather than guess.
            raise ValidationError(
                "A tag picked here no longer exists (it may have been merged or deleted "
                "meanwhile): pick it again. A tag whose name is only digits is added in "
                "Tags → Add tag.",
                code="gone",
            )
        if new_names and not self.allow_new:
            raise ValidationError(
                [
                    ValidationError(
                        "“%(name)s” is not a tag yet. Pick an existing tag; only tag managers "
                        "can add new ones.",
                        params={"name": name},
                        code="not_in_vocabulary",
                    )
                    for name in new_names
                ]
            )
        self.check_new_names(new_names)
        return tags + new_names

    def existing_and_new(self, values):
        """Split posted values into existing tags (by id, or by name in any
        case) and new names, each once, in the order given."""
        ids = [v for v in values if v.isascii() and v.isdigit() and len(v) < 19]
        by_id = {str(tag.pk): tag for tag in self.queryset.filter(pk__in=ids)}
        names = Q()
        for v in values:
            if v not in by_id:
                names |= Q(name__iexact=v)
        by_name = {tag.name.lower(): tag for tag in self.queryset.filter(names)} if names else {}
        tags, new_names = [], {}
        for v in values:
            tag = by_id.get(v) or by_name.get(v.lower())
            if tag is None:
                new_names.setdefault(v.lower(), v)  # "Energy" and "energy": one new tag
            elif tag not in tags:
                tags.append(tag)
        return tags, list(new_names.values())

    def check_new_names(self, new_names):
        errors, slugs = [], {}
        for name in new_names:
            try:
                slug = Tag.check_new_name(name)
            except ValidationError as error:
                errors.append(error)
                continue
            if slug in slugs:
                errors.append(
                    ValidationError(
                        "“%(name)s” and “%(other)s” would share one address (/tags/%(slug)s/): "
                        "keep one of them.",
                        params={"name": name, "other": slugs[slug], "slug": slug},
                        code="duplicate",
                    )
                )
            slugs[slug] = name
        if errors:
            raise ValidationError(errors)
