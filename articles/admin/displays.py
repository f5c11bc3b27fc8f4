"""What the article list and the change form show about a story, in the
desk's words: its state as a coloured pill, its last change and by whom, its
bylines, its length, and where it is (or will be) on the site."""

from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..models import Article
from ..publishing import checklist, preview

STATE_BADGES = {
    "Live": "live",
    "Embargoed": "embargoed",
    "Scheduled": "scheduled",
    "In review": "review",
}


def _badge(article, text):
    """``text`` in the coloured pill of the article's state (Live, Scheduled, …)."""
    return format_html(
        '<span class="state-badge state-badge--{}">{}</span>',
        STATE_BADGES.get(article.state_label, "draft"),
        text,
    )


def _local(moment, date_format):
    return formats.date_format(timezone.localtime(moment), date_format)


def _short(moment):
    """ "30 Nov, 17:35", with the year only when it is not this one: narrow
    enough for the list's date columns."""
    this_year = timezone.localtime(moment).year == timezone.localtime().year
    return _local(moment, "j M, H:i" if this_year else "j M Y, H:i")


# The article list's columns.


@admin.display(description="State", ordering="published_at")
def state_badge(article):
    # A scheduled story's time is in the next column but one ("Publication time").
    return _badge(article, article.state_label)


@admin.display(description="Bylines")
def byline_names(article):
    return ", ".join(author.name for author in article.ordered_bylines())


@admin.display(description="Story", ordering="headline")
def story(article):
    """The headline, linked to the form, with the bylines under it as on the
    desk: one column where two left the list too wide for its dates at 1280 px."""
    url = getattr(article, "change_url_in_list", None) or reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    bylines = byline_names(article) or mark_safe('<span class="desk-missing">no byline</span>')
    return format_html(
        '<a href="{}">{}</a><div class="desk-bylines">{}</div>', url, article.headline, bylines
    )


def _phone_label(text):
    """A cell's column name, shown only where the list is laid out as cards
    (articles/desk.css), which have no column headings."""
    return format_html('<span class="phone-label">{} </span>', text)


@admin.display(description="Section", ordering="section__name")
def section_name(article):
    if article.section is None:
        # What the publish checklist will ask for, shown as the desk shows a missing byline.
        return mark_safe('<span class="desk-missing">no section</span>')
    return article.section.name


@admin.display(description="Last change", ordering="updated_at")
def last_change(article):
    """Needs ``ArticleQuerySet.with_last_editor()``."""
    when = format_html("{}{}", _phone_label("Changed"), _short(article.updated_at))
    if article.last_editor:
        return format_html('{}<div class="quiet">by {}</div>', when, article.last_editor)
    return when


@admin.display(description="Publication time", ordering="published_at")
def publication_time(article):
    if article.published_at is None:
        return format_html(
            '{}<span class="quiet">not set</span>', _phone_label("Publication time:")
        )
    moment = article.published_at
    if article.is_embargoed:
        label, moment = "Embargoed until", article.embargoed_until
    elif article.is_scheduled:
        label = "Goes live"
    elif article.is_published:
        label = "Published"
    else:
        label = "Publication time"
    return format_html(
        '{}<time datetime="{}">{}</time>',
        _phone_label(label),
        timezone.localtime(moment).isoformat(),
        _short(moment),
    )


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


@admin.display(description="Publish checklist")
def publish_checklist(article):
    """What the publish checklist misses, as last saved, with every item it can
    name (those present hidden): publish_checklist.js shows and hides them as the
    form is filled in, in the checklist's own words. Publishing asks the
    checklist again on the server, which decides."""
    stored = article.pk is not None
    has_byline = stored and article.bylines.exists()
    missing = {
        problem.field for problem in checklist.check(article, has_byline=has_byline).problems
    }
    items = format_html_join(
        "",
        '<li data-checklist-item="{}"{}>{}</li>',
        (
            (field, mark_safe(" hidden") if field not in missing else "", message)
            for field, message in checklist.MISSING.items()
        ),
    )
    return format_html(
        '<div class="publish-checklist" data-publish-checklist data-stored-hero="{}"'
        ' aria-live="polite">'
        '<p class="publish-checklist__missing"{}>Missing for publication:</p>'
        '<ul class="publish-checklist__items">{}</ul>'
        '<p class="publish-checklist__ready"{}>Ready for publication: nothing is missing.</p>'
        "</div>",
        "true" if article.hero_image else "false",
        "" if missing else mark_safe(" hidden"),
        items,
        mark_safe(" hidden") if missing else "",
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
        if article.is_embargoed:
            status = format_html(
                "{} until {}{}: nothing of it is public before then; it will be at {}",
                _badge(article, "Embargoed"),
                _local(article.embargoed_until, "H:i T, j F Y"),
                ""
                if article.status == Article.Status.PUBLISHED
                else f" ({article.get_status_display().lower()}, so it will not go live by itself)",
                url,
            )
        elif article.is_scheduled:
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
