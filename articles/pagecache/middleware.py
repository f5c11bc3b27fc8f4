"""What a shared cache in front of the site (an edge, a CDN, a proxy) may
store, said on every response.

Listed above the session middleware, so that it sees each response last:

* A page the page cache serves (it carries ``Surrogate-Key``) is the same
  for every anonymous reader: the page cache serves them all one copy. The
  ``Vary: Cookie`` that the session middleware adds (asking whether the
  reader is logged in reads the session, and so does reading messages)
  goes, or an edge would keep a copy per cookie jar, or none. (The CSRF
  middleware adds it only to pages that use a token, which the page cache
  never stores.) Logged-in staff never get these pages: the page
  cache renders theirs, and the edge passes requests with a session cookie
  (``deploy/varnish/newsroom.vcl``).
* Any other response that says nothing about caching (a page rendered for
  staff, a redirect, a 404) is ``private``: nothing shared may keep it.
"""

from django.utils.cache import cc_delim_re, patch_cache_control

from .surrogates import SURROGATE_KEY


class SharedCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header(SURROGATE_KEY):
            varies = [
                name
                for name in cc_delim_re.split(response.get("Vary", ""))
                if name and name.lower() != "cookie"
            ]
            if varies:
                response["Vary"] = ", ".join(varies)
            elif response.has_header("Vary"):
                del response["Vary"]
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response
