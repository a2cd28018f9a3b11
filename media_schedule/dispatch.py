"""The dispatcher: claim due placements, hand them to workers, deliver, retry, reconcile.

The placement row is the record of what is due and of what happened; a Celery message only
says "deliver placement N now". A beat tick claims due rows under a lease and enqueues one
task each; a worker takes the row from ``queued`` to ``sending`` with a compare-and-set update,
calls the outlet outside any transaction, then records the outcome. A worker that dies leaves
an expired lease behind, and a later tick re-claims the row: a queued row is simply queued
again, a row that was sending becomes ``unconfirmed`` and is reconciled through the outlet's
status query, never blindly sent again.

Once an outlet may have the item (an unconfirmed attempt), nothing but the outlet saying that
it did not go out ends the placement ``failed``: a check that cannot tell leaves it unconfirmed
and checks go on. Before sending a placement that has any earlier attempt in the log, however
its attempt counter was reset, the worker asks the outlet whether an earlier one went out.
"""

import datetime
import logging
import random
import uuid
from dataclasses import dataclass, replace

from celery import current_app
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from wagtail.models import Page, get_default_page_content_type

from publicity.workflow import approval_required

from .approval import Approval, approved_as_recorded, page_approval
from .channels import (
    DeliveryError,
    DeliveryRequest,
    NotReceivedError,
    Receipt,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
    get_channel,
)
from .conf import dispatch_setting, seconds
from .models import DeliveryRecord, Outlet, Placement
from .statements import CompiledUpdate

logger = logging.getLogger(__name__)

Status = Placement.Status
Outcome = DeliveryRecord.Outcome

