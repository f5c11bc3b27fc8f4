"""Reading a story before it is public: staff at its own address, others by a
signed link that expires.

Either way the page says "Not public", is never cached and asks search engines
not to index it.

A story under embargo opens only by a link an editor made for the embargo on
purpose (``embargo_preview_url``, for the people the embargo is shared with):
every other preview link, made before or during the embargo, answers 404
until the release.
"""

from datetime import timedelta

from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

PREVIEW_LINK_MAX_AGE = timedelta(days=7)
_SALT = "articles.preview"
# A separate salt: a link made for the embargo can never be forged from an ordinary one.
_EMBARGO_SALT = "articles.preview.embargo"


def preview_token(article, *, during_embargo=False):
    salt = _EMBARGO_SALT if during_embargo else _SALT
    return signing.TimestampSigner(salt=salt).sign(str(article.pk))


def preview_url(article):
    """A link anyone can open, for PREVIEW_LINK_MAX_AGE, to read an unpublished story
    (not while it is under embargo)."""
    return reverse("articles:preview", kwargs={"token": preview_token(article)})


def embargo_preview_url(article):
    """A link that also opens the story during its embargo: an editor's explicit choice."""
    token = preview_token(article, during_embargo=True)
    return reverse("articles:preview", kwargs={"token": token})


def article_pk_from_token(token):
    """``(the article's pk, whether the link was made for the embargo)``, or
    Http404 for a link that was tampered with or has expired."""
    for salt, during_embargo in ((_SALT, False), (_EMBARGO_SALT, True)):
        try:
            signer = signing.TimestampSigner(salt=salt)
            return signer.unsign(token, max_age=PREVIEW_LINK_MAX_AGE), during_embargo
        except signing.SignatureExpired as error:
            raise Http404("This preview link has expired.") from error
        except signing.BadSignature:
            continue
    raise Http404("This preview link is not valid.")


def refuse_during_embargo(article, link_made_for_embargo):
    """An ordinary preview link shows nothing of a story under embargo."""
    if article.is_embargoed and not link_made_for_embargo:
        raise Http404("This preview link does not open a story under embargo.")


def mark_not_public(response):
    """A preview must never sit in a cache or a search engine."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PreviewMixin:
    """For an article detail view: a story that is not live renders as a preview."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["not_public"] = not self.object.is_published
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["not_public"]:
            mark_not_public(response)
        return response
