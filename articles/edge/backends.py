"""Purge requests, one class per kind of edge. Each takes the edge's own key
names (``a12 l-home``), sends them in batches the provider accepts, and
raises ``PurgeFailed`` unless every batch was accepted.

Plain ``urllib``: three small POSTs need no HTTP library, and each request
gives up after ``TIMEOUT`` seconds so that a purge API that hangs costs an
editor's save a second, not a minute.
"""

import json
import urllib.error
import urllib.request

TIMEOUT = 1.0  # seconds, to connect and for each read


class PurgeFailed(Exception):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status  # the HTTP status of a refusal; None when nothing answered


def batches(keys, size):
    keys = list(keys)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def send(method, url, headers, body=None):
    """The response's status and body; PurgeFailed for a refusal or no answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        raise PurgeFailed(
            f"{method} {url} answered {error.code} {error.reason}", status=error.code
        ) from error
    except (OSError, ValueError) as error:  # refused, reset, timed out, a bad URL
        raise PurgeFailed(f"{method} {url}: {error}") from error


class Varnish:
    """``PURGE /`` with the keys in an ``xkey`` header (a soft purge: the
    objects stay usable as stale copies while the app is down) or
    ``xkey-purge`` (gone at once), to each Varnish; the VCL accepts it only
    from its ``purgers`` ACL (``deploy/varnish/newsroom.vcl``)."""

    # Varnish refuses a request header over 8 KB (http_req_hdr_len); 400
    # short keys stay well below it.
    BATCH = 400

    def __init__(self, config):
        self.hosts = config.hosts

    def purge(self, keys, soft=True):
        header = "xkey" if soft else "xkey-purge"
        for host, port in self.hosts:
            address = f"[{host}]" if ":" in host else host
            for batch in batches(keys, self.BATCH):
                send("PURGE", f"http://{address}:{port}/", {header: " ".join(batch)})


class Fastly:
    """Fastly's batch purge by surrogate key: at most 256 keys a request,
    ``Fastly-Key`` for the token; soft purges mark objects stale, which
    Fastly then serves only under ``stale-if-error``/``stale-while-revalidate``."""

    BATCH = 256

    def __init__(self, config):
        self.url = f"{config.api}/service/{config.target}/purge"
        self.token = config.token

    def purge(self, keys, soft=True):
        headers = {
            "Fastly-Key": self.token,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        if soft:
            headers["Fastly-Soft-Purge"] = "1"
        for batch in batches(keys, self.BATCH):
            send("POST", self.url, headers, json.dumps({"surrogate_keys": batch}).encode())


class Cloudflare:
    """Cloudflare's purge by Cache-Tag: at most 100 tags a request, a bearer
    token; a 200 must also say ``"success": true``."""

    BATCH = 100

    def __init__(self, config):
        self.url = f"{config.api}/zones/{config.target}/purge_cache"
        self.token = config.token

    def purge(self, keys, soft=True):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        for batch in batches(keys, self.BATCH):
            _, body = send("POST", self.url, headers, json.dumps({"tags": batch}).encode())
            try:
                accepted = json.loads(body).get("success") is True
            except (ValueError, AttributeError):
                accepted = False
            if not accepted:
                raise PurgeFailed(
                    f"POST {self.url} did not report success: {body[:200]!r}", status=200
                )


BACKENDS = {"varnish": Varnish, "fastly": Fastly, "cloudflare": Cloudflare}


def purger(config):
    """The purger for ``config``, or None when purges go nowhere."""
    backend = BACKENDS.get(config.backend)
    return None if backend is None else backend(config)
