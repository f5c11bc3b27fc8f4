"""The search table of migration 0010 as a model (articles.models.SearchDocument),
so PostgreSQL search reads and writes it through the ORM. State only: the
model is unmanaged, the table, its rows and its GIN index stay as they are,
and SQLite keeps its FTS5 table of the same name (migration 0007).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_correction_edited_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('article', models.OneToOneField(db_column='article_id', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_document', serialize=False, to='articles.article')),
                ('document', django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                'db_table': 'articles_search',
                'managed': False,
            },
        ),
    ]