# Publishing a task must fail fast when the broker is down: the placements then stay in the
# backlog, visible on the dashboard, and a later tick tries again.
ENQUEUE_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    reaped: int = 0
    approved: int = 0
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
    placements_claim(now=now, report=report)
    return report


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
                DeliveryRecord.objects.create(
                    placement_id=row["pk"],
                    outlet_id=row["outlet_id"],
                    page_id=row["page_id"],
                    attempt=row["attempts"],
                    outcome=Outcome.UNCONFIRMED,
                    started_at=row["updated_at"],
                    finished_at=now,
                    error=reason,
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
            held += _hold(ids, approval, now=now, from_status=Status.PLANNED)
    return approved, held


def _hold(ids, approval: Approval, *, now, from_status) -> int:
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
        due = Placement.objects.filter(status=Status.APPROVED, due_at__lte=_horizon(now)).ready(now)
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
    """Publish one ``deliver_placement`` task per claimed placement.

    When the broker cannot be reached the unpublished rows are released at once (back to
    approved, or unleased for a check) with the reason, rather than waiting out their lease.
    """
    from .tasks import deliver_placement

    sent = 0
    try:
        with broker_connection() as conn:
            for pk, due_at in claimed:
                eta = due_at if due_at > timezone.now() else None
                deliver_placement.apply_async(
                    (pk, str(token)), eta=eta, connection=conn, retry_policy=ENQUEUE_RETRY_POLICY
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


def retry_delay(attempt: int) -> datetime.timedelta:
    """Exponential backoff with jitter: half the step fixed, half random, capped."""
    step = min(
        dispatch_setting("RETRY_BASE_MS") / 1000 * 2 ** (attempt - 1),
        dispatch_setting("RETRY_CAP_SECONDS"),
    )
    return datetime.timedelta(seconds=step / 2 + random.uniform(0, step / 2))


def placement_deliver(*, placement_id: int, claim_token: str | None = None) -> str:
    """Deliver one claimed placement, or reconcile an unconfirmed one; return the outcome.

    Does nothing unless the row is still queued (or unconfirmed and claimed) under the claim
    this message was sent for, so a repeated or stale message is harmless. The common case,
    a queued row whose page is still live with the approved revision recorded at the tick,
    takes the row to ``sending`` in one conditional update; anything else goes the long way,
    which loads the row and asks ``page_approval`` for the reason.
    """
    if claim_token is not None:
        placement = _claim_approved_as_recorded(placement_id, claim_token)
        if placement is not None:
            return _send(placement, placement.attempts)
    placement = (
        _with_history(Placement.objects.select_related("outlet", "page"))
        .filter(pk=placement_id)
        .first()
    )
    if placement is None:
        return "missing"
    if placement.status == Status.UNCONFIRMED:
        return placement_confirm(placement=placement)
    if placement.status != Status.QUEUED:
        return "skipped"
    now = timezone.now()
    approval = page_approval(placement.page)
    if not approval.approved:
        _hold([placement.pk], approval, now=now, from_status=Status.QUEUED)
        return "held"
    if not placement.outlet.is_active:
        return _finish_without_sending(placement, _("发布渠道已停用，未发送。"))
    attempt = placement.attempts + 1
    won = Placement.objects.filter(
        pk=placement.pk, status=Status.QUEUED, claim_token=placement.claim_token
    ).update(
        status=Status.SENDING,
        attempts=attempt,
        revision_id=approval.revision_id,
        claim_token=None,
        lease_expires_at=now + seconds("LEASE_SECONDS"),
        updated_at=now,
    )
    if not won:
        return "skipped"
    placement.revision_id = approval.revision_id
    return _send(placement, attempt)


def _build_claim(values: dict) -> tuple:
    active_outlet = Outlet.objects.filter(pk=OuterRef("outlet_id"), is_active=True)
    claimable = approved_as_recorded(
        Placement.objects.filter(
            pk=values["placement_id"], status=Status.QUEUED, claim_token=values["token"]
        )
    ).filter(Exists(active_outlet))
    return claimable, {
        "status": Status.SENDING,
        "attempts": F("attempts") + 1,
        "claim_token": None,
        "lease_expires_at": values["lease_until"],
        "updated_at": values["now"],
    }


# The hot path of every delivery: compiled once per process (see ``statements``).
_CLAIM = CompiledUpdate(
    Placement,
    {
        "placement_id": "id",
        "token": "claim_token",
        "lease_until": "lease_expires_at",
        "now": "updated_at",
    },
    _build_claim,
)


def _claim_approved_as_recorded(placement_id: int, claim_token: str) -> Placement | None:
    """Take a queued row to ``sending`` if its claim, outlet and approval still hold.

    The approval test runs inside the compare-and-set itself (see ``approved_as_recorded``),
    so it is as fresh as the long way's; the row is then read once, with its outlet.
    """
    try:
        token = uuid.UUID(claim_token)
    except (TypeError, ValueError):
        # Not a token this dispatcher wrote: let the long way judge the row by its own claim.
        return None
    now = timezone.now()
    won = _CLAIM.run(
        shape=(approval_required(), get_default_page_content_type().pk),
        placement_id=placement_id,
        token=token,
        lease_until=now + seconds("LEASE_SECONDS"),
        now=now,
    )
    if not won:
        return None
    return _with_history(Placement.objects.select_related("outlet")).get(pk=placement_id)


def _with_history(queryset):
    """Annotate what the log says of earlier attempts (read with the row): whether there are
    any, and whether one may have reached the outlet unanswered."""
    records = DeliveryRecord.objects.filter(placement_id=OuterRef("pk"))
    return queryset.annotate(
        has_records=Exists(records),
        may_be_out=Exists(records.filter(outcome=Outcome.UNCONFIRMED)),
    )


def _send(placement: Placement, attempt: int) -> str:
    """Call the outlet for a row this worker took to ``sending``, and record the outcome."""
    request = _request(placement, attempt)
    started = timezone.now()
    if placement.external_id or getattr(placement, "has_records", True):
        # An earlier attempt may have gone out, whatever the attempt counter says (a retry
        # resets it): ask the outlet before sending anything.
        outcome = _ask_before_resending(placement, attempt, started, request)
        if outcome is not None:
            return outcome
        request = replace(request, external_id="")
    # The outlet is called outside any transaction: nothing is locked while it answers.
    try:
        receipt = get_channel(placement.outlet.kind).deliver(request)
    except UnconfirmedDeliveryError as error:
        return _record_unconfirmed(placement, attempt, started, error)
    except TransientDeliveryError as error:
        return _record_transient(placement, attempt, started, error)
    except DeliveryError as error:
        return _record_failed(placement, attempt, started, str(error), error.details)
    except LookupError:
        return _record_failed(
            placement,
            attempt,
            started,
            _("没有适用于“%(kind)s”渠道的发送模块。")
            % {"kind": placement.outlet.get_kind_display()},
        )
    except Exception as error:
        # An unexpected failure may have happened after the outlet accepted: check, never resend.
        logger.exception("delivery of placement %s raised", placement.pk)
        return _record_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(_("发送时出现意外错误：%(error)r") % {"error": error}),
        )
    return _record_delivered(placement, attempt, started, receipt)


def _ask_before_resending(placement, attempt, started, request: DeliveryRequest) -> str | None:
    """Find out from the outlet whether an earlier attempt went out; ``None`` means send.

    The item went out: it is recorded delivered. The outlet is still at it: the row becomes
    unconfirmed and is reconciled. The outlet cannot tell: unconfirmed too if an earlier
    attempt may have reached it unanswered, else (the outlet refused every earlier attempt)
    this attempt is retried later, asking again. The outlet never got it, or says that
    earlier attempt failed there: send it (again) under the same key.
    """
    try:
        channel = get_channel(placement.outlet.kind)
        receipt = channel.confirm(replace(request, before_resend=True))
    except LookupError:
        return None  # the send reports the missing adapter
    except NotReceivedError:
        receipt = False
    except TransientDeliveryError as error:
        reason = _("重发前向渠道核实上次发送是否成功，暂时无法确认：%(error)s") % {"error": error}
        if placement.external_id or getattr(placement, "may_be_out", True):
            return _record_unconfirmed(
                placement,
                attempt,
                started,
                UnconfirmedDeliveryError(
                    reason, external_id=placement.external_id, details=error.details
                ),
            )
        return _record_transient(
            placement, attempt, started, TransientDeliveryError(reason, details=error.details)
        )
    except DeliveryError:
        receipt = False  # the outlet says the earlier attempt did not go out
    except Exception as error:
        logger.exception("checking placement %s before resending raised", placement.pk)
        return _record_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(
                _("重发前核实时出现意外错误：%(error)r") % {"error": error},
                external_id=placement.external_id,
            ),
        )
    if receipt is None:
        return _record_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(
                _("上次发送渠道仍在处理中，暂不重发"), external_id=placement.external_id
            ),
        )
    if receipt:
        return _record_delivered(placement, attempt, started, receipt)
    if placement.external_id:
        # A new attempt gets a new reference from the outlet; the old one is finished.
        Placement.objects.filter(pk=placement.pk, status=Status.SENDING, attempts=attempt).update(
            external_id=""
        )
    return None


