"""Slot occurrences (场次): computed from each slot's rule and exceptions, never stored.

``occurrences_between`` is the one read other parts of the system use (the calendar, the
coverage view, the rundowns): each occurrence with its slot, outlet, times, capacity and the
seconds already booked into it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Sum
from django.utils import timezone

from media_schedule.models import Outlet, Placement

from .models import BroadcastSlot, SlotBooking, SlotException
from .recurrence import Exception_, expand, local_zone, to_local_naive


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a slot. ``original_start`` identifies it (bookings point at it);
    ``start`` is when it airs, which differs when the occurrence was moved."""

    slot: BroadcastSlot
    outlet: Outlet
    start: datetime.datetime
    end: datetime.datetime
    original_start: datetime.datetime
    capacity_seconds: int
    booked_seconds: int = 0

    @property
    def moved(self) -> bool:
        return self.start != self.original_start

    @property
    def free_seconds(self) -> int:
        return self.capacity_seconds - self.booked_seconds

    @property
    def key(self) -> str:
        """A stable text id of the occurrence: slot and original start (local time)."""
        local = timezone.localtime(self.original_start)
        return f"{self.slot.pk}-{local:%Y%m%dT%H%M%S}"


def slot_occurrences(
    slot: BroadcastSlot,
    start: datetime.datetime,
    end: datetime.datetime,
    exceptions: Iterable[SlotException] | None = None,
) -> list[Occurrence]:
    """The occurrences of one slot starting in ``[start, end)``, without booked seconds."""
    if exceptions is None:
        exceptions = slot.exceptions.all()
    stored = [
        Exception_(
            original=to_local_naive(exception.original_start),
            moved_to=(
                to_local_naive(exception.moved_to)
                if exception.action == SlotException.Action.MOVE and exception.moved_to
                else None
            ),
        )
        for exception in exceptions
    ]
    length = datetime.timedelta(seconds=slot.length_seconds)
    zone = local_zone()
    # Read once: a related-object descriptor per occurrence costs more than the expansion.
    outlet = slot.outlet
    capacity = slot.capacity_seconds
    found = []
    for original, actual in expand(
        rule=slot.rule,
        first_day=slot.starts_on,
        last_day=slot.ends_on,
        start_time=slot.start_time,
        window_start=to_local_naive(start),
        window_end=to_local_naive(end),
        exceptions=stored,
    ):
        aware = actual.replace(tzinfo=zone)
        found.append(
            Occurrence(
                slot=slot,
                outlet=outlet,
                start=aware,
                end=aware + length,
                original_start=aware if original is actual else original.replace(tzinfo=zone),
                capacity_seconds=capacity,
            )
        )
    return found


def live_bookings():
    """Bookings whose placement still counts against a slot's capacity."""
    return SlotBooking.objects.exclude(placement__status=Placement.Status.CANCELLED)


def occurrences_between(
    start: datetime.datetime,
    end: datetime.datetime,
    outlets: Iterable[Outlet | int] | None = None,
    *,
    slots: Iterable[BroadcastSlot] | None = None,
) -> list[Occurrence]:
    """Every occurrence of the active slots (of ``outlets``, or of all radio and TV outlets)
    that starts in ``[start, end)``, ordered by start, each with the seconds booked into it
    by placements that are not cancelled.

    ``start`` and ``end`` are aware datetimes; the occurrences' times are in Asia/Shanghai.
    """
    if slots is None:
        slots = BroadcastSlot.objects.filter(is_active=True, outlet__is_active=True)
        if outlets is not None:
            ids = [outlet if isinstance(outlet, int) else outlet.pk for outlet in outlets]
            slots = slots.filter(outlet_id__in=ids)
        slots = slots.select_related("outlet").prefetch_related("exceptions")
    found: list[Occurrence] = []
    slot_ids = set()
    for slot in slots:
        slot_ids.add(slot.pk)
        found.extend(slot_occurrences(slot, start, end, slot.exceptions.all()))
    if not found:
        return []
    booked: dict[tuple[int, datetime.datetime], int] = defaultdict(int)
    originals = [occurrence.original_start for occurrence in found]
    rows = (
        live_bookings()
        .filter(
            slot_id__in=slot_ids,
            occurrence_start__gte=min(originals),
            occurrence_start__lte=max(originals),
        )
        .values("slot_id", "occurrence_start")
        .annotate(seconds=Sum("planned_seconds"))
    )
    for row in rows:
        booked[(row["slot_id"], row["occurrence_start"])] = row["seconds"]
    if booked:
        found = [
            _with_booked(occurrence, booked.get((occurrence.slot.id, occurrence.original_start), 0))
            for occurrence in found
        ]
    found.sort(
        key=lambda occurrence: (occurrence.start, occurrence.outlet.name, occurrence.slot.pk)
    )
    return found


def _with_booked(occurrence: Occurrence, seconds: int) -> Occurrence:
    return replace(occurrence, booked_seconds=seconds) if seconds else occurrence


def occurrence_of(slot: BroadcastSlot, original_start: datetime.datetime) -> Occurrence | None:
    """The occurrence of ``slot`` the rule gives at ``original_start`` (wherever it was moved),
    with its booked seconds; ``None`` when the rule has none then or it was cancelled."""
    exception = slot.exceptions.filter(original_start=original_start).first()
    if exception is not None and exception.action == SlotException.Action.CANCEL:
        return None
    window_start = exception.moved_to if exception is not None else original_start
    candidates = slot_occurrences(
        slot, window_start, window_start + datetime.timedelta(seconds=1), slot.exceptions.all()
    )
    for occurrence in candidates:
        if occurrence.original_start == original_start:
            seconds = (
                live_bookings()
                .filter(slot=slot, occurrence_start=original_start)
                .aggregate(total=Sum("planned_seconds"))["total"]
            )
            return _with_booked(occurrence, seconds or 0)
    return None


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a local day (Asia/Shanghai) as aware datetimes."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=local_zone())
    return start, start + datetime.timedelta(days=1)


def slot_overlap(
    slot: BroadcastSlot, *, start: datetime.datetime, days: int = 366
) -> tuple[BroadcastSlot, Occurrence] | None:
    """The first occurrence in ``days`` from ``start`` where ``slot`` (saved or not, as
    typed) would overlap another active slot of its outlet: that other slot and the
    occurrence of ``slot``; ``None`` when they never overlap."""
    end = start + datetime.timedelta(days=days)
    exceptions = slot.exceptions.all() if slot.pk else []
    mine = slot_occurrences(slot, start, end, exceptions)
    others = (
        BroadcastSlot.objects.filter(outlet_id=slot.outlet_id, is_active=True)
        .exclude(pk=slot.pk)
        .select_related("outlet")
        .prefetch_related("exceptions")
    )
    theirs = sorted(
        (
            (occurrence.start, occurrence.end, other)
            for other in others
            for occurrence in slot_occurrences(other, start, end, other.exceptions.all())
        ),
        key=lambda row: row[0],
    )
    index = 0
    for occurrence in mine:
        # Both lists are in order of start: skip what ended before this occurrence began.
        while index < len(theirs) and theirs[index][1] <= occurrence.start:
            index += 1
        probe = index
        while probe < len(theirs) and theirs[probe][0] < occurrence.end:
            if theirs[probe][1] > occurrence.start:
                return theirs[probe][2], occurrence
            probe += 1
    return None
