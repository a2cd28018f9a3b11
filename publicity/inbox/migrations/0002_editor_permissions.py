"""The 编辑 group (made by publicity 0004) may run the inbox: sources and entries."""

from django.db import migrations

GROUP = "编辑"
NAMES = {"feedsource": "订阅源", "feedentry": "订阅条目"}
ACTIONS = ["view", "add", "change", "delete"]


def _permission(apps, model, codename, name):
    # Permissions are made after all migrations on a fresh database: make them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="inbox", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for model, label in NAMES.items():
        for action in ACTIONS:
            group.permissions.add(
                _permission(apps, model, f"{action}_{model}", f"Can {action} {label}")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_initial"),
        ("publicity", "0004_three_review_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
