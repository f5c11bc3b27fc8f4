from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from ..html import clean_name
from ..signals import stories_changed
from .stored import PlainTextFields


class TagQuerySet(models.QuerySet):
    def with_usage(self):
        """Annotate ``usage_count``: how many articles carry each tag."""
        return self.annotate(usage_count=models.Count("tagged_articles"))

    def unused(self):
        return self.filter(tagged_articles__isnull=True)


class TagManager(NaturalKeyManager.from_queryset(TagQuerySet)):
    def create_named(self, names):
        """New tags for names already checked with ``Tag.check_new_name``, in one
        INSERT (``Tag.save()`` would take several queries a tag)."""
        if not names:
            return []
        tags = [Tag(name=clean_name(name)) for name in names]
        for tag in tags:
            tag.slug = tag.slugify(tag.name)
        TagRedirect.objects.filter(old_slug__in=[tag.slug for tag in tags]).delete()
        return self.bulk_create(tags)


class Tag(PlainTextFields, TagBase):
    """A subject tag: a place, a person, a topic.

    Names are unique regardless of case (``TAGGIT_CASE_INSENSITIVE``). A slug
    changes only when a tag is renamed or merged away, and then the old one is
    kept as a ``TagRedirect`` so that links to it keep working.
    """

    description = models.TextField(blank=True, help_text="Shown at the top of the tag's page.")

    objects = TagManager()

    class Meta:
        ordering = ["name"]

    def clean(self):
        # Check uniqueness against the name as it will be stored (markup removed).
        self.name = clean_name(self.name)

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        # Here, not in the plain-text pre_save (articles/html.py): taggit makes
        # the slug from the name inside save(), before pre_save runs.
        self.name = clean_name(self.name)
        with transaction.atomic():
            old_slug = None
            if not self._state.adding:
                old_slug = Tag.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            super().save(*args, **kwargs)
            if old_slug and old_slug != self.slug:
                TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": self})
            # A live tag's address is never also a redirect.
            TagRedirect.objects.filter(old_slug=self.slug).delete()

    @classmethod
    def check_new_name(cls, name, *, ignoring=()):
        """Return the slug ``name`` would get, or raise ``ValidationError``
        saying why it cannot be a tag next to the existing ones.

        Tags in ``ignoring`` do not count: the tag being renamed, or the tags
        being merged (they disappear).
        """
        max_length = cls._meta.get_field("name").max_length
        if len(name) > max_length:
            raise ValidationError(
                "A tag name can have at most %(max)d characters; “%(short)s…” has %(length)d.",
                params={"max": max_length, "short": name[:40], "length": len(name)},
                code="max_length",
            )
        slug = cls().slugify(name)
        if not slug:
            raise ValidationError(
                "“%(name)s” has no letters or digits to make a web address from.",
                params={"name": name},
                code="no_slug",
            )
        others = cls.objects.exclude(pk__in=[tag.pk for tag in ignoring])
        clash = others.filter(name__iexact=name).first() or others.filter(slug=slug).first()
        if clash:
            raise ValidationError(
                "“%(name)s” is too close to the existing tag “%(existing)s” (address "
                "/tags/%(slug)s/): use that tag, or merge the two.",
                params={"name": name, "existing": clash.name, "slug": clash.slug},
                code="duplicate",
            )
        return slug

    def merge(self, tags, *, user=None, new_name=""):
        """Fold ``tags`` into this tag and return the ``TagMerge`` record.

        Every article tagged with one of ``tags`` ends up tagged with this one,
        once; the merged tags' addresses redirect here; the merged tags are
        deleted. ``new_name`` optionally renames this tag in the same step.

        Unlike taggit's ``deduplicate_tags`` (one save per tagging) the taggings
        move with one UPDATE per 500, so that merging a tag used by thousands of
        stories fits in a request; ``stories_changed`` tells the after-commit step
        about the moves. Duplicate taggings go with the merged tags (cascade, with
        their delete signals).
        """
        tags = [tag for tag in tags if tag.pk != self.pk]
        if not tags:
            raise ValueError("Merging needs at least one tag other than the one kept.")
        with transaction.atomic():
            moving = TaggedArticle.objects.filter(tag__in=tags)
            has_kept_tag = set(
                TaggedArticle.objects.filter(
                    tag=self, content_object__in=moving.values("content_object")
                ).values_list("content_object_id", flat=True)
            )
            to_move = {}  # article id → the one tagging of it that moves
            for pk, article_id in moving.order_by("pk").values_list("pk", "content_object_id"):
                if article_id not in has_kept_tag:
                    to_move.setdefault(article_id, pk)
            move_ids = list(to_move.values())
            for start in range(0, len(move_ids), 500):
                TaggedArticle.objects.filter(pk__in=move_ids[start : start + 500]).update(tag=self)
            TagRedirect.objects.filter(tag__in=tags).update(tag=self)
            for tag in tags:
                TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": self})
            merged = [{"name": tag.name, "slug": tag.slug} for tag in tags]
            for tag in tags:
                tag.delete()
            # The UPDATE above sent no model signals.
            stories_changed.send(sender=Tag, stories=list(to_move), lists={f"list:tag:{self.pk}"})
            if new_name and new_name != self.name:
                self.name = new_name
                self.slug = self.slugify(new_name)
                self.save()
            return TagMerge.objects.create(
                merged_by=user, kept_tag=self, kept_name=self.name, merged_tags=merged
            )


