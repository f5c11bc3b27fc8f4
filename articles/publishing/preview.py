"""Reading a story before it is public: staff at its own address, others by a
signed link that expires.

Either way the page says "Not public", is never cached and asks search engines
not to index it.
"""

from datetime import timedelta

from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

PREVIEW_LINK_MAX_AGE = timedelta(days=7)
_SALT = "articles.preview"


def preview_token(article):
    return signing.TimestampSigner(salt=_SALT).sign(str(article.pk))


def preview_url(article):
    """A link anyone can open, for PREVIEW_LINK_MAX_AGE, to read an unpublished story."""
    return reverse("articles:preview", kwargs={"token": preview_token(article)})


def article_pk_from_token(token):
    """The article's pk, or Http404 for a link that was tampered with or has expired."""
    try:
        return signing.TimestampSigner(salt=_SALT).unsign(token, max_age=PREVIEW_LINK_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature too
        raise Http404("This preview link is not valid.") from error


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
