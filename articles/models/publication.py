"""What "live" means, as lookups any query can use, through any relation."""

from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils import timezone

PUBLISHED = "published"


class NotAnIndexOnSQLite(models.Func):
    """``+column`` on SQLite, the plain column elsewhere: SQLite's way of saying
    "don't drive the query from an index on this column". See ``live()``."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def live(through="", unindexed=()):
    """The lookups of ``published()``, optionally through a relation
    (``live("article__")``). Filtering a quote by its article this way is a
    join the database can start from the quote's side; ``article__in=
    Article.objects.published()`` makes SQLite list every live story first.

    ``unindexed`` names columns ("status", "published_at") SQLite must not
    start from. Its planner, misjudging how many stories a range of dates
    holds, otherwise walks every live story: for each tag when asked whether
    the tag has one, or to find the newest edit (seconds at 100k stories)."""

    def column(name):
        value = F(f"{through}{name}")
        return NotAnIndexOnSQLite(value) if name in unindexed else value

    return Q(
        Exact(column("status"), PUBLISHED),
        LessThanOrEqual(column("published_at"), timezone.now()),
    )
