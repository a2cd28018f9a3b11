"""The interface every channel adapter implements.

An adapter turns an item (a page) into its outlet's version (一次采集、多种生成), validates a
version against the outlet's limits, shows it as its audience will see it, and delivers it.
Adapters do I/O only: the dispatcher owns the placement's state and ``dispatch.record`` the
delivery log, so a new outlet kind is one package under ``channels/`` registered in
``registry.CHANNELS`` and never a change to the dispatcher.

Each kind declares how it delivers (``delivery_mode``):

* ``PUSH``: the outlet answers with a receipt at once (website, WeChat);
* ``HANDOVER``: the system hands over a package or a rundown and the outlet confirms later
  (an LED controller's pull, a station's as-run log); the placement waits as "已交付，待确认"
  until then, at most ``Outlet.confirm_within_hours`` before it shows as overdue;
* ``MANUAL``: nothing is sent; at its due time the placement waits the same way for an editor
  to record the evidence (a newspaper page, a photo of the posted board).
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DeliveryMode(enum.StrEnum):
    """How an outlet kind delivers; see the module's docstring."""

    PUSH = "push"
    HANDOVER = "handover"
    MANUAL = "manual"


@dataclass(frozen=True)
class OutletFile:
    """A file the system makes from a version for people to take to the outlet (a newspaper's
    print-ready copy, a poster to print): offered for download in the admin.

    ``render`` makes the bytes when the file is asked for."""

    name: str
    label: str
    content_type: str
    render: Callable[[], bytes] = field(compare=False, repr=False)


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a receipt in words, as the delivery history shows it (标签：值)."""

    label: str
    value: str
    url: str = ""


@dataclass(frozen=True)
class VersionProblem:
    """One violation of an outlet's limits, worded for an editor (in Chinese).

    Errors stop the version from being scheduled or sent; warnings (e.g. a slogan that
    has to scroll on a small screen) are shown to the editor and let it through.
    """

    field: str
    message: str
    severity: str = "error"

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Receipt:
    """What the outlet answered: its id for the published item, a public URL, raw details."""

    external_id: str = ""
    url: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryRequest:
    """Everything an adapter needs to deliver one placement; built by the dispatcher."""

    placement_id: int
    idempotency_key: str
    attempt: int
    page_id: int
    version: dict[str, Any]
    outlet_config: dict[str, Any]
    outlet_secret: str = ""
    # The outlet the placement goes to, so that an adapter need not read the placement.
    outlet_id: int | None = None
    outlet_name: str = ""
    # The outlet's id for an earlier, unconfirmed attempt (e.g. WeChat's publish_id).
    external_id: str = ""
    # The page revision that passed review; the version was built from it.
    revision_id: int | None = None
    # Set when ``confirm`` is asked before sending again (an earlier attempt may have reached
    # the outlet): an outlet with no trace of the item then answers ``NotReceivedError``
    # rather than "cannot tell yet".
    before_resend: bool = False
    # Adapters call this with the outlet's reference the moment they have it (e.g. WeChat's
    # publish_id once a submit is accepted), so that the item can be reconciled through it
    # even if the worker dies before the delivery ends. Set by the dispatcher.
    on_external_id: Callable[[str], None] | None = field(default=None, compare=False, repr=False)


class DeliveryError(Exception):
    """Base of adapter errors; ``retryable`` tells the dispatcher what to do next."""

    retryable = False

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.details = details or {}


class TransientDeliveryError(DeliveryError):
    """The outlet is down, busy or rate-limiting: try again later with backoff."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """The outlet refused the content or the credentials: retrying cannot help."""


class UnconfirmedDeliveryError(DeliveryError):
    """The request may have been accepted but the answer was lost.

    Never resend: the dispatcher reconciles through :meth:`Channel.confirm`. ``external_id``
    carries whatever reference the outlet gave before the answer was lost.
    """

    def __init__(self, message: str, *, external_id: str = "", details=None):
        super().__init__(message, details=details)
        self.external_id = external_id


class NotReceivedError(DeliveryError):
    """Raised by :meth:`Channel.confirm`: the outlet has no trace of the delivery.

    The dispatcher may then send it again under the same idempotency key.
    """


class Channel:
    """Base adapter. Subclasses set ``kind`` and implement the methods that apply."""

    kind: str = ""
    delivery_mode: DeliveryMode = DeliveryMode.PUSH
    # The outlet's settings form (a Django form whose cleaned data becomes ``Outlet.config``);
    # ``None`` for kinds that need none.
    config_form_class = None
    # Hours after hand-over (or, for manual kinds, after the due time) within which the outlet
    # is expected to confirm; an outlet may set its own.
    default_confirm_within_hours: int = 24
    # What a person confirms with, for manual and handover kinds (shown on the evidence form).
    evidence_hint = gettext_lazy("上传能证明已刊播的照片、扫描件、PDF 或录音、录像，或填写网址。")

    def build_version(self, page) -> dict[str, Any]:
        """The outlet's default version of ``page`` (the editor may then adjust it)."""
        raise NotImplementedError

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        """Every violation of the outlet's limits; an empty list means it can be sent.

        ``outlet``, when given, is the one outlet the version is for: an adapter whose limits
        depend on the outlet (a screen's size) checks that outlet's alone.
        """
        return []

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """What keeps ``outlet`` from sending anything (stopped, not configured); checked in
        the schedule preview, so an editor learns it before the due time, not after."""
        if not outlet.is_active:
            return [VersionProblem("outlet", _("该渠道已停用，不能发送。"))]
        return []

    def retry_refusal(self, placement) -> str | None:
        """Why ``placement`` cannot be put back in the schedule now (e.g. a cancelled station
        item whose slot has since filled up), or None when it can."""
        return None

    def reschedule_refusal(self, placement=None) -> str | None:
        """Why ``placement`` cannot be moved to another time through the general edit form or
        the calendar (e.g. a station's item, whose time is its slot's), or None when it can;
        without a placement, whether this kind's placements can be moved at all."""
        return None

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """The version as its audience will see it, as safe HTML for the admin (a message
        card, a screen's frames, a newspaper column, a poster thumbnail)."""
        return ""

    def files(self, version: dict[str, Any], *, outlet=None, page=None) -> list[OutletFile]:
        """Files made from the version for people to take to the outlet (none by default)."""
        return []

    def receipt_lines(self, record) -> list[ReceiptLine]:
        """A delivery record's receipt in words (published at, link, package version)."""
        lines = []
        if record.url:
            lines.append(ReceiptLine(_("发布地址"), record.url, url=record.url))
        external_id = record.receipt.get("external_id")
        if external_id:
            lines.append(ReceiptLine(_("渠道编号"), str(external_id)))
        return lines

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Send the version (push) or hand it over (handover); raise a
        :class:`DeliveryError` subclass on failure. Manual kinds are never called."""
        raise NotImplementedError

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        """Find out whether an unconfirmed delivery went out.

        Returns the receipt when it did, ``None`` when it is still in progress; raises
        :class:`PermanentDeliveryError` only when the outlet says it did not go out (it
        failed there), :class:`NotReceivedError` when the outlet never got it (safe to send
        again), and :class:`TransientDeliveryError` when it cannot tell yet, whatever went
        wrong while asking.
        """
        raise PermanentDeliveryError("this outlet cannot confirm an unanswered delivery")
