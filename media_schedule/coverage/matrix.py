"""The coverage matrix: media × time buckets, delivered apart from planned, with gaps.

Delivered counts come from the roll-up (``rollup``), read per Beijing day and folded into
buckets here; planned and missed (failed, or overdue for confirmation) placements are read
from the schedule and shown in the cell they were due in. Targets are the campaign's
(``publicity.campaign_targets``); a bucket short of one is a gap, with what would close it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from media_schedule.models import Placement
from publicity.campaign_targets import Per, Target, describe, weekly_quota
from publicity.models import ArticlePage, Campaign, Theme

from .columns import COLUMN_KEYS, LABELS, MEDIUM_COLUMNS, column_of
from .models import ALL_CAMPAIGNS, CoverageDay, CoveragePlacement
from .periods import Bucket, bucket_index, buckets, chinese_date

Status = Placement.Status
PLANNED_STATUSES = [
    Status.PLANNED,
    Status.APPROVED,
    Status.QUEUED,
    Status.SENDING,
    Status.UNCONFIRMED,
    Status.AWAITING,
]


@dataclass
class Shortfall:
    """A target's period (a day, a week, the campaign) that did not get its count."""

    target: Target
    start: datetime.date
    end: datetime.date
    required: int
    have: int
    planned: int = 0
    suggestions: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.required - self.have

    @property
    def label(self) -> str:
        return gettext("%(target)s：%(start)s至%(end)s 已播 %(have)d，还差 %(missing)d") % {
            "target": describe(self.target),
            "start": chinese_date(self.start),
            "end": chinese_date(self.end),
            "have": self.have,
            "missing": self.missing,
        }


@dataclass
class Cell:
    bucket: Bucket
    column: str
    delivered: int = 0
    airtime_seconds: int = 0
    outlet_days: int = 0
    planned: int = 0
    missed: int = 0
    shortfalls: list[Shortfall] = field(default_factory=list)
    url: str = ""

    @property
    def is_gap(self) -> bool:
        return bool(self.shortfalls)

    @property
    def missing(self) -> int:
        return sum(s.missing for s in self.shortfalls)


@dataclass
class Row:
    column: str
    label: str
    cells: list[Cell]

    @property
    def delivered(self) -> int:
        return sum(c.delivered for c in self.cells)

    @property
    def planned(self) -> int:
        return sum(c.planned for c in self.cells)

    @property
    def missed(self) -> int:
        return sum(c.missed for c in self.cells)

    @property
    def airtime_seconds(self) -> int:
        return sum(c.airtime_seconds for c in self.cells)

    @property
    def outlet_days(self) -> int:
        return sum(c.outlet_days for c in self.cells)


@dataclass
class Matrix:
    start: datetime.date
    end: datetime.date
    granularity: str
    buckets: list[Bucket]
    rows: list[Row]
    campaign: Campaign | None = None
    theme: Theme | None = None
    shortfalls: list[Shortfall] = field(default_factory=list)

    def row(self, column: str) -> Row:
        return next(r for r in self.rows if r.column == column)

    @property
    def max_delivered(self) -> int:
        return max((c.delivered for r in self.rows for c in r.cells), default=0)


def _local_bounds(start: datetime.date, end: datetime.date):
    zone = ZoneInfo(settings.TIME_ZONE)
    begin = datetime.datetime.combine(start, datetime.time(), zone)
    stop = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), zone)
    return begin, stop


def theme_filter(theme: Theme, prefix: str = "") -> Q:
    """Placements whose page or whose campaign carries ``theme``."""
    pages = ArticlePage.objects.filter(themes=theme).values("pk")
    return Q(**{f"{prefix}page_id__in": pages}) | Q(**{f"{prefix}campaign__themes": theme})


