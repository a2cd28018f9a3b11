"""Recording: the one writer of ``DeliveryRecord``, the delivery log.

Each function applies one outcome to the placement row, if the row is still in the state the
caller left it in (a compare-and-set), and appends the matching record in the same
transaction. Records are never edited.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels import Receipt, UnconfirmedDeliveryError
from ..conf import dispatch_setting, seconds
from ..models import DeliveryRecord, Placement

Status = Placement.Status
Outcome = DeliveryRecord.Outcome


def attempt_interrupted(*, placement_id, outlet_id, page_id, attempt, started, reason) -> None:
    """Log an attempt whose worker died while sending (the reaper has made the row
    unconfirmed): whether it reached the outlet is unknown."""
    DeliveryRecord.objects.create(
        placement_id=placement_id,
        outlet_id=outlet_id,
        page_id=page_id,
        attempt=attempt,
        outcome=Outcome.UNCONFIRMED,
        started_at=started,
        finished_at=timezone.now(),
        error=reason,
    )


def retry_delay(attempt: int) -> datetime.timedelta:
    """Exponential backoff with jitter: half the step fixed, half random, capped."""
    step = min(
        dispatch_setting("RETRY_BASE_MS") / 1000 * 2 ** (attempt - 1),
        dispatch_setting("RETRY_CAP_SECONDS"),
    )
    return datetime.timedelta(seconds=step / 2 + random.uniform(0, step / 2))


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


def attempt_delivered(placement, attempt, started, receipt: Receipt, *, from_status=Status.SENDING):
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


def attempt_retry(placement, attempt, started, error, *, from_status=Status.SENDING):
    if attempt >= dispatch_setting("MAX_ATTEMPTS"):
        reason = _("已尝试 %(count)d 次仍未成功，不再重试：%(error)s") % {
            "count": attempt,
            "error": error,
        }
        return attempt_failed(
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


def attempt_failed(
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


def attempt_unconfirmed(placement, attempt, started, error: UnconfirmedDeliveryError):
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


def confirmation_pending(placement, message: str) -> str:
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
