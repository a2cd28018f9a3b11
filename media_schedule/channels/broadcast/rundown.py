"""Rundowns (串联单): per outlet and day, the occurrences with their booked items in running
order, each item's planned time back-timed from its slot's end.

A rundown's revision is a hash of everything printed on it, so a confirmation link made for
one revision stops working once the rundown changes.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field, replace

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from media_schedule.models import Outlet, Placement

from .models import Clip, SlotBooking
from .occurrences import Occurrence, day_bounds, occurrence_of, occurrences_between


@dataclass(frozen=True)
class RundownItem:
    """One line of the rundown."""

    booking: SlotBooking
    order: int
    planned_at: datetime.datetime
    title: str
    item_type: str
    seconds: int
    presenter: str
    source: str
    notes: str

    @property
    def placement(self) -> Placement:
        return self.booking.placement

    @property
    def planned_text(self) -> str:
        return timezone.localtime(self.planned_at).strftime("%H:%M:%S")


@dataclass(frozen=True)
class RundownBlock:
    """One occurrence with its items."""

    occurrence: Occurrence
    items: list[RundownItem] = field(default_factory=list)

    @property
    def free_seconds(self) -> int:
        return self.occurrence.capacity_seconds - sum(item.seconds for item in self.items)


@dataclass(frozen=True)
class Rundown:
    outlet: Outlet
    day: datetime.date
    blocks: list[RundownBlock]
    revision: str

    @property
    def items(self) -> list[RundownItem]:
        return [item for block in self.blocks for item in block.items]

    @property
    def day_text(self) -> str:
        return formats.date_format(self.day, _("Y年n月j日"))


def duration_text(seconds: int) -> str:
    """Seconds as m:ss (a rundown's duration column)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _source(version: dict, clips: dict[int, Clip]) -> str:
    if version.get("clip_id") and version["clip_id"] in clips:
        return clips[version["clip_id"]].original_name
    if version.get("clip_url"):
        return str(version["clip_url"])
    if "script" in version:
        return _("播音稿")
    return ""


def rundown_for(outlet: Outlet, day: datetime.date) -> Rundown:
    """The rundown of ``outlet`` on ``day`` (Asia/Shanghai): every occurrence that day, with
    its live (not cancelled) bookings in running order."""
    start, end = day_bounds(day)
    occurrences = occurrences_between(start, end, [outlet])
    return rundown_of_occurrences(outlet, day, occurrences)


def rundown_of_occurrences(
    outlet: Outlet, day: datetime.date, occurrences: list[Occurrence]
) -> Rundown:
    """A rundown of the given occurrences (of one day, or a longer span for the calendar)."""
    keys = {(o.slot.pk, o.original_start) for o in occurrences}
    bookings = list(
        SlotBooking.objects.filter(slot__in={o.slot.pk for o in occurrences})
        .filter(occurrence_start__in={o.original_start for o in occurrences})
        .exclude(placement__status=Placement.Status.CANCELLED)
        .select_related("placement", "placement__page")
        .order_by("position", "pk")
    )
    clip_ids = {b.placement.version.get("clip_id") for b in bookings} - {None}
    clips = Clip.objects.in_bulk([pk for pk in clip_ids if isinstance(pk, int)])
    by_occurrence: dict = {}
    for booking in bookings:
        key = (booking.slot_id, booking.occurrence_start)
        if key in keys:
            by_occurrence.setdefault(key, []).append(booking)
    blocks = []
    for occurrence in occurrences:
        rows = by_occurrence.get((occurrence.slot.pk, occurrence.original_start), [])
        # Back-timing: the last item ends with the slot, each earlier one before the next.
        planned_end = occurrence.end
        items = []
        for booking in reversed(rows):
            planned_end -= datetime.timedelta(seconds=booking.planned_seconds)
            version = booking.placement.version or {}
            items.append(
                RundownItem(
                    booking=booking,
                    order=0,
                    planned_at=planned_end,
                    title=str(version.get("title") or booking.placement.page.title),
                    item_type=booking.get_item_type_display(),
                    seconds=booking.planned_seconds,
                    presenter=str(version.get("presenter") or occurrence.slot.presenter),
                    source=_source(version, clips),
                    notes=booking.notes or str(version.get("notes") or ""),
                )
            )
        items.reverse()
        blocks.append(RundownBlock(occurrence, items))
    numbered = []
    order = 0
    for block in blocks:
        renumbered = []
        for item in block.items:
            order += 1
            renumbered.append(replace(item, order=order))
        numbered.append(RundownBlock(block.occurrence, renumbered))
    return Rundown(outlet, day, numbered, _revision(numbered))


def _revision(blocks: list[RundownBlock]) -> str:
    content = [
        [
            block.occurrence.slot.pk,
            block.occurrence.start.isoformat(),
            [
                [
                    item.booking.pk,
                    item.order,
                    item.seconds,
                    item.title,
                    item.item_type,
                    item.source,
                    item.notes,
                    item.presenter,
                    item.planned_at.isoformat(),
                ]
                for item in block.items
            ],
        ]
        for block in blocks
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def rundown_for_placement(placement_id: int) -> Rundown | None:
    """The rundown of the day the booked placement airs, or ``None`` when it is not booked."""
    booking = (
        SlotBooking.objects.select_related("slot", "slot__outlet")
        .filter(placement_id=placement_id)
        .first()
    )
    if booking is None:
        return None
    occurrence = occurrence_of(booking.slot, booking.occurrence_start)
    start = occurrence.start if occurrence is not None else booking.occurrence_start
    return rundown_for(booking.slot.outlet, timezone.localtime(start).date())
