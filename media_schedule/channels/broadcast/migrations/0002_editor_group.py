"""The 播出编辑 group: what an editor planning radio and TV slots needs (slots and their
exceptions, bookings, clips, the stations' as-run answers). Add the editors' accounts to it."""

from django.db import migrations

GROUP = "播出编辑"
PERMISSIONS = {
    "broadcastslot": ["view", "add", "change", "delete"],
    "slotexception": ["view", "add", "change", "delete"],
    "slotbooking": ["view", "add", "change", "delete"],
    "clip": ["view", "add"],
    "asrunanswer": ["view", "add"],
}
NAMES = {
    "broadcastslot": "播出时段",
    "slotexception": "时段例外",
    "slotbooking": "时段编排",
    "clip": "电视短片",
    "asrunanswer": "播出确认",
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
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                _permission(
                    apps, "broadcast", model, f"{action}_{model}", f"Can {action} {NAMES[model]}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("broadcast", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
