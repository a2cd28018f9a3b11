"""Recording: the one writer of ``DeliveryRecord``, the delivery log.

Each function applies one outcome to the placement row, if the row is still in the state the
caller left it in (a compare-and-set), and appends the matching record in the same
transaction. Records are never edited.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels import Receipt, UnconfirmedDeliveryError, get_channel
from ..channels.base import DeliveryMode
from ..conf import dispatch_setting, seconds
from ..models import DeliveryEvidence, DeliveryRecord, Outlet, Placement

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
    """Apply the outcome of one attempt to the row (if it is still ours) and log it.

    A handover outlet's receipt means "handed over": such a delivery waits for the outlet's
    confirmation (see ``attempt_handed_over``)."""
    if outcome == Outcome.DELIVERED and _mode(placement.outlet) == DeliveryMode.HANDOVER:
        outcome = Outcome.HANDED_OVER
        now = timezone.now()
        fields = {
            **fields,
            "status": Status.AWAITING,
            "delivered_at": None,
            "handed_over_at": now,
            "confirm_by": now + confirm_within(placement.outlet),
        }
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


# --- Hand-over, confirmation, evidence and corrections --------------------------------------


class ConfirmationRefused(Exception):
    """The placement's state does not allow recording this confirmation; worded for people."""


@dataclass(frozen=True)
class EvidenceItem:
    """One checked piece of evidence, ready to be stored (see ``media_schedule.evidence``)."""

    kind: str
    content: bytes = b""
    file_format: str = ""
    url: str = ""
    original_name: str = ""
    width: int | None = None
    height: int | None = None
    sha256: str = ""
    taken_at: datetime.datetime | None = None
    place: str = ""
    # A large file (audio, video) is not held in ``content``: ``file`` is an open temporary
    # file with it, read in chunks when stored; ``size`` is its length.
    file: IO[bytes] | None = field(default=None, repr=False, compare=False)
    size: int = 0
    duration_seconds: Decimal | None = None

    @property
    def byte_size(self) -> int:
        return self.size if self.file is not None else len(self.content)

    def stored_file(self) -> File | None:
        """What a storage saves: the temporary file from its start, or the content."""
        if self.file is not None:
            self.file.seek(0)
            return File(self.file)
        return ContentFile(self.content) if self.content else None


def _mode(outlet: Outlet) -> DeliveryMode:
    try:
        return get_channel(outlet.kind).delivery_mode
    except LookupError:
        return DeliveryMode.PUSH


def confirm_within(outlet: Outlet) -> datetime.timedelta:
    """How long an outlet has to confirm: its own time limit, else its kind's default."""
    hours = outlet.confirm_within_hours
    if hours is None:
        try:
            hours = get_channel(outlet.kind).default_confirm_within_hours
        except LookupError:
            hours = 24
    return datetime.timedelta(hours=hours)


def placements_await_evidence(*, now: datetime.datetime, manual_kinds: Iterable[str]) -> int:
    """Approved placements on manual outlets (nothing is sent) whose time has come: they now
    await the editor's evidence, by their outlet's deadline."""
    due = Placement.objects.filter(
        status=Status.APPROVED, outlet__kind__in=list(manual_kinds), due_at__lte=now
    ).select_related("outlet")[: dispatch_setting("BATCH")]
    moved = 0
    for placement in due:
        moved += Placement.objects.filter(pk=placement.pk, status=Status.APPROVED).update(
            status=Status.AWAITING,
            handed_over_at=now,
            confirm_by=placement.due_at + confirm_within(placement.outlet),
            next_attempt_at=None,
            last_error="",
            updated_at=now,
        )
    return moved


def confirmable_statuses(placement: Placement) -> tuple[Status, ...]:
    """The states in which a confirmation may be recorded for ``placement``'s outlet."""
    if _mode(placement.outlet) == DeliveryMode.MANUAL:
        # The paper may print before the planned day; evidence may follow a wrong "failed".
        return (Status.PLANNED, Status.APPROVED, Status.AWAITING, Status.FAILED)
    return (Status.AWAITING,)


