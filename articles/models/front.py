"""The fronts: the home page and each section's page as the desk arranges them,
and the breaking-news banner across every page.

A front holds *placements*: stories in the order the desk wants them, each
with an optional headline, standfirst and picture for the front alone. What a
front shows at a given moment (only live stories, topped up with the newest
ones) is worked out by ``articles.fronts``.
"""

from urllib.parse import urlsplit

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ..pictures.uploads import GeneratedName, SafeImageField
from .base import ACROSS, DOWN, NoLostUpdates, PlainTextFields, StoredValues, focus_field
from .publication import live
from .section import Section


class Front(NoLostUpdates, StoredValues):
    """The home page (no section) or one section's page, as the desk arranges it."""

    section = models.OneToOneField(
        Section,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="front",
        help_text="Leave empty for the home page.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [models.F("section__position").asc(nulls_first=True), "section__name"]
        verbose_name = "front"
        constraints = [
            # Section ids start at 1: the home page (no section) counts as 0.
            models.UniqueConstraint(
                Coalesce("section", Value(0)),
                name="one_front_per_page",
                violation_error_message="This page already has a front.",
            )
        ]

    def __str__(self):
        return f"{self.section.name} front" if self.section else "Home page"

    def get_absolute_url(self):
        return self.section.get_absolute_url() if self.section else reverse("articles:home")


class PlacementQuerySet(models.QuerySet):
    def live(self):
        """Placements of live stories: a scheduled story takes its place at its
        minute, an unpublished one leaves the front by itself."""
        return self.filter(live("article__"))

    def on_front_of(self, section):
        """The placements of the home page (``None``) or of a section's page."""
        if section is None:
            return self.filter(front__section__isnull=True)
        return self.filter(front__section=section)


class Placement(PlainTextFields, StoredValues):
    """A story on a front, in the desk's order, in the front's own words if it gave any."""

    plain_text_fields = ("headline", "dek")

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="placements")
    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="placements", verbose_name="story"
    )
    position = models.PositiveSmallIntegerField(
        "order",
        default=1,
        help_text="The lowest number leads the page; the others follow as top stories.",
    )
    headline = models.CharField(
        "headline on the front",
        max_length=255,
        blank=True,
        help_text="Leave empty to use the story's own headline.",
    )
    dek = models.TextField(
        "standfirst on the front",
        blank=True,
        help_text="Leave empty to use the story's own standfirst.",
    )
    picture = SafeImageField(
        "picture on the front",
        upload_to=GeneratedName("fronts"),
        blank=True,
        help_text="Leave empty to use the story's hero image. Shown cropped to 16:9.",
    )
    picture_focus_x = focus_field("focal point across", ACROSS)
    picture_focus_y = focus_field("focal point down", DOWN)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "story on the front"
        verbose_name_plural = "stories on the front"

    def __str__(self):
        return f"{self.position}. {self.headline or self.article}"


def validate_link(value):
    """An address on this site ("/news/…") or a full http(s) address."""
    if value.startswith("/") and not value.startswith("//"):
        return
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(
            "Give an address on this site, starting with / (for example /news/storm-warning/), "
            "or a full address starting with https://.",
            code="invalid_link",
        ) from None


class BannerQuerySet(models.QuerySet):
    def showing(self, now=None):
        """Banners not yet ended, the newest first: the first is the one readers see."""
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).order_by(
            "-created_at", "-pk"
        )


class Banner(PlainTextFields, StoredValues):
    """The breaking-news line across the top of every page, until its end time."""

    plain_text_fields = ("text", "link")

    text = models.CharField(
        max_length=200, help_text="One line, as readers should see it: what has happened."
    )
    link = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text="Where the banner leads: a story on this site (/news/…) or a full address.",
    )
    ends_at = models.DateTimeField(
        "end time",
        null=True,
        blank=True,
        help_text="The banner disappears at this time. Leave empty to keep it until you end it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BannerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "breaking-news banner"

    def __str__(self):
        return self.text

    @property
    def story_slug(self):
        """The slug of the story page the link leads to ("/news/<slug>/…"), if it does."""
        parts = urlsplit(self.link).path.split("/")
        return parts[2] if len(parts) > 3 and parts[1] == "news" and parts[2] else None

    def story_not_yet_public(self):
        """The story of ours the link leads to, if readers may not see it yet
        (under embargo, scheduled, a draft): the banner waits for it, since its
        address alone would name the story. None for any other link."""
        if self.story_slug is None:
            return None
        article = apps.get_model("articles", "Article")
        return article.objects.filter(slug=self.story_slug).exclude(live()).first()

    @property
    def is_showing(self):
        return self.ends_at is None or self.ends_at > timezone.now()
