"""Campaigns measured against their targets: what is planned per medium and day, which
targets that meets, the planner's media × days grid and the state of the next key dates.

Only placements tagged with the campaign count, and not cancelled or failed ones: a failed
placement has not gone out, and is counted again once it is retried.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publicity import key_dates
from publicity.campaign_targets import Assessment, Medium, assess, describe
from publicity.models import Campaign, KeyDate

from ..models import Placement

NOT_COUNTED = (Placement.Status.CANCELLED, Placement.Status.FAILED)
# How many days a plan's grid shows at most; a longer window is planned a part at a time.
GRID_MAX_DAYS = 62

DayCounts = dict[tuple[int, str], Counter]


def planned_per_day(campaign_ids: Iterable[int]) -> DayCounts:
    """Counted placements per (campaign, medium) and day in Asia/Shanghai, in one query."""
    ids = list(campaign_ids)
    counts: DayCounts = defaultdict(Counter)
    if not ids:
        return counts
    rows = (
        Placement.objects.filter(campaign_id__in=ids)
        .exclude(status__in=NOT_COUNTED)
        .annotate(day=TruncDate("due_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values_list("campaign_id", "outlet__medium", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for campaign_id, medium, day, n in rows:
        counts[(campaign_id, medium)][day] += n
    return counts


def campaign_assessments(campaign: Campaign, counts: DayCounts) -> list[Assessment]:
    """Each of the campaign's targets against what is planned (``campaign.targets`` should be
    prefetched when there are many campaigns)."""
    results = []
    for target_row in campaign.targets.all():
        target = target_row.as_target()
        per_day = counts.get((campaign.pk, target.medium), Counter())
        results.append(assess(target, campaign.starts_on, campaign.ends_on, per_day.elements()))
    return results


class State:
    NONE = "none"
    BELOW = "below"
    MET = "met"


STATE_LABELS = {
    State.NONE: _("尚无宣传活动"),
    State.BELOW: _("已计划，未达目标"),
    State.MET: _("已计划，达到目标"),
}


def campaign_state(assessments: list[Assessment]) -> str:
    """Below target until every target is met; a campaign without targets is below too, as
    nothing says what is enough."""
    if assessments and all(a.met for a in assessments):
        return State.MET
    return State.BELOW


@dataclass
class KeyDateStatus:
    """An upcoming key date, the campaign serving it (if any) and how that stands."""

    occurrence: key_dates.Occurrence
    window: tuple[datetime.date, datetime.date]
    campaign: Campaign | None
    state: str
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def days_left(self) -> int:
        return (self.occurrence.date - timezone.localdate()).days


def campaign_for(occurrence: key_dates.Occurrence, campaigns: list[Campaign]) -> Campaign | None:
    """The campaign of the key date whose window meets the occurrence's lead-in or span."""
    start = occurrence.date - datetime.timedelta(days=occurrence.key_date.lead_days)
    for campaign in campaigns:
        if (
            campaign.key_date_id == occurrence.key_date.pk
            and campaign.starts_on <= occurrence.ends_on
            and campaign.ends_on >= start
        ):
            return campaign
    return None


def upcoming_key_dates(*, limit: int, today: datetime.date | None = None) -> list[KeyDateStatus]:
    """The next ``limit`` key dates (a window in progress counts) with their campaign state."""
    today = today or timezone.localdate()
    occurrences = []
    for key_date in KeyDate.objects.select_related("window_end"):
        try:
            occurrences.append(key_dates.next_occurrence(key_date, today))
        except ValueError:  # a rule with no date for decades (a rare lunar leap month)
            continue
    upcoming = sorted(occurrences, key=lambda o: (o.date, o.key_date.name))[:limit]
    ids = [o.key_date.pk for o in upcoming]
    campaigns = list(
        Campaign.objects.filter(
            key_date_id__in=ids, ends_on__gte=today - datetime.timedelta(days=400)
        )
        .prefetch_related("targets")
        .order_by("starts_on")
    )
    counts = planned_per_day(c.pk for c in campaigns)
    result = []
    for occurrence in upcoming:
        campaign = campaign_for(occurrence, campaigns)
        window = key_dates.proposed_window(occurrence, occurrence.key_date.lead_days)
        if campaign is None:
            result.append(KeyDateStatus(occurrence, window, None, State.NONE))
            continue
        assessments = campaign_assessments(campaign, counts)
        result.append(
            KeyDateStatus(occurrence, window, campaign, campaign_state(assessments), assessments)
        )
    return result


@dataclass
class PlanCell:
    day: datetime.date
    count: int
    lacking: bool


@dataclass
class PlanRow:
    medium: str
    label: str
    cells: list[PlanCell]
    targets: list[tuple[str, Assessment]]


@dataclass
class Plan:
    """The planner's grid for one campaign: media × days, with each target's standing."""

    campaign: Campaign
    days: list[datetime.date]
    rows: list[PlanRow]
    # The first days of the parts before and after this one, for a window longer than a grid.
    earlier: datetime.date | None = None
    later: datetime.date | None = None

    @property
    def state(self) -> str:
        return campaign_state([a for row in self.rows for _text, a in row.targets])


def campaign_plan(campaign: Campaign, *, first_day: datetime.date | None = None) -> Plan:
    """The media × days grid of ``campaign`` from ``first_day`` (the window's start by
    default), at most ``GRID_MAX_DAYS`` days: counted placements per cell, cells lacking
    against a target marked, and each target, over the whole window, with whether it is met."""
    counts = planned_per_day([campaign.pk])
    assessments = campaign_assessments(campaign, counts)
    first = min(max(first_day or campaign.starts_on, campaign.starts_on), campaign.ends_on)
    shown = min((campaign.ends_on - first).days + 1, GRID_MAX_DAYS)
    days = [first + datetime.timedelta(days=n) for n in range(shown)]
    rows = []
    for medium in Medium:
        own = [a for a in assessments if a.target.medium == medium.value]
        lacking = {day for a in own for day in a.lacking_days}
        per_day = counts.get((campaign.pk, medium.value), Counter())
        rows.append(
            PlanRow(
                medium=medium.value,
                label=str(medium.label),
                cells=[PlanCell(day, per_day[day], day in lacking) for day in days],
                targets=[(describe(a.target), a) for a in own],
            )
        )
    step = datetime.timedelta(days=GRID_MAX_DAYS)
    earlier = max(first - step, campaign.starts_on) if first > campaign.starts_on else None
    later = days[-1] + datetime.timedelta(days=1) if days[-1] < campaign.ends_on else None
    return Plan(campaign, days, rows, earlier=earlier, later=later)
