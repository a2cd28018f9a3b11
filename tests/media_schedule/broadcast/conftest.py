"""Fixtures for broadcast: a radio and a TV station with slots, published articles."""

import datetime
import itertools

import pytest
from django.utils import timezone

from media_schedule.channels.broadcast.models import BroadcastSlot
from media_schedule.channels.broadcast.recurrence import local_zone
from media_schedule.models import Outlet
from publicity.models import ArticlePage
from tests.support.schedule_pages import news_column

_numbers = itertools.count(1)


def local(*parts) -> datetime.datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime.datetime(*parts, tzinfo=local_zone())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def radio(db) -> Outlet:
    return Outlet.objects.create(name="县广播电台", kind=Outlet.Kind.RADIO)


@pytest.fixture
def tv(db) -> Outlet:
    return Outlet.objects.create(name="县电视台", kind=Outlet.Kind.TV)


@pytest.fixture
def make_slot(db):
    def make(outlet, **fields) -> BroadcastSlot:
        values = {
            "name": f"时段{next(_numbers)}",
            "rule": "FREQ=DAILY",
            "start_time": datetime.time(7, 30),
            "length_seconds": 300,
            "capacity_seconds": 120,
            "starts_on": datetime.date(2026, 1, 1),
        }
        values.update(fields)
        slot = BroadcastSlot(outlet=outlet, **values)
        slot.full_clean()
        slot.save()
        return slot

    return make


@pytest.fixture
def make_article(db):
    def make(title="我县开展八一走访慰问", *, body=None, summary="县领导走访慰问驻地部队官兵。"):
        article = ArticlePage(
            title=title,
            slug=f"broadcast-{next(_numbers)}",
            summary=summary,
            body=body or [("paragraph", "<p>" + "双拥工作" * 10 + "</p>")],
        )
        news_column().add_child(instance=article)
        article.save_revision().publish()
        article.refresh_from_db()
        return article

    return make


@pytest.fixture
def now():
    return timezone.now()
