"""The SQLite full-text index behind search (articles/search/sqlite.py).

An FTS5 table, one row per article (rowid = article id). On PostgreSQL this
migration does nothing: search there uses PostgreSQL's own full-text search.
"""

from html import unescape

from django.db import migrations
from django.utils.html import strip_tags

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_search USING fts5("
    "headline, dek, body, tags, bylines, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    schema_editor.execute(CREATE)
    for article in Article.objects.only("headline", "dek", "body").iterator():
        tags = TaggedArticle.objects.filter(content_object=article).values_list(
            "tag__name", flat=True
        )
        bylines = (
            Byline.objects.filter(article=article)
            .order_by("position", "pk")
            .values_list("author__name", flat=True)
        )
        schema_editor.execute(
            "INSERT INTO articles_search (rowid, headline, dek, body, tags, bylines) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                article.pk,
                article.headline,
                article.dek,
                unescape(strip_tags(article.body)),
                " ".join(tags),
                " ".join(bylines),
            ],
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS articles_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_roles")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