def delivered_by_day(
    *, start: datetime.date, end: datetime.date, campaign: Campaign | None, theme: Theme | None
) -> dict[tuple[datetime.date, str], tuple[int, int, int]]:
    """(day, column) → (delivered, airtime seconds, outlet-days) for the period."""
    if theme is None:
        rows = CoverageDay.objects.filter(
            day__gte=start,
            day__lte=end,
            campaign_key=campaign.pk if campaign else ALL_CAMPAIGNS,
        ).values_list("day", "column", "delivered", "airtime_seconds", "outlets")
        return {(day, col): (n, air, outlets) for day, col, n, air, outlets in rows}
    facts = CoveragePlacement.objects.filter(day__gte=start, day__lte=end, counted=True)
    facts = facts.filter(placement__in=Placement.objects.filter(theme_filter(theme)))
    if campaign is not None:
        facts = facts.filter(campaign_key=campaign.pk)
    rows = (
        facts.values("day", "column")
        .annotate(
            n=Count("pk"),
            air=Sum("airtime_seconds"),
            outlets=Count("outlet_id", distinct=True),
        )
        .order_by()
    )
    return {(r["day"], r["column"]): (r["n"], r["air"] or 0, r["outlets"]) for r in rows}


def scheduled_by_day(
    *,
    start: datetime.date,
    end: datetime.date,
    campaign: Campaign | None,
    theme: Theme | None,
    now: datetime.datetime,
) -> dict[tuple[datetime.date, str], list[int]]:
    """(day, column) → [planned, missed] by the Beijing day each placement was due.

    Missed: failed, or handed over and past its confirmation deadline; planned: the rest
    of what may still go out.
    """
    begin, stop = _local_bounds(start, end)
    placements = Placement.objects.filter(due_at__gte=begin, due_at__lt=stop)
    if campaign is not None:
        placements = placements.filter(campaign=campaign)
    if theme is not None:
        placements = placements.filter(theme_filter(theme)).distinct()
    overdue = Q(status=Status.AWAITING, confirm_by__lt=now)
    rows = (
        placements.filter(status__in=[*PLANNED_STATUSES, Status.FAILED])
        .annotate(day=TruncDate("due_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("day", "outlet__kind", "outlet__medium")
        .annotate(
            missed=Count("pk", filter=Q(status=Status.FAILED) | overdue),
            total=Count("pk"),
        )
        .order_by()
    )
    found: dict[tuple[datetime.date, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        column = column_of(medium=row["outlet__medium"], kind=row["outlet__kind"])
        cell = found[(row["day"], column)]
        cell[0] += row["total"] - row["missed"]
        cell[1] += row["missed"]
    return found


def cell_url(
    *, column: str, start: datetime.date, end: datetime.date, campaign=None, theme=None
) -> str:
    params = {"column": column, "start": start.isoformat(), "end": end.isoformat()}
    if campaign is not None:
        params["campaign"] = campaign.pk
    if theme is not None:
        params["theme"] = theme.pk
    return reverse("coverage:cell") + "?" + urlencode(params)


def coverage_matrix(
    *,
    start: datetime.date,
    end: datetime.date,
    granularity: str,
    campaign: Campaign | None = None,
    theme: Theme | None = None,
    now: datetime.datetime | None = None,
    with_links: bool = True,
    with_suggestions: bool = True,
) -> Matrix:
    """The matrix for ``start``–``end`` (Beijing days, both included) cut by ``granularity``,
    for one campaign, one theme, both or everything."""
    now = now or timezone.now()
    found = buckets(start, end, granularity)
    index = bucket_index(found)
    rows = []
    for column in COLUMN_KEYS:
        cells = [Cell(bucket=b, column=column) for b in found]
        if with_links:
            for cell in cells:
                cell.url = cell_url(
                    column=column, start=cell.bucket.start, end=cell.bucket.end,
                    campaign=campaign, theme=theme,
                )  # fmt: skip
        rows.append(Row(column=column, label=str(LABELS[column]), cells=cells))
    by_column = {row.column: row for row in rows}
    delivered = delivered_by_day(start=start, end=end, campaign=campaign, theme=theme)
    for (day, column), (n, air, outlets) in delivered.items():
        cell = by_column[column].cells[index[day]]
        cell.delivered += n
        cell.airtime_seconds += air
        cell.outlet_days += outlets
    scheduled = scheduled_by_day(start=start, end=end, campaign=campaign, theme=theme, now=now)
    for (day, column), (planned, missed) in scheduled.items():
        cell = by_column[column].cells[index[day]]
        cell.planned += planned
        cell.missed += missed
    matrix = Matrix(start, end, granularity, found, rows, campaign, theme)
    if campaign is not None:
        _apply_targets(matrix, delivered, scheduled, now, with_suggestions)
    return matrix


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def target_shortfalls(
    target: Target,
    *,
    start: datetime.date,
    end: datetime.date,
    per_day: dict[datetime.date, int],
    today: datetime.date,
) -> list[Shortfall]:
    """The periods of ``start``–``end`` (already clipped to the campaign) that have begun by
    ``today`` and fall short of ``target``, counting ``per_day`` delivered pieces."""
    periods: list[tuple[list[datetime.date], int]] = []
    days = [d for d in _days(start, end) if d <= today]
    if target.per in (Per.DAY, Per.CONTINUOUS):
        need = target.count if target.per == Per.DAY else 1
        periods = [([d], need) for d in days]
    elif target.per == Per.WEEK:
        weeks: dict[tuple[int, int], list[datetime.date]] = {}
        for day in _days(start, end):
            weeks.setdefault(day.isocalendar()[:2], []).append(day)
        periods = [
            (week, weekly_quota(target.count, len(week)))
            for week in weeks.values()
            if week[0] <= today
        ]
    elif target.per == Per.CAMPAIGN and days:
        periods = [(_days(start, end), target.count)]
    found = []
    for period_days, required in periods:
        have = sum(per_day.get(d, 0) for d in period_days)
        if have < required:
            found.append(Shortfall(target, period_days[0], period_days[-1], required, have))
    return found


def _apply_targets(matrix: Matrix, delivered, scheduled, now, with_suggestions: bool) -> None:
    campaign = matrix.campaign
    start = max(matrix.start, campaign.starts_on)
    end = min(matrix.end, campaign.ends_on)
    if start > end:
        return
    today = timezone.localtime(now).date()
    # Free slots and key dates are looked up once per matrix, not once per gap.
    lookups: dict = {}
    for target_row in campaign.targets.all():
        target = target_row.as_target()
        columns = MEDIUM_COLUMNS.get(target.medium, [])
        per_day: dict[datetime.date, int] = defaultdict(int)
        planned_day: dict[datetime.date, int] = defaultdict(int)
        for (day, column), (n, _air, _outlets) in delivered.items():
            if column in columns:
                per_day[day] += n
        for (day, column), (planned, _missed) in scheduled.items():
            if column in columns:
                planned_day[day] += planned
        window = (campaign.starts_on, campaign.ends_on) if target.per == Per.CAMPAIGN else None
        if window is not None:
            # A campaign-wide count is judged over the whole campaign, not the page's period.
            whole = delivered_by_day(
                start=campaign.starts_on, end=campaign.ends_on, campaign=campaign, theme=None
            )
            per_day = defaultdict(int)
            for (day, column), (n, _air, _outlets) in whole.items():
                if column in columns:
                    per_day[day] += n
        shortfalls = target_shortfalls(
            target,
            start=window[0] if window else start,
            end=window[1] if window else end,
            per_day=per_day,
            today=today,
        )
        for shortfall in shortfalls:
            shortfall.planned = sum(
                planned_day.get(d, 0) for d in _days(shortfall.start, shortfall.end)
            )
            if with_suggestions:
                shortfall.suggestions = closing_suggestions(
                    shortfall, columns=columns, now=now, lookups=lookups
                )
            matrix.shortfalls.append(shortfall)
            for column in columns:
                for cell in matrix.row(column).cells:
                    if cell.bucket.start <= shortfall.end and shortfall.start <= cell.bucket.end:
                        cell.shortfalls.append(shortfall)


def closing_suggestions(
    shortfall: Shortfall,
    *,
    columns: list[str],
    now: datetime.datetime,
    lookups: dict | None = None,
) -> list[str]:
    """What would close a gap: pieces already planned, the next free broadcast slot on a
    station (radio and TV), the next key date near the period. ``lookups`` caches the slot
    and key-date look-ups between calls for one matrix."""
    lookups = {} if lookups is None else lookups
    found = []
    if shortfall.planned:
        found.append(
            gettext("已排期 %(count)d 条待播出，请督促刊播并登记证据。")
            % {"count": shortfall.planned}
        )
    if set(columns) & {"tv", "radio"} and apps.is_installed("media_schedule.channels.broadcast"):
        key = ("slot", tuple(columns))
        if key not in lookups:
            lookups[key] = _next_free_slot(columns, now)
        if lookups[key] is not None:
            found.append(lookups[key])
    if "key_dates" not in lookups:
        from publicity.selectors import next_key_dates

        lookups["key_dates"] = next_key_dates(limit=3, today=timezone.localtime(now).date())
    key_date = _next_key_date(shortfall, now, lookups["key_dates"])
    if key_date:
        found.append(key_date)
    found.append(
        gettext("在%(medium)s再刊播 %(count)d 条即可补齐。")
        % {
            "medium": "、".join(str(LABELS[c]) for c in columns),
            "count": shortfall.missing,
        }
    )
    return found


def _next_free_slot(columns: list[str], now: datetime.datetime) -> str | None:
    from media_schedule.channels.broadcast.occurrences import occurrences_between
    from media_schedule.models import Outlet

    outlets = [
        o
        for o in Outlet.objects.filter(is_active=True, kind__in=[Outlet.Kind.TV, Outlet.Kind.RADIO])
        if column_of(medium=o.medium, kind=o.kind) in columns
    ]
    if not outlets:
        return None
    for occurrence in occurrences_between(now, now + datetime.timedelta(days=14), outlets):
        if occurrence.free_seconds > 0:
            local = timezone.localtime(occurrence.start)
            return gettext("最近的空闲时段：%(outlet)s %(when)s（余 %(seconds)d 秒）") % {
                "outlet": occurrence.outlet.name,
                "when": f"{chinese_date(local.date())} {local:%H:%M}",
                "seconds": occurrence.free_seconds,
            }
    return None


def _next_key_date(shortfall: Shortfall, now: datetime.datetime, upcoming_dates) -> str | None:
    today = timezone.localtime(now).date()
    for upcoming in upcoming_dates:
        if upcoming.date <= max(shortfall.end, today) + datetime.timedelta(days=30):
            return gettext("临近重要节点：%(name)s（%(date)s），可借势集中刊播。") % {
                "name": upcoming.key_date.name,
                "date": chinese_date(upcoming.date),
            }
    return None


def cell_placements(
    *,
    column: str,
    start: datetime.date,
    end: datetime.date,
    campaign: Campaign | None,
    theme: Theme | None,
):
    """The placements due in a cell that are not delivered: planned, failed or overdue."""
    from media_schedule.models import Outlet

    begin, stop = _local_bounds(start, end)
    outlets = [
        o.pk for o in Outlet.objects.all() if column_of(medium=o.medium, kind=o.kind) == column
    ]
    placements = Placement.objects.filter(
        due_at__gte=begin,
        due_at__lt=stop,
        outlet_id__in=outlets,
        status__in=[*PLANNED_STATUSES, Status.FAILED],
    )
    if campaign is not None:
        placements = placements.filter(campaign=campaign)
    if theme is not None:
        placements = placements.filter(theme_filter(theme)).distinct()
    return placements.select_related("outlet", "page").order_by("due_at", "pk")