def placement_confirm(*, placement: Placement) -> str:
    """Ask the outlet whether an unanswered delivery went out, and record what it says."""
    if placement.lease_expires_at is None or placement.claim_token is None:
        return "skipped"
    # Take the claim for this message only; a duplicate message finds no token and stops.
    won = Placement.objects.filter(
        pk=placement.pk, status=Status.UNCONFIRMED, claim_token=placement.claim_token
    ).update(claim_token=None)
    if not won:
        return "skipped"
    attempt = placement.attempts
    request = _request(placement, attempt)
    started = timezone.now()
    try:
        receipt = get_channel(placement.outlet.kind).confirm(request)
    except NotReceivedError as error:
        return _record_transient(
            placement,
            attempt,
            started,
            TransientDeliveryError(
                _("渠道没有收到，将以同一幂等键重新发送：%(error)s") % {"error": error}
            ),
            from_status=Status.UNCONFIRMED,
        )
    except TransientDeliveryError as error:
        return _still_unconfirmed(placement, str(error))
    except DeliveryError as error:
        # The outlet says the item did not go out there.
        return _record_failed(
            placement, attempt, started, str(error), error.details, from_status=Status.UNCONFIRMED
        )
    except LookupError:
        return _record_failed(
            placement,
            attempt,
            started,
            _("没有适用于该渠道的发送模块，无法核实。"),
            from_status=Status.UNCONFIRMED,
        )
    except Exception as error:
        logger.exception("confirming placement %s raised", placement.pk)
        return _still_unconfirmed(placement, _("核实时出现意外错误：%(error)r") % {"error": error})
    if receipt is None:
        return _still_unconfirmed(placement, _("渠道仍在处理中。"))
    return _record_delivered(placement, attempt, started, receipt, from_status=Status.UNCONFIRMED)


def _request(placement: Placement, attempt: int) -> DeliveryRequest:
    def note_external_id(external_id: str) -> None:
        # The outlet's reference, kept on the row as soon as the adapter has it, so that the
        # reaper's reconciliation can use it if this worker dies before recording the outcome.
        try:
            Placement.objects.filter(
                pk=placement.pk, status=Status.SENDING, attempts=attempt
            ).update(external_id=external_id[:200], updated_at=timezone.now())
        except DatabaseError:
            logger.exception("could not note the outlet's reference for placement %s", placement.pk)

    return DeliveryRequest(
        placement_id=placement.pk,
        idempotency_key=str(placement.idempotency_key),
        attempt=attempt,
        page_id=placement.page_id,
        version=placement.version,
        outlet_config=placement.outlet.config,
        outlet_secret=placement.outlet.secret,
        external_id=placement.external_id,
        revision_id=placement.revision_id,
        on_external_id=note_external_id,
    )


