vcl 4.1;
#
# Newsroom behind Varnish 7 with the xkey vmod (Debian: varnish, varnish-modules).
# See deploy/README.md for how to run it and the README's Production section
# for the site's settings (EDGE_PURGE_URL=varnish://host:port).
#
# * Anonymous readers' pages are cached as long as the site says (s-maxage:
#   a day, a list no later than its next scheduled publication) and purged
#   by the keys each page carries (Surrogate-Key, read into xkey).
# * Readers' cookies are dropped: nothing on a public page depends on them,
#   and one copy serves everyone. Requests with a session cookie (staff),
#   previews and every method but GET/HEAD pass to the site, cookies intact.
# * Concurrent requests for a page being fetched wait for that one fetch
#   (request coalescing): nothing here makes a public page hit-for-pass.
# * When the site does not answer, or answers with an error, readers get the
#   last copy held, however stale (up to a day), instead of the error.
# * PURGE is accepted only from the purgers ACL (newsroom-backends.vcl).

import std;
import xkey;

# Where the app servers are, how they are probed, and who may purge. Found
# on varnishd's vcl_path: edit that file, not this one.
include "newsroom-backends.vcl";

# Uploads are at most 15 MB (articles/pictures/uploads.py), plus the form.
# Keep in step with std.cache_req_body() below.
sub newsroom_body_limit {
    if (std.integer(req.http.Content-Length, 0) > 16777216) {
        return (synth(413, "Request body too large"));
    }
}

sub vcl_recv {
    call newsroom_backend;

    if (req.restarts == 0) {
        # Only this VCL sets these.
        unset req.http.X-Newsroom-Lookup;
        unset req.http.X-Newsroom-Stale-OK;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A soft purge keeps the objects as stale copies for when the site is
        # down (never served while it answers, see the grace below); a hard
        # purge removes them at once (a legal takedown: manage.py purge_edge --hard).
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey);
        } else {
            return (synth(400, "Name the keys in an xkey or xkey-purge header"));
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }

    if (req.method !~ "^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$") {
        return (synth(405, "Method Not Allowed"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        call newsroom_body_limit;
        # The whole body is read here first: a slow uploader holds a Varnish
        # thread, not one of the few gunicorn workers.
        if (req.http.Content-Length || req.http.Transfer-Encoding) {
            if (!std.cache_req_body(16MB)) {
                return (synth(413, "Request body too large"));
            }
        }
        return (pass);
    }

    # Staff (logged in: Django's session cookie) and previews (signed links)
    # see pages no reader may share.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=" || req.url ~ "^/preview/" || req.url ~ "[?&]preview=") {
        return (pass);
    }
    # An anonymous reader: no cookie changes a public page.
    unset req.http.Cookie;

    if (req.http.X-Newsroom-Stale-OK) {
        # Restarted after the site failed: any copy held, however old.
        set req.grace = 24h;
    } elsif (std.healthy(req.backend_hint)) {
        # While the site answers, an expired or purged copy is never served:
        # the next request waits for a fresh one (one fetch for all waiting).
        set req.grace = 0s;
    }
    set req.http.X-Newsroom-Lookup = "1";
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    # The port a request came in on does not change the page.
    hash_data(regsub(req.http.host, ":[0-9]+$", ""));
    # http:// gets a redirect and https:// the page: never the same object.
    # The TLS terminator in front sets this header (and overwrites a client's).
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    if (beresp.status >= 500 && !bereq.uncacheable) {
        if (bereq.is_bgfetch || !bereq.http.X-Newsroom-Stale-OK) {
            # Keep the copy held: a failed refresh in the background changes
            # nothing, and a reader's request starts again looking for it.
            return (abandon);
        }
        # There was none: the reader gets the site's own error page, and it
        # is not kept (nor does it hide a copy from the next request).
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Key && !beresp.http.Set-Cookie && beresp.status < 500) {
        # The site's page: xkey indexes it by the keys the page declared.
        # The copy keeps them once, as xkey: the same keys as Surrogate-Key
        # and Cache-Tag too were three headers of 1.4 KB on the home page,
        # read and dropped again on every hit.
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
        unset beresp.http.Cache-Tag;
        # The TTL is the site's s-maxage (0 for a copy it must not keep). Past
        # it, the copy is kept a day for when the site does not answer, and an
        # hour more to revalidate with If-None-Match (a 304 costs the site little).
        set beresp.grace = 24h;
        set beresp.keep = 1h;
        if (beresp.http.Content-Type ~ "^(text/|application/(xml|rss\+xml|atom\+xml|json))") {
            set beresp.do_gzip = true;
        }
        return (deliver);
    }
    # Anything else follows Varnish's built-in rules: Cache-Control decides
    # (static files are kept; private, no-store and Set-Cookie are not).
}

sub vcl_backend_error {
    # An app node that does not answer (killed, restarting): a read is asked
    # once more, of the director's next backend. Never a POST: it may have
    # been received before the node stopped answering.
    if (bereq.retries == 0 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub newsroom_stale_on_error {
    if (resp.status >= 500 && req.restarts == 0 && req.http.X-Newsroom-Lookup) {
        set req.http.X-Newsroom-Stale-OK = "1";
        return (restart);
    }
}

sub vcl_synth {
    call newsroom_stale_on_error;
}

sub vcl_deliver {
    call newsroom_stale_on_error;
    if (obj.uncacheable) {
        set resp.http.X-Edge = "pass";
    } elsif (obj.hits > 0 && obj.ttl < 0s) {
        set resp.http.X-Edge = "stale";
    } elsif (obj.hits > 0) {
        set resp.http.X-Edge = "hit";
    } else {
        set resp.http.X-Edge = "miss";
    }
    # Caches further on cannot be purged: they get max-age=0 (revalidate) only.
    set resp.http.Cache-Control = regsuball(resp.http.Cache-Control, ",\s*s-maxage=[0-9]+", "");
    # The keys are for purging here; a purger may ask to see them.
    if (req.http.X-Edge-Debug && client.ip ~ purgers) {
        set resp.http.Surrogate-Key = resp.http.xkey;
    } else {
        unset resp.http.Surrogate-Key;
        unset resp.http.Cache-Tag;
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Control;
}
