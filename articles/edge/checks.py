"""``manage.py check`` (and ``make serve``) refuses a purge configuration
that cannot work, naming the setting, instead of a site whose edge is never
purged. ``check --deploy`` (which ``make serve`` runs) also asks the edge to
purge a key no page carries: credentials it refuses are an error before the
site starts, rather than purges that fail from the first save on."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .backends import PurgeFailed, purger
from .config import parse

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
# No page carries this key: purging it removes nothing.
CREDENTIALS_PROBE_KEY = "newsroom-check"


@register("edge")
def check_edge_settings(app_configs=None, **kwargs):
    try:
        config = _configured()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="See the README's Production section: EDGE_PURGE_URL, EDGE_PURGE_TOKEN "
                "and EDGE_TTL.",
                id="newsroom.E101",
            )
        ]
    if config.ttl and settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY:
        return [
            Warning(
                "The edge keeps pages between purges, but the page cache is local memory: "
                "a write invalidates pages in its own process only, and the edge's next "
                "request may meet another worker's stale copy.",
                hint="Set CACHE_URL to redis://… (shared) or dummy:// (no page cache).",
                id="newsroom.W102",
            )
        ]
    return []


@register("edge", deploy=True)
def check_edge_credentials(app_configs=None, **kwargs):
    """A refusal (HTTP 4xx, or Cloudflare's ``"success": false``) is an error:
    the token or the Varnish ACL is wrong. No answer, or a 5xx, is a warning:
    the edge may start after the site, and the worker retries purges."""
    try:
        config = _configured()
    except ImproperlyConfigured:
        return []  # check_edge_settings says why
    target = purger(config)
    if target is None:
        return []
    try:
        target.purge([CREDENTIALS_PROBE_KEY])
    except PurgeFailed as error:
        if error.status is not None and error.status < 500:
            return [
                Error(
                    f"{config.describe()} refused a purge: {error}",
                    hint="EDGE_PURGE_TOKEN must be an API token allowed to purge (Fastly: "
                    "purge_select; Cloudflare: Zone, Cache Purge); a Varnish must list this "
                    "host in its purgers ACL (deploy/varnish/newsroom-backends.vcl).",
                    id="newsroom.E103",
                )
            ]
        return [
            Warning(
                f"{config.describe()} did not take a test purge: {error}",
                hint="Saves go on; their purges wait for the worker's retries until it answers.",
                id="newsroom.W104",
            )
        ]
    return []


def _configured():
    edge = getattr(settings, "NEWSROOM_EDGE", {})
    return parse(edge.get("PURGE_URL", "none://"), edge.get("TOKEN", ""), edge.get("TTL", ""))
