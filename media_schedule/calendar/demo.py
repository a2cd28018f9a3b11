"""The demo campaign: the next key date gets a campaign with targets and a plan that meets
some of them and leaves visible gaps, so the calendar and planner show something real.
Every step looks its row up first, so a second run changes nothing."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from publicity.campaign_targets import parse_target
from publicity.campaigns import campaign_create
from publicity.models import ArticlePage

from ..channels import get_channel
from ..models import Outlet, Placement
from ..services import outlet_version
from .planning import upcoming_key_dates

TARGETS = [
    "电视每周至少 2 条",
    "广播每天 1 次",
    "报纸活动期内 2 篇",
    "网络每周 3 条",
    "户外屏全程滚动",
]
# (medium, time of day, which days of the window: every n-th day from an offset)
PLAN = [
    ("tv", datetime.time(19, 30), 3, 0),
    ("radio", datetime.time(7, 30), 1, 1),
    ("newspaper", datetime.time(6, 0), 5, 2),
    ("online", datetime.time(10, 0), 2, 0),
    ("outdoor", datetime.time(8, 0), 1, 0),
]
# Placements shown at most per medium: the demo is a sample, not a full year.
PER_MEDIUM = 12


@dataclass
class CampaignDemoReport:
    created: dict[str, int] = field(default_factory=dict)
    campaign: str = ""

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n


@transaction.atomic
def load_demo_campaign(*, now: datetime.datetime | None = None) -> CampaignDemoReport:
    """Plan a campaign for the next key date without one, with placements of the newest
    demo articles on one outlet of each medium."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    report = CampaignDemoReport()
    upcoming = upcoming_key_dates(limit=3, today=today)
    if not upcoming:
        return report
    status = upcoming[0]
    if status.campaign is not None:
        report.campaign = status.campaign.name
        return report
    occurrence = status.occurrence
    start, end = status.window
    start = max(start, today + datetime.timedelta(days=1))
    campaign = campaign_create(
        name=f"{occurrence.key_date.name}宣传（{occurrence.date.year}）",
        starts_on=start,
        ends_on=max(end, start),
        key_date=occurrence.key_date,
        targets=[parse_target(text) for text in TARGETS],
        description="演示：按重要节点自动建议的活动期和各媒介目标。",
    )
    report.campaign = campaign.name
    report.count("campaigns")
    articles = list(ArticlePage.objects.live().order_by("-publication_date")[:6])
    if not articles:
        return report
    days = [start + datetime.timedelta(days=n) for n in range((campaign.ends_on - start).days + 1)]
    for medium, at, step, offset in PLAN:
        outlet = next(
            (
                outlet
                for outlet in Outlet.objects.filter(medium=medium, is_active=True).order_by("pk")
                # A station takes items booked into its slots, not at a time of our choosing.
                if not get_channel(outlet.kind).reschedule_refusal()
            ),
            None,
        )
        if outlet is None:
            continue
        chosen = days[offset::step][:PER_MEDIUM]
        # The outdoor screen misses the last two days: the calendar marks them.
        if medium == "outdoor":
            chosen = chosen[:-2]
        for number, day in enumerate(chosen):
            article = articles[number % len(articles)]
            due_at = timezone.make_aware(datetime.datetime.combine(day, at))
            Placement.objects.create(
                page=article,
                outlet=outlet,
                due_at=due_at,
                campaign=campaign,
                version=outlet_version(outlet=outlet, page=article).version,
            )
            report.count("placements")
    return report
