"""Proof of play (播放记录), and the operators' right to see and upload it."""

import django.db.models.deletion
from django.db import migrations, models

GROUP = "显示屏操作员"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="led", model="playrecord")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for action in ("view", "add"):
        # Permissions are made after all migrations on a fresh database: make them now.
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_playrecord",
            defaults={"name": f"Can {action} 播放记录"},
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("led", "0002_operator_group")]

    operations = [
        migrations.CreateModel(
            name="PlayRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("item_key", models.CharField(max_length=100, verbose_name="条目")),
                ("placement_id", models.PositiveIntegerField(blank=True, null=True, verbose_name="排期编号")),
                ("in_package", models.BooleanField(default=True, help_text="条目不在本屏任何节目包中时为否：记录保留，但不计入覆盖。", verbose_name="在节目包中")),
                ("started_at", models.DateTimeField(db_index=True, verbose_name="开始播放")),
                ("ended_at", models.DateTimeField(verbose_name="结束播放")),
                ("count", models.PositiveIntegerField(default=1, verbose_name="次数")),
                ("source", models.CharField(choices=[("endpoint", "控制器回报"), ("upload", "上传日志")], max_length=10, verbose_name="来源")),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="接收时间")),
                ("package", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="plays", to="led.package", verbose_name="节目包")),
                ("screen", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="plays", to="led.screen", verbose_name="显示屏")),
            ],
            options={
                "verbose_name": "播放记录",
                "verbose_name_plural": "播放记录",
                "ordering": ["-started_at", "-pk"],
                "constraints": [models.UniqueConstraint(fields=("screen", "item_key", "started_at", "ended_at"), name="led_play_unique_interval")],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
