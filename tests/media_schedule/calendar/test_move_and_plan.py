"""Drag to reschedule (allowed and refused), the planner, "plan on this day" into the schedule
form, and the key-dates dashboard panel."""

import datetime
import json

import pytest
import time_machine

from media_schedule.models import Placement
from publicity.models import Campaign, CampaignTarget, KeyDate
from tests.support.roles import user_in_role

from .conftest import beijing

pytestmark = pytest.mark.django_db
Status = Placement.Status
NOW = beijing(2026, 9, 10, 12)


def move(client, placement, due_at):
    return client.post(
        f"/admin/schedule/calendar/placements/{placement.pk}/move/",
        json.dumps({"due_at": due_at}),
        content_type="application/json",
    )


@pytest.fixture
def scheduler(client):
    client.force_login(user_in_role("排期员"))
    return client


@time_machine.travel(NOW, tick=False)
def test_dragging_moves_a_placement_that_is_not_in_flight(scheduler, outlets, place):
    campaign = Campaign.objects.create(
        name="八一",
        slug="bayi",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    placement = place(
        outlets["newspaper"], beijing(2026, 9, 12), campaign=campaign, status=Status.FAILED
    )
    response = move(scheduler, placement, "2026-09-15T20:30:00")
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "start": "2026-09-15T20:30:00",
        "message": "已改到 2026年09月15日 20:30。",
    }
    placement.refresh_from_db()
    assert placement.due_at == beijing(2026, 9, 15, 20, 30)
    assert placement.campaign == campaign  # the campaign stays
    assert placement.status == Status.FAILED


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "status", [Status.QUEUED, Status.SENDING, Status.AWAITING, Status.DELIVERED, Status.UNCONFIRMED]
)
def test_dragging_a_placement_in_flight_is_refused_with_the_reason(
    scheduler, outlets, place, status
):
    placement = place(outlets["newspaper"], beijing(2026, 9, 12), status=status)
    response = move(scheduler, placement, "2026-09-15T09:00:00")
    label = Status(status).label
    assert response.status_code == 409
    assert response.json() == {
        "error": f"“{label}”状态的排期正在发送或已发送，不能修改；可以取消后重新排期。"
    }
    placement.refresh_from_db()
    assert placement.due_at == beijing(2026, 9, 12)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("medium", ["tv", "radio"])
