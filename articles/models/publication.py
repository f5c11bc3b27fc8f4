"""What "live" means, as lookups any query can use, through any relation."""

from django.db.models import F, Q
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils import timezone

PUBLISHED = "published"


def live(through=""):
    """The lookups of ``published()``, optionally through a relation
    (``live("article__")``). Filtering a quote by its article this way is a
    join the database can start from the quote's side; ``article__in=
    Article.objects.published()`` makes SQLite list every live story first."""
    return Q(
        Exact(F(f"{through}status"), PUBLISHED),
        LessThanOrEqual(F(f"{through}published_at"), timezone.now()),
    )
