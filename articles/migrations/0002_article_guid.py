import uuid

from django.db import migrations, models


def give_existing_articles_a_guid(apps, schema_editor):
    # Row by row: a callable default on AddField would give every existing
    # article the same value. Making the field unique follows in 0003, in its
    # own migration (PostgreSQL refuses ALTER TABLE after data changes in one
    # transaction).
    Article = apps.get_model("articles", "Article")
    for pk in Article.objects.filter(guid__isnull=True).values_list("pk", flat=True).iterator():
        Article.objects.filter(pk=pk).update(guid=f"urn:uuid:{uuid.uuid4()}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="guid",
            field=models.CharField(
                editable=False, max_length=255, null=True, verbose_name="global identifier"
            ),
        ),
        migrations.RunPython(give_existing_articles_a_guid, migrations.RunPython.noop),
    ]