def test_a_stations_item_is_not_dragged_it_is_booked_into_another_slot(
    scheduler, outlets, place, medium
):
    placement = place(outlets[medium], beijing(2026, 9, 12))
    response = move(scheduler, placement, "2026-09-15T09:00:00")
    assert response.status_code == 409
    assert response.json() == {
        "error": "广播电台和电视台的稿件在“广播电视”的当天页面调整播出时段，不能在此改时间。"
    }
    placement.refresh_from_db()
    assert placement.due_at == beijing(2026, 9, 12)
    feed = scheduler.get(
        "/admin/schedule/calendar/events/",
        {"start": "2026-09-01T00:00:00", "end": "2026-10-01T00:00:00"},
    ).json()
    event = next(e for e in feed if e.get("id") == f"p{placement.pk}")
    assert event["editable"] is False


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"due_at": "2026-09-01T09:00:00"}, 409, "不能移到已经过去的时间。"),
        ({"due_at": "next tuesday"}, 400, "请给出新的计划时间。"),
        ({}, 400, "请给出新的计划时间。"),
        ({"due_at": None}, 400, "请给出新的计划时间。"),
    ],
)
def test_bad_drops_are_refused(scheduler, outlets, place, body, status, error):
    placement = place(outlets["newspaper"], beijing(2026, 9, 12))
    response = scheduler.post(
        f"/admin/schedule/calendar/placements/{placement.pk}/move/",
        json.dumps(body),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (status, {"error": error})
    broken = scheduler.post(
        f"/admin/schedule/calendar/placements/{placement.pk}/move/",
        b"{not json",
        content_type="application/json",
    )
    assert broken.status_code == 400
    placement.refresh_from_db()
    assert placement.due_at == beijing(2026, 9, 12)


@time_machine.travel(NOW, tick=False)
def test_a_reader_cannot_move_and_get_is_not_allowed(client, outlets, place):
    placement = place(outlets["newspaper"], beijing(2026, 9, 12))
    client.force_login(user_in_role("排期查看"))
    assert move(client, placement, "2026-09-15T09:00:00").status_code == 302
    client.force_login(user_in_role("排期员"))
    assert (
        client.get(f"/admin/schedule/calendar/placements/{placement.pk}/move/").status_code == 405
    )
    assert move(client, Placement(pk=999999), "2026-09-15T09:00:00").status_code == 404
    placement.refresh_from_db()
    assert placement.due_at == beijing(2026, 9, 12)


@pytest.fixture
def planner(client):
    client.force_login(user_in_role("宣传策划"))
    return client


@time_machine.travel(beijing(2026, 8, 20, 10), tick=False)
def test_planner_proposes_a_window_creates_the_campaign_and_shows_the_plan(planner, outlets, place):
    defence = KeyDate.objects.create(
        name="全民国防教育日", month=9, weekday=5, week_of_month=3, lead_days=6
    )
    page = planner.get(f"/admin/schedule/calendar/planner/?key_date={defence.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "日期：2026年9月19日" in html
    form = page.context["form"]
    assert (form.initial["name"], form.initial["starts_on"], form.initial["ends_on"]) == (
        "全民国防教育日宣传",
        datetime.date(2026, 9, 13),
        datetime.date(2026, 9, 19),
    )
    bad = planner.post(
        f"/admin/schedule/calendar/planner/?key_date={defence.pk}",
        {
            "name": "x",
            "starts_on": "2026-09-13",
            "ends_on": "2026-09-19",
            "targets": "电视每周两条\n火星每天 1 条",
        },
    )
    assert bad.context["form"].errors["targets"] == [
        "第 2 行：“火星每天 1 条”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。"
    ]
    created = planner.post(
        f"/admin/schedule/calendar/planner/?key_date={defence.pk}",
        {
            "name": "国防教育日宣传",
            "starts_on": "2026-09-13",
            "ends_on": "2026-09-19",
            "targets": "电视每周至少 2 条\n广播每天 1 次",
        },
    )
    campaign = Campaign.objects.get(name="国防教育日宣传")
    assert created["Location"] == f"/admin/schedule/calendar/planner/?campaign={campaign.pk}"
    assert [str(t) for t in campaign.targets.all()] == ["电视每周至少 2 条", "广播每天至少 1 次"]
    assert campaign.key_date == defence
    # The key date now leads to its campaign.
    again = planner.get(f"/admin/schedule/calendar/planner/?key_date={defence.pk}")
    assert again["Location"] == created["Location"]

    place(outlets["tv"], beijing(2026, 9, 14), campaign=campaign)
    place(outlets["tv"], beijing(2026, 9, 16), campaign=campaign)
    place(outlets["radio"], beijing(2026, 9, 15), campaign=campaign)
    plan = planner.get(created["Location"]).context["plan"]
    grid = {row.medium: [(c.count, c.lacking) for c in row.cells] for row in plan.rows}
    # 13 September is a Sunday: one day of its week (quota 1), then 14–19 (quota 2).
    assert grid["tv"] == [
        (0, True),
        (1, False),
        (0, False),
        (1, False),
        (0, False),
        (0, False),
        (0, False),
    ]
    assert grid["radio"] == [
        (0, True),
        (0, True),
        (1, False),
        (0, True),
        (0, True),
        (0, True),
        (0, True),
    ]
    assert grid["newspaper"] == [(0, False)] * 7
    targets = {
        row.medium: [(text, a.planned, a.required, a.met) for text, a in row.targets]
        for row in plan.rows
    }
    assert targets["tv"] == [("电视每周至少 2 条", 1, 2, False)]
    assert targets["radio"] == [("广播每天至少 1 次", 1, 7, False)]
    html = planner.get(created["Location"]).content.decode()
    assert (
        f"/admin/schedule/calendar/plan/?date=2026-09-15&amp;medium=radio&amp;campaign={campaign.pk}"
        in html
    )


def test_planning_on_a_day_continues_in_the_schedule_form(planner, outlets, article):
    campaign = Campaign.objects.create(
        name="八一",
        slug="bayi",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
    )
    form = planner.get(
        "/admin/schedule/calendar/plan/",
        {"date": "2026-09-15", "medium": "tv", "campaign": campaign.pk},
    )
    assert form.status_code == 200
    assert form.context["form"].initial == {
        "date": "2026-09-15",
        "medium": "tv",
        "campaign": str(campaign.pk),
    }
    response = planner.post(
        "/admin/schedule/calendar/plan/",
        {
            "page": article.pk,
            "date": "2026-09-15",
            "time": "20:00",
            "medium": "tv",
            "campaign": campaign.pk,
        },
    )
    expected = (
        f"/admin/schedule/page/{article.pk}/?campaign={campaign.pk}"
        f"&outlet_0={outlets['tv'].pk}&due_at_0=2026-09-15+20%3A00"
    )
    assert response["Location"] == expected
    schedule = planner.get(expected)
    bound = schedule.context["form"]
    assert (bound["campaign"].value(), bound["outlet_0"].value(), bound["due_at_0"].value()) == (
        str(campaign.pk),
        str(outlets["tv"].pk),
        "2026-09-15 20:00",
    )
    # Nothing is created until the schedule form is saved.
    assert not Placement.objects.exists()
    hostile = planner.post(
        "/admin/schedule/calendar/plan/",
        {"page": "<b>1</b>", "date": "2026-02-30", "time": "25:00", "medium": "mars"},
    )
    assert set(hostile.context["form"].errors) == {"page", "date", "time", "medium"}


def test_planner_pages_refuse_those_who_do_not_plan(client):
    client.force_login(user_in_role("排期查看"))
    for url in ("/admin/schedule/calendar/planner/", "/admin/schedule/calendar/plan/"):
        assert client.get(url)["Location"] == "/admin/"
    client.force_login(user_in_role("宣传策划"))
    assert client.get("/admin/schedule/calendar/planner/?key_date=abc").status_code == 404
    assert client.get("/admin/schedule/calendar/planner/?campaign=999").status_code == 404


@time_machine.travel(beijing(2026, 7, 20, 10), tick=False)
def test_dashboard_shows_next_key_dates_with_their_campaign_state(planner, outlets, place):
    army = KeyDate.objects.create(name="八一建军节", month=8, day=1)
    defence = KeyDate.objects.create(name="全民国防教育日", month=9, weekday=5, week_of_month=3)
    martyrs = KeyDate.objects.create(name="烈士纪念日", month=9, day=30)
    met = Campaign.objects.create(
        name="八一宣传",
        slug="bayi",
        key_date=army,
        starts_on=datetime.date(2026, 7, 25),
        ends_on=datetime.date(2026, 8, 1),
    )
    CampaignTarget.objects.create(campaign=met, medium="newspaper", count=1, per="campaign")
    place(outlets["newspaper"], beijing(2026, 7, 28), campaign=met)
    short = Campaign.objects.create(
        name="国防教育宣传",
        slug="gf",
        key_date=defence,
        starts_on=datetime.date(2026, 9, 10),
        ends_on=datetime.date(2026, 9, 19),
    )
    CampaignTarget.objects.create(campaign=short, medium="tv", count=2, per="week")
    html = planner.get("/admin/").content.decode()
    panel = html[html.index('class="w-panel key-dates-panel"') :]
    panel = panel[: panel.index("</section>")]
    rows = [
        (name, state)
        for name, state in [
            ("八一建军节", "已计划，达到目标"),
            ("全民国防教育日", "已计划，未达目标"),
            ("烈士纪念日", "尚无宣传活动"),
        ]
        if name in panel and state in panel
    ]
    assert len(rows) == 3
    assert panel.index("八一建军节") < panel.index("全民国防教育日") < panel.index("烈士纪念日")
    assert (
        "2026年8月1日" in panel
        and "✓ 报纸活动期内至少 1 篇" in panel
        and "✗ 电视每周至少 2 条" in panel
    )
    assert f"?key_date={martyrs.pk}" in panel
    client_only = planner
    client_only.force_login(user_in_role("仅后台访问"))
    assert "key-dates-panel" not in client_only.get("/admin/").content.decode()


def test_the_planner_group_holds_what_the_planner_role_needs():
    from django.contrib.auth.models import Group

    from tests.support.roles import ROLE_PERMISSIONS

    group = Group.objects.get(name="宣传策划")
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    needed = {
        (app, codename) for app, codes in ROLE_PERMISSIONS["宣传策划"].items() for codename in codes
    }
    assert held == needed


def test_a_long_window_is_planned_a_part_at_a_time(planner):
    lantern = KeyDate.objects.create(name="元宵节", calendar="lunar", month=1, day=15)
    visits = KeyDate.objects.create(name="元旦春节走访慰问", month=1, day=1, window_end=lantern)
    campaign = Campaign.objects.create(
        name="走访慰问",
        slug="visits",
        key_date=visits,
        starts_on=datetime.date(2026, 12, 2),
        ends_on=datetime.date(2027, 2, 20),
    )
    first = planner.get(f"/admin/schedule/calendar/planner/?campaign={campaign.pk}").context["plan"]
    assert (first.days[0], first.days[-1], first.earlier, first.later) == (
        datetime.date(2026, 12, 2),
        datetime.date(2027, 2, 1),
        None,
        datetime.date(2027, 2, 2),
    )
    url = f"/admin/schedule/calendar/planner/?campaign={campaign.pk}&from=2027-02-02"
    second = planner.get(url).context["plan"]
    assert (second.days[0], second.days[-1], second.earlier, second.later) == (
        datetime.date(2027, 2, 2),
        datetime.date(2027, 2, 20),
        datetime.date(2026, 12, 2),
        None,
    )
    # A day outside the window or not a date starts at the nearest end or the start.
    outside = planner.get(
        f"/admin/schedule/calendar/planner/?campaign={campaign.pk}&from=2030-01-01"
    )
    assert outside.context["plan"].days == [datetime.date(2027, 2, 20)]
    junk = planner.get(f"/admin/schedule/calendar/planner/?campaign={campaign.pk}&from=<x>")
    assert junk.context["plan"].days[0] == datetime.date(2026, 12, 2)
