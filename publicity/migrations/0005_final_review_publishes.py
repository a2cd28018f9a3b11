"""终审 signs off by publishing: Wagtail publishes the approved revision as the last
approver, so that group needs the page publish permission (the admin still offers no
direct "publish" while a workflow applies; see publicity/wagtail_hooks.py)."""

from django.db import migrations


def grant_publish(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    root = Page.objects.filter(depth=1).order_by("path").first()
    group = Group.objects.filter(name="终审").first()
    if root is None or group is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    publish, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="publish_page", defaults={"name": "Can publish page"}
    )
    GroupPagePermission.objects.get_or_create(group=group, page=root, permission=publish)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0004_three_review_workflow")]

    operations = [migrations.RunPython(grant_publish, migrations.RunPython.noop)]
