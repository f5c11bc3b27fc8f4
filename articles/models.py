import math
import uuid

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.db.models.lookups import Exact, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from . import checklist, workflow
from .html import BODY_EDITOR_EXTENSIONS, anchor_crossheads, body_text, clean_body, clean_name
from .images import SafeImageField
from .uploads import GeneratedName


class Section(models.Model):
    """A desk of the site: World, Politics, Business…"""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(
        default=0, help_text="Sections are listed in this order in the site's navigation."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    """A byline: the name readers see on a story."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    role = models.CharField(
        max_length=200, blank=True, help_text='For example "Senior correspondent".'
    )
    bio = models.TextField(blank=True)
    photo = SafeImageField(upload_to=GeneratedName("authors"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account of this author, if they write in the admin.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick for former staff; their stories stay online."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class TagQuerySet(models.QuerySet):
    def with_usage(self):
        """Annotate ``usage_count``: how many articles carry each tag."""
        return self.annotate(usage_count=models.Count("tagged_articles"))

    def unused(self):
        return self.filter(tagged_articles__isnull=True)


class TagManager(NaturalKeyManager.from_queryset(TagQuerySet)):
    pass


class Tag(TagBase):
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
        stories fits in a request; the page cache is told about the moves
        explicitly. Duplicate taggings go with the merged tags (cascade, with
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
            # The UPDATE above sent no signals: as articles/caching.py asks of such writes.
            from .caching import invalidate

            invalidate(f"list:tag:{self.pk}", "sitemap", *(f"article-page:{pk}" for pk in to_move))
            from .search import index_articles

            index_articles(to_move)
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


class NotAnIndexOnSQLite(models.Func):
    """``+column`` on SQLite, the plain column elsewhere: SQLite's way of saying
    "don't drive the query from an index on this column". See ``live()``."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def live(through="", unindexed=()):
    """The lookups of ``published()``, optionally through a relation
    (``live("article__")``). Filtering a quote by its article this way is a
    join the database can start from the quote's side; ``article__in=
    Article.objects.published()`` makes SQLite list every live story first.

    ``unindexed`` names columns ("status", "published_at") SQLite must not
    start from. Its planner, misjudging how many stories a range of dates
    holds, otherwise walks every live story: for each tag when asked whether
    the tag has one, or to find the newest edit (seconds at 100k stories)."""

    def column(name):
        value = F(f"{through}{name}")
        return NotAnIndexOnSQLite(value) if name in unindexed else value

    return Q(
        Exact(column("status"), Article.Status.PUBLISHED),
        LessThanOrEqual(column("published_at"), timezone.now()),
    )


class ArticleQuerySet(models.QuerySet):
    def published(self, unindexed=()):
        """Live articles: published, and due. Evaluated at query time, so a
        scheduled story goes live at its minute without any job running.
        ``unindexed``: see ``live()``."""
        return self.filter(live(unindexed=unindexed))

    def scheduled(self, after=None):
        """Published but not yet due: each goes live at its ``published_at``.
        ``after`` pins "now" when a caller needs the same instant twice."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__gt=after or timezone.now()
        )

    def next_publication_time(self, after=None):
        """When the next of these scheduled stories goes live, or None."""
        return (
            self.scheduled(after)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    def changeable_by(self, user):
        """The articles this person may edit: all for editors, bylined ones for reporters."""
        if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
            return self.none()
        if workflow.is_editor(user):
            return self.all()
        return self.written_by(user)

    def visible_to(self, user):
        """What this person may read at an article's public address: live stories
        for everyone and, as a preview, the unpublished stories they may edit."""
        return self.published() | self.changeable_by(user)

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def latest_live_change(self):
        """When readers last saw a change to one of these stories that is live:
        the largest ``modified_at``. Two short walks down an index (the newest
        edit, the newest publication), where ``Max()`` reads every row."""
        newest_edit = self.published(unindexed={"published_at"}).order_by("-updated_at")
        newest_publication = self.published().order_by("-published_at")
        moments = (
            newest_edit.values_list("updated_at", flat=True).first(),
            newest_publication.values_list("published_at", flat=True).first(),
        )
        return max(filter(None, moments), default=None)

    # The editors' desk: the admin's dashboard and article list.

    def written_by(self, user):
        """Stories with this person's byline."""
        return self.filter(pk__in=Byline.objects.filter(author__user=user).values("article_id"))

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def in_review(self):
        return self.filter(status=Article.Status.IN_REVIEW)

    def published_today(self):
        """Live stories dated today in the site's time zone."""
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return self.published().filter(published_at__gte=midnight)

    def corrected_since(self, since):
        """Stories with a correction since ``since``, the latest correction
        (``last_corrected_at``) first."""
        return (
            self.annotate(last_corrected_at=Max("corrections__created_at"))
            .filter(last_corrected_at__gte=since)
            .order_by("-last_corrected_at", "-pk")
        )

    def with_last_editor(self):
        """Annotates ``last_editor``: the name of whoever made the story's latest
        revision (django-reversion), in the same query as the stories."""
        from reversion.models import Version

        name = Coalesce(
            NullIf(
                Trim(
                    Concat(
                        "revision__user__first_name",
                        Value(" "),
                        "revision__user__last_name",
                        output_field=models.CharField(),
                    )
                ),
                Value(""),
            ),
            "revision__user__username",
        )
        latest = (
            Version.objects.filter(
                content_type__app_label=self.model._meta.app_label,
                content_type__model=self.model._meta.model_name,
                object_id=Cast(OuterRef("pk"), models.CharField()),
            )
            .order_by("-pk")
            .annotate(name=name)
            .values("name")[:1]
        )
        return self.annotate(last_editor=Subquery(latest))

    def with_bylines(self):
        """Bylines in byline order, in one query, for lists and pages."""
        return self.prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by("position", "pk"),
            )
        )

    def for_listing(self):
        return self.select_related("section").with_bylines()

    def for_page(self):
        return self.for_listing().prefetch_related(
            Prefetch(
                "quotes",
                queryset=ExpertQuote.objects.select_related("expert").order_by("position", "pk"),
            ),
            "tags",
            "corrections",
        )


