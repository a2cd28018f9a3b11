"""The 双拥办主任 group: the head of the office sees coverage, keeps the standard's items and
their evidence, and builds the inspection archive. Editors who fill gaps get the coverage view
and may attach evidence through their own group or this one."""

from django.db import migrations

GROUP = "双拥办主任"
PERMISSIONS = {
    ("coverage", "coverageday"): ["view"],
    ("coverage", "standarditem"): ["view", "add", "change", "delete"],
    ("coverage", "itemevidence"): ["view", "add"],
    ("coverage", "archivejob"): ["view", "add"],
    ("media_schedule", "placement"): ["view"],
}
NAMES = {
    "coverageday": "覆盖统计",
    "standarditem": "考评标准条目",
    "itemevidence": "条目佐证",
    "archivejob": "归档任务",
    "placement": "排期",
}


def _permission(apps, app_label, model, codename, name):
    # Permissions are made after all migrations on a fresh database: make them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    )
    for (app_label, model), actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                _permission(
                    apps, app_label, model, f"{action}_{model}", f"Can {action} {NAMES[model]}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
