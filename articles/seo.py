"""What search engines and social sites read about our pages.

Structured data is built here as plain dicts and serialised once, by
``json_ld_script``; templates never assemble JSON by hand.
"""

import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The escapes of Django's json_script(): "</script>" or "<!--" inside a
# headline cannot end the element. json_script itself always writes
# type="application/json", and JSON-LD needs type="application/ld+json".
_SCRIPT_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def iso_datetime(value):
    """ISO 8601 / W3C datetime to the second, with the newsroom's UTC offset:
    ``2023-05-08T18:10:00+01:00``."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def json_ld_script(data):
    """``<script type="application/ld+json">`` holding ``data``, safely escaped.

    No CSP nonce: browsers never execute a JSON-LD data block, so the policy
    does not apply to it, and a per-response nonce would make every render of
    a page differ, defeating the page cache's content-hash ETags.
    """
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def publisher(request):
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:home")),
    }


def person(someone, request, job_title=""):
    """schema.org ``Person``: an author (their role the job title) or an expert."""
    data = {
        "@type": "Person",
        "name": someone.name,
        "url": request.build_absolute_uri(someone.get_absolute_url()),
    }
    if job_title:
        data["jobTitle"] = job_title
    return data


def date_modified(article, corrections=()):
    """When the story readers see last changed: its dateline, a change to its
    words while live, or its latest correction, whichever is latest. Edits no
    reader can see (a typo in the admin notes, a re-save) do not count."""
    moments = [article.published_at, article.content_updated_at]
    moments += [correction.created_at for correction in corrections]
    return max((moment for moment in moments if moment), default=None)


def news_article(article, request, *, image_urls=(), corrections=()):
    """schema.org ``NewsArticle`` for an article page.

    ``image_urls`` are absolute URLs of the hero image's renditions;
    ``corrections`` are the story's ``Correction`` entries, oldest first.
    """
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.dek,
        "inLanguage": article.language,
        "datePublished": iso_datetime(article.published_at),
        "dateModified": iso_datetime(date_modified(article, corrections)),
        "author": [person(author, request, author.role) for author in article.ordered_bylines()],
        "publisher": publisher(request),
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.section:
        data["articleSection"] = article.section.name
    data.update(translation_metadata(article, request))
    if image_urls:
        data["image"] = list(image_urls)
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": f"{correction.get_kind_display()}: {correction.text}",
                "datePublished": iso_datetime(correction.created_at),
                "url": request.build_absolute_uri(correction.get_absolute_url()),
            }
            for correction in corrections
        ]
    return data


def live_blog_posting(article_data, coverage, entries, request):
    """schema.org ``LiveBlogPosting`` for a live story's page: its
    ``NewsArticle`` data (``article_data``) with the coverage's times and the
    entries on the page, newest first, as ``BlogPosting`` updates.
    ``coverageEndTime`` is given once an editor has closed the coverage: until
    then nobody knows it."""
    from .html import body_text

    data = {**article_data, "@type": "LiveBlogPosting"}
    people = {}  # a few bylines write every entry: each Person once
    for entry in entries:
        if entry.author_id not in people:
            people[entry.author_id] = person(entry.author, request, entry.author.role)
    # An entry is a change readers see: the newest one dates the page.
    times = [entry.edited_at or entry.posted_at for entry in entries]
    if times and data.get("dateModified"):
        newest = max(times)
        if newest > datetime.fromisoformat(data["dateModified"]):
            data["dateModified"] = iso_datetime(newest)
    data["coverageStartTime"] = iso_datetime(coverage.started_at)
    if coverage.ended_at is not None:
        data["coverageEndTime"] = iso_datetime(coverage.ended_at)
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": entry.summary,
            "articleBody": body_text(entry.text),
            "datePublished": iso_datetime(entry.posted_at),
            **({"dateModified": iso_datetime(entry.edited_at)} if entry.edited_at else {}),
            "url": f"{article_data['url']}#{entry.anchor}",
            "author": people[entry.author_id],
        }
        for entry in entries
    ]
    return data


def _profile_page(about, someone, image_url):
    if someone.bio:
        about["description"] = someone.bio
    if image_url:
        about["image"] = image_url
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": about["url"],
        "mainEntity": about,
    }


def profile_page(author, request, *, image_url=None):
    """schema.org ``ProfilePage`` about an author, for their page."""
    about = person(author, request, author.role)
    about["worksFor"] = publisher(request)
    return _profile_page(about, author, image_url)


def expert_profile_page(expert, request, *, image_url=None):
    """schema.org ``ProfilePage`` about an expert the desk quotes: a ``Person``
    with their title and institution, and their own page elsewhere as ``sameAs``
    (the expert's link), which is how search engines tie the two together."""
    about = person(expert, request, expert.title)
    if expert.affiliation:
        about["affiliation"] = {"@type": "Organization", "name": expert.affiliation}
    if expert.link:
        about["sameAs"] = [expert.link]
    return _profile_page(about, expert, image_url)


def translation_metadata(article, request):
    """A story's translators (``translator``) and its live versions in other
    languages: the original it translates (``translationOfWork``) or, for an
    original, its translations (``workTranslation``)."""
    data = {}
    if translators := article.translators:
        data["translator"] = [person(someone, request) for someone in translators]

    def work(version):
        url = request.build_absolute_uri(version.get_absolute_url())
        return {
            "@type": "NewsArticle",
            "@id": url,
            "url": url,
            "headline": version.headline,
            "inLanguage": version.language,
        }

    others = article.other_live_versions
    if article.is_translation:
        original = [version for version in others if version.pk == article.translation_of_id]
        if original:
            data["translationOfWork"] = work(original[0])
    elif others:
        data["workTranslation"] = [work(version) for version in others]
    return data
