"""Models of the scheduler; one module per aggregate."""

from .outlets import Medium, Outlet
from .placements import DeliveryRecord, Placement
from .wechat import WeChatAccessToken

__all__ = ["DeliveryRecord", "Medium", "Outlet", "Placement", "WeChatAccessToken"]
