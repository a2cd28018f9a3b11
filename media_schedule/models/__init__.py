"""Models of the scheduler; one module per aggregate."""

from .evidence import DeliveryEvidence
from .outlets import Medium, Outlet
from .placements import DeliveryRecord, Placement
from .wechat import WeChatAccessToken

__all__ = [
    "DeliveryEvidence",
    "DeliveryRecord",
    "Medium",
    "Outlet",
    "Placement",
    "WeChatAccessToken",
]
