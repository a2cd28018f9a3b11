"""Editors' actions on placements: schedule an item to outlets, move, cancel, retry, delete.

Each action is a guarded transition: it changes the row only from the states where it makes
sense, with a compare-and-set update, and otherwise raises ``TransitionError`` naming why
(in Chinese). The dispatcher's own transitions live in ``dispatch``.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.models import Page

from .channels import VersionProblem, get_channel
from .models import Outlet, Placement

Status = Placement.Status

# An awaiting one too: the outlet did not run it and will not.
CANCELLABLE = (Status.PLANNED, Status.APPROVED, Status.QUEUED, Status.FAILED, Status.AWAITING)
# An unconfirmed placement may be live at its outlet: the dispatcher asks the outlet before it
# sends anything again (placement_deliver), so a retry never publishes it twice.
RETRYABLE = (Status.FAILED, Status.CANCELLED, Status.UNCONFIRMED)
# Nothing is in flight: the dispatcher holds no claim on the row and no message names it.
EDITABLE = (Status.PLANNED, Status.APPROVED, Status.FAILED, Status.CANCELLED)
# Never handed to the outlet; a row with any delivery record keeps its history instead.
DELETABLE = (Status.PLANNED, Status.APPROVED, Status.CANCELLED)


EDIT_REFUSAL = gettext_lazy(
    "“%(status)s”状态的排期正在发送或已发送，不能修改；可以取消后重新排期。"
)


class TransitionError(Exception):
    """An action that the placement's current status does not allow."""


