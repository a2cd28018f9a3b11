"""Demo outlets and placements for the demo articles. Every step looks its row up first, so a
second run changes nothing."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from publicity.models import ArticlePage

from .models import Outlet, Placement
from .services import outlet_version

# (name, kind, config, notes); the WeChat account's base URL is filled in from the caller.
OUTLETS = [
    ("示范县政府网站双拥专栏", Outlet.Kind.WEBSITE, {}, "本站的双拥专栏页面。"),
    (
        "示范县双拥公众号",
        Outlet.Kind.WECHAT,
        {"app_id": "wxd3e0000000000001"},
        "演示账号，接口地址可配置。",
    ),
    ("示范县广播电台", Outlet.Kind.RADIO, {}, "每日《双拥之声》节目。"),
    ("示范县电视台", Outlet.Kind.TV, {}, "《示范县新闻》双拥板块。"),
    ("示范县报", Outlet.Kind.NEWSPAPER, {}, "第二版“双拥天地”专栏。"),
    ("县文化广场户外大屏", Outlet.Kind.LED_SCREEN, {}, "文化广场东侧全彩大屏。"),
    ("人民路双拥宣传栏", Outlet.Kind.BULLETIN_BOARD, {}, "人民路与解放路交叉口。"),
]
# Demo placements: the newest articles, each on the website and the WeChat account.
ARTICLES = 3
KINDS = (Outlet.Kind.WEBSITE, Outlet.Kind.WECHAT)


@dataclass
class ScheduleDemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


@transaction.atomic
def load_demo_schedule(
    *, wechat_base_url: str, wechat_secret: str = "", now: datetime.datetime | None = None
) -> ScheduleDemoReport:
    """Create the demo outlets and a few placements for the demo articles."""
    now = now or timezone.now()
    report = ScheduleDemoReport()
    outlets = {}
    for name, kind, config, notes in OUTLETS:
        if kind == Outlet.Kind.WECHAT:
            config = {**config, "base_url": wechat_base_url}
        outlet, created = Outlet.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "config": config,
                "notes": notes,
                "secret": wechat_secret if kind == Outlet.Kind.WECHAT else "",
            },
        )
        if created:
            report.count("outlets")
        outlets[kind] = outlet
    articles = ArticlePage.objects.live().order_by("-publication_date")[:ARTICLES]
    for number, article in enumerate(articles):
        # Tomorrow morning, one article an hour, Asia/Shanghai.
        morning = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
        due_at = morning + datetime.timedelta(days=1, hours=number)
        for kind in KINDS:
            outlet = outlets[kind]
            if Placement.objects.filter(page=article, outlet=outlet).exists():
                continue
            Placement.objects.create(
                page=article,
                outlet=outlet,
                due_at=due_at,
                version=outlet_version(outlet=outlet, page=article).version,
            )
            report.count("placements")
    return report
