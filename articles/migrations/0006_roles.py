"""The newsroom's roles as groups: Reporter, Editor and Tag manager.

The permissions are written out here, not imported from the app, so that this
migration does the same thing whenever it runs. ``create_roles`` is idempotent.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    # Files stories, edits the ones with their byline, submits them for review.
    # What they may do to each article is narrowed further in articles/workflow.py.
    "Reporter": {
        "article": ["add", "change", "view", "delete"],
        "byline": ["add", "change", "delete", "view"],
        "expertquote": ["add", "change", "delete", "view"],
        "expert": ["add", "change", "view"],
        "author": ["view"],
        "section": ["view"],
        "tag": ["view"],
    },
    # Changes every story; publishes, schedules, unpublishes; adds corrections.
    "Editor": {
        "article": ["add", "change", "view", "delete", "publish"],
        "byline": ["add", "change", "delete", "view"],
        "expertquote": ["add", "change", "delete", "view"],
        "expert": ["add", "change", "view"],
        "author": ["add", "change", "view"],
        "section": ["view"],
        "tag": ["view"],
        "correction": ["add", "change", "view"],
    },
    "Tag manager": {
        "tag": ["add", "change", "delete", "view"],
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now.
    articles_config = apps.get_app_config("articles")
    models_module = getattr(articles_config, "models_module", None)
    articles_config.models_module = models_module or True
    create_permissions(articles_config, apps=apps, verbosity=0)
    articles_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for model, actions in models.items():
            codenames = [
                "publish_article" if action == "publish" else f"{action}_{model}"
                for action in actions
            ]
            permissions = Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
            assert permissions.count() == len(codenames), (name, model)
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
