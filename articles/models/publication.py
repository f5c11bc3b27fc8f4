"""What "live" means, as lookups any query can use, through any relation."""

from django.db.models import F, Q
from django.db.models.lookups import Exact, GreaterThan, IsNull, LessThanOrEqual
from django.utils import timezone

PUBLISHED = "published"


def live(through=""):
    """The lookups of ``published()``, optionally through a relation
    (``live("article__")``): published, due, and not under embargo. Filtering
    a quote by its article this way is a join the database can start from the
    quote's side; ``article__in=Article.objects.published()`` makes SQLite
    list every live story first.

    The embargo is asked here, at query time, like the publication time: a
    story under embargo is left out of every public query whatever its status
    and time say, and its release needs no job."""
    now = timezone.now()
    return Q(
        Exact(F(f"{through}status"), PUBLISHED),
        LessThanOrEqual(F(f"{through}published_at"), now),
        not_under_embargo(through, now),
    )


def not_under_embargo(through="", now=None):
    """No embargo, or one whose release time has come."""
    now = now or timezone.now()
    return Q(IsNull(F(f"{through}embargoed_until"), True)) | Q(
        LessThanOrEqual(F(f"{through}embargoed_until"), now)
    )


def under_embargo(through="", now=None):
    """An embargo whose release time is still to come."""
    return Q(GreaterThan(F(f"{through}embargoed_until"), now or timezone.now()))
