import sys

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .outages import DATABASE_UNREACHABLE, service_unavailable


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's own 500 view renders 500.html with an empty context; ours adds
    the site's name from settings, still without touching the request, the
    database or any context processor. A database that cannot be reached
    outside any view (DatabaseOutageMiddleware handles views) gets the 503
    page, which says to come back."""
    if isinstance(sys.exception(), DATABASE_UNREACHABLE):
        return service_unavailable()
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"site_name": settings.NEWSROOM_SITE_NAME}))
