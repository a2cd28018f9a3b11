"""Demo screens for the embedded run: LED outlets, screens and slogans already on them."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from media_schedule.dispatch.record import delivery_confirm
from media_schedule.models import DeliveryRecord, Outlet, Placement
from publicity.models import ArticlePage

from . import services
from .models import Screen

# (outlet name, width, height, colour mode, location, controller vendor, controller model)
SCREENS = [
    ("县武装部门头条屏", 64, 16, "single", "县人民武装部大门上方", "灵信", "LS-U6"),
    ("城关镇政府门口屏", 128, 32, "single", "城关镇人民政府门口", "中航", "ZH-Wm"),
    ("人民广场公告屏", 192, 64, "single", "人民广场东侧宣传栏上方", "诺瓦", "T3"),
    ("汽车站候车厅屏", 96, 32, "dual", "县汽车客运站候车厅", "灵信", "LS-E8"),
    ("文化广场全彩大屏", 1920, 1080, "full", "县文化广场北侧", "诺瓦", "TB60"),
]

# Slogans written for this demo.
SLOGANS = [
    {"lines": ["军民团结一家亲"], "colour": "red"},
    {"lines": ["拥军优属 拥政爱民"], "colour": "yellow"},
    {"lines": ["依法服兵役，是每个适龄青年的光荣义务"], "colour": "green"},
    {
        "lines": ["全民国防教育日", "增强国防观念 共筑钢铁长城"],
        "colour": "red",
        "day_parts": [{"start": "07:00", "end": "21:00"}],
    },
]


# The demo's LED operator (username, 姓名); the group comes from migration led 0002.
OPERATOR = ("yunwei", "运维小张")
OPERATOR_GROUP = "显示屏操作员"


@dataclass
class DemoScreensReport:
    created: dict[str, int] = field(default_factory=dict)
    packages: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def load_demo_screens(*, build_packages: bool = True) -> DemoScreensReport:
    """Create the demo screens and their delivered slogans; a second run changes nothing."""
    report = DemoScreensReport()
    articles = list(ArticlePage.objects.live().order_by("pk")[: len(SLOGANS)])
    with transaction.atomic():
        _operator(report)
        screens = []
        for name, width, height, mode, location, vendor, model in SCREENS:
            outlet, created = Outlet.objects.get_or_create(
                name=name, defaults={"kind": Outlet.Kind.LED_SCREEN}
            )
            if created:
                report.count("outlets")
            screen, created = Screen.objects.get_or_create(
                outlet=outlet,
                defaults={
                    "width": width,
                    "height": height,
                    "colour_mode": mode,
                    "location": location,
                    "controller_vendor": vendor,
                    "controller_model": model,
                },
            )
            if created:
                report.count("screens")
            screens.append(screen)
            if not articles or Placement.objects.filter(outlet=outlet).exists():
                continue
            now = timezone.now()
            for number, slogan in enumerate(_slogans(articles)):
                due_at = now - datetime.timedelta(hours=len(SLOGANS) + 1 - number)
                placement = Placement.objects.create(
                    page=articles[number % len(articles)],
                    outlet=outlet,
                    version={"dwell_seconds": 8, "priority": 0, **slogan},
                    due_at=due_at,
                    status=Placement.Status.AWAITING,
                    attempts=1,
                    handed_over_at=due_at,
                )
                # Handed over and then received by the screen's controller, as logged.
                delivery_confirm(
                    placement=placement,
                    source=DeliveryRecord.Source.OUTLET,
                    confirmed_at=due_at,
                    note=_("显示屏控制器已取得节目包"),
                )
                report.count("placements")
        # Other demo data may add LED outlets of its own: give each a wall so that its
        # placements have a screen to be delivered to.
        for outlet in Outlet.objects.filter(kind=Outlet.Kind.LED_SCREEN, screen__isnull=True):
            screens.append(
                Screen.objects.create(
                    outlet=outlet,
                    width=1920,
                    height=1080,
                    colour_mode="full",
                    location=outlet.notes,
                )
            )
            report.count("screens")
    if build_packages:
        for screen in screens:
            package, is_new = services.screen_package_refresh(screen=screen)
            if package and is_new:
                report.packages.append(f"{screen.name} v{package.version}")
    return report


def _slogans(articles: list[ArticlePage]) -> list[dict]:
    """The demo slogans, and one with the first article's cover picture where it has one,
    so that every screen shows how a picture is fitted (and dotted on one-colour screens)."""
    covered = next((article for article in articles if article.cover_image_id), None)
    if covered is None:
        return SLOGANS
    picture = {"lines": ["双拥共建 情深谊长"], "colour": "yellow"}
    return [*SLOGANS, {**picture, "picture_id": covered.cover_image_id, "picture_fit": "crop"}]


def _operator(report: DemoScreensReport) -> None:
    """The operator who looks after the screens; no password is set, as for the 三审 staff."""
    username, name = OPERATOR
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return
    user = users.model(username=username, first_name=name)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=OPERATOR_GROUP))
    report.count("users")
