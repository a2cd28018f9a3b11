"""Delivering: a worker takes a claimed placement to ``sending`` with a compare-and-set
update, calls the outlet outside any transaction, and has ``record`` write the outcome; an
unconfirmed placement is reconciled through the outlet's status query, never blindly sent
again.
"""

import logging
import uuid
from dataclasses import replace

from django.db import DatabaseError
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import get_default_page_content_type

from publicity.workflow import approval_required

from ..channels import (
    DeliveryError,
    DeliveryRequest,
    NotReceivedError,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
    get_channel,
)
from ..conf import seconds
from ..models import DeliveryRecord, Outlet, Placement
from .approval import approved_as_recorded, page_approval
from .claim import placements_hold
from .record import (
    attempt_delivered,
    attempt_failed,
    attempt_retry,
    attempt_unconfirmed,
    confirmation_pending,
)
from .statements import CompiledUpdate

logger = logging.getLogger(__name__)

Status = Placement.Status
Outcome = DeliveryRecord.Outcome


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
        placements_hold([placement.pk], approval, now=now, from_status=Status.QUEUED)
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
        return attempt_unconfirmed(placement, attempt, started, error)
    except TransientDeliveryError as error:
        return attempt_retry(placement, attempt, started, error)
    except DeliveryError as error:
        return attempt_failed(placement, attempt, started, str(error), error.details)
    except LookupError:
        return attempt_failed(
            placement,
            attempt,
            started,
            _("没有适用于“%(kind)s”渠道的发送模块。")
            % {"kind": placement.outlet.get_kind_display()},
        )
    except Exception as error:
        # An unexpected failure may have happened after the outlet accepted: check, never resend.
        logger.exception("delivery of placement %s raised", placement.pk)
        return attempt_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(_("发送时出现意外错误：%(error)r") % {"error": error}),
        )
    return attempt_delivered(placement, attempt, started, receipt)


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
            return attempt_unconfirmed(
                placement,
                attempt,
                started,
                UnconfirmedDeliveryError(
                    reason, external_id=placement.external_id, details=error.details
                ),
            )
        return attempt_retry(
            placement, attempt, started, TransientDeliveryError(reason, details=error.details)
        )
    except DeliveryError:
        receipt = False  # the outlet says the earlier attempt did not go out
    except Exception as error:
        logger.exception("checking placement %s before resending raised", placement.pk)
        return attempt_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(
                _("重发前核实时出现意外错误：%(error)r") % {"error": error},
                external_id=placement.external_id,
            ),
        )
    if receipt is None:
        return attempt_unconfirmed(
            placement,
            attempt,
            started,
            UnconfirmedDeliveryError(
                _("上次发送渠道仍在处理中，暂不重发"), external_id=placement.external_id
            ),
        )
    if receipt:
        return attempt_delivered(placement, attempt, started, receipt)
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
        return attempt_retry(
            placement,
            attempt,
            started,
            TransientDeliveryError(
                _("渠道没有收到，将以同一幂等键重新发送：%(error)s") % {"error": error}
            ),
            from_status=Status.UNCONFIRMED,
        )
    except TransientDeliveryError as error:
        return confirmation_pending(placement, str(error))
    except DeliveryError as error:
        # The outlet says the item did not go out there.
        return attempt_failed(
            placement, attempt, started, str(error), error.details, from_status=Status.UNCONFIRMED
        )
    except LookupError:
        return attempt_failed(
            placement,
            attempt,
            started,
            _("没有适用于该渠道的发送模块，无法核实。"),
            from_status=Status.UNCONFIRMED,
        )
    except Exception as error:
        logger.exception("confirming placement %s raised", placement.pk)
        return confirmation_pending(
            placement, _("核实时出现意外错误：%(error)r") % {"error": error}
        )
    if receipt is None:
        return confirmation_pending(placement, _("渠道仍在处理中。"))
    return attempt_delivered(placement, attempt, started, receipt, from_status=Status.UNCONFIRMED)


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
        outlet_id=placement.outlet_id,
        outlet_name=placement.outlet.name,
        external_id=placement.external_id,
        revision_id=placement.revision_id,
        on_external_id=note_external_id,
    )


def _finish_without_sending(placement: Placement, reason: str) -> str:
    Placement.objects.filter(pk=placement.pk, status=Status.QUEUED).update(
        status=Status.FAILED,
        lease_expires_at=None,
        claim_token=None,
        last_error=reason,
        updated_at=timezone.now(),
    )
    return Outcome.FAILED
