"""The "Tag manager" group may also read the tag merge log and old tag addresses.

The workflow's roles migration (0006) creates the group with its tag
permissions; ``get_or_create`` and ``add`` repeat them harmlessly, so this
migration stands on its own too.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Tag manager"
PERMISSIONS = [
    "view_tag",
    "add_tag",
    "change_tag",
    "delete_tag",
    "view_tagredirect",
    "view_tagmerge",
]


def create_tag_manager_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure the ones this group needs exist now, on a fresh database too.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_tag_redirects_and_merges"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_tag_manager_group, migrations.RunPython.noop)]
