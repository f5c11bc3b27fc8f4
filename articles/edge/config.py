"""The edge cache's settings, ``NEWSROOM_EDGE``, read from the environment.

``EDGE_PURGE_URL`` says where purges go:

* ``none://`` (the default): nowhere; with no purges the edge keeps no page
  (``EDGE_TTL`` 0) unless told otherwise;
* ``varnish://10.0.0.5:6081,10.0.0.6:6081``: an HTTP ``PURGE`` with an
  ``xkey`` header to each Varnish (``deploy/varnish/newsroom.vcl``);
* ``fastly://SERVICE_ID``: Fastly's purge by surrogate key;
* ``cloudflare://ZONE_ID``: Cloudflare's purge by Cache-Tag.

Fastly and Cloudflare need ``EDGE_PURGE_TOKEN`` (an API token allowed to
purge). ``?api=https://…`` replaces the provider's API address, for a proxy
or a test's fake server. ``EDGE_TTL``: how many seconds the edge may keep a
page between purges (a day when purges are configured, else 0).

A bad value is a ``manage.py check`` error (``articles/edge/checks.py``); at
run time it means no purges and no edge caching, which is never stale.
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

DEFAULT_TTL_WITH_PURGES = 24 * 3600
API = {
    "fastly": "https://api.fastly.com",
    "cloudflare": "https://api.cloudflare.com/client/v4",
}
# Fastly service ids are alphanumeric; Cloudflare zone ids are 32 hex digits.
TARGET = {
    "fastly": re.compile(r"[A-Za-z0-9]{8,64}"),
    "cloudflare": re.compile(r"[0-9a-f]{32}"),
}
TOKEN = re.compile(r"[!-~]+")  # printable ASCII, no space
HOST_PORT = re.compile(r"(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")


@dataclass(frozen=True)
class EdgeConfig:
    backend: str  # none, varnish, fastly or cloudflare
    ttl: int  # seconds an edge may keep a page between purges
    hosts: tuple = ()  # varnish: ("10.0.0.5", 6081), …
    target: str = ""  # fastly: the service id; cloudflare: the zone id
    token: str = ""
    api: str = ""

    @property
    def purges(self):
        return self.backend != "none"

    def describe(self):
        """For log lines: where purges go, never the token."""
        if self.backend == "varnish":
            return "varnish://" + ",".join(f"{host}:{port}" for host, port in self.hosts)
        return f"{self.backend}://{self.target}" if self.target else f"{self.backend}://"


NONE = EdgeConfig("none", 0)


def parse(purge_url, token="", ttl=""):
    """``EdgeConfig`` for these values, or ImproperlyConfigured saying what is wrong."""
    try:
        parts = urlsplit(purge_url.strip())
    except ValueError as error:  # an unbalanced [ in an IPv6 address
        raise ImproperlyConfigured(f"EDGE_PURGE_URL={purge_url!r}: {error}.") from error
    backend = parts.scheme.lower()
    if backend not in ("none", "varnish", "fastly", "cloudflare"):
        raise ImproperlyConfigured(
            f"EDGE_PURGE_URL={purge_url!r}: the scheme must be none://, varnish://host:port, "
            "fastly://SERVICE_ID or cloudflare://ZONE_ID."
        )
    seconds = _ttl(ttl, DEFAULT_TTL_WITH_PURGES if backend != "none" else 0)
    if backend == "none":
        return EdgeConfig("none", seconds)
    query = parse_qs(parts.query, keep_blank_values=True)
    known = set() if backend == "varnish" else {"api"}
    if unknown := sorted(set(query) - known):
        raise ImproperlyConfigured(
            f"EDGE_PURGE_URL={purge_url!r}: ?{unknown[0]}= is not a setting here; "
            + ("a Varnish URL takes none." if backend == "varnish" else "only ?api= is.")
        )
    if parts.path.strip("/"):
        raise ImproperlyConfigured(
            f"EDGE_PURGE_URL={purge_url!r}: {parts.path!r} follows the address; "
            "purges need no path."
        )
    api = query.get("api", [API.get(backend, "")])[0].rstrip("/")
    if backend == "varnish":
        return EdgeConfig("varnish", seconds, hosts=_varnish_hosts(purge_url, parts.netloc))
    if not TARGET[backend].fullmatch(parts.netloc):
        what = "a Fastly service id" if backend == "fastly" else "a Cloudflare zone id (32 hex)"
        raise ImproperlyConfigured(f"EDGE_PURGE_URL={purge_url!r}: {what} is expected after //.")
    if not token.strip():
        raise ImproperlyConfigured(
            f"EDGE_PURGE_URL={purge_url!r} needs EDGE_PURGE_TOKEN: an API token allowed to purge."
        )
    if not TOKEN.fullmatch(token.strip()):
        # It goes in a request header, where a space or a line break cuts it short.
        raise ImproperlyConfigured(
            "EDGE_PURGE_TOKEN is not one word of printable characters: "
            "was more than the token pasted?"
        )
    api_parts = urlsplit(api)
    if api_parts.scheme not in ("http", "https") or not api_parts.hostname:
        raise ImproperlyConfigured(f"EDGE_PURGE_URL={purge_url!r}: ?api= must be an http(s) URL.")
    return EdgeConfig(backend, seconds, target=parts.netloc, token=token.strip(), api=api)


def _ttl(value, default):
    if not str(value).strip():
        return default
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ImproperlyConfigured(f"EDGE_TTL={value!r} must be a whole number of seconds.")
    return seconds


def _varnish_hosts(purge_url, netloc):
    hosts = []
    for item in filter(None, (part.strip() for part in netloc.split(","))):
        match = HOST_PORT.fullmatch(item)
        port = int(match["port"] or 80) if match else 0
        if not match or not 0 < port < 65536:
            raise ImproperlyConfigured(
                f"EDGE_PURGE_URL={purge_url!r}: {item!r} is not a host:port of a Varnish."
            )
        hosts.append((match["host"].strip("[]"), port))
    if not hosts:
        raise ImproperlyConfigured(
            f"EDGE_PURGE_URL={purge_url!r} names no Varnish: varnish://host:port[,host:port]."
        )
    return tuple(hosts)


def edge_config():
    """The configured edge, read from the settings (so tests may override them)."""
    edge = getattr(settings, "NEWSROOM_EDGE", {})
    return _parsed(edge.get("PURGE_URL", "none://"), edge.get("TOKEN", ""), edge.get("TTL", ""))


@lru_cache(maxsize=8)
def _parsed(purge_url, token, ttl):
    try:
        return parse(purge_url, token, ttl)
    except ImproperlyConfigured as error:
        # Once per value (the cache): ``manage.py check`` has said it already.
        logger.error("%s Edge purges are off and the edge keeps no page.", error)
        return NONE