def new_article_guid():
    return f"urn:uuid:{uuid.uuid4()}"


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255, unique=True, help_text="The last part of the story's web address."
    )
    dek = models.TextField(
        "standfirst", blank=True, help_text="The one or two sentences under the headline."
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="Date and time of the dateline. A published story with a future time "
        "goes live at that minute.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The story's identity across systems: the ninjs ``uri`` it is exported
    # with, or the one it was imported with, so a re-import never duplicates.
    guid = models.CharField(
        "global identifier",
        max_length=255,
        unique=True,
        default=new_article_guid,
        editable=False,
    )
    content_updated_at = models.DateTimeField(
        "content updated",
        null=True,
        blank=True,
        editable=False,
        help_text="When the headline, standfirst or text last changed while the story was live.",
    )
    version = models.PositiveIntegerField(
        default=0,
        help_text="Counts saves; a save from an out-of-date copy is refused (no lost updates).",
    )

    hero_image = SafeImageField(upload_to=GeneratedName("heroes"), blank=True)
    hero_caption = models.CharField("caption", max_length=500, blank=True)
    hero_credit = models.CharField("credit", max_length=200, blank=True)
    hero_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )

    body = ProseEditorField(
        extensions=BODY_EDITOR_EXTENSIONS,
        sanitize=clean_body,
        blank=True,
        help_text="Use Heading 2 for crossheads: they divide the story into parts.",
    )

    tags = TaggableManager(through=TaggedArticle, blank=True)

    objects = ArticleQuerySet.as_manager()

    # Stories with this many crossheads list them under "In this story".
    IN_THIS_STORY_MINIMUM = 3

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_pub"),
            models.Index(fields=["section", "status", "published_at"], name="article_section_pub"),
            # The sitemaps' lastmod: the newest change among live stories.
            models.Index(fields=["status", "updated_at"], name="article_status_updated"),
        ]
        permissions = [("publish_article", "Can publish articles")]

    def __str__(self):
        return self.headline

    # Readers are told "Updated" when one of these changes on a live story.
    CONTENT_FIELDS = ("headline", "dek", "body")

    def save(self, *args, **kwargs):
        # Every path that writes a body (admin, import, shell) stores clean HTML.
        self.body = clean_body(self.body)
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "content_updated_at"}
        loaded_version = self.version
        try:
            with transaction.atomic(using=kwargs.get("using")):
                before = self._claim_version(kwargs.get("using"))
                self._note_changes_to_live_story(before)
                super().save(*args, **kwargs)
        except Exception:
            self.version = loaded_version  # rolled back: still the copy it was
            raise

    def get_absolute_url(self):
        return reverse("articles:article", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def modified_at(self):
        """When readers last saw a change: never before the dateline, even for
        a story written days before it was scheduled to go live."""
        if self.published_at is None:
            return self.updated_at
        return max(self.updated_at, self.published_at)

    @cached_property
    def anchored_body(self):
        """The body as readers get it: each crosshead with a stable anchor."""
        return anchor_crossheads(self.body)

    @property
    def in_this_story(self):
        """The crossheads to list at the top, for stories long enough to need it."""
        crossheads = self.anchored_body.crossheads
        return crossheads if len(crossheads) >= self.IN_THIS_STORY_MINIMUM else ()

    def ordered_bylines(self):
        """Authors in byline order; uses the prefetch when there is one."""
        return [byline.author for byline in self.bylines.all()]

    def _claim_version(self, using=None):
        """Move the stored version on by one, but only if it is still the one this
        copy was loaded with; otherwise someone saved in between and this save
        would overwrite their work. The conditional UPDATE is atomic, so two
        saves racing from the same version cannot both win.

        Returns the stored values the save is about to replace."""
        stored = type(self)._base_manager.db_manager(using).filter(pk=self.pk)
        if not stored.filter(version=self.version).update(version=F("version") + 1):
            raise workflow.StaleArticle(self)
        self.version += 1
        return stored.values("slug", "status", "published_at", *self.CONTENT_FIELDS).get()

    def _note_changes_to_live_story(self, before):
        was_live = (
            before["status"] == self.Status.PUBLISHED
            and before["published_at"] is not None
            and before["published_at"] <= timezone.now()
        )
        if not was_live:
            return
        if any(getattr(self, field) != before[field] for field in self.CONTENT_FIELDS):
            self.content_updated_at = timezone.now()
        if self.slug != before["slug"]:
            ArticleRedirect.objects.remove_for(self.slug)
            ArticleRedirect.objects.update_or_create(
                old_slug=before["slug"], defaults={"article": self}
            )

    def has_byline_of(self, user):
        return self.pk is not None and self.bylines.filter(author__user=user).exists()

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state_label(self):
        """Where the story stands, in the desk's words: Live, Scheduled, In review, Draft."""
        if self.is_published:
            return "Live"
        if self.is_scheduled:
            return "Scheduled"
        if self.status == self.Status.PUBLISHED:
            return "Published, no time set"
        return self.get_status_display()

    @property
    def shows_updated_time(self):
        return bool(
            self.content_updated_at
            and self.published_at
            and self.content_updated_at > self.published_at
        )

    # The editorial workflow. Every path that changes a story's status (the change
    # form, the admin actions) comes through these methods; each checks the
    # person's role (articles/workflow.py) and saves through the version check.

    def _require(self, may, by, what):
        if not may(by, self):
            raise PermissionDenied(f"{by} may not {what} “{self}”.")

    def publish(self, by, *, at):
        """The one door to going live: "publish now" and "schedule" both come
        through here, so a rule that must hold for every publication belongs here."""
        self._require(workflow.can_publish, by, "publish")
        if at is None:
            raise ValidationError("A story is published at a time: use publish_now() for now.")
        self.publish_checklist().refuse_if_not_ready(self)
        self.status = self.Status.PUBLISHED
        self.published_at = at
        self.save()

    # Reading speed for the "about N minutes to read" beside the body in the admin.
    WORDS_PER_MINUTE = 230

    @property
    def word_count(self):
        return len(body_text(self.body).split())

    @property
    def reading_minutes(self):
        return math.ceil(self.word_count / self.WORDS_PER_MINUTE)

    def publish_checklist(self, *, has_byline=None):
        """What stops this story going live (``problems``) and what an editor
        should look at first (``warnings``): see articles/checklist.py."""
        if has_byline is None:
            # Asked afresh: a prefetch from before the bylines were saved would be stale.
            has_byline = self.pk is not None and Byline.objects.filter(article=self).exists()
        return checklist.check(self, has_byline=has_byline)

    def publish_now(self, by):
        self.publish(by, at=timezone.now())

    def schedule(self, when, by):
        if when is None or when <= timezone.now():
            raise ValidationError("A story is scheduled for a time in the future.")
        self.publish(by, at=when)

    def unpublish(self, by, *, back_to=Status.DRAFT):
        """Take a live or scheduled story off the site, back to draft (or review)."""
        if self.status != self.Status.PUBLISHED or back_to == self.Status.PUBLISHED:
            raise ValidationError(f"“{self}” is not published.")
        self._require(workflow.can_publish, by, "unpublish")
        self.status = back_to
        self.save()

    def submit_for_review(self, by):
        self._require(workflow.can_submit_for_review, by, "submit for review")
        self.status = self.Status.IN_REVIEW
        self.save()

    def send_back_to_draft(self, by):
        self._require(workflow.can_send_back_to_draft, by, "send back to draft")
        self.status = self.Status.DRAFT
        self.save()

    def keep_live_state_after_restore(self):
        """Call on the article as it is live, once django-reversion has written an
        old revision's row back (it does so raw, bypassing save()).

        Restoring brings back words, bylines, quotes and tags; the status, time,
        web address and version counter stay as they are, so a restore never
        publishes or unpublishes by itself and the restored form is checked
        against the version its user opened."""
        stored = type(self)._base_manager.filter(pk=self.pk)
        restored = stored.values(*self.CONTENT_FIELDS).get()
        content_updated_at = self.content_updated_at
        if self.is_published and any(
            restored[field] != getattr(self, field) for field in self.CONTENT_FIELDS
        ):
            content_updated_at = timezone.now()
        stored.update(
            version=self.version,
            status=self.status,
            published_at=self.published_at,
            slug=self.slug,
            content_updated_at=content_updated_at,
        )


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]
        # An author's page starts from the author: this index answers it without the table.
        indexes = [models.Index(fields=["author", "article"], name="byline_author_article")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class Expert(models.Model):
    """An outside source the desk quotes."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(
        max_length=200, blank=True, help_text='For example "researcher in international affairs".'
    )
    affiliation = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    photo = SafeImageField(upload_to=GeneratedName("experts"), blank=True)
    link = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        # The admin's expert picker shows this: who they are, not just the name.
        return f"{self.name} ({self.description})" if self.description else self.name

    def get_absolute_url(self):
        return reverse("articles:expert", kwargs={"slug": self.slug})

    @property
    def description(self):
        """ "researcher in international affairs, Example Institute"."""
        return ", ".join(part for part in (self.title, self.affiliation) if part)


class ExpertQuoteQuerySet(models.QuerySet):
    def published(self):
        """Quotes in live stories."""
        return self.filter(live("article__"))


class ExpertQuote(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct quote"
        PARAPHRASE = "paraphrase", "Paraphrase"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField("quote")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIRECT)
    context = models.CharField(
        max_length=300,
        blank=True,
        help_text='Where and when it was said, e.g. "at a press conference in Helsinki on 3 May".',
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ExpertQuoteQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        # An expert's page starts from the expert: this index answers it without the table.
        indexes = [models.Index(fields=["expert", "article"], name="quote_expert_article")]

    def __str__(self):
        return f"{self.expert}: {self.text[:60]}"

    @property
    def is_direct(self):
        return self.kind == self.Kind.DIRECT


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Entries on live stories only: a correction never reveals an unpublished one."""
        return self.filter(live("article__"))

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class Correction(models.Model):
    """An entry in a story's public ledger of corrections, clarifications and updates."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        help_text="What was wrong and what is right, in words readers understand."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Empty until the wording changes: a save that changes nothing is no edit,
    # which an ``auto_now`` time could not tell apart from the first save.
    edited_at = models.DateTimeField(
        "edited",
        null=True,
        blank=True,
        editable=False,
        help_text="When the entry's kind or text last changed after it was made. "
        "Readers see this next to the entry.",
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"

    def save(self, *args, **kwargs):
        # The ledger is public: a changed entry says so, on every path that writes one.
        if not self._state.adding:
            stored = (
                type(self)
                ._base_manager.using(kwargs.get("using") or self._state.db)
                .filter(pk=self.pk)
                .values_list("kind", "text")
                .first()
            )
            if stored is not None and stored != (self.kind, self.text):
                self.edited_at = timezone.now()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "edited_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"


class ArticleRedirectQuerySet(models.QuerySet):
    def remove_for(self, slug):
        """A slug that is an article's own again needs no redirect."""
        return self.filter(old_slug=slug).delete()


class ArticleRedirect(models.Model):
    """An earlier web address of a story that was live: answered with a 301."""

    old_slug = models.SlugField(max_length=255, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleRedirectQuerySet.as_manager()

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


# Revisions (django-reversion): a revision of an article carries its bylines,
# quotes and tags, so restoring one brings all of them back. Corrections are
# left out on purpose: restoring an old text never removes a published correction.
reversion.register(Byline)
reversion.register(ExpertQuote)
reversion.register(TaggedArticle)
reversion.register(Article, follow=["bylines", "quotes", "taggedarticle_set"])
