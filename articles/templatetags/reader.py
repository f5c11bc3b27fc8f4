"""Template tags for the reader pages: metadata for search engines and social sites."""

from django import template
from django.conf import settings

from articles import seo, tasks
from articles.pictures import renditions

register = template.Library()


def _picture(field_file, kind):
    """The reader path's ``Picture``: the renditions that are whole, never a
    resize. Missing ones are asked of the task queue; when that ran the task at
    once (no worker configured), what it made is linked."""
    found, complete = renditions.picture(field_file, kind)
    if not complete and tasks.request_renditions(field_file, kind):
        found, _ = renditions.picture(field_file, kind)
    return found


def _largest_rendition(request, field_file, kind):
    """For search engines and social cards: the biggest JPEG/PNG rendition."""
    found = _picture(field_file, kind)
    return request.build_absolute_uri(found.largest.url) if found else None


def _page_url(request, url, page_obj):
    """Each page of a list is its own canonical page; the first has no ``?page``."""
    if page_obj is not None and page_obj.number > 1:
        url = f"{url}?page={page_obj.number}"
    return request.build_absolute_uri(url)


@register.inclusion_tag("includes/article_meta.html", takes_context=True)
def article_metadata(context, article):
    """Canonical link, OpenGraph, Twitter card and NewsArticle JSON-LD."""
    request = context["request"]
    image_url = _largest_rendition(request, article.hero_image, "hero")
    corrections = list(article.corrections.all())
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
        "json_ld": seo.json_ld_script(
            seo.news_article(
                article,
                request,
                image_urls=[image_url] if image_url else (),
                corrections=corrections,
            ),
        ),
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
def picture(field_file, kind, alt="", sizes="100vw", loading="lazy", css_class=""):
    """A responsive ``<picture>`` of an uploaded image: WebP with a JPEG/PNG
    fallback at several widths, never the upload itself. ``loading="eager"``
    for the picture at the top of a page, which browsers should fetch first."""
    return {
        "picture": _picture(field_file, kind),
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
    }


@register.simple_tag
def byline_authors(article, leaving_out=None):
    """The story's authors in byline order, less ``leaving_out``: on an
    author's own page, the people they wrote it with."""
    authors = article.ordered_bylines()
    return [author for author in authors if author != leaving_out] if leaving_out else authors