@dataclass
class OutletVersion:
    """An outlet's version of one item and what is wrong with it, for the editor to see."""

    outlet: Outlet
    version: dict[str, Any] = field(default_factory=dict)
    problems: list[VersionProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[VersionProblem]:
        return [problem for problem in self.problems if problem.blocking]

    @property
    def warnings(self) -> list[VersionProblem]:
        return [problem for problem in self.problems if not problem.blocking]

    @property
    def ok(self) -> bool:
        return not self.errors


def outlet_version(*, outlet: Outlet, page: Page) -> OutletVersion:
    """Build ``page``'s version for ``outlet`` with its adapter and validate it."""
    try:
        channel = get_channel(outlet.kind)
    except LookupError:
        problem = VersionProblem(
            "outlet",
            _("暂无“%(kind)s”渠道的发送模块，不能排期。") % {"kind": outlet.get_kind_display()},
        )
        return OutletVersion(outlet, problems=[problem])
    specific = page.specific
    try:
        # What goes out is in the site's language, whichever language the editor reads.
        with translation.override(settings.LANGUAGE_CODE):
            version = channel.build_version(specific)
    except NotImplementedError:
        problem = VersionProblem("outlet", _("该渠道不能自动生成版本。"))
        return OutletVersion(outlet, problems=[problem])
    problems = [*channel.outlet_problems(outlet), *channel.validate(version, specific, outlet)]
    return OutletVersion(outlet, version, problems)


def placements_schedule(
    *,
    page: Page,
    entries: list[tuple[Outlet, datetime.datetime]],
    campaign=None,
    user=None,
) -> list[Placement]:
    """Create one placement per (outlet, due time); refuse all if any version has problems.

    The version saved is the one the editor saw; the dispatcher still checks the content's
    review approval at the due time.
    """
    if not entries:
        raise TransitionError(_("请至少选择一个发布渠道和时间。"))
    versions = {}
    problems = []
    for outlet, _due in entries:
        if outlet.pk not in versions:
            versions[outlet.pk] = outlet_version(outlet=outlet, page=page)
            problems += [
                f"{outlet.name}：{problem.message}" for problem in versions[outlet.pk].errors
            ]
        if not outlet.is_active:
            problems.append(_("%(name)s：渠道已停用。") % {"name": outlet.name})
    if problems:
        raise TransitionError("；".join(problems))
    with transaction.atomic():
        return [
            Placement.objects.create(
                page=page,
                outlet=outlet,
                due_at=due_at,
                campaign=campaign,
                version=versions[outlet.pk].version,
                created_by=user,
            )
            for outlet, due_at in entries
        ]


def placement_cancel(*, placement: Placement, user=None) -> Placement:
    """Cancel a placement that has not started sending; a queued message then does nothing."""
    who = user.get_username() if user else _("系统")
    return _transition(
        placement,
        CANCELLABLE,
        _("“%(status)s”状态的排期不能取消。"),
        status=Status.CANCELLED,
        lease_expires_at=None,
        claim_token=None,
        next_attempt_at=None,
        last_error=_("已由 %(user)s 取消。") % {"user": who},
    )


def placement_reschedule(
    *, placement: Placement, due_at: datetime.datetime, campaign, user=None
) -> Placement:
    """Move a placement that is not in flight to another time or campaign.

    The item and the outlet stay: another outlet needs its own version, so that is a new
    placement (cancel this one and schedule the page again).
    """
    # Compared with the stored time: an edit form has already set the new one on the instance.
    stored_due_at = Placement.objects.filter(pk=placement.pk).values_list("due_at", flat=True)
    if due_at not in stored_due_at and (
        refusal := get_channel(placement.outlet.kind).reschedule_refusal(placement)
    ):
        raise TransitionError(refusal)
    _transition(placement, EDITABLE, EDIT_REFUSAL, due_at=due_at, campaign=campaign)
    log(instance=placement, action="wagtail.edit", user=user)
    return placement


def placement_edit_refusal(placement: Placement) -> str | None:
    """Why ``placement`` cannot be edited now, or None when it can."""
    if placement.status in EDITABLE:
        return None
    return EDIT_REFUSAL % {"status": placement.get_status_display()}


def placement_deletable(placement: Placement) -> bool:
    """Whether deleting loses nothing: never sent, no delivery record."""
    return placement.status in DELETABLE and not placement.records.exists()


def placement_delete(*, placement: Placement, user=None) -> None:
    """Delete a placement that never reached its outlet; any other is cancelled instead.

    The row is locked first, so a tick cannot claim it (it skips locked rows) and a worker's
    compare-and-set waits and then finds it gone, sending nothing.
    """
    with transaction.atomic():
        locked = (
            Placement.objects.select_for_update().filter(pk=placement.pk, status__in=DELETABLE)
        ).first()
        if locked is not None and not locked.records.exists():
            log(instance=locked, action="wagtail.delete", user=user, deleted=True)
            locked.delete()
            return
    current = Placement.objects.filter(pk=placement.pk).first()
    if current is not None:
        raise TransitionError(
            _("“%(status)s”状态或已有发送记录的排期不能删除，可以取消。")
            % {"status": current.get_status_display()}
        )


def placement_retry(*, placement: Placement, user=None) -> Placement:
    """Put a failed, cancelled or unconfirmed placement back in the schedule, same key.

    It goes out at the next tick if its time has passed. One that was attempted before is
    first looked up at its outlet (by its outlet id or idempotency key) and only sent again if
    the outlet has no trace of it, so an outlet that did publish it will not publish it twice.
    """
    if refusal := get_channel(placement.outlet.kind).retry_refusal(placement):
        raise TransitionError(refusal)
    return _transition(
        placement,
        RETRYABLE,
        _("“%(status)s”状态的排期不能重试。"),
        status=Status.PLANNED,
        attempts=0,
        checks=0,
        lease_expires_at=None,
        claim_token=None,
        next_attempt_at=None,
        last_error="",
    )


def _transition(placement: Placement, allowed, refusal: str, **changes) -> Placement:
    """Apply ``changes`` only while the row is in one of the ``allowed`` statuses (a
    compare-and-set), refresh ``placement``, and raise ``refusal`` naming its status if not."""
    changed = Placement.objects.filter(pk=placement.pk, status__in=allowed).update(
        updated_at=timezone.now(), **changes
    )
    placement.refresh_from_db()
    if not changed:
        raise TransitionError(refusal % {"status": placement.get_status_display()})
    return placement
