"""The site's URLs and error handlers, plus one view that fails, for the 500 test."""

from django.urls import path

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("secret internals: database password is hunter2")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
