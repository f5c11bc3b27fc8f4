"""What the article list and the change form show about a story, in the
desk's words: its state as a coloured pill, its last change and by whom, its
bylines, its length, and where it is (or will be) on the site."""

from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from ..models import Article
from ..publishing import preview

STATE_BADGES = {"Live": "live", "Scheduled": "scheduled", "In review": "review"}


def _badge(article, text):
    """``text`` in the coloured pill of the article's state (Live, Scheduled, …)."""
    return format_html(
        '<span class="state-badge state-badge--{}">{}</span>',
        STATE_BADGES.get(article.state_label, "draft"),
        text,
    )


def _local(moment, date_format):
    return formats.date_format(timezone.localtime(moment), date_format)


# The article list's columns.


@admin.display(description="State", ordering="published_at")
def state_badge(article):
    text = article.state_label
    if article.is_scheduled:
        text = f"Scheduled for {_local(article.published_at, 'j M, H:i')}"
    return _badge(article, text)


@admin.display(description="Bylines")
def byline_names(article):
    return ", ".join(author.name for author in article.ordered_bylines())


@admin.display(description="Last change", ordering="updated_at")
def last_change(article):
    """Needs ``ArticleQuerySet.with_last_editor()``."""
    when = _local(article.updated_at, "j M, H:i")
    if article.last_editor:
        return format_html('{}<div class="quiet">by {}</div>', when, article.last_editor)
    return when


# The change form's readonly lines.


@admin.display(description="Length")
def length(article):
    # live_length.js counts again as the body is typed.
    if article is None or article.pk is None:
        text = "Counted as you type."
    else:
        minutes = article.reading_minutes
        text = (
            f"{article.word_count} words, about {minutes} minute{pluralize(minutes)} to read "
            "(as last saved)"
        )
    return format_html(
        '<span data-live-length data-words-per-minute="{}">{}</span>',
        Article.WORDS_PER_MINUTE,
        text,
    )


@admin.display(description="On the site")
def on_the_site(article):
    if article is None or article.pk is None:
        return "Not public: the story has not been saved yet."
    url = article.get_absolute_url()
    links = []
    if article.is_published:
        status = format_html(
            '{} since {} at <a href="{}">{}</a>',
            _badge(article, "Live"),
            _local(article.published_at, "H:i, j F Y"),
            url,
            url,
        )
        links.append(("Public page", url))
    else:
        if article.is_scheduled:
            status = format_html(
                "{} for {}: it will be at {}",
                _badge(article, "Scheduled"),
                _local(article.published_at, "H:i, j F Y"),
                url,
            )
        else:
            status = format_html(
                "{} ({}): once published it will be at {}",
                _badge(article, "Not public"),
                article.get_status_display().lower(),
                url,
            )
        links.append(("Preview", preview.preview_url(article)))
    links.append(("History", reverse("admin:articles_article_history", args=[article.pk])))
    return format_html(
        '{}<ul class="desk-quick-links">{}</ul>',
        status,
        format_html_join("", '<li><a href="{}">{}</a></li>', ((u, t) for t, u in links)),
    )
