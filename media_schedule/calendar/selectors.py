"""The calendar's JSON feed: one range at a time of placements, broadcast slot occurrences,
key dates, campaign windows and the days a campaign lacks a medium against a target.

Times go out as Asia/Shanghai wall-clock times without an offset: the page runs FullCalendar
with ``timeZone: "Asia/Shanghai"`` and no time-zone plugin, so it shows them as given, and
sends its range back the same way.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity import key_dates
from publicity.campaign_targets import Medium
from publicity.models import Campaign, KeyDate

from ..channels import get_channel
from ..models import Outlet, Placement
from ..models.placements import LATE_AFTER
from ..services import EDIT_REFUSAL, EDITABLE
from .planning import campaign_assessments, planned_per_day

# One range at a time: a month view shows six weeks, a list a month; a little more is allowed.
MAX_RANGE = datetime.timedelta(days=62)
# Key dates are computed a year either side of the range: keep well inside datetime's years.
YEARS = (1901, 2199)
BROADCAST_APP = "media_schedule.channels.broadcast"
Status = Placement.Status

MEDIUM_COLOURS = {
    Medium.TV: "#1d5fbf",
    Medium.RADIO: "#7a3fbf",
    Medium.NEWSPAPER: "#7a5a12",
    Medium.ONLINE: "#18794e",
    Medium.OUTDOOR: "#b34700",
}
KEY_DATE_COLOUR = "#b3261e"
CAMPAIGN_COLOUR = "#e8eef7"
SLOT_COLOUR = "#5f6b7a"


class FeedError(ValueError):
    """A request the feed cannot answer, with the reason in Chinese."""


@dataclass
class Filters:
    outlets: list[int] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    campaign: int | None = None
    statuses: list[str] = field(default_factory=list)

    @property
    def placements_only(self) -> bool:
        """A status or campaign filter asks about placements: occurrences are left out."""
        return bool(self.statuses) or self.campaign is not None


def parse_moment(value: str) -> datetime.datetime:
    """An ISO date or date-time; without an offset it is Asia/Shanghai wall-clock time."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise FeedError(_("时间“%(value)s”看不懂。") % {"value": value[:40]}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_range(start: str | None, end: str | None) -> tuple[datetime.datetime, datetime.datetime]:
    """The ``start``/``end`` a FullCalendar source sends, checked: both given, in order, and
    no longer than ``MAX_RANGE``."""
    if not start or not end:
        raise FeedError(_("请给出日历范围（start 和 end）。"))
    begin, finish = parse_moment(start), parse_moment(end)
    if finish <= begin:
        raise FeedError(_("结束时间必须晚于开始时间。"))
    if finish - begin > MAX_RANGE:
        raise FeedError(_("一次最多查询 %(days)d 天。") % {"days": MAX_RANGE.days})
    if not (YEARS[0] <= begin.year and finish.year <= YEARS[1]):
        raise FeedError(
            _("日历只显示 %(first)d 年至 %(last)d 年。") % {"first": YEARS[0], "last": YEARS[1]}
        )
    return begin, finish


def _ints(values: list[str], what: str) -> list[int]:
    try:
        return [int(v) for v in values if v != ""]
    except ValueError:
        raise FeedError(_("%(what)s参数不正确。") % {"what": what}) from None


def parse_filters(params: QueryDict) -> Filters:
    """Outlet, medium, campaign and status filters; unknown values are refused, not ignored."""
    media = [m for m in params.getlist("medium") if m]
    if unknown := set(media) - set(Medium.values):
        raise FeedError(_("没有媒介“%(value)s”。") % {"value": sorted(unknown)[0][:20]})
    statuses = [s for s in params.getlist("status") if s]
    if unknown := set(statuses) - set(Status.values):
        raise FeedError(_("没有状态“%(value)s”。") % {"value": sorted(unknown)[0][:20]})
    campaigns = _ints(params.getlist("campaign"), _("宣传活动"))
    return Filters(
        outlets=_ints(params.getlist("outlet"), _("发布渠道")),
        media=media,
        campaign=campaigns[0] if campaigns else None,
        statuses=statuses,
    )


