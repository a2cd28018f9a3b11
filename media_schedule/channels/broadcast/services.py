"""Placing items into slot occurrences and filling occurrences from a pool.

Every booking of one slot takes the slot's row lock first, so two editors placing into the
same occurrence at once cannot both squeeze in past its capacity.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Count, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from media_schedule.channels import get_channel
from media_schedule.models import Placement

from .adapter import version_seconds
from .models import BroadcastSlot, ItemType, SlotBooking
from .occurrences import Occurrence, live_bookings, occurrence_of

# The rundown is handed to the station this long before the occurrence airs.
HANDOVER_BEFORE = datetime.timedelta(hours=2)
# Until the rundown is handed over, a booked item may still be edited.
EDITABLE_STATUSES = (Placement.Status.PLANNED, Placement.Status.APPROVED)


class BookingError(Exception):
    """A booking the slot cannot take, worded for the editor (slot, date, seconds over)."""


def when(value: datetime.datetime) -> str:
    """A time the Chinese way in Asia/Shanghai: 2026年11月29日 07:30."""
    return formats.date_format(timezone.localtime(value), _("Y年n月j日 H:i"))


@dataclass(frozen=True)
class Candidate:
    """An item of a pool with its version for the outlet and its rotation standing."""

    page: Page
    version: dict
    seconds: int
    aired: int
    last_aired: datetime.datetime | None


def _occurrence(slot: BroadcastSlot, original_start: datetime.datetime) -> Occurrence:
    occurrence = occurrence_of(slot, original_start)
    if occurrence is None:
        raise BookingError(
            _("“%(slot)s”在 %(when)s 没有场次（规则不含此时间或已取消）。")
            % {"slot": slot.name, "when": when(original_start)}
        )
    return occurrence


def _check_fits(occurrence: Occurrence, seconds: int, *, now: datetime.datetime) -> None:
    slot = occurrence.slot
    if occurrence.start <= now:
        raise BookingError(
            _("“%(slot)s”%(when)s 的场次已开始或已过，不能再编排。")
            % {"slot": slot.name, "when": when(occurrence.start)}
        )
    if occurrence.booked_seconds + seconds > occurrence.capacity_seconds:
        raise BookingError(
            _(
                "“%(slot)s”%(when)s 的场次超出容量 %(over)d 秒：已编排 %(booked)d 秒，"
                "本条 %(seconds)d 秒，容量 %(capacity)d 秒。"
            )
            % {
                "slot": slot.name,
                "when": when(occurrence.start),
                "over": occurrence.booked_seconds + seconds - occurrence.capacity_seconds,
                "booked": occurrence.booked_seconds,
                "seconds": seconds,
                "capacity": occurrence.capacity_seconds,
            }
        )


def booking_fits_again(booking: SlotBooking, *, now: datetime.datetime) -> None:
    """Raise ``BookingError`` unless a cancelled booking's occurrence is still ahead and has
    room for its seconds beside what has been booked there since."""
    _check_fits(
        _occurrence(booking.slot, booking.occurrence_start), booking.planned_seconds, now=now
    )


def booking_place(
    *,
    page: Page,
    slot: BroadcastSlot,
    original_start: datetime.datetime,
    version: dict | None = None,
    user=None,
    campaign=None,
    notes: str = "",
    now: datetime.datetime | None = None,
) -> SlotBooking:
    """Book ``page`` into the occurrence of ``slot`` the rule gives at ``original_start``:
    a placement due before the occurrence airs, last in its running order.

    The version is the outlet's default unless given. Raises :class:`BookingError` when the
    occurrence does not exist, has begun, already carries the item, or has too few seconds
    left, naming the slot, the date and the seconds over.
    """
    now = now or timezone.now()
    outlet = slot.outlet
    channel = get_channel(outlet.kind)
    page = page.specific
    version = dict(version if version is not None else channel.build_version(page))
    errors = [p.message for p in channel.validate(version, page, outlet) if p.blocking]
    errors += [p.message for p in channel.station_problems(outlet) if p.blocking]
    if errors:
        raise BookingError("；".join(errors))
    seconds = version_seconds(version, outlet)
    version["seconds"] = seconds
    with transaction.atomic():
        BroadcastSlot.objects.select_for_update().filter(pk=slot.pk).first()
        occurrence = _occurrence(slot, original_start)
        if (
            live_bookings()
            .filter(slot=slot, occurrence_start=original_start, placement__page=page)
            .exists()
        ):
            raise BookingError(
                _("“%(title)s”已编入“%(slot)s”%(when)s 的场次，同一场次不重复编排。")
                % {"title": page.title, "slot": slot.name, "when": when(occurrence.start)}
            )
        _check_fits(occurrence, seconds, now=now)
        last = SlotBooking.objects.filter(slot=slot, occurrence_start=original_start).aggregate(
            last=Max("position")
        )["last"]
        placement = Placement.objects.create(
            page=page,
            outlet=outlet,
            campaign=campaign,
            version=version,
            due_at=max(now, occurrence.start - HANDOVER_BEFORE),
            created_by=user,
        )
        return SlotBooking.objects.create(
            placement=placement,
            slot=slot,
            occurrence_start=original_start,
            position=(last or 0) + 1,
            planned_seconds=seconds,
            item_type=version.get("item_type") or ItemType.LIVE_READ,
            notes=notes[:200],
        )


def pool_candidates(*, slot: BroadcastSlot, pages: Iterable[Page]) -> list[Candidate]:
    """The pool's items with their version for the slot's outlet, ordered for rotation: the
    ones aired fewest times on this outlet first, among those the longest ago first.
    Items whose version has errors are left out."""
    outlet = slot.outlet
    channel = get_channel(outlet.kind)
    pages = [page.specific for page in pages]
    history = {
        row["placement__page_id"]: row
        for row in live_bookings()
        .filter(slot__outlet=outlet, placement__page__in=[page.pk for page in pages])
        .values("placement__page_id")
        .annotate(aired=Count("pk"), last=Max("occurrence_start"))
    }
    candidates = []
    for page in pages:
        version = channel.build_version(page)
        if any(problem.blocking for problem in channel.validate(version, page, outlet)):
            continue
        row = history.get(page.pk, {})
        candidates.append(
            Candidate(
                page=page,
                version=version,
                seconds=version_seconds(version, outlet),
                aired=row.get("aired", 0),
                last_aired=row.get("last"),
            )
        )
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    candidates.sort(key=lambda c: (c.aired, c.last_aired or epoch, c.page.pk))
    return candidates


def best_fit(seconds: list[int], capacity: int) -> list[int]:
    """Indexes of the items whose seconds add up closest to ``capacity`` without going over;
    among equal totals, the one taking items earliest in the list (subset-sum)."""
    reachable: dict[int, tuple[int, ...]] = {0: ()}
    for index, length in enumerate(seconds):
        if length <= 0 or length > capacity:
            continue
        for total, chosen in list(reachable.items()):
            new_total = total + length
            # Items are tried in rotation order: the first way to reach a total is kept.
            if new_total <= capacity and new_total not in reachable:
                reachable[new_total] = (*chosen, index)
    return list(reachable[max(reachable)])


def fill_choice(candidates: list[Candidate], capacity: int) -> list[Candidate]:
    """Which candidates to book into ``capacity`` seconds.

    Rotation comes first: the items aired fewest times fill the occurrence as closely as they
    can, and an item aired more often only takes what is left, so no item repeats while one
    aired less often would still fit.
    """
    chosen: list[Candidate] = []
    left = capacity
    for aired in sorted({candidate.aired for candidate in candidates}):
        tier = [candidate for candidate in candidates if candidate.aired == aired]
        picked = [tier[index] for index in best_fit([c.seconds for c in tier], left)]
        chosen += picked
        left -= sum(candidate.seconds for candidate in picked)
        if left <= 0:
            break
    return chosen


def slot_fill(
    *,
    slot: BroadcastSlot,
    original_start: datetime.datetime,
    pages: Iterable[Page],
    user=None,
    campaign=None,
    now: datetime.datetime | None = None,
) -> list[SlotBooking]:
    """Fill an occurrence from a pool of approved items (a theme's or a campaign's), as
    close to its free seconds as possible without going over, rotating (see ``fill_choice``).
    Items already in the occurrence are not booked again."""
    now = now or timezone.now()
    occurrence = _occurrence(slot, original_start)
    present = set(
        live_bookings()
        .filter(slot=slot, occurrence_start=original_start)
        .values_list("placement__page_id", flat=True)
    )
    candidates = [
        candidate
        for candidate in pool_candidates(slot=slot, pages=pages)
        if candidate.page.pk not in present
    ]
    bookings = []
    with transaction.atomic():
        for candidate in fill_choice(candidates, occurrence.free_seconds):
            bookings.append(
                booking_place(
                    page=candidate.page,
                    slot=slot,
                    original_start=original_start,
                    version=candidate.version,
                    user=user,
                    campaign=campaign,
                    now=now,
                )
            )
    return bookings


def approved_pool(*, theme=None, campaign=None) -> list[Page]:
    """Live articles of a theme or a campaign's themes: the pool a slot is filled from."""
    from publicity.models import ArticlePage

    pages = ArticlePage.objects.live()
    if theme is not None:
        pages = pages.filter(themes=theme)
    elif campaign is not None:
        pages = pages.filter(themes__in=campaign.themes.all())
    return list(pages.distinct().order_by("pk"))


