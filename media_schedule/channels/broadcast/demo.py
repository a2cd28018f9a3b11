"""Demo stations for the embedded run: a county radio and TV station with slots, an exception
and tomorrow's items filled from the demo articles. A second run changes nothing."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from media_schedule.models import Outlet
from publicity.models import ArticlePage

from .models import BroadcastSlot, SlotException
from .occurrences import day_bounds, occurrences_between
from .services import slot_fill

RADIO = "示范县广播电台"
TV = "示范县电视台"
# (outlet, name, rule, start, length, capacity, presenter)
SLOTS = [
    (RADIO, "早间新闻·双拥之声", "FREQ=DAILY", datetime.time(7, 30), 300, 180, "王芳"),
    (
        RADIO,
        "午间资讯",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        datetime.time(12, 20),
        120,
        120,
        "李强",
    ),
    (RADIO, "国防教育专题", "FREQ=MONTHLY;BYDAY=-1FR", datetime.time(20, 0), 600, 600, "王芳"),
    (
        TV,
        "示范县新闻·双拥板块",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        datetime.time(19, 10),
        300,
        240,
        "张伟",
    ),
    (TV, "军营风采", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", datetime.time(19, 30), 900, 600, "张伟"),
]


@dataclass
class BroadcastDemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, number: int = 1) -> None:
        if number:
            self.created[kind] = self.created.get(kind, 0) + number


@transaction.atomic
def load_demo_broadcast(*, now: datetime.datetime | None = None) -> BroadcastDemoReport:
    """Create the stations' slots, cancel one coming occurrence, and fill tomorrow's
    occurrences from the live demo articles."""
    now = now or timezone.now()
    report = BroadcastDemoReport()
    today = timezone.localtime(now).date()
    outlets = {}
    for name, kind in ((RADIO, Outlet.Kind.RADIO), (TV, Outlet.Kind.TV)):
        outlet, created = Outlet.objects.get_or_create(name=name, defaults={"kind": kind})
        report.count("outlets", int(created))
        outlets[name] = outlet
    slots = {}
    for outlet_name, name, rule, start, length, capacity, presenter in SLOTS:
        slot, created = BroadcastSlot.objects.get_or_create(
            outlet=outlets[outlet_name],
            name=name,
            defaults={
                "rule": rule,
                "start_time": start,
                "length_seconds": length,
                "capacity_seconds": capacity,
                "starts_on": today - datetime.timedelta(days=today.weekday()),
                "presenter": presenter,
            },
        )
        report.count("slots", int(created))
        slots[name] = slot
    morning = slots["早间新闻·双拥之声"]
    cancelled_day = today + datetime.timedelta(days=3)
    _exception, created = SlotException.objects.get_or_create(
        slot=morning,
        original_start=timezone.make_aware(
            datetime.datetime.combine(cancelled_day, morning.start_time)
        ),
        defaults={"action": SlotException.Action.CANCEL, "note": "转播全县双拥模范表彰大会"},
    )
    report.count("exceptions", int(created))
    pool = list(ArticlePage.objects.live().order_by("pk"))
    start, end = day_bounds(today + datetime.timedelta(days=1))
    for occurrence in occurrences_between(start, end, list(outlets.values())):
        if occurrence.booked_seconds or not pool:
            continue
        bookings = slot_fill(
            slot=occurrence.slot, original_start=occurrence.original_start, pages=pool, now=now
        )
        report.count("bookings", len(bookings))
    return report
