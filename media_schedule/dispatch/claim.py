"""Claiming: each beat of the dispatcher re-claims expired leases, checks the review approval
of placements about to fall due, claims the due ones under a lease and enqueues one delivery
task each, by name (``media_schedule.deliver_placement``), once the claim has committed.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from wagtail.models import Page

from ..channels.base import DeliveryMode
from ..channels.registry import load_channels
from ..conf import dispatch_setting, seconds
from ..models import Placement
from . import record
from .approval import Approval, page_approval

logger = logging.getLogger(__name__)

Status = Placement.Status

DELIVER_TASK = "media_schedule.deliver_placement"
# Publishing a task must fail fast when the broker is down: the placements then stay in the
# backlog, visible on the dashboard, and a later tick tries again.
ENQUEUE_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    reaped: int = 0
    approved: int = 0
    awaiting: int = 0
    held: int = 0
    claimed: int = 0
    enqueued: int = 0
    enqueue_error: str = ""


def dispatch_tick(*, now: datetime.datetime | None = None) -> TickReport:
    """One beat of the dispatcher.

    Re-claims expired leases, checks review approval of placements about to fall due, claims
    the due ones and enqueues one delivery task each once the claim is committed. Each sweep
    takes at most ``BATCH`` rows; the rest wait for the next tick, so a tick stays short.
    """
    now = now or timezone.now()
    report = TickReport()
    report.reaped = placements_reap_expired(now=now)
    report.approved, report.held = placements_check_approval(now=now)
    report.awaiting = record.placements_await_evidence(now=now, manual_kinds=manual_kinds())
    placements_claim(now=now, report=report)
    return report


def manual_kinds() -> list[str]:
    """Outlet kinds to which nothing is sent (an editor records the evidence)."""
    return [
        kind for kind, cls in load_channels().items() if cls.delivery_mode == DeliveryMode.MANUAL
    ]


def _horizon(now: datetime.datetime) -> datetime.datetime:
    # Claim what falls due before the next tick and let the worker hold it until its due
    # time (a countdown of at most one tick), so a tick's phase never makes an item late.
    return now + seconds("TICK_SECONDS")


def _locked(queryset):
    """Lock the selected rows where the database can skip rows other claimers hold.

    SQLite has no row locks; there every write transaction starts with ``BEGIN IMMEDIATE``
    (see settings), which serialises claimers, and each update is a compare-and-set on status.
    """
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


def placements_reap_expired(*, now: datetime.datetime) -> int:
    """Re-claim placements whose lease ran out because a worker or the broker died.

    A queued row whose message was lost is queued again; a row that was sending may or may
    not have reached the outlet, so it becomes unconfirmed and is checked before any resend.
    """
    batch = dispatch_setting("BATCH")
    expired = Placement.objects.lease_expired(now)
    reaped = 0
    with transaction.atomic():
        queued = list(
            _locked(expired.filter(status=Status.QUEUED)).values_list("pk", flat=True)[:batch]
        )
        reaped += Placement.objects.filter(pk__in=queued, status=Status.QUEUED).update(
            status=Status.APPROVED, lease_expires_at=None, claim_token=None, updated_at=now
        )
    with transaction.atomic():
        sending = list(
            _locked(expired.filter(status=Status.SENDING)).values(
                "pk", "outlet_id", "page_id", "attempts", "updated_at"
            )[:batch]
        )
        reason = _("发送过程中工作进程中断，是否已送达未知，正在向渠道核实。")
        for row in sending:
            changed = Placement.objects.filter(
                pk=row["pk"], status=Status.SENDING, attempts=row["attempts"]
            ).update(
                status=Status.UNCONFIRMED,
                lease_expires_at=None,
                claim_token=None,
                next_attempt_at=now,
                checks=0,
                last_error=reason,
                updated_at=now,
            )
            if changed:
                record.attempt_interrupted(
                    placement_id=row["pk"],
                    outlet_id=row["outlet_id"],
                    page_id=row["page_id"],
                    attempt=row["attempts"],
                    started=row["updated_at"],
                    reason=reason,
                )
                reaped += 1
    with transaction.atomic():
        confirming = list(_locked(expired.unconfirmed()).values_list("pk", flat=True)[:batch])
        reaped += Placement.objects.filter(pk__in=confirming, status=Status.UNCONFIRMED).update(
            lease_expires_at=None, claim_token=None, updated_at=now
        )
    return reaped


def placements_check_approval(*, now: datetime.datetime) -> tuple[int, int]:
    """Move planned placements about to fall due to approved, or hold them with the reason.

    Held placements are asked again after ``APPROVAL_RECHECK_SECONDS``, so content approved
    late still goes out, late, and content never approved never goes out.
    """
    rows = list(
        Placement.objects.filter(status=Status.PLANNED, due_at__lte=_horizon(now))
        .ready(now)
        .order_by("due_at")
        .values_list("pk", "page_id")[: dispatch_setting("BATCH")]
    )
    by_page: dict[int, list[int]] = {}
    for pk, page_id in rows:
        by_page.setdefault(page_id, []).append(pk)
    approved = held = 0
    for page in Page.objects.filter(pk__in=by_page):
        approval = page_approval(page)
        ids = by_page[page.pk]
        if approval.approved:
            approved += Placement.objects.filter(pk__in=ids, status=Status.PLANNED).update(
                status=Status.APPROVED,
                revision_id=approval.revision_id,
                next_attempt_at=None,
                last_error="",
                updated_at=now,
            )
        else:
            held += placements_hold(ids, approval, now=now, from_status=Status.PLANNED)
    return approved, held


def placements_hold(ids, approval: Approval, *, now, from_status) -> int:
    """Send placements whose content lacks approval back to planned, with the reason; they
    are asked again after ``APPROVAL_RECHECK_SECONDS``."""
    return Placement.objects.filter(pk__in=ids, status=from_status).update(
        status=Status.PLANNED,
        revision=None,
        lease_expires_at=None,
        claim_token=None,
        next_attempt_at=now + seconds("APPROVAL_RECHECK_SECONDS"),
        last_error=approval.reason,
        updated_at=now,
    )


def placements_claim(*, now: datetime.datetime, report: TickReport | None = None) -> list[int]:
    """Claim approved placements falling due and unconfirmed ones due for a check.

    Each claim sets a lease and a fresh token; the delivery tasks are enqueued only after the
    claim has committed, so a worker never sees a row that is not yet queued. While workers
    lag, no more than ``MAX_QUEUED`` rows wait in the broker: the rest stay approved (the
    visible backlog) instead of queueing up until their leases expire.
    """
    report = report or TickReport()
    queued = Placement.objects.filter(status=Status.QUEUED).count()
    batch = min(dispatch_setting("BATCH"), max(dispatch_setting("MAX_QUEUED") - queued, 0))
    token = uuid.uuid4()
    lease_until = now + seconds("LEASE_SECONDS")
    with transaction.atomic():
        due = (
            Placement.objects.filter(status=Status.APPROVED, due_at__lte=_horizon(now))
            .exclude(outlet__kind__in=manual_kinds())
            .ready(now)
        )
        ids = list(_locked(due.order_by("due_at")).values_list("pk", flat=True)[:batch])
        Placement.objects.filter(pk__in=ids, status=Status.APPROVED).update(
            status=Status.QUEUED, lease_expires_at=lease_until, claim_token=token, updated_at=now
        )
        checks = Placement.objects.unconfirmed().filter(lease_expires_at__isnull=True).ready(now)
        check_ids = list(
            _locked(checks.order_by("next_attempt_at")).values_list("pk", flat=True)[
                : max(batch - len(ids), 0)
            ]
        )
        Placement.objects.filter(
            pk__in=check_ids, status=Status.UNCONFIRMED, lease_expires_at__isnull=True
        ).update(lease_expires_at=lease_until, claim_token=token, updated_at=now)
        claimed = list(
            Placement.objects.filter(claim_token=token)
            .order_by("due_at")
            .values_list("pk", "due_at")
        )
        report.claimed = len(claimed)
        transaction.on_commit(lambda: enqueue_deliveries(claimed, token=token, report=report))
    return [pk for pk, _due in claimed]


def broker_connection():
    """A connection to the broker for publishing delivery tasks."""
    return current_app.connection_for_write()


def enqueue_deliveries(claimed, *, token: uuid.UUID, report: TickReport | None = None) -> int:
    """Publish one delivery task per claimed placement.

    When the broker cannot be reached the unpublished rows are released at once (back to
    approved, or unleased for a check) with the reason, rather than waiting out their lease.
    """
    sent = 0
    try:
        with broker_connection() as conn:
            for pk, due_at in claimed:
                eta = due_at if due_at > timezone.now() else None
                current_app.send_task(
                    DELIVER_TASK,
                    (pk, str(token)),
                    eta=eta,
                    connection=conn,
                    retry_policy=ENQUEUE_RETRY_POLICY,
                )
                sent += 1
    except (KombuError, OSError) as error:
        release = [pk for pk, _due in claimed[sent:]]
        reason = _("消息队列暂时不可用，恢复后自动发送（%(error)s）") % {"error": error}
        now = timezone.now()
        Placement.objects.filter(pk__in=release, claim_token=token, status=Status.QUEUED).update(
            status=Status.APPROVED,
            lease_expires_at=None,
            claim_token=None,
            last_error=reason,
            updated_at=now,
        )
        Placement.objects.filter(
            pk__in=release, claim_token=token, status=Status.UNCONFIRMED
        ).update(lease_expires_at=None, claim_token=None, updated_at=now)
        logger.warning(
            "broker unavailable, %d placements left in the backlog: %s", len(release), error
        )
        if report is not None:
            report.enqueue_error = str(error)
    if report is not None:
        report.enqueued = sent
    return sent
