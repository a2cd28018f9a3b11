"""Whether an item has passed review, read from Wagtail's own workflow and publishing state.

Only approved content may go out. With ``WAGTAIL_WORKFLOW_REQUIRE_APPROVAL_TO_PUBLISH`` on,
Wagtail publishes a revision, or schedules it through ``approved_go_live_at``, only when its
workflow (the site's 三审) approved it. So the revision to send is the live one, checked with
``publicity.workflow.is_approved``, or the one scheduled to go live, checked against the
approved workflow state that carries it; a workflow still in progress or sent back holds
everything back.
"""

from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from wagtail.models import Page, Revision, WorkflowState, get_default_page_content_type

from publicity.workflow import approval_required, is_approved


@dataclass(frozen=True)
class Approval:
    """The revision that passed review, or the reason nothing may be sent (in Chinese)."""

    revision_id: int | None
    reason: str = ""

    @property
    def approved(self) -> bool:
        return self.revision_id is not None


def page_approval(page: Page) -> Approval:
    """The approved revision of ``page`` to send, or why the page may not be sent yet."""
    state = WorkflowState.objects.for_instance(page).active().only("status").first()
    if state is not None:
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            return Approval(None, _("审核未通过，已退回修改；修改并通过审核后才会发送。"))
        return Approval(None, _("内容正在审核中，审核通过后才会发送。"))
    if page.live and page.live_revision_id:
        if approval_required() and not is_approved(page):
            return Approval(None, _("线上版本未经审核流程批准，不能发送。"))
        return Approval(page.live_revision_id)
    scheduled = (
        Revision.objects.for_instance(page)
        .filter(approved_go_live_at__isnull=False)
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if scheduled is not None:
        if approval_required() and not _workflow_approved(page, scheduled):
            return Approval(None, _("定时上线的版本未经审核流程批准，不能发送。"))
        return Approval(scheduled)
    if page.expired:
        return Approval(None, _("内容已过期下线，不能发送。"))
    return Approval(None, _("内容尚未审核通过，审核通过后才会发送。"))


def approved_as_recorded(placements: QuerySet) -> QuerySet:
    """Narrow placements to those ``page_approval`` would pass with their recorded revision.

    That is: the page is live with the very revision stored on the placement, no review of
    the page is running or sent back, and (when approval is required) the workflow approved
    that revision. Expressed as SQL so a worker can test it inside its compare-and-set;
    placements outside it (a scheduled revision, a new live revision) take ``page_approval``.
    """
    page_type = get_default_page_content_type()
    object_id = Cast(OuterRef("page_id"), output_field=CharField())
    live = Page.objects.filter(
        pk=OuterRef("page_id"), live=True, live_revision_id=OuterRef("revision_id")
    )
    running = WorkflowState.objects.active().filter(
        base_content_type=page_type, object_id=object_id
    )
    placements = placements.filter(Exists(live), ~Exists(running), revision_id__isnull=False)
    if approval_required():
        approved = WorkflowState.objects.filter(
            base_content_type=page_type,
            object_id=object_id,
            status=WorkflowState.STATUS_APPROVED,
            current_task_state__revision_id=OuterRef("revision_id"),
        )
        placements = placements.filter(Exists(approved))
    return placements


def _workflow_approved(page: Page, revision_id: int) -> bool:
    return (
        WorkflowState.objects.for_instance(page)
        .filter(status=WorkflowState.STATUS_APPROVED, current_task_state__revision_id=revision_id)
        .exists()
    )