def wall_clock(moment: datetime.datetime) -> str:
    """``2026-09-19T09:30:00``: Asia/Shanghai, no offset (see the module docstring)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def filtered_placements(start, end, filters: Filters):
    placements = Placement.objects.filter(due_at__gte=start, due_at__lt=end)
    if filters.outlets:
        placements = placements.filter(outlet_id__in=filters.outlets)
    if filters.media:
        placements = placements.filter(outlet__medium__in=filters.media)
    if filters.campaign is not None:
        placements = placements.filter(campaign_id=filters.campaign)
    if filters.statuses:
        placements = placements.filter(status__in=filters.statuses)
    return placements


def placement_events(start, end, filters: Filters, *, can_move: bool, now=None) -> list[dict]:
    """Placements due in ``[start, end)``, coloured by medium; failed and overdue ones carry
    a class that makes them stand out, and only those not in flight can be dragged."""
    now = now or timezone.now()
    rows = (
        filtered_placements(start, end, filters)
        .values_list(
            "pk",
            "due_at",
            "status",
            "confirm_by",
            "outlet__name",
            "outlet__medium",
            "outlet__kind",
            "page__title",
        )
        .order_by("due_at", "pk")
    )
    marker = 987654321
    inspect = reverse("media_schedule_placement:inspect", args=[marker])
    # Labels translated once, not per row: a month can hold tens of thousands of rows.
    labels = {value: str(label) for value, label in Status.choices}
    refusals = {
        value: "" if value in EDITABLE else str(EDIT_REFUSAL) % {"status": labels[value]}
        for value in Status.values
    }
    medium_labels = {value: str(label) for value, label in Medium.choices}
    zone = ZoneInfo(settings.TIME_ZONE)
    late_before = now - LATE_AFTER
    final = set(Placement.FINAL_STATUSES)
    events = []
    kind_refusals: dict[str, str] = {}
    for pk, due_at, status, confirm_by, outlet, medium, kind, title in rows:
        classes = ["cal-placement"]
        if status == Status.FAILED:
            classes.append("cal-failed")
        overdue = (status == Status.AWAITING and confirm_by is not None and confirm_by < now) or (
            status not in final and status != Status.AWAITING and due_at < late_before
        )
        if overdue:
            classes.append("cal-overdue")
        if kind not in kind_refusals:
            kind_refusals[kind] = str(get_channel(kind).reschedule_refusal(None) or "")
        refusal = refusals.get(status, "") or kind_refusals[kind]
        movable = can_move and not refusal
        if not movable:
            classes.append("cal-locked")
        events.append(
            {
                "id": f"p{pk}",
                "title": f"{title}（{outlet}）",
                "start": due_at.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds"),
                "color": MEDIUM_COLOURS.get(medium, SLOT_COLOUR),
                "classNames": classes,
                "editable": movable,
                "url": inspect.replace(str(marker), str(pk)),
                "extendedProps": {
                    "kind": "placement",
                    "pk": pk,
                    "status": status,
                    "statusLabel": labels.get(status, status),
                    "medium": medium_labels.get(medium, medium),
                    "refusal": refusal,
                },
            }
        )
    return events


def slot_events(start, end, filters: Filters) -> list[dict]:
    """Broadcast slot occurrences in the range, when the broadcast app is installed."""
    if filters.placements_only or not apps.is_installed(BROADCAST_APP):
        return []
    from media_schedule.channels.broadcast.occurrences import occurrences_between

    occurrences = occurrences_between(start, end, outlets=filters.outlets or None)
    events = []
    for occurrence in occurrences:
        if filters.media and occurrence.outlet.medium not in filters.media:
            continue
        events.append(
            {
                "id": f"s{occurrence.key}",
                "title": _("%(slot)s（已排 %(booked)d/%(capacity)d 秒）")
                % {
                    "slot": occurrence.slot,
                    "booked": occurrence.booked_seconds,
                    "capacity": occurrence.capacity_seconds,
                },
                "start": wall_clock(occurrence.start),
                "end": wall_clock(occurrence.end),
                "color": SLOT_COLOUR,
                "classNames": ["cal-slot"],
                "editable": False,
                "extendedProps": {"kind": "slot", "outlet": occurrence.outlet.name},
            }
        )
    return events


def _all_day_end(day: datetime.date) -> str:
    # FullCalendar's all-day ends are exclusive.
    return (day + datetime.timedelta(days=1)).isoformat()


def key_date_events(start, end) -> list[dict]:
    """Key dates (and key-date windows) touching the range."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    rules = list(KeyDate.objects.select_related("window_end"))
    events = []
    for occurrence in key_dates.occurrences_between(rules, first, last):
        events.append(
            {
                "id": f"k{occurrence.key_date.pk}-{occurrence.date:%Y%m%d}",
                "title": f"★ {occurrence.key_date.name}",
                "start": occurrence.date.isoformat(),
                "end": _all_day_end(occurrence.ends_on),
                "allDay": True,
                "color": KEY_DATE_COLOUR,
                "classNames": ["cal-key-date"],
                "editable": False,
                "url": reverse("schedule_calendar:planner") + f"?key_date={occurrence.key_date.pk}",
                "extendedProps": {"kind": "key_date"},
            }
        )
    return events


