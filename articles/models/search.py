from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """A story's weighted search vector on PostgreSQL (articles/search/postgres.py).

    Unmanaged: migration 0010 made the table on PostgreSQL, and on SQLite the
    same name is the FTS5 table of migration 0007, which this model does not
    describe (articles/search/sqlite.py reads it in SQL). So SQLite code never
    goes through this model, and no foreign key or cascade exists: Django's
    deletion of a story would otherwise query the FTS5 table for ``article_id``,
    which it does not have. Rows of deleted stories go in ``index_articles()``.
    """

    article = models.OneToOneField(
        "Article",
        primary_key=True,
        db_column="article_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_document",
    )
    document = SearchVectorField()
    # The month of the story's ``published_at`` (months since year 0, UTC), or
    # None: search walks the index a month at a time, newest first (migration 0022).
    published_month = models.IntegerField(null=True)

    class Meta:
        managed = False
        db_table = "articles_search"
        indexes = [
            GinIndex(fields=["document", "published_month"], name="articles_search_document_month")
        ]

    def __str__(self):
        return f"Search document of article {self.article_id}"
