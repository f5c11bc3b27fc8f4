from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from taggit.managers import _TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from ..html import clean_name
from ..signals import stories_changed
from .base import PlainTextFields, slug_url
from .publication import live


class TagQuerySet(models.QuerySet):
    def with_usage(self):
        """Annotate ``usage_count``: how many stories carry each tag, whatever
        their state (drafts too: deleting the tag would touch them), and
        ``live_count``: how many of them readers see on the tag's page."""
        return self.annotate(
            usage_count=models.Count("tagged_articles"),
            live_count=models.Count(
                "tagged_articles", filter=live("tagged_articles__content_object__")
            ),
        )

    def unused(self):
        return self.filter(tagged_articles__isnull=True)

    def create_all(self, slugs):
        """New tags from ``Tag.check_new_names()``'s ``{name: slug}``, in one
        INSERT; as ``Tag.save()`` does for one, their addresses stop
        redirecting elsewhere. The article form adds several tags at once.
        No cached page shows a tag that did not exist (only pages answered
        with 200 are cached), so these writes need no invalidation."""
        tags = self.bulk_create(self.model(name=name, slug=slug) for name, slug in slugs.items())
        if tags:
            TagRedirect.objects.filter(old_slug__in=slugs.values()).delete()
        return tags


class TagManager(NaturalKeyManager.from_queryset(TagQuerySet)):
    pass


class Tag(PlainTextFields, TagBase):
    """A subject tag: a place, a person, a topic.

    Names are unique regardless of case (``TAGGIT_CASE_INSENSITIVE``). A slug
    changes only when a tag is renamed or merged away, and then the old one is
    kept as a ``TagRedirect`` so that links to it keep working.
    """

    # Cleaned before taggit's save() makes the slug from the name.
    plain_text_fields = ("name", "description")

    description = models.TextField(blank=True, help_text="Shown at the top of the tag's page.")

    objects = TagManager()

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return slug_url("articles:tag", self.slug)

    def slugify(self, tag, i=None):
        # Every slug taggit or a rename makes comes from the name as stored:
        # "<b>Oslo</b>" is at /tags/oslo/, never /tags/boslob/.
        return super().slugify(clean_name(tag), i)

    def save(self, *args, **kwargs):
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
        [slug] = cls.check_new_names([name], ignoring=ignoring).values()
        return slug

    @classmethod
    def check_new_names(cls, names, *, ignoring=(), known=None):
        """Return ``{name: slug}`` for new tags called ``names``, or raise
        ``ValidationError`` naming each that cannot be one: too long, nothing to
        make an address from, too close to an existing tag (other than those in
        ``ignoring``) or to another of ``names``. One query, however many names.

        Names are judged, and returned, as they will be stored: without markup,
        so "<b>OSLO</b>" is too close to "Oslo".

        ``known``: when the caller has read them already, every tag sharing a
        name (in any case) or an address with one of ``names``; spares the query."""
        max_length = cls._meta.get_field("name").max_length
        errors, slugs = [], {}
        for name in map(clean_name, names):
            if len(name) > max_length:
                errors.append(
                    ValidationError(
                        "A tag name can have at most %(max)d characters; “%(short)s…” has "
                        "%(length)d.",
                        params={"max": max_length, "short": name[:40], "length": len(name)},
                        code="max_length",
                    )
                )
                continue
            slug = cls().slugify(name)
            if not slug:
                errors.append(
                    ValidationError(
                        "“%(name)s” has no letters or digits to make a web address from.",
                        params={"name": name},
                        code="no_slug",
                    )
                )
                continue
            other = next((n for n, s in slugs.items() if s == slug), None)
            if other is not None:
                errors.append(
                    ValidationError(
                        "“%(name)s” and “%(other)s” would share one address (/tags/%(slug)s/): "
                        "keep one of them.",
                        params={"name": name, "other": other, "slug": slug},
                        code="duplicate",
                    )
                )
                continue
            slugs[name] = slug
        if slugs:
            same_name = models.Q()
            for name in slugs:
                same_name |= models.Q(name__iexact=name)
            if known is not None:
                existing = [tag for tag in known if tag not in ignoring]
            else:
                existing = list(
                    cls.objects.exclude(pk__in=[tag.pk for tag in ignoring]).filter(
                        same_name | models.Q(slug__in=slugs.values())
                    )
                )
            for name, slug in slugs.items():
                clash = next(
                    (tag for tag in existing if tag.name.lower() == name.lower()), None
                ) or next((tag for tag in existing if tag.slug == slug), None)
                if clash:
                    errors.append(
                        ValidationError(
                            "“%(name)s” is too close to the existing tag “%(existing)s” "
                            "(address /tags/%(slug)s/): use that tag, or merge the two.",
                            params={"name": name, "existing": clash.name, "slug": clash.slug},
                            code="duplicate",
                        )
                    )
        if errors:
            raise ValidationError(errors)
        return slugs

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
            new_name = clean_name(new_name) if new_name else ""
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


class TagMerge(PlainTextFields, models.Model):
    """Audit record of one merge: who folded which tags into which, and when."""

    plain_text_fields = ("kept_name",)

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


class StoryTags(_TaggableManager):
    """``article.tags``: taggit's manager (``TaggableManager(manager=…)``),
    taking tag names as they will be stored. taggit looks a name up before
    ``Tag.save()`` removes its markup, so "<b>OSLO</b>" would miss "Oslo" and
    become a second tag; here it is "OSLO" first, and finds "Oslo"."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        # The one step where add() and set() turn names into tags.
        tags = [clean_name(tag) if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances([tag for tag in tags if tag != ""], tag_kwargs)


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
