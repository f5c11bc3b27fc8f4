"""The home page's front exists from the start, and editors arrange the fronts
and put up the breaking-news banner.

The permissions are written out here, not imported from the app, so that this
migration does the same thing whenever it runs. ``arrange_fronts`` is idempotent.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Editor"
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("front", "placement", "banner")
    for action in ("add", "change", "delete", "view")
]


def arrange_fronts(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # group needs them now.
    articles_config = apps.get_app_config("articles")
    models_module = getattr(articles_config, "models_module", None)
    articles_config.models_module = models_module or True
    create_permissions(articles_config, apps=apps, verbosity=0)
    articles_config.models_module = models_module

    Front = apps.get_model("articles", "Front")
    if not Front.objects.filter(section__isnull=True).exists():
        Front.objects.create(section=None)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_fronts_and_focal_points"),
        ("articles", "0006_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(arrange_fronts, migrations.RunPython.noop)]
