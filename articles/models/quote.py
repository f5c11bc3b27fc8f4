from dataclasses import dataclass, field
from itertools import groupby

from django.db import models

from .base import StoryPart
from .publication import live


class ExpertQuoteQuerySet(models.QuerySet):
    def published(self):
        """Quotes in live stories."""
        return self.filter(live("article__"))


class ExpertQuote(StoryPart):
    plain_text_fields = ("text", "context")

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct quote"
        PARAPHRASE = "paraphrase", "Paraphrase"

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="quotes")
    expert = models.ForeignKey("Expert", on_delete=models.PROTECT, related_name="quotes")
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


@dataclass
class Attribution:
    """One attribution line ("Name, title, institution, context") and the
    quotes it stands under."""

    expert: object
    context: str
    quotes: list = field(default_factory=list)


def attributed(quotes):
    """``quotes`` in their order, as runs that share one attribution line: an
    expert quoted three times in a row in one setting is named once, under the
    three quotes, not three times."""
    runs = []
    for (_, context), run in groupby(quotes, key=lambda quote: (quote.expert_id, quote.context)):
        run = list(run)
        runs.append(Attribution(run[0].expert, context, run))
    return runs
