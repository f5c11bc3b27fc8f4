from django.conf import settings
from django.db import models
from django.utils import timezone

from .base import PlainTextFields
from .publication import live


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Entries on live stories only: a correction never reveals an unpublished one."""
        return self.filter(live("article__"))

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class Correction(PlainTextFields, models.Model):
    """An entry in a story's public ledger of corrections, clarifications and updates."""

    plain_text_fields = ("text",)

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="corrections")
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
        # The ledger is public: a changed entry says so, on every path that writes
        # one. Compared as stored: removing markup alone is no change of wording.
        self.clean_plain_text()
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
