"""The interface every channel adapter implements.

An adapter turns an item (a page) into its outlet's version (一次采集、多种生成), validates a
version against the outlet's limits, and delivers it. Adapters do I/O only: the dispatcher
owns the placement's state and the delivery log, so a new outlet kind is one new module
registered in ``registry.CHANNELS`` and never a change to the dispatcher.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


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

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Send the version; raise a :class:`DeliveryError` subclass on failure."""
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
