import math
import uuid

from django.db import models, transaction
from django.db.models import Max, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager

from ..html import BODY_EDITOR_EXTENSIONS, anchor_crossheads, body_text, clean_body
from ..pictures.uploads import GeneratedName, SafeImageField
from ..publishing import roles as workflow
from .base import (
    ACROSS,
    DOWN,
    NoLostUpdates,
    PlainTextFields,
    StoredValues,
    focus_field,
    slug_url,
)
from .people import Author
from .publication import live, not_under_embargo, under_embargo
from .quote import ExpertQuote, attributed
from .section import Section
from .tag import StoryTags, TaggedArticle
from .translation import AUTHOR_ROLES, Translatable, byline_role_field

# How each kind of owner reaches its stories from Article: the one statement of
# "a section's (an author's, a tag's, an expert's) stories", for pages, feeds,
# sitemaps and the page cache alike.
OWNER_PATHS = {
    "section": "section",
    "author": "bylines__author",
    "tag": "tags",
    "expert": "quotes__expert",
}


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live articles: published, and due. Evaluated at query time, so a
        scheduled story goes live at its minute without any job running."""
        return self.filter(live())

    def scheduled(self, after=None):
        """Published but not yet due, and under no embargo: each goes live at
        its ``published_at``. ``after`` pins "now" when a caller needs the
        same instant twice."""
        now = after or timezone.now()
        return self.filter(
            not_under_embargo(now=now), status=Article.Status.PUBLISHED, published_at__gt=now
        )

    def embargoed(self, after=None):
        """Stories under an embargo still to end, whatever their status: none
        is shown to readers before its ``embargoed_until``."""
        return self.filter(under_embargo(now=after or timezone.now()))

    def next_publication_time(self, after=None):
        """When something among these may next go live, or None: the soonest
        scheduled time or embargo release of a published story. Nothing
        runs then; pages and edges that list stories are kept no later."""
        now = after or timezone.now()
        # One query: SQLite merges the two index walks in order and stops at the first.
        scheduled = self.scheduled(now).order_by().values_list("published_at")
        released = (
            self.embargoed(now)
            .filter(status=Article.Status.PUBLISHED)
            .order_by()
            .values_list("embargoed_until")
        )
        return (
            scheduled.union(released, all=True)
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

    def for_owner(self, owner):
        """The stories of a section, author, tag or expert."""
        path = OWNER_PATHS[owner._meta.model_name]
        stories = self.filter(**{path: owner})
        # A story quotes one expert several times; every other link is unique.
        return stories.distinct() if path == "quotes__expert" else stories

    def listing(self):
        """``{story pk: (its status, {(owner name, owner pk), …})}``: whether each
        story is listed and which section, author, tag and expert lists it is
        in, in one query."""
        listing = {}
        for pk, status, *owner_pks in self.values_list("pk", "status", *OWNER_PATHS.values()):
            _, owners = listing.setdefault(pk, (status, set()))
            owners.update(
                (name, owner_pk)
                for name, owner_pk in zip(OWNER_PATHS, owner_pks, strict=True)
                if owner_pk is not None
            )
        return listing

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

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
        return self.prefetch_related(bylines_in_order())

    def for_listing(self):
        return self.select_related("section").with_bylines()

    def for_cards(self):
        """Stories as a reader list's cards show them: without the body, by
        far the largest column, which only a story's page and feeds show."""
        return self.for_listing().defer("body")

    def for_page(self):
        stories = self.for_listing().prefetch_related(
            Prefetch(
                "quotes",
                queryset=ExpertQuote.objects.select_related("expert").order_by("position", "pk"),
            ),
            "tags",
            "corrections",
        )
        return stories.select_related("live_coverage")  # None unless a live story


def bylines_in_order():
    """The prefetch of a story's bylines with their authors, in byline order:
    for querysets (``with_bylines``) and for stories gathered from several
    (``prefetch_related_objects``)."""
    return Prefetch(
        "bylines", queryset=Byline.objects.select_related("author").order_by("position", "pk")
    )