class TagRedirect(models.Model):
    """An address a tag used to have: ``/tags/<old_slug>/`` answers with a
    permanent redirect to the tag's page."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"/tags/{self.old_slug}/ → {self.tag}"


class TagMerge(models.Model):
    """Audit record of one merge: who folded which tags into which, and when."""

    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kept_tag = models.ForeignKey(Tag, null=True, on_delete=models.SET_NULL, related_name="merges")
    kept_name = models.CharField(max_length=100, help_text="The kept tag's name after the merge.")
    merged_tags = models.JSONField(help_text="Names and slugs of the tags merged away.")

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self):
        return f"{self.merged_names} → {self.kept_name}"

    @property
    def merged_names(self):
        return ", ".join(tag["name"] for tag in self.merged_tags)


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        # A tag's page starts from the tag: this index answers it without the table.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_tag_article")]

    def __str__(self):
        # Without loading the story and the tag: each revision names every tagging.
        return f"tag {self.tag_id} on story {self.content_object_id}"


class StoryTags(TaggableManager):
    """taggit's manager for a story's tags, with a form save in a fixed few
    queries: taggit's ``set()`` looks each name up and writes each tagging with
    its own ``get_or_create`` (four queries a tag), here new tags and taggings
    are written in bulk. The change form's tags field cleans to existing tags
    and new, already checked names."""

    def deconstruct(self):
        # The same column as taggit's manager: no migration.
        name, _, args, kwargs = super().deconstruct()
        return name, "taggit.managers.TaggableManager", args, kwargs

    def save_form_data(self, instance, value):
        tags = [tag for tag in value if isinstance(tag, Tag)]
        tags += Tag.objects.create_named([name for name in value if isinstance(name, str)])
        wanted = {tag.pk for tag in tags}
        taggings = TaggedArticle.objects.filter(content_object=instance)
        current = set(taggings.values_list("tag_id", flat=True))
        if current - wanted:
            # One by one, with their delete signals (the after-commit step hears them).
            for tagging in taggings.filter(tag_id__in=current - wanted):
                tagging.delete()
        if added := wanted - current:
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=instance, tag_id=pk) for pk in added
            )
            stories_changed.send(
                sender=TaggedArticle,
                stories=[instance.pk],
                lists={f"list:tag:{pk}" for pk in added},
            )
