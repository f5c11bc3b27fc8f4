"""Template tags for the reader pages: metadata for search engines and social sites."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles import seo, tasks
from articles.pictures import renditions, share_card

register = template.Library()


def _picture(field_file, kind, focus=None):
    """The reader path's ``Picture``: the renditions that are whole, never a
    resize. Missing ones are asked of the task queue; when that ran the task at
    once (no worker configured), what it made is linked."""
    return tasks.picture_for_page(field_file, kind, focus)


def _largest_rendition(request, field_file, kind):
    """For search engines and social cards: the biggest JPEG/PNG rendition."""
    found = _picture(field_file, kind)
    return request.build_absolute_uri(found.largest.url) if found else None


def _page_url(request, url, page_obj):
    """Each page of a list is its own canonical page; the first has no ``?page``."""
    if page_obj is not None and page_obj.number > 1:
        url = f"{url}?page={page_obj.number}"
    return request.build_absolute_uri(url)


def share_images(request, article):
    """What Google Discover and social sites show of a story: its hero cropped
    around its focal point to 16:9, 4:3 and 1:1 at 1200 px wide, or, for a story
    without one, its generated share card in the same three shapes. Absolute
    URLs, 16:9 first."""
    if article.hero_image:
        pictures = [
            _picture(article.hero_image, kind, article.hero_focus)
            for kind in renditions.SHARE_KINDS
        ]
        if all(pictures):
            return [request.build_absolute_uri(found.largest.url) for found in pictures]
    return [
        request.build_absolute_uri(
            reverse("articles:article_share_card", kwargs={"slug": article.slug, "shape": shape})
        )
        for shape in share_card.SHAPES
    ]


@register.inclusion_tag("includes/article_meta.html", takes_context=True)
def article_metadata(context, article):
    """Canonical link, robots, OpenGraph, Twitter card and NewsArticle JSON-LD."""
    request = context["request"]
    image_urls = share_images(request, article)
    image_url = image_urls[0]
    corrections = list(article.corrections.all())
    structured = seo.news_article(article, request, image_urls=image_urls, corrections=corrections)
    if (live := context.get("live")) is not None:
        structured = seo.live_blog_posting(structured, live.coverage, live.shown, request)
    return {
        "article": article,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        "published": seo.iso_datetime(article.published_at),
        "modified": seo.iso_datetime(seo.date_modified(article, corrections)),
        "author_urls": [
            request.build_absolute_uri(author.get_absolute_url())
            for author in article.ordered_bylines()
        ],
        "image_url": image_url,
        "image_width": share_card.WIDTH,
        "image_height": share_card.SHAPES["16x9"][1],
        "json_ld": seo.json_ld_script(structured),
    }


@register.inclusion_tag("includes/profile_meta.html", takes_context=True)
def author_metadata(context, author):
    """Canonical link, OpenGraph profile and ProfilePage JSON-LD for an author."""
    return _profile_metadata(context, author, author.bio, seo.profile_page)


@register.inclusion_tag("includes/profile_meta.html", takes_context=True)
def expert_metadata(context, expert):
    """Canonical link, OpenGraph profile and ProfilePage (Person) JSON-LD for an expert."""
    summary = expert.bio or expert.description
    return _profile_metadata(context, expert, summary, seo.expert_profile_page)


def _profile_metadata(context, person, summary, profile_page):
    request = context["request"]
    image_url = _largest_rendition(request, person.photo, "portrait")
    return {
        "person": person,
        "summary": summary,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "canonical_url": _page_url(request, person.get_absolute_url(), context.get("page_obj")),
        "image_url": image_url,
        "json_ld": seo.json_ld_script(profile_page(person, request, image_url=image_url)),
    }


@register.inclusion_tag("includes/picture.html")
def picture(field_file, kind, alt="", sizes="100vw", loading="lazy", css_class="", focus=None):
    """A responsive ``<picture>`` of an uploaded image: WebP with a JPEG/PNG
    fallback at several widths, never the upload itself. ``loading="eager"``
    for the picture at the top of a page, which browsers should fetch first.
    ``focus``: the focal point a cropping kind ("wide") keeps in view."""
    return {
        "picture": _picture(field_file, kind, focus),
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
    }


@register.simple_tag(takes_context=True)
def byline(context, article):
    """The story's byline, "By A, B and C", each name a link to its author's
    page. On an author's own page (``author`` in the context) their name is
    the page's title: the line names only who they wrote it with ("With B").
    Names are isolated (dir="auto", as <bdi> would): an English name in
    Arabic text keeps the punctuation around it in place.

    Written here rather than in a template: its loop was a third of the time
    a list of twenty cards took to render."""
    leaving_out = context.get("author")
    authors = [author for author in article.ordered_bylines() if author != leaving_out]
    if not authors:
        return ""
    names = [
        format_html('<a dir="auto" href="{}" rel="author">{}</a>', a.get_absolute_url(), a.name)
        for a in authors
    ]
    listed = names[0]
    if len(names) > 1:
        first = conditional_escape(gettext(", ")).join(names[:-1])
        listed = format_html("{} {} {}", mark_safe(first), gettext("and"), names[-1])
    lead = gettext("With") if leaving_out else gettext("By")
    return format_html('<span class="byline">{} {}</span>', lead, listed)


@register.simple_tag
def time_element(moment, display_format):
    """``<time datetime="…">…</time>`` of ``moment`` in the current time zone,
    converted once for both forms (the two ``|date`` filters of a card each
    converted it, and built the ISO form a format letter at a time)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), dateformat.format(local, display_format)
    )


# On a phone a portrait hero is capped in height (site.css): about this much of
# its height shows, the band placed around the focal point by one of ten
# steps of ``object-position`` (a class each: the policy allows no inline style).
PHONE_BAND = 0.4
FOCUS_STEPS = range(0, 101, 10)


@register.inclusion_tag("includes/story_hero.html")
def story_hero(article):
    """The story's hero image under its headline. A portrait picture is set
    beside the text on wide screens and capped in height on phones, so that
    the story's first words stay on the first screen."""
    found = _picture(article.hero_image, "hero")
    portrait = found is not None and found.img.height > found.img.width
    # object-position moves the band by a share of what is cut off, not to a point.
    position = (article.hero_focus_y - PHONE_BAND / 2) / (1 - PHONE_BAND)
    step = min(FOCUS_STEPS, key=lambda s: abs(s - min(max(position, 0), 1) * 100))
    return {"article": article, "picture": found, "portrait": portrait, "focus_step": step}
