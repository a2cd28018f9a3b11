"""Outlets of every medium and delivered placements at chosen times, written through the
dispatcher's record service (the one writer of the delivery log)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from media_schedule.channels import Receipt
from media_schedule.dispatch.record import attempt_delivered, attempt_failed, delivery_confirm
from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.schedule_pages import draft_article

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def outlets():
    kinds = {
        "tv": ("县电视台", Outlet.Kind.TV),
        "radio": ("县广播电台", Outlet.Kind.RADIO),
        "newspaper": ("示范县报", Outlet.Kind.NEWSPAPER),
        "online": ("县门户网站", Outlet.Kind.WEBSITE),
        "screen": ("人民广场大屏", Outlet.Kind.LED_SCREEN),
        "screen2": ("车站大屏", Outlet.Kind.LED_SCREEN),
        "board": ("东街宣传栏", Outlet.Kind.BULLETIN_BOARD),
    }
    return {key: Outlet.objects.create(name=name, kind=kind) for key, (name, kind) in kinds.items()}


@pytest.fixture
def page():
    return draft_article("双拥共建新篇章")


def placement_on(outlet, due, *, page, campaign=None, status=Placement.Status.SENDING, **extra):
    return Placement.objects.create(
        page=page, outlet=outlet, due_at=due, status=status, attempts=1, campaign=campaign,
        **extra,
    )  # fmt: skip


def deliver(outlet, when, *, page, campaign=None, receipt=None, version=None):
    """A placement on ``outlet`` delivered at ``when`` (an aware time)."""
    placement = placement_on(outlet, when, page=page, campaign=campaign, version=version or {})
    with time_machine.travel(when, tick=False):
        attempt_delivered(placement, 1, when, receipt or Receipt(external_id="x"))
        placement.refresh_from_db()
        if placement.status == Placement.Status.AWAITING:
            # A screen's controller confirms by taking the package.
            delivery_confirm(
                placement=placement, source=DeliveryRecord.Source.OUTLET, confirmed_at=when
            )
    return placement


def fail(outlet, when, *, page, campaign=None):
    placement = placement_on(outlet, when, page=page, campaign=campaign)
    with time_machine.travel(when, tick=False):
        attempt_failed(placement, 1, when, "渠道拒绝")
    return placement
