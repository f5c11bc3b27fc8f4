"""The people on a story: its authors (bylines) and the experts it quotes."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models

from ..pictures.uploads import GeneratedName, SafeImageField
from .base import PlainTextFields, StoredValues, slug_url


class Author(PlainTextFields, StoredValues):
    """A byline: the name readers see on a story."""

    plain_text_fields = ("name", "role", "bio")

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
        return slug_url("articles:author", self.slug)


class Expert(PlainTextFields, StoredValues):
    """An outside source the desk quotes."""

    plain_text_fields = ("name", "title", "affiliation", "bio")

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
        return slug_url("articles:expert", self.slug)

    @property
    def link_host(self):
        """ "example.org" for https://example.org/people/varga: what readers see of the link."""
        return urlsplit(self.link).hostname or self.link

    @property
    def description(self):
        """ "researcher in international affairs, Example Institute"."""
        return ", ".join(part for part in (self.title, self.affiliation) if part)
