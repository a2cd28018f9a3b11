"""Models of the scheduler; one module per aggregate."""

from .outlets import Medium, Outlet
from .placements import DeliveryRecord, Placement

__all__ = ["DeliveryRecord", "Medium", "Outlet", "Placement"]
