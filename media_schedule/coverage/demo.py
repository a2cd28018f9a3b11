"""Demo items of an assessment standard about publicity, written for this demo, and the
roll-up built from the delivery log where it never has been."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from publicity.models import Theme

from . import rollup
from .models import CoveragePlacement, StandardItem

# (code, text, (first month, first day), (last month, last day), medium, theme slug, count)
ITEMS = [
    ("1.1", "县报、政府门户网站和城区主要宣传栏都开设双拥专栏，全年不断档更新",
     (1, 1), (12, 31), "", "", 24),
    ("1.2", "县电视台全年播出双拥新闻、专题片或公益广告不少于十二条",
     (1, 1), (12, 31), "tv", "", 12),
    ("1.3", "县广播电台开设拥军优属栏目或插播双拥公益广告，全年不少于十二次",
     (1, 1), (12, 31), "radio", "", 12),
    ("2.1", "城区户外电子显示屏常态化滚动展示国防教育标语和短片",
     (1, 1), (12, 31), "screen", "national-defence", 50),
    ("2.2", "全民国防教育日所在月份集中推出国防教育宣传，各类媒体合计不少于五条",
     (9, 1), (9, 30), "", "national-defence", 5),
    ("3.1", "建军节前后走访慰问驻地部队和优抚对象，并在县报刊发报道",
     (7, 15), (8, 15), "newspaper", "", 2),
    ("3.2", "征兵季在网络和公众号发布征兵政策解读与入伍典型",
     (3, 1), (6, 30), "online", "conscription", 4),
    ("4.1", "双拥先进典型事迹在网络平台持续宣传推介",
     (1, 1), (12, 31), "online", "support-army", 6),
]  # fmt: skip


@dataclass
class CoverageDemoReport:
    created: list[str] = field(default_factory=list)
    placements: int = 0


def load_coverage_demo(*, today: datetime.date | None = None) -> CoverageDemoReport:
    """Create the demo standard items for this year (once, by code) and rebuild the roll-up."""
    today = today or timezone.localdate()
    report = CoverageDemoReport()
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    editors = list(
        get_user_model().objects.filter(groups__name="编辑", is_active=True).order_by("pk")[:3]
    )
    for order, (code, text, first, last, medium, theme, count) in enumerate(ITEMS):
        if StandardItem.objects.filter(code=code).exists():
            continue
        StandardItem.objects.create(
            code=code,
            text=text,
            starts_on=datetime.date(today.year, *first),
            ends_on=datetime.date(today.year, *last),
            medium=medium,
            theme=themes.get(theme),
            required_count=count,
            responsible=editors[order % len(editors)] if editors else None,
            sort_order=order,
        )
        report.created.append(code)
    # The roll-up follows every record as it is written; it is built from the log only where
    # it has never been (a system that recorded deliveries before coverage existed), not at
    # every start.
    if not CoveragePlacement.objects.exists():
        rollup.rebuild()
    report.placements = CoveragePlacement.objects.count()
    return report
