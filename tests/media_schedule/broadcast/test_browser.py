"""In a real browser: the station's confirmation page at phone width, the day view, the
script editor's live duration and the slot editor's occurrence preview."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from media_schedule.channels.broadcast.asrun import link_token
from media_schedule.channels.broadcast.rundown import rundown_for
from media_schedule.channels.broadcast.services import booking_place
from media_schedule.models import DeliveryRecord, Placement
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role

from .conftest import local

pytestmark = pytest.mark.browser
# Screenshots are kept here for people to look at (BROADCAST_SHOTS to change).
SHOTS = Path(os.environ.get("BROADCAST_SHOTS", "/tmp/broadcast-shots"))


@pytest.fixture
def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def booked_day(radio, make_slot, make_article, tomorrow):
    morning = make_slot(radio, name="早间新闻·双拥之声", capacity_seconds=180, presenter="王芳")
    evening = make_slot(
        radio,
        name="国防教育专题",
        start_time=datetime.time(20, 0),
        length_seconds=600,
        capacity_seconds=300,
    )

    def at(slot):
        return datetime.datetime.combine(tomorrow, slot.start_time, tzinfo=local(2026, 1, 1).tzinfo)

    bookings = []
    for title, slot, chars in [
        ("县领导走访慰问驻地部队官兵", morning, 240),
        ("征兵宣传走进县第一中学", morning, 160),
        ("退役军人就业帮扶招聘会举行", evening, 200),
    ]:
        bookings.append(
            booking_place(
                page=make_article(title),
                slot=slot,
                original_start=at(slot),
                version={"title": title, "script": "双拥" * (chars // 2), "item_type": "live_read"},
            )
        )
    return bookings


def _hand_over(bookings):
    now = timezone.now()
    Placement.objects.filter(pk__in=[b.placement_id for b in bookings]).update(
        status=Placement.Status.AWAITING,
        handed_over_at=now,
        confirm_by=now + datetime.timedelta(hours=36),
    )


def test_the_station_confirms_on_a_phone(live_server, radio, booked_day, tomorrow):
    _hand_over(booked_day)
    url = f"{live_server.url}/broadcast/as-run/{link_token(rundown_for(radio, tomorrow))}/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    first, second, third = booked_day
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        page.goto(url)
        assert page.locator("h1").inner_text() == "县广播电台 播出确认"
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "asrun-phone.png"), full_page=True)
        page.check(f"input[name=item-{first.pk}-answer][value=aired]")
        page.check(f"input[name=item-{second.pk}-answer][value=other_time]")
        page.fill(f"input[name=item-{second.pk}-time]", "08:10")
        page.check(f"input[name=item-{third.pk}-answer][value=not_aired]")
        page.fill(f"input[name=item-{third.pk}-note]", "突发新闻占用时段")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已提交：2 条确认播出，1 条未播出。谢谢！" in page.inner_text("main")
        page.screenshot(path=str(SHOTS / "asrun-phone-done.png"), full_page=True)

    delivered = DeliveryRecord.objects.filter(outcome=DeliveryRecord.Outcome.DELIVERED)
    assert sorted(r.placement_id for r in delivered) == sorted(
        [first.placement_id, second.placement_id]
    )
    assert {r.source for r in delivered} == {"outlet"}


def test_the_day_view_script_editor_and_slot_preview(live_server, radio, booked_day, tomorrow):
    user = user_in_role("播出编辑", username="bobian")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, live_server.url, user.username, PASSWORD)
        page.goto(f"{live_server.url}/admin/broadcast/stations/{radio.pk}/{tomorrow.isoformat()}/")
        text = page.inner_text("main")
        assert "容量 180 秒，剩余 80 秒" in text
        assert "容量 300 秒，剩余 250 秒" in text
        page.screenshot(path=str(SHOTS / "day-view.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/broadcast/bookings/{booked_day[0].pk}/")
        duration = page.locator("[data-duration]")
        assert duration.inner_text() == "约 60 秒（240 字，每秒 4 字）"
        page.fill("textarea[name=script]", "我县开展双拥走访慰问活动。")
        assert duration.inner_text() == "约 3 秒（12 字，每秒 4 字）"
        page.screenshot(path=str(SHOTS / "script-editor.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/broadcast_slots/new/")
        page.fill("input[name=start_time]", "20:00")
        page.fill("input[name=starts_on]", "2026-12-01")
        page.fill("input[name=rule]", "FREQ=MONTHLY;BYDAY=-1FR")
        preview = page.locator("[data-slot-preview] li").first
        preview.wait_for()
        assert preview.inner_text() == "2026年12月25日 星期五 20:00"
        page.screenshot(path=str(SHOTS / "slot-editor.png"), full_page=True)
