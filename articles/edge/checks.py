"""``manage.py check`` (and ``make serve``) refuses a purge configuration
that cannot work, naming the setting, instead of a site whose edge is never
purged."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .config import parse


@register("edge")
def check_edge_settings(app_configs=None, **kwargs):
    edge = getattr(settings, "NEWSROOM_EDGE", {})
    try:
        parse(edge.get("PURGE_URL", "none://"), edge.get("TOKEN", ""), edge.get("TTL", ""))
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="See the README's Production section: EDGE_PURGE_URL, EDGE_PURGE_TOKEN "
                "and EDGE_TTL.",
                id="newsroom.E101",
            )
        ]
    return []