def delivery_confirm(
    *,
    placement: Placement,
    source: str,
    user=None,
    confirmed_at: datetime.datetime | None = None,
    note: str = "",
    url: str = "",
    details: dict | None = None,
    evidence: Iterable[EvidenceItem] = (),
) -> DeliveryRecord:
    """Record that ``placement`` ran, on the word of ``source`` (the outlet's machine, its
    people, or an editor with evidence), and mark it delivered.

    Raises :class:`ConfirmationRefused` when its state allows no confirmation (cancelled,
    in flight, already delivered: a delivered one is corrected with ``record_correct``).
    """
    allowed = confirmable_statuses(placement)
    now = timezone.now()
    confirmed_at = confirmed_at or now
    with transaction.atomic():
        changed = Placement.objects.filter(pk=placement.pk, status__in=allowed).update(
            status=Status.DELIVERED,
            delivered_at=confirmed_at,
            result_url=url or placement.result_url,
            next_attempt_at=None,
            last_error="",
            updated_at=now,
        )
        if not changed:
            current = Placement.objects.get(pk=placement.pk)
            raise ConfirmationRefused(
                _("该排期当前状态为“%(status)s”，不能登记刊播。")
                % {"status": current.get_status_display()}
            )
        record = DeliveryRecord.objects.create(
            placement_id=placement.pk,
            outlet_id=placement.outlet_id,
            page_id=placement.page_id,
            attempt=placement.attempts,
            outcome=Outcome.DELIVERED,
            started_at=placement.handed_over_at or confirmed_at,
            finished_at=confirmed_at,
            url=url,
            receipt=details or {},
            source=source,
            recorded_by=user,
            recorded_by_name=_person(user),
            note=note,
        )
        _store_evidence(record, evidence)
    return record


def record_correct(
    *,
    record: DeliveryRecord,
    user,
    note: str,
    ran: bool = True,
    url: str = "",
    evidence: Iterable[EvidenceItem] = (),
) -> DeliveryRecord:
    """Correct a delivery record: a new record that supersedes it (rows are never edited).

    ``ran=False`` says the item did not run after all: the placement then ends failed with
    the note as its reason. A record already corrected cannot be corrected again (correct
    the newer one).
    """
    if not note.strip():
        raise ConfirmationRefused(_("更正须说明原因。"))
    now = timezone.now()
    outcome = Outcome.DELIVERED if ran else Outcome.FAILED
    with transaction.atomic():
        locked = DeliveryRecord.objects.select_for_update().get(pk=record.pk)
        if DeliveryRecord.objects.filter(supersedes=locked).exists():
            raise ConfirmationRefused(_("这条记录已被更正过，请更正最新的一条。"))
        correction = DeliveryRecord.objects.create(
            placement_id=locked.placement_id,
            outlet_id=locked.outlet_id,
            page_id=locked.page_id,
            attempt=locked.attempt,
            outcome=outcome,
            started_at=locked.started_at,
            finished_at=now,
            url=url or (locked.url if ran else ""),
            receipt=locked.receipt if ran else {},
            error="" if ran else note,
            source=DeliveryRecord.Source.EDITOR,
            recorded_by=user,
            recorded_by_name=_person(user),
            note=note,
            supersedes=locked,
        )
        _store_evidence(correction, evidence)
        fields = (
            {"status": Status.DELIVERED, "delivered_at": locked.finished_at}
            if ran
            else {"status": Status.FAILED, "delivered_at": None, "last_error": note}
        )
        Placement.objects.filter(pk=locked.placement_id).update(updated_at=now, **fields)
    return correction


def _store_evidence(record: DeliveryRecord, evidence: Iterable[EvidenceItem]) -> None:
    for item in evidence:
        piece = DeliveryEvidence(
            record=record,
            kind=item.kind,
            file_format=item.file_format,
            url=item.url,
            original_name=item.original_name[:255],
            size=item.byte_size,
            width=item.width,
            height=item.height,
            duration_seconds=item.duration_seconds,
            sha256=item.sha256,
            taken_at=item.taken_at,
            place=item.place[:100],
        )
        stored = item.stored_file()
        if stored is not None:
            piece.file.save(item.original_name or "evidence", stored, save=False)
        piece.save()


def _person(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:150]
