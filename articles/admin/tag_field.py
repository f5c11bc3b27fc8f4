"""The article form's tag box: tags picked with the admin's autocomplete, new
ones typed in (by tag managers, with the controlled vocabulary on), and the
write of what was picked."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Q

from ..html import clean_text
from ..models import Tag, TaggedArticle
from ..publishing import roles as workflow
from ..signals import stories_changed


def split_tag_names(value):
    """One posted value as tag names. The autocomplete posts one tag per value
    and ends a typed name at a comma (its token separator); a value posted by a
    script may still hold several names, separated by commas. A quote is part
    of a name (taggit's quoting syntax would split ``The "Troubles"``)."""
    return [name.strip() for name in value.split(",") if name.strip()]


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
        return {
            **attrs,
            "data-tags": "true",
            "data-token-separators": '[","]',
            # Select2's "remove all" button sits inside its list of chosen tags, where
            # only list items belong (screen readers then misread the list); each tag
            # keeps its own remove button.
            "data-allow-clear": "false",
        }

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
    Cleans to ``PickedTags``, which ``save_tags()`` writes.
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
        tags, new_names, found = self.existing_and_new(values)
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
        return PickedTags(tags, Tag.check_new_names(new_names, known=found))

    def existing_and_new(self, values):
        """Split posted values into existing tags (by id, or by name in any
        case) and new names, each once, in the order given; with every tag
        read, which includes those a new name could clash with (same name or
        address: ``Tag.check_new_names``). One query."""
        if not values:
            return [], [], []
        ids = [v for v in values if v.isascii() and v.isdigit() and len(v) < 19]
        wanted = Q(pk__in=ids) | Q(slug__in={Tag().slugify(v) for v in values})
        for v in values:
            wanted |= Q(name__iexact=v)
        found = list(self.queryset.filter(wanted))
        by_id = {str(tag.pk): tag for tag in found if str(tag.pk) in ids}
        by_name = {tag.name.lower(): tag for tag in found}
        tags, new_names = [], {}
        for v in values:
            tag = by_id.get(v) or by_name.get(v.lower())
            if tag is None:
                new_names.setdefault(v.lower(), v)  # "Energy" and "energy": one new tag
            elif tag not in tags:
                tags.append(tag)
        return tags, list(new_names.values()), found


class PickedTags(list):
    """What the tag box cleans to: the story's tags as a list (existing tags
    and new names, as taggit takes them), with the new names' checked
    addresses in ``new_slugs``."""

    def __init__(self, existing, new_slugs):
        super().__init__([*existing, *new_slugs])
        self.existing = existing
        self.new_slugs = new_slugs


def save_tags(article, picked, *, change):
    """Tags ``article`` with ``picked``: the new tags in one INSERT, the added
    taggings in another, the dropped ones deleted (with their signals).
    taggit's ``set()`` would look every name up again and add each tagging
    with a get_or_create of its own. ``change``: the story may already have
    tags (a new one has none). Returns the story's taggings as they now are."""
    tags = [*picked.existing, *Tag.objects.create_all(picked.new_slugs)]
    stored = {}
    if change:
        stored = dict(
            TaggedArticle.objects.filter(content_object=article).values_list("tag_id", "pk")
        )
    wanted = {tag.pk for tag in tags}
    dropped = [pk for tag_id, pk in stored.items() if tag_id not in wanted]
    if dropped:
        TaggedArticle.objects.filter(pk__in=dropped).delete()
    kept = [
        TaggedArticle(pk=stored[tag.pk], content_object=article, tag=tag)
        for tag in tags
        if tag.pk in stored
    ]
    added = [TaggedArticle(content_object=article, tag=tag) for tag in tags if tag.pk not in stored]
    if added:
        TaggedArticle.objects.bulk_create(added)
        # bulk_create sends no model signals.
        stories_changed.send(
            sender=TaggedArticle,
            stories=[article.pk],
            lists={f"list:tag:{tagging.tag_id}" for tagging in added},
        )
    return kept + added


def tags_formfield(db_field, request, admin_site):
    """The article form's tag box for this person. With
    ``NEWSROOM_CONTROLLED_TAGS`` on, only those who may add tags (tag managers)
    can type new ones; for anyone else a new name is a form error naming it.
    Command-line imports are trusted and not checked."""
    allow_new = workflow.can_add_tags(request.user)
    if allow_new:
        help_text = "Type to find a tag. To add a new tag, type its name and press Enter."
    else:
        help_text = "Type to find a tag. Only tag managers can add new tags to the vocabulary."
    return db_field.formfield(
        form_class=ArticleTagsField,
        queryset=db_field.remote_field.model._default_manager.all(),
        widget=TagAutocomplete(db_field, admin_site),
        allow_new=allow_new,
        help_text=help_text,
    )
