"""The 三审 workflow: an authoring group, three review groups, three GroupApprovalTasks in
one workflow, assigned to the root page so every page in the tree goes through it."""

from django.db import migrations

AUTHOR_GROUP = "编辑"
WORKFLOW_NAME = "三审"
REVIEW_STEPS = ["初审", "复审", "终审"]


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    root = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    add_page = _permission(apps, "wagtailcore", "page", "add_page", "Can add page")
    change_page = _permission(apps, "wagtailcore", "page", "change_page", "Can change page")
    media = [
        _permission(apps, "wagtailimages", "image", "add_image", "Can add image"),
        _permission(apps, "wagtailimages", "image", "choose_image", "Can choose image"),
        _permission(apps, "wagtaildocs", "document", "add_document", "Can add document"),
        _permission(apps, "wagtaildocs", "document", "choose_document", "Can choose document"),
    ]

    groups = {}
    for name in [AUTHOR_GROUP, *REVIEW_STEPS]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        groups[name] = group
        # Everyone may edit drafts; nobody but the workflow publishes.
        page_permissions = [add_page, change_page] if name == AUTHOR_GROUP else [change_page]
        if root is not None:
            for permission in page_permissions:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        if root_collection is not None:
            for permission in media:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )

    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for order, name in enumerate(REVIEW_STEPS):
        task = GroupApprovalTask.objects.filter(name=name).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=name, content_type=task_type, active=True)
        task.groups.set([groups[name]])
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0003_search_index_and_column_layout"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
