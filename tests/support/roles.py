"""Users in the roles that use the admin views, and one with admin access but nothing else."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

PASSWORD = "correct-horse-battery-staple"

# app label, codenames: what each role needs for its own work and nothing more.
ROLE_PERMISSIONS = {
    "排期员": {
        "wagtailadmin": ["access_admin"],
        "media_schedule": [
            "view_placement",
            "add_placement",
            "change_placement",
            "delete_placement",
            "view_outlet",
        ],
    },
    "宣传策划": {
        "wagtailadmin": ["access_admin"],
        "publicity": [
            "view_campaign",
            "add_campaign",
            "change_campaign",
            "view_keydate",
            "add_keydate",
            "change_keydate",
        ],
        "media_schedule": ["view_placement", "add_placement", "change_placement", "view_outlet"],
    },
    "排期查看": {"wagtailadmin": ["access_admin"], "media_schedule": ["view_placement"]},
    "双拥办主任": {
        "wagtailadmin": ["access_admin"],
        "coverage": [
            "view_coverageday",
            "view_standarditem",
            "add_standarditem",
            "change_standarditem",
            "view_itemevidence",
            "add_itemevidence",
            "view_archivejob",
            "add_archivejob",
        ],
        "media_schedule": ["view_placement"],
    },
    # Sees coverage and the standard's items, but neither evidence nor archives.
    "覆盖查看": {
        "wagtailadmin": ["access_admin"],
        "coverage": ["view_coverageday", "view_standarditem"],
    },
    "订阅编辑": {
        "wagtailadmin": ["access_admin"],
        "inbox": [
            "view_feedentry",
            "change_feedentry",
            "view_feedsource",
            "add_feedsource",
            "change_feedsource",
        ],
    },
    "订阅只读": {"wagtailadmin": ["access_admin"], "inbox": ["view_feedentry"]},
    # Plans radio and TV slots, books items, uploads as-run files (the 播出编辑 group).
    "播出编辑": {
        "wagtailadmin": ["access_admin"],
        "broadcast": [
            "view_broadcastslot",
            "add_broadcastslot",
            "change_broadcastslot",
            "delete_broadcastslot",
            "view_slotexception",
            "add_slotexception",
            "change_slotexception",
            "delete_slotexception",
            "view_slotbooking",
            "add_slotbooking",
            "change_slotbooking",
            "delete_slotbooking",
            "view_clip",
            "add_clip",
            "view_asrunanswer",
            "add_asrunanswer",
        ],
    },
    "仅后台访问": {"wagtailadmin": ["access_admin"]},
}


def user_in_role(role: str, *, username: str | None = None):
    """A user (password ``PASSWORD``) whose only permissions are those of ``role``."""
    group, _created = Group.objects.get_or_create(name=f"测试：{role}")
    for app_label, codenames in ROLE_PERMISSIONS[role].items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    user = get_user_model().objects.create_user(
        username=username or f"user-{role}", password=PASSWORD, first_name=role
    )
    user.groups.add(group)
    return user
