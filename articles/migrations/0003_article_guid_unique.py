import articles.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_article_guid"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="guid",
            field=models.CharField(
                default=articles.models.new_article_guid,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="global identifier",
            ),
        ),
    ]
