from django import template
from js_asset import Media

register = template.Library()


@register.filter
def with_csp_nonce(media, request):
    """The form's media with this response's CSP nonce on every tag.

    django-prose-editor loads its modules through an inline
    ``<script type="importmap">``, which the Content-Security-Policy blocks
    unless it carries the nonce; js_asset's ``Media`` knows how to add it.
    """
    # Not a truth test: django-csp's lazy nonce is falsy until first used.
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None:
        return media
    return Media.from_media(media, nonce=str(nonce))
