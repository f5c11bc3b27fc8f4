from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from . import languages
from .models import Section
from .pagecache.stamps import shown_banner


def site(request):
    """The site's name, its desks for the navigation, and the breaking-news
    banner, for every page. The banner is looked up only by a page that shows it."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": Section.objects.only("name", "slug"),
        "site_language": languages.default_language(),
        "site_direction": languages.direction(languages.default_language()),
        "site_editions": languages.editions(),
        "breaking_news": SimpleLazyObject(lambda: shown_banner(timezone.now())),
        # A card asks whether the list is its section's or its author's page
        # (a section's or an author's view sets these): a name missing from
        # the context costs a raised and caught exception a lookup, two a card.
        "section": None,
        "author": None,
    }