def booking_revise(*, booking: SlotBooking, version: dict, user=None) -> SlotBooking:
    """Save an edited version (script, lead-in, clip) of a booked item not yet handed over:
    validated, re-timed at the outlet's pace and checked against the occurrence's capacity
    without the item's own earlier seconds."""
    slot = booking.slot
    outlet = slot.outlet
    channel = get_channel(outlet.kind)
    errors = [p.message for p in channel.validate(version, None, outlet) if p.blocking]
    if errors:
        raise BookingError("；".join(errors))
    seconds = version_seconds(version, outlet)
    version = {**version, "seconds": seconds}
    with transaction.atomic():
        BroadcastSlot.objects.select_for_update().filter(pk=slot.pk).first()
        placement = Placement.objects.select_for_update().get(pk=booking.placement_id)
        if placement.status not in EDITABLE_STATUSES:
            raise BookingError(
                _("该条目当前状态为“%(status)s”，串联单已交付或已结束，不能再修改。")
                % {"status": placement.get_status_display()}
            )
        occurrence = _occurrence(slot, booking.occurrence_start)
        others = occurrence.booked_seconds - booking.planned_seconds
        _check_fits(replace(occurrence, booked_seconds=others), seconds, now=timezone.now())
        Placement.objects.filter(pk=placement.pk).update(version=version, updated_at=timezone.now())
        booking.planned_seconds = seconds
        booking.item_type = version.get("item_type") or booking.item_type
        booking.save(update_fields=["planned_seconds", "item_type"])
    booking.placement.refresh_from_db()
    return booking
