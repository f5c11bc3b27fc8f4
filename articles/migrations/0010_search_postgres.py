"""The PostgreSQL full-text index behind search (articles/search/postgres.py).

Computing every article's search vector at query time scanned the whole
archive on each search (minutes at 100k stories). This keeps one stored,
weighted ``tsvector`` per article in ``articles_search`` with a GIN index,
written by the same code that keeps SQLite's FTS5 table in step. No foreign
key: Django's test flush truncates only its own tables. On SQLite this
migration does nothing (0007 made the FTS5 table).
"""

from django.conf import settings
from django.db import migrations

CREATE = [
    "CREATE TABLE IF NOT EXISTS articles_search ("
    "article_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS articles_search_document "
    "ON articles_search USING GIN (document)",
]

# Headline A, tags and standfirst B, bylines C, body D: the weights search uses.
FILL = """
INSERT INTO articles_search (article_id, document)
SELECT a.id,
       setweight(to_tsvector(%(config)s::regconfig, coalesce(a.headline, '')), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce((
           SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
           JOIN articles_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(a.dek, '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce((
           SELECT string_agg(au.name, ' ') FROM articles_byline b
           JOIN articles_author au ON au.id = b.author_id WHERE b.article_id = a.id), '')), 'C')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(a.body, '')), 'D')
FROM articles_article a
ON CONFLICT (article_id) DO NOTHING
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search.postgres import postgres_config

    for statement in CREATE:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL, {"config": postgres_config(settings.NEWSROOM_LANGUAGE)})


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS articles_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_tag_manager_group")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
