"""Channel adapters, one module per outlet kind, loaded by name (see ``registry``)."""

from .base import (
    Channel,
    DeliveryError,
    DeliveryRequest,
    NotReceivedError,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
    VersionProblem,
)
from .registry import get_channel

__all__ = [
    "Channel",
    "DeliveryError",
    "DeliveryRequest",
    "NotReceivedError",
    "PermanentDeliveryError",
    "Receipt",
    "TransientDeliveryError",
    "UnconfirmedDeliveryError",
    "VersionProblem",
    "get_channel",
]
