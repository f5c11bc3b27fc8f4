from django.db import models

from .base import PlainTextFields, StoredValues, slug_url


class Section(PlainTextFields, StoredValues):
    """A desk of the site: World, Politics, Business…"""

    plain_text_fields = ("name", "description")

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
        return slug_url("articles:section", self.slug)
