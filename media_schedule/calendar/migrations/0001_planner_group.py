"""The 宣传策划 group: who plans the year's campaigns around key dates and schedules their
items. Add the planners' accounts to it."""

from django.db import migrations

GROUP = "宣传策划"
PERMISSIONS = {
    ("publicity", "campaign"): ["view", "add", "change"],
    ("publicity", "keydate"): ["view", "add", "change"],
    ("media_schedule", "placement"): ["view", "add", "change"],
    ("media_schedule", "outlet"): ["view"],
}
NAMES = {"campaign": "宣传活动", "keydate": "重要节点", "placement": "排期", "outlet": "发布渠道"}


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
        ("publicity", "0006_campaign_targets_and_key_date_rules"),
        ("media_schedule", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
