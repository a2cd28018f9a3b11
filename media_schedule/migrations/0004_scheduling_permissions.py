"""Who schedules: the 编辑 group (the editors who write the items) plans, moves, retries and
cancels placements; the three review groups may look at the schedule. Outlets stay with the
administrators, who hold their secrets."""

from django.db import migrations

GRANTS = {
    "编辑": {
        "placement": ["view", "add", "change", "delete"],
        "outlet": ["view"],
        "deliveryrecord": ["view"],
    },
    "初审": {"placement": ["view"], "outlet": ["view"], "deliveryrecord": ["view"]},
    "复审": {"placement": ["view"], "outlet": ["view"], "deliveryrecord": ["view"]},
    "终审": {"placement": ["view"], "outlet": ["view"], "deliveryrecord": ["view"]},
}
NAMES = {"placement": "排期", "outlet": "发布渠道", "deliveryrecord": "播发记录"}


def _permission(apps, model, action):
    # Permissions are made after all migrations on a fresh database: make them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="media_schedule", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model}",
        defaults={"name": f"Can {action} {NAMES[model]}"},
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, models in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for model, actions in models.items():
            group.permissions.add(*(_permission(apps, model, action) for action in actions))


class Migration(migrations.Migration):
    dependencies = [
        ("media_schedule", "0003_wechat_access_token"),
        ("publicity", "0004_three_review_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