def campaign_events(start, end, filters: Filters) -> list[dict]:
    """Campaign windows touching the range, and per day the media a campaign lacks against
    its targets (a background mark and a line naming them)."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    # The range's end is exclusive: a range ending at midnight does not include that day.
    if timezone.localtime(end).time() == datetime.time():
        last -= datetime.timedelta(days=1)
    campaigns = Campaign.objects.filter(starts_on__lte=last, ends_on__gte=first)
    if filters.campaign is not None:
        campaigns = campaigns.filter(pk=filters.campaign)
    campaigns = list(campaigns.prefetch_related("targets").order_by("starts_on", "pk"))
    counts = planned_per_day(c.pk for c in campaigns)
    planner = reverse("schedule_calendar:planner")
    medium_labels = dict(Medium.choices)
    events = []
    lacking: dict[datetime.date, set[str]] = {}
    for campaign in campaigns:
        events.append(
            {
                "id": f"c{campaign.pk}",
                "title": _("活动：%(name)s") % {"name": campaign.name},
                "start": campaign.starts_on.isoformat(),
                "end": _all_day_end(campaign.ends_on),
                "allDay": True,
                "color": CAMPAIGN_COLOUR,
                "textColor": "#1b2a41",
                "classNames": ["cal-campaign"],
                "editable": False,
                "url": f"{planner}?campaign={campaign.pk}",
                "extendedProps": {"kind": "campaign"},
            }
        )
        for assessment in campaign_assessments(campaign, counts):
            medium = assessment.target.medium
            if filters.media and medium not in filters.media:
                continue
            for day in assessment.lacking_days:
                if first <= day <= last:
                    lacking.setdefault(day, set()).add(medium)
    order = list(Medium.values)
    for day, media in sorted(lacking.items()):
        names = "、".join(str(medium_labels[m]) for m in sorted(media, key=order.index))
        events.append(
            {
                "id": f"g{day:%Y%m%d}",
                "start": day.isoformat(),
                "end": _all_day_end(day),
                "allDay": True,
                "display": "background",
                "classNames": ["cal-gap-day"],
                "extendedProps": {"kind": "gap_day"},
            }
        )
        events.append(
            {
                "id": f"n{day:%Y%m%d}",
                "title": _("待补：%(media)s") % {"media": names},
                "start": day.isoformat(),
                "end": _all_day_end(day),
                "allDay": True,
                "color": "#fde7e4",
                "textColor": "#8a1c12",
                "classNames": ["cal-gap"],
                "editable": False,
                "extendedProps": {"kind": "gap", "media": sorted(media, key=order.index)},
            }
        )
    return events


def calendar_feed(
    *, start: datetime.datetime, end: datetime.datetime, filters: Filters, can_move: bool
) -> list[dict]:
    """Everything the calendar shows in ``[start, end)``; key dates, campaigns and gaps first so
    they sit above the day's placements."""
    events = key_date_events(start, end)
    events += campaign_events(start, end, filters)
    events += slot_events(start, end, filters)
    events += placement_events(start, end, filters, can_move=can_move)
    return events


def outlet_choices():
    """Active and inactive outlets for the filter, by name."""
    return list(Outlet.objects.order_by("name").values_list("pk", "name"))


def campaign_choices(*, around: datetime.date):
    """Campaigns of the last and next year for the filter, newest first."""
    span = datetime.timedelta(days=400)
    return list(
        Campaign.objects.filter(
            Q(ends_on__gte=around - span) & Q(starts_on__lte=around + span)
        ).values_list("pk", "name")
    )