def _record(placement, attempt, started, outcome, *, from_status, fields, receipt=None, error=""):
    """Apply the outcome of one attempt to the row (if it is still ours) and log it."""
    now = timezone.now()
    receipt = receipt or Receipt()
    with transaction.atomic():
        Placement.objects.filter(pk=placement.pk, status=from_status, attempts=attempt).update(
            lease_expires_at=None, claim_token=None, updated_at=now, **fields
        )
        DeliveryRecord.objects.create(
            placement_id=placement.pk,
            outlet_id=placement.outlet_id,
            page_id=placement.page_id,
            attempt=attempt,
            outcome=outcome,
            started_at=started,
            finished_at=now,
            url=receipt.url,
            receipt=_receipt_data(receipt),
            error=error,
        )
    return outcome


def _receipt_data(receipt: Receipt) -> dict:
    data = dict(receipt.details)
    if receipt.external_id:
        data["external_id"] = receipt.external_id
    return data


def _record_delivered(placement, attempt, started, receipt: Receipt, *, from_status=Status.SENDING):
    return _record(
        placement,
        attempt,
        started,
        Outcome.DELIVERED,
        from_status=from_status,
        receipt=receipt,
        fields={
            "status": Status.DELIVERED,
            "delivered_at": timezone.now(),
            "external_id": receipt.external_id[:200],
            "result_url": receipt.url,
            "next_attempt_at": None,
            "last_error": "",
        },
    )


def _record_transient(placement, attempt, started, error, *, from_status=Status.SENDING):
    if attempt >= dispatch_setting("MAX_ATTEMPTS"):
        reason = _("已尝试 %(count)d 次仍未成功，不再重试：%(error)s") % {
            "count": attempt,
            "error": error,
        }
        return _record_failed(
            placement, attempt, started, reason, error.details, from_status=from_status
        )
    _record(
        placement,
        attempt,
        started,
        Outcome.RETRY,
        from_status=from_status,
        receipt=Receipt(details=error.details),
        error=str(error),
        fields={
            "status": Status.APPROVED,
            "next_attempt_at": timezone.now() + retry_delay(attempt),
            "last_error": str(error),
        },
    )
    return Outcome.RETRY


def _record_failed(
    placement, attempt, started, reason, details=None, *, from_status=Status.SENDING
):
    return _record(
        placement,
        attempt,
        started,
        Outcome.FAILED,
        from_status=from_status,
        receipt=Receipt(details=details or {}),
        error=reason,
        fields={"status": Status.FAILED, "next_attempt_at": None, "last_error": reason},
    )


def _record_unconfirmed(placement, attempt, started, error: UnconfirmedDeliveryError):
    fields = {
        "status": Status.UNCONFIRMED,
        "next_attempt_at": timezone.now() + seconds("CONFIRM_INTERVAL_SECONDS"),
        "checks": 0,
        "last_error": str(error),
    }
    if error.external_id:
        # Without one, keep what the adapter noted during the attempt (``note_external_id``).
        fields["external_id"] = error.external_id[:200]
    return _record(
        placement,
        attempt,
        started,
        Outcome.UNCONFIRMED,
        from_status=Status.SENDING,
        receipt=Receipt(external_id=error.external_id, details=error.details),
        error=str(error),
        fields=fields,
    )


def _still_unconfirmed(placement, message: str) -> str:
    """The outlet cannot tell yet: ask again later, less often after ``MAX_CHECKS``.

    The item may be out, so not knowing is never a failure: after ``MAX_CHECKS`` the row
    stays unconfirmed, asks for a person to look, and is checked every ``RETRY_CAP_SECONDS``.
    """
    checks = placement.checks + 1
    interval = seconds("CONFIRM_INTERVAL_SECONDS")
    if checks >= dispatch_setting("MAX_CHECKS"):
        interval = max(interval, seconds("RETRY_CAP_SECONDS"))
        message = _(
            "已向渠道核实 %(count)d 次仍无法确认是否发布，请人工核实；系统会继续定期核实，"
            "不会重复发送：%(error)s"
        ) % {"count": checks, "error": message}
    Placement.objects.filter(pk=placement.pk, status=Status.UNCONFIRMED).update(
        checks=checks,
        lease_expires_at=None,
        next_attempt_at=timezone.now() + interval,
        last_error=message,
        updated_at=timezone.now(),
    )
    return "pending"


def _finish_without_sending(placement: Placement, reason: str) -> str:
    Placement.objects.filter(pk=placement.pk, status=Status.QUEUED).update(
        status=Status.FAILED,
        lease_expires_at=None,
        claim_token=None,
        last_error=reason,
        updated_at=timezone.now(),
    )
    return Outcome.FAILED
