import uuid

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .html import BODY_EDITOR_EXTENSIONS, anchor_crossheads, clean_body
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
    photo = models.ImageField(upload_to=GeneratedName("authors"), blank=True)
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


class Tag(TagBase):
    """A subject tag: a place, a person, a topic."""

    description = models.TextField(blank=True, help_text="Shown at the top of the tag's page.")

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        # A tag's page starts from the tag: this index answers it without the table.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_tag_article")]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live articles: published, and due. Evaluated at query time, so a
        scheduled story goes live at its minute without any job running."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

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

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

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

    hero_image = models.ImageField(upload_to=GeneratedName("heroes"), blank=True)
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
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # Every path that writes a body (admin, import, shell) stores clean HTML.
        self.body = clean_body(self.body)
        super().save(*args, **kwargs)

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
    photo = models.ImageField(upload_to=GeneratedName("experts"), blank=True)
    link = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:expert", kwargs={"slug": self.slug})

    @property
    def description(self):
        """ "researcher in international affairs, Example Institute"."""
        return ", ".join(part for part in (self.title, self.affiliation) if part)


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

    class Meta:
        ordering = ["position", "pk"]
        # An expert's page starts from the expert: this index answers it without the table.
        indexes = [models.Index(fields=["expert", "article"], name="quote_expert_article")]

    def __str__(self):
        return f"{self.expert}: {self.text[:60]}"

    @property
    def is_direct(self):
        return self.kind == self.Kind.DIRECT
