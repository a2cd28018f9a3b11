"""The calendar's JSON endpoint: one range at a time, filters, permissions, Asia/Shanghai."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from media_schedule.channels.broadcast.models import BroadcastSlot
from media_schedule.models import Placement
from publicity.models import Campaign, CampaignTarget, KeyDate
from tests.support.roles import user_in_role

from .conftest import beijing

pytestmark = pytest.mark.django_db
FEED = "/admin/schedule/calendar/events/"
SEPTEMBER = {"start": "2026-08-31T00:00:00", "end": "2026-10-12T00:00:00"}
Status = Placement.Status
STATION_REFUSAL = "广播电台和电视台的稿件在“广播电视”的当天页面调整播出时段，不能在此改时间。"


@pytest.fixture
def scheduler(client):
    client.force_login(user_in_role("排期员"))
    return client


def events(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return response.json()


def placements(feed):
    return [
        (e["title"], e["start"])
        for e in feed
        if e.get("extendedProps", {}).get("kind") == "placement"
    ]


def test_anonymous_and_admin_only_users_are_refused(client):
    response = client.get(FEED, SEPTEMBER)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")
    client.force_login(user_in_role("仅后台访问"))
    # Wagtail answers a refused admin view with a redirect to the dashboard.
    for response in (
        client.get(FEED, SEPTEMBER),
        client.get("/admin/schedule/calendar/"),
        client.post("/admin/schedule/calendar/placements/1/move/"),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "请给出日历范围（start 和 end）。"),
        ({"start": "2026-09-01"}, "请给出日历范围（start 和 end）。"),
        ({"start": "2026-09-02", "end": "2026-09-01"}, "结束时间必须晚于开始时间。"),
        ({"start": "2026-01-01", "end": "2026-12-31"}, "一次最多查询 62 天。"),
        (
            {"start": "<script>alert(1)</script>", "end": "2026-09-01"},
            "时间“<script>alert(1)</script>”看不懂。",
        ),
        ({"start": "0001-01-01", "end": "0001-01-31"}, "日历只显示 1901 年至 2199 年。"),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "日历只显示 1901 年至 2199 年。"),
        ({**SEPTEMBER, "medium": "radio'--"}, "没有媒介“radio'--”。"),
        ({**SEPTEMBER, "status": "lost"}, "没有状态“lost”。"),
        ({**SEPTEMBER, "outlet": "1 OR 1=1"}, "发布渠道参数不正确。"),
        ({**SEPTEMBER, "campaign": "x"}, "宣传活动参数不正确。"),
    ],
)
def test_bad_requests_are_answered_with_the_reason(scheduler, params, message):
    response = scheduler.get(FEED, params)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert response["Content-Type"] == "application/json"


def test_placements_are_shown_in_beijing_time_and_only_in_their_range(scheduler, outlets, place):
    # 00:30 on 1 September in Beijing is still 31 August in UTC.
    place(outlets["tv"], beijing(2026, 9, 1, 0, 30))
    place(outlets["radio"], beijing(2026, 8, 31, 23, 59))
    first_of_september = {"start": "2026-09-01", "end": "2026-09-02"}
    assert placements(events(scheduler, **first_of_september)) == [
        ("八一建军节走访慰问驻地部队（县电视台）", "2026-09-01T00:30:00")
    ]
    # The same range written with an offset, or in UTC, is the same range.
    for start, end in [
        ("2026-09-01T00:00:00+08:00", "2026-09-02T00:00:00+08:00"),
        ("2026-08-31T16:00:00Z", "2026-09-01T16:00:00Z"),
    ]:
        assert [s for _t, s in placements(events(scheduler, start=start, end=end))] == [
            "2026-09-01T00:30:00"
        ]
    assert [s for _t, s in placements(events(scheduler, start="2026-08-31", end="2026-09-01"))] == [
        "2026-08-31T23:59:00"
    ]


def test_filters_by_outlet_medium_campaign_and_status(scheduler, outlets, place):
    campaign = Campaign.objects.create(
        name="八一宣传",
        slug="bayi",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    place(outlets["tv"], beijing(2026, 9, 3), campaign=campaign)
    place(outlets["radio"], beijing(2026, 9, 4), status=Status.FAILED)
    place(outlets["online"], beijing(2026, 9, 5), status=Status.DELIVERED)

    def starts(**params):
        return [s for _t, s in placements(events(scheduler, **SEPTEMBER, **params))]

    assert starts() == ["2026-09-03T09:00:00", "2026-09-04T09:00:00", "2026-09-05T09:00:00"]
    assert starts(outlet=outlets["radio"].pk) == ["2026-09-04T09:00:00"]
    assert starts(medium="online") == ["2026-09-05T09:00:00"]
    assert starts(campaign=campaign.pk) == ["2026-09-03T09:00:00"]
    assert starts(status="failed") == ["2026-09-04T09:00:00"]
    assert starts(status="delivered", medium="tv") == []


@time_machine.travel(beijing(2026, 9, 10, 12), tick=False)
def test_colour_by_medium_failed_and_overdue_stand_out_and_only_idle_ones_move(
    scheduler, outlets, place
):
    place(outlets["tv"], beijing(2026, 9, 12))
    place(outlets["radio"], beijing(2026, 9, 8), status=Status.FAILED)
    place(outlets["online"], beijing(2026, 9, 9), status=Status.PLANNED)  # late: not yet sent
    place(
        outlets["newspaper"],
        beijing(2026, 9, 7),
        status=Status.AWAITING,
        confirm_by=beijing(2026, 9, 9),
    )
    place(outlets["outdoor"], beijing(2026, 9, 6), status=Status.DELIVERED)
    place(outlets["newspaper"], beijing(2026, 9, 13))
    feed = {e["start"]: e for e in events(scheduler, **SEPTEMBER) if e["id"].startswith("p")}
    summary = {
        start: (e["color"], e["classNames"], e["editable"], e["extendedProps"]["refusal"])
        for start, e in sorted(feed.items())
    }
    assert summary == {
        "2026-09-06T09:00:00": (
            "#b34700",
            ["cal-placement", "cal-locked"],
            False,
            "“已送达”状态的排期正在发送或已发送，不能修改；可以取消后重新排期。",
        ),
        "2026-09-07T09:00:00": (
            "#7a5a12",
            ["cal-placement", "cal-overdue", "cal-locked"],
            False,
            "“已交付，待确认”状态的排期正在发送或已发送，不能修改；可以取消后重新排期。",
        ),
        # A station's items move by booking them into another slot, not by dragging.
        "2026-09-08T09:00:00": (
            "#7a3fbf",
            ["cal-placement", "cal-failed", "cal-locked"],
            False,
            STATION_REFUSAL,
        ),
        "2026-09-09T09:00:00": ("#18794e", ["cal-placement", "cal-overdue"], True, ""),
        "2026-09-12T09:00:00": ("#1d5fbf", ["cal-placement", "cal-locked"], False, STATION_REFUSAL),
        "2026-09-13T09:00:00": ("#7a5a12", ["cal-placement"], True, ""),
    }


@time_machine.travel(beijing(2026, 9, 10, 12), tick=False)
def test_a_reader_sees_placements_but_cannot_move_them(client, outlets, place):
    place(outlets["tv"], beijing(2026, 9, 12))
    client.force_login(user_in_role("排期查看"))
    (event,) = [e for e in events(client, **SEPTEMBER) if e["id"].startswith("p")]
    assert (event["editable"], event["classNames"]) == (False, ["cal-placement", "cal-locked"])


def test_key_dates_campaign_windows_and_days_lacking_a_medium(scheduler, outlets, place):
    defence = KeyDate.objects.create(name="全民国防教育日", month=9, weekday=5, week_of_month=3)
    campaign = Campaign.objects.create(
        name="国防教育日宣传",
        slug="guofang",
        key_date=defence,
        starts_on=datetime.date(2026, 9, 14),
        ends_on=datetime.date(2026, 9, 19),
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=1, per="day")
    CampaignTarget.objects.create(campaign=campaign, medium="newspaper", count=1, per="campaign")
    for day in (14, 15, 16, 17, 18):
        place(outlets["tv"], beijing(2026, 9, day), campaign=campaign)
    # A cancelled one does not count against the target.
    place(outlets["tv"], beijing(2026, 9, 19), campaign=campaign, status=Status.CANCELLED)
    feed = events(scheduler, **SEPTEMBER)
    others = [
        (e["id"], e.get("title", ""), e["start"], e["end"])
        for e in feed
        if e["extendedProps"]["kind"] in ("key_date", "campaign", "gap")
    ]
    assert others == [
        (f"k{defence.pk}-20260919", "★ 全民国防教育日", "2026-09-19", "2026-09-20"),
        (f"c{campaign.pk}", "活动：国防教育日宣传", "2026-09-14", "2026-09-20"),
        ("n20260914", "待补：报纸", "2026-09-14", "2026-09-15"),
        ("n20260915", "待补：报纸", "2026-09-15", "2026-09-16"),
        ("n20260916", "待补：报纸", "2026-09-16", "2026-09-17"),
        ("n20260917", "待补：报纸", "2026-09-17", "2026-09-18"),
        ("n20260918", "待补：报纸", "2026-09-18", "2026-09-19"),
        ("n20260919", "待补：电视、报纸", "2026-09-19", "2026-09-20"),
    ]
    # Filtered to TV, only the day TV lacks is marked.
    tv = [
        e["title"]
        for e in events(scheduler, **SEPTEMBER, medium="tv")
        if e["extendedProps"]["kind"] == "gap"
    ]
    assert tv == ["待补：电视"]


def test_broadcast_slot_occurrences_are_shown_unless_placements_are_asked_for(scheduler, outlets):
    BroadcastSlot.objects.create(
        outlet=outlets["radio"],
        name="双拥之声",
        rule="FREQ=WEEKLY;BYDAY=SA",
        start_time=datetime.time(7, 30),
        length_seconds=600,
        capacity_seconds=300,
        starts_on=datetime.date(2026, 9, 1),
    )
    week = {"start": "2026-09-07", "end": "2026-09-14"}
    slots = [
        (e["title"], e["start"], e["end"])
        for e in events(scheduler, **week)
        if e["extendedProps"]["kind"] == "slot"
    ]
    assert slots == [
        ("县广播电台 · 双拥之声（已排 0/300 秒）", "2026-09-12T07:30:00", "2026-09-12T07:40:00")
    ]
    assert [
        e for e in events(scheduler, **week, medium="tv") if e["extendedProps"]["kind"] == "slot"
    ] == []
    assert [
        e
        for e in events(scheduler, **week, status="planned")
        if e["extendedProps"]["kind"] == "slot"
    ] == []


def test_the_feed_asks_the_database_a_fixed_number_of_times(
    scheduler, outlets, place, django_assert_max_num_queries
):
    for day in range(1, 29):
        for medium in ("tv", "radio", "online"):
            place(outlets[medium], beijing(2026, 9, day))
    with django_assert_max_num_queries(12):
        feed = events(scheduler, **SEPTEMBER)
    assert len(placements(feed)) == 84


def test_the_calendar_page_takes_a_date_and_view_only_when_they_are_valid(scheduler):
    page = scheduler.get(
        "/admin/schedule/calendar/", {"date": "2026-09-19", "view": "timeGridWeek"}
    )
    config = page.context["calendar_config"]
    assert (config["initialDate"], config["initialView"], config["canMove"]) == (
        "2026-09-19",
        "timeGridWeek",
        True,
    )
    assert config["planUrl"] == "/admin/schedule/calendar/plan/"
    bad = scheduler.get(
        "/admin/schedule/calendar/", {"date": "</script>", "view": "alert(1)"}
    ).context
    assert bad["calendar_config"]["initialView"] == "dayGridMonth"
    assert bad["calendar_config"]["initialDate"] == timezone.localdate().isoformat()
