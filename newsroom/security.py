"""Site-wide security plumbing: the Content-Security-Policy middleware and the
client address used by login throttling."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.files.storage import storages
from django.shortcuts import render


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy from ``CONTENT_SECURITY_POLICY``.

    Public pages get the strict policy. The admin gets it too (its scripts are
    files, and the rich-text editor's inline import map carries the nonce, see
    templates/admin/change_form.html), plus the one exception below.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/" + settings.NEWSROOM_ADMIN_URL):
            parts.update = {**(parts.update or {}), **ADMIN_POLICY_UPDATE}
        # Renditions in an object store or behind a CDN come from its origin.
        media_origin = getattr(storages["renditions"], "origin", None)
        if media_origin:
            parts.update = {**(parts.update or {}), "img-src": [media_origin]}
        return parts


# The rich-text editor (Tiptap, inside django-prose-editor) injects its base
# stylesheet as a <style> element without a way for us to pass it the nonce.
# Rather than allow every inline style in the admin, we allow exactly that
# stylesheet by its hash. Upgrading django-prose-editor may change it: the
# browser test tests/browser/test_csp.py then fails and prints the new hash.
ADMIN_POLICY_UPDATE = {
    "style-src": ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
}


def client_ip(request):
    """The reader's address for login throttling.

    Behind ``NEWSROOM_TRUSTED_PROXIES`` proxies, each appends the address it
    saw to X-Forwarded-For, so the entry that many places from the right is
    the one the outermost trusted proxy saw; anything further left was written
    by the client and could be forged.
    """
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while a login is locked out."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
