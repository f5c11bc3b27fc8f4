"""Search finds the newest matches a month at a time (articles/search/postgres.py).

Each row of ``articles_search`` gets the month of its story's publication
(``published_month``, months since year 0, UTC), and the GIN index covers the
vector and the month together (``btree_gin``, an extension that ships with
PostgreSQL): "matches of this word in this month" is then one walk of the
index that skips through the word's posting list to the month's stories, and
reads only the rows that match both. It replaces the index on the vector
alone, which it serves as well.

On SQLite this migration only records the model's state (0007's FTS5 table
stays as it is).
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

FORWARD = [
    "ALTER TABLE articles_search ADD COLUMN IF NOT EXISTS published_month integer",
    # Dropped first: the UPDATE moves every row, and each move would add the
    # row's every word to the old index again (minutes at a million stories).
    "DROP INDEX IF EXISTS articles_search_document",
    """
    UPDATE articles_search s
    SET published_month = (
        extract(year FROM a.published_at AT TIME ZONE 'UTC') * 12
        + extract(month FROM a.published_at AT TIME ZONE 'UTC') - 1
    )::integer
    FROM articles_article a
    WHERE a.id = s.article_id AND a.published_at IS NOT NULL
    """,
    "CREATE INDEX IF NOT EXISTS articles_search_document_month "
    "ON articles_search USING GIN (document, published_month)",
    "ANALYZE articles_search",
]

BACKWARD = [
    "CREATE INDEX IF NOT EXISTS articles_search_document ON articles_search USING GIN (document)",
    "DROP INDEX IF EXISTS articles_search_document_month",
    "ALTER TABLE articles_search DROP COLUMN IF EXISTS published_month",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # A million rows: the fill of the new column and the index build get room.
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0021_search_live_by_id_index")]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
        migrations.AddField(
            model_name="searchdocument",
            name="published_month",
            field=models.IntegerField(null=True),
        ),
    ]
