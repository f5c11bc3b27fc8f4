"""Live coverage: a story that reporters add short, timestamped entries to as
news breaks (an attack, an election night), and readers keep open.

A story is live while its ``LiveCoverage`` is open. Its standfirst and body
are the summary at the top; its ``LiveEntry`` rows are the stream under it.
Both are ``StoryPart``s, so a save or a delete refreshes the story's page and
its update endpoint after commit (``articles.changes``), and their plain-text
fields lose any markup on every write path.

Neither is carried by the story's revisions (``carried_by_revisions``):
restoring an older text of the story must not take back entries readers have
already read, nor reopen coverage an editor closed; and a story with 2,000
entries would copy all of them into its history on every save of its text.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import Mod, RowNumber
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from ..html import BODY_EDITOR_EXTENSIONS, body_text, clean_body
from ..pictures.uploads import GeneratedName, SafeImageField
from .base import NoLostUpdates, StoryPart

# Entries a live page shows at a time; older ones are on further pages.
ENTRIES_PER_PAGE = 20
# Key events listed at the top of a live page: the newest this many.
KEY_EVENTS_SHOWN = 20
# What the update endpoint returns: the newest this many entries.
UPDATES_SHOWN = 20
# What a feed's item of a live story carries: the newest this many.
FEED_UPDATES = 10


_BLOCK = re.compile(r"<(?:p|ul|ol|blockquote|h2|h3)[\s>]", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def entry_html(typed):
    """What a reporter typed in the quick form's one box, as stored: blank
    lines make paragraphs and single ones line breaks, and a little markup
    (a link, bold, italics) is kept; then the body's allow-list (``clean_body``)
    decides what stays, so an entry is sanitised exactly like a body."""
    typed = (typed or "").replace("\r\n", "\n").strip()
    if typed and not _BLOCK.search(typed):
        paragraphs = (part.strip() for part in _PARAGRAPH_BREAK.split(typed))
        typed = "".join(
            "<p>" + "<br>".join(line.strip() for line in part.split("\n")) + "</p>"
            for part in paragraphs
            if part
        )
    return clean_body(typed)


def typed_text(html):
    """A stored entry as its author edits it again in the one box: the inverse
    of ``entry_html`` for what it makes (other markup stays as it is)."""
    html = (html or "").strip()
    if (
        html.startswith("<p>")
        and html.endswith("</p>")
        and not re.search(r"<(?:ul|ol|blockquote|h2|h3)[\s>]", html)
    ):
        inner = html[3:-4]
        return inner.replace("</p><p>", "\n\n").replace("<br>", "\n")
    return html


def latest_entries(count=FEED_UPDATES):
    """The prefetch of each story's newest ``count`` entries (``latest_live_entries``),
    for many stories in one query (a window function per story)."""
    return models.Prefetch(
        "live_entries",
        queryset=LiveEntry.objects.newest_first().for_reading()[:count],
        to_attr="latest_live_entries",
    )


class LiveCoverageQuerySet(models.QuerySet):
    def open_now(self):
        return self.filter(ended_at__isnull=True)


class LiveCoverage(StoryPart):
    """A story's live coverage: open from ``started_at`` until an editor
    closes it (``ended_at``)."""

    carried_by_revisions = False

    article = models.OneToOneField(
        "Article", on_delete=models.CASCADE, related_name="live_coverage"
    )
    started_at = models.DateTimeField(
        "coverage started",
        default=timezone.now,
        help_text="When the live coverage began; search engines show it.",
    )
    ended_at = models.DateTimeField(
        "coverage ended",
        null=True,
        blank=True,
        help_text="Empty while the coverage is open. Set it (now, or a time that has passed) "
        "to close the coverage: readers see “This live coverage has ended” and no more "
        "entries can be added.",
    )

    objects = LiveCoverageQuerySet.as_manager()

    class Meta:
        verbose_name = "live coverage"
        verbose_name_plural = "live coverage"
        indexes = [models.Index(fields=["ended_at", "started_at"], name="live_coverage_open")]

    def __str__(self):
        return f"Live coverage of {self.article}"

    @property
    def is_open(self):
        return self.ended_at is None

    def clean(self):
        super().clean()
        if self.ended_at is not None:
            if self.ended_at > timezone.now():
                # A page saying "Live" is cached until something changes; a
                # close in the future would change it with nobody saving.
                raise ValidationError(
                    {"ended_at": "Close the coverage now or at a time that has passed."}
                )
            if self.started_at and self.ended_at < self.started_at:
                raise ValidationError({"ended_at": "The coverage cannot end before it started."})

    def recorded_keys(self):
        from ..pagecache.dependencies import live_key

        return {live_key(self.article_id)}


class LiveEntryQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-posted_at", "-pk")

    def for_reading(self):
        return self.select_related("author", "expert")

    def stream(self):
        """The entries readers scroll through, newest first: all but the pinned
        one, which stands above them."""
        # ``IN (false)``, not ``NOT is_pinned``: SQLite then walks the stream
        # index in order (no sort of every entry before the LIMIT).
        return self.filter(is_pinned__in=[False]).newest_first().for_reading()

    def key_events_and_pinned(self, count=KEY_EVENTS_SHOWN):
        """In one query: the pinned entry first, then the newest ``count`` key events."""
        return (
            self.filter(Q(is_pinned=True) | Q(is_key_event=True))
            .order_by("-is_pinned", "-posted_at", "-pk")
            .for_reading()[: count + 1]
        )

    def page_starts(self, per_page=ENTRIES_PER_PAGE):
        """``(posted_at, pk)`` of the first entry of each page of the stream,
        newest first, in one query (a window over the stream's index): which
        page an entry is on, without counting entries once per entry."""
        row = Window(RowNumber(), order_by=[F("posted_at").desc(), F("pk").desc()])
        return (
            self.filter(is_pinned__in=[False])
            .annotate(place=Mod(row - 1, per_page))
            .filter(place=0)
            .order_by("-posted_at", "-pk")
            .values_list("posted_at", "pk")
        )


def page_of(entry, page_starts):
    """The page of the stream ``entry`` is on, from ``page_starts`` (newest first)."""
    if entry.is_pinned:
        return 1
    key = (entry.posted_at, entry.pk)
    return max(1, sum(1 for start in page_starts if start >= key))


class LiveEntry(NoLostUpdates, StoryPart):
    """One timestamped update of a live story, by one of its bylines."""

    plain_text_fields = ("headline", "picture_alt", "picture_caption", "quote_text")
    carried_by_revisions = False

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="live_entries")
    author = models.ForeignKey(
        "Author",
        on_delete=models.PROTECT,
        related_name="live_entries",
        help_text="One of the story's bylines.",
    )
    posted_at = models.DateTimeField("time", default=timezone.now)
    headline = models.CharField(
        max_length=120,
        blank=True,
        help_text="A few words for the list of key events and for search engines.",
    )
    text = ProseEditorField(
        extensions=BODY_EDITOR_EXTENSIONS, sanitize=clean_body, help_text="What happened."
    )
    is_key_event = models.BooleanField(
        "key event", default=False, help_text="Listed at the top of the live page."
    )
    is_pinned = models.BooleanField(
        "pinned",
        default=False,
        help_text="Shown first, above the newest entries. Pinning one unpins the other.",
    )
    picture = SafeImageField(upload_to=GeneratedName("live"), blank=True)
    picture_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    picture_caption = models.CharField("caption", max_length=300, blank=True)
    expert = models.ForeignKey(
        "Expert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="live_entries",
        help_text="An expert quoted in this entry.",
    )
    quote_text = models.TextField("quote", blank=True, help_text="Their words, exactly.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "live entry"
        verbose_name_plural = "live entries"
        ordering = ["-posted_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "is_pinned", "posted_at"], name="live_entry_stream"),
            models.Index(
                fields=["article", "is_key_event", "posted_at"], name="live_entry_key_events"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=Q(is_pinned=True), name="one_pinned_live_entry"
            )
        ]

    def __str__(self):
        return self.summary

    def save(self, *args, **kwargs):
        self.text = clean_body(self.text)
        super().save(*args, **kwargs)

    @property
    def summary(self):
        """The entry's headline, or its first words: for key events and search engines."""
        if self.headline:
            return self.headline
        words = body_text(self.text)
        return words if len(words) <= 110 else words[:110].rsplit(" ", 1)[0] + "…"

    @property
    def anchor(self):
        return f"entry-{self.pk}"

    def recorded_keys(self):
        from ..pagecache.dependencies import live_key

        return {live_key(self.article_id)}
