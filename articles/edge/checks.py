"""``manage.py check`` (and ``make serve``) refuses a purge configuration
that cannot work, naming the setting, instead of a site whose edge is never
purged."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .config import parse

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@register("edge")
def check_edge_settings(app_configs=None, **kwargs):
    edge = getattr(settings, "NEWSROOM_EDGE", {})
    try:
        config = parse(edge.get("PURGE_URL", "none://"), edge.get("TOKEN", ""), edge.get("TTL", ""))
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
