"""Outlets of every medium, an article and a helper for placements at Beijing wall-clock times."""

import datetime
import zoneinfo

import pytest

from media_schedule.models import Outlet, Placement
from tests.support.schedule_pages import draft_article

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def beijing(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def outlets(db):
    kinds = {
        "tv": ("县电视台", Outlet.Kind.TV),
        "radio": ("县广播电台", Outlet.Kind.RADIO),
        "newspaper": ("县报", Outlet.Kind.NEWSPAPER),
        "online": ("县政府网站", Outlet.Kind.WEBSITE),
        "outdoor": ("文化广场大屏", Outlet.Kind.LED_SCREEN),
    }
    return {
        medium: Outlet.objects.create(name=name, kind=kind)
        for medium, (name, kind) in kinds.items()
    }


@pytest.fixture
def article(db):
    return draft_article("八一建军节走访慰问驻地部队")


@pytest.fixture
def place(article):
    def make(outlet, due_at, **fields):
        return Placement.objects.create(
            page=fields.pop("page", article),
            outlet=outlet,
            due_at=due_at,
            version={"title": article.title},
            **fields,
        )

    return make
