from django.conf import settings

from .models import Section


def site(request):
    """The site's name and its desks, for the navigation of every page."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": Section.objects.only("name", "slug"),
    }
