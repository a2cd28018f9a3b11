"""The 显示屏操作员 group: what an LED operator needs, now that admin access alone opens none
of the screen pages (see admin_views). Add the operators' accounts to it."""

from django.db import migrations

GROUP = "显示屏操作员"
PERMISSIONS = {
    "screen": ["view", "change"],
    "package": ["view", "add", "change"],
    "exportjob": ["view"],
    "pulllog": ["view"],
}
NAMES = {
    "screen": "户外显示屏",
    "package": "节目包",
    "exportjob": "导出任务",
    "pulllog": "拉取记录",
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
                _permission(apps, "led", model, f"{action}_{model}", f"Can {action} {NAMES[model]}")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("led", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