def new_article_guid():
    return f"urn:uuid:{uuid.uuid4()}"


class Article(Translatable, NoLostUpdates, PlainTextFields, StoredValues):
    plain_text_fields = ("headline", "dek", "hero_caption", "hero_credit", "hero_alt", "language")

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
    embargoed_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        help_text="The story's release time. Until then it is nowhere public, whatever its "
        "status: not on its page, lists, feeds, sitemaps, search, exports or preview links. "
        "A published story under embargo goes live at this minute by itself.",
    )
    content_updated_at = models.DateTimeField(
        "content updated",
        null=True,
        blank=True,
        editable=False,
        help_text="When the headline, standfirst or text last changed while the story was live.",
    )
    # NoLostUpdates' field, declared again to keep its place among the columns.
    version = models.PositiveIntegerField(
        default=0,
        help_text="Counts saves; a save from an out-of-date copy is refused (no lost updates).",
    )
    stale_copy = workflow.StaleArticle

    hero_image = SafeImageField(upload_to=GeneratedName("heroes"), blank=True)
    hero_caption = models.CharField("caption", max_length=500, blank=True)
    hero_credit = models.CharField("credit", max_length=200, blank=True)
    hero_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    hero_focus_x = focus_field("focal point across", ACROSS)
    hero_focus_y = focus_field("focal point down", DOWN)

    body = ProseEditorField(
        extensions=BODY_EDITOR_EXTENSIONS,
        sanitize=clean_body,
        blank=True,
        help_text="Use Heading 2 for crossheads: they divide the story into parts.",
    )

    tags = TaggableManager(through=TaggedArticle, blank=True, manager=StoryTags)

    objects = ArticleQuerySet.as_manager()

    # Stories with this many crossheads list them under "In this story".
    IN_THIS_STORY_MINIMUM = 3

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # With the embargo last, ``live()`` is answered from the index alone
            # (no row read per story), as it was before embargoes.
            models.Index(
                fields=["status", "published_at", "embargoed_until"], name="article_status_pub"
            ),
            # With the id, PostgreSQL counts a section's live stories (its
            # pages' paginator) from the index alone: 2 ms, not 600, at 100k.
            models.Index(
                fields=["section", "status", "published_at", "embargoed_until"],
                name="article_section_pub",
                include=["id"],
            ),
            # The sitemaps' lastmod: the newest change among live stories.
            models.Index(fields=["status", "updated_at"], name="article_status_updated"),
            # The next embargo release: a short walk among the few stories with one.
            models.Index(
                fields=["embargoed_until"],
                condition=models.Q(embargoed_until__isnull=False),
                name="article_embargo",
            ),
            # A language's own list and feed (articles/translations.py).
            models.Index(
                fields=["language", "status", "published_at", "embargoed_until"],
                name="article_language_pub",
            ),
            # Whether a story matched by search is live, from the index alone:
            # the table's pages, heavy with bodies, are read only for the page.
            models.Index(
                fields=["id"],
                include=["status", "published_at", "embargoed_until"],
                name="article_live_by_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="unique_translation_language",
                violation_error_message="This story already has a translation in that language.",
            )
        ]
        permissions = [("publish_article", "Can publish articles")]

    def __str__(self):
        return self.headline

    # Readers are told "Updated" when one of these changes on a live story.
    CONTENT_FIELDS = ("headline", "dek", "body")

    def save(self, *args, **kwargs):
        # Every path that writes a body (admin, import, shell) stores clean HTML,
        # and the other fields plain text: before the change to a live story's
        # words is judged below, not after.
        self.body = clean_body(self.body)
        self.clean_plain_text()
        if self._state.adding:
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "content_updated_at"}
        before = self._stored_before_save(kwargs.get("using"))
        self._note_changes_to_live_story(before)
        old_address = self._old_address_to_redirect(before)
        if old_address is None:
            return super().save(*args, **kwargs)  # NoLostUpdates: the version check
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            ArticleRedirect.objects.remove_for(self.slug)
            ArticleRedirect.objects.update_or_create(
                old_slug=old_address, defaults={"article": self}
            )

    def get_absolute_url(self):
        return slug_url("articles:article", self.slug)

    @property
    def is_published(self):
        """Live: what ``published()`` asks, for one story in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.is_embargoed
        )

    @property
    def is_embargoed(self):
        """Under an embargo still to end: hidden from readers whatever the status."""
        return self.embargoed_until is not None and self.embargoed_until > timezone.now()

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

    @property
    def hero_focus(self):
        """The hero's focal point, (across, down): what its crops keep in view."""
        return (self.hero_focus_x, self.hero_focus_y)

    def ordered_bylines(self):
        """Authors in byline order (translators are credited apart); uses the
        prefetch when there is one."""
        return self.credited(AUTHOR_ROLES)

    def who_we_spoke_to(self):
        """The story's quotes in order, grouped under their attribution lines
        (``quote.Attribution``); uses the prefetch when there is one."""
        return attributed(self.quotes.all())

    def _stored_before_save(self, using=None):
        """What the row holds that this save replaces: the values this copy
        was loaded with (``StoredValues``), which the version check in the
        save's UPDATE proves are still the stored ones; read only for a copy
        not loaded whole. None if the row is gone (the save then fails as stale)."""
        names = ("slug", "status", "published_at", "embargoed_until", *self.CONTENT_FIELDS)
        stored = getattr(self, "stored_values", {})
        if all(name in stored for name in names):
            return {name: stored[name] for name in names}
        return type(self)._base_manager.db_manager(using).filter(pk=self.pk).values(*names).first()

    @staticmethod
    def _was_live(before):
        now = timezone.now()
        return (
            before is not None
            and before["status"] == Article.Status.PUBLISHED
            and before["published_at"] is not None
            and before["published_at"] <= now
            and (before["embargoed_until"] is None or before["embargoed_until"] <= now)
        )

    def _note_changes_to_live_story(self, before):
        if self._was_live(before) and any(
            getattr(self, field) != before[field] for field in self.CONTENT_FIELDS
        ):
            self.content_updated_at = timezone.now()

    def _old_address_to_redirect(self, before):
        """The slug a live story is leaving: it keeps answering there with a 301."""
        if self._was_live(before) and self.slug != before["slug"]:
            return before["slug"]
        return None

    def has_byline_of(self, user):
        return self.pk is not None and self.bylines.filter(author__user=user).exists()

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
            and not self.is_embargoed
        )

    @property
    def goes_live_at(self):
        """When a published story not yet live will be: the later of its time
        and its embargo's release. None for a story that is live or not published."""
        if self.status != self.Status.PUBLISHED or self.is_published or not self.published_at:
            return None
        return max(self.published_at, self.embargoed_until or self.published_at)

    @property
    def state_label(self):
        """Where the story stands, in the desk's words: Live, Embargoed, Scheduled,
        In review, Draft."""
        if self.is_published:
            return "Live"
        if self.is_embargoed and self.status == self.Status.PUBLISHED:
            return "Embargoed"
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

    # Reading speed for the "about N minutes to read" beside the body in the admin.
    WORDS_PER_MINUTE = 230

    @property
    def word_count(self):
        return len(body_text(self.body).split())

    @property
    def reading_minutes(self):
        return math.ceil(self.word_count / self.WORDS_PER_MINUTE)

    # Status changes (publish, schedule, unpublish, review) are made through
    # articles/publishing/transitions.py, which checks roles and the checklist.


class Byline(StoredValues):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)
    role = byline_role_field()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]
        # An author's page starts from the author: this index answers it without the table.
        indexes = [models.Index(fields=["author", "article"], name="byline_author_article")]

    def __str__(self):
        return f"{self.author} on {self.article}"


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
