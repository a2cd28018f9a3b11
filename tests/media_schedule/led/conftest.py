"""Fixtures for the LED screens: outlets with screens, an article, delivered placements."""

import datetime
import itertools

import pytest
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from media_schedule.channels.led.models import Screen
from media_schedule.models import Outlet, Placement
from publicity.models import ArticlePage, ColumnPage, HomePage

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_screen(db):
    def make(width=192, height=64, colour_mode="single", **fields) -> Screen:
        outlet = Outlet.objects.create(name=f"测试屏{next(_numbers)}", kind=Outlet.Kind.LED_SCREEN)
        return Screen.objects.create(
            outlet=outlet, width=width, height=height, colour_mode=colour_mode, **fields
        )

    return make


@pytest.fixture
def article(db) -> ArticlePage:
    # After a transactional test the tables are flushed: the locale and the tree's root,
    # which migrations create, may be gone.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant("zh-hans"))
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title="示范县双拥网", slug=f"home-{next(_numbers)}"))
    column = home.add_child(instance=ColumnPage(title="国防教育", slug="defence"))
    return column.add_child(
        instance=ArticlePage(
            title="全民国防教育日主题活动在县文化广场举行",
            slug="defence-day",
            summary="活动吸引了上千名群众参与，现场发放宣传资料三千余份。驻地官兵进行了装备展示。",
        )
    )


@pytest.fixture
def deliver_placement(article):
    """A placement already delivered to a screen's outlet, carrying an LED version."""

    def make(screen: Screen, version: dict, *, status=Placement.Status.DELIVERED, page=None):
        return Placement.objects.create(
            page=page or article,
            outlet=screen.outlet,
            version={"dwell_seconds": 5, **version},
            due_at=timezone.now() - datetime.timedelta(days=1, minutes=-next(_numbers)),
            status=status,
        )

    return make
