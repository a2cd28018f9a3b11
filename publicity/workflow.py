"""The 三审 editorial workflow (初审 → 复审 → 终审) and what counts as approved content.

The groups, tasks and the default workflow on the root page are created by migration
0004, so every database (tests included) has them. Wagtail itself lets anyone with publish
permission bypass a workflow; ``wagtail_hooks`` removes that path while
``WAGTAIL_WORKFLOW_REQUIRE_APPROVAL_TO_PUBLISH`` is on (the default).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast
from wagtail.models import Page, WorkflowState

WORKFLOW_NAME = "三审"
# (group name, task name) in review order.
REVIEW_STEPS = [("初审", "初审"), ("复审", "复审"), ("终审", "终审")]


def approval_required() -> bool:
    """Whether publishing must go through the page's workflow."""
    return getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_APPROVAL_TO_PUBLISH", True)


def _approved_states(page_type_id: int) -> QuerySet[WorkflowState]:
    return WorkflowState.objects.filter(
        base_content_type_id=page_type_id, status=WorkflowState.STATUS_APPROVED
    )


def is_approved(page: Page) -> bool:
    """Whether ``page`` is live with the very revision its workflow approved.

    The scheduler dispatches only such pages: a page published around the workflow, or
    edited and republished without a fresh approval, is not approved.
    """
    if not page.live or page.live_revision_id is None:
        return False
    page_type = ContentType.objects.get_for_model(Page)
    return (
        _approved_states(page_type.pk)
        .filter(object_id=str(page.pk), current_task_state__revision_id=page.live_revision_id)
        .exists()
    )


def approved_pages(queryset: QuerySet) -> QuerySet:
    """Narrow a page queryset to pages that pass ``is_approved``, in one SQL statement."""
    page_type = ContentType.objects.get_for_model(Page)
    approved = _approved_states(page_type.pk).filter(
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        current_task_state__revision_id=OuterRef("live_revision_id"),
    )
    return queryset.live().filter(Exists(approved))
