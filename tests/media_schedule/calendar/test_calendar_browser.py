"""The calendar in Chromium: drag a placement to another day and see it moved, a placement in
flight stays put; the month, week and phone views with the demo data, as screenshots."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from media_schedule.models import Outlet, Placement
from publicity.models import Campaign, CampaignTarget, KeyDate
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.VAR_DIR) / "screenshots"


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def month():
    """The 1st of a month well ahead, so every day in it is in the future."""
    ahead = timezone.localdate() + datetime.timedelta(days=45)
    return ahead.replace(day=1)


@pytest.fixture
def placements(month):
    article = approved_article("八一建军节走访慰问驻地部队")
    tv = Outlet.objects.create(name="县电视台", kind=Outlet.Kind.TV)
    web = Outlet.objects.create(name="县政府网站", kind=Outlet.Kind.WEBSITE)
    paper = Outlet.objects.create(name="县报", kind=Outlet.Kind.NEWSPAPER)
    campaign = Campaign.objects.create(
        name="演示活动", slug="demo", starts_on=month.replace(day=8), ends_on=month.replace(day=14)
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=1, per="day")
    KeyDate.objects.create(name="演示节点", month=month.month, day=14)
    movable = Placement.objects.create(
        page=article, outlet=paper, due_at=at(month.replace(day=10), 9), campaign=campaign
    )
    sent = Placement.objects.create(
        page=article,
        outlet=web,
        due_at=at(month.replace(day=11), 10),
        status=Placement.Status.DELIVERED,
    )
    Placement.objects.create(
        page=article,
        outlet=tv,
        due_at=at(month.replace(day=12), 19),
        status=Placement.Status.FAILED,
    )
    return movable, sent


@pytest.fixture
def browser_page(live_server):
    user = user_in_role("排期员", username="scheduler")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, live_server.url, user.username, PASSWORD)
        yield page


def drag(page, source, target):
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=20)
    page.mouse.up()


def test_dragging_a_placement_to_another_day_moves_it(browser_page, live_server, placements, month):
    page = browser_page
    movable, sent = placements
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/admin/schedule/calendar/?date={month:%Y-%m-%d}")
    event = page.locator(f"[data-placement='{movable.pk}']")
    event.wait_for()
    assert page.locator(".fc-toolbar-title").inner_text() == f"{month.year}年{month.month}月"
    # The campaign's days without TV are marked, the key date shown.
    assert page.locator(".cal-gap", has_text="待补：电视").count() >= 1
    assert page.locator(".cal-key-date", has_text="演示节点").count() == 1

    target_day = month.replace(day=17)
    drag(page, event, page.locator(f"td.fc-daygrid-day[data-date='{target_day:%Y-%m-%d}']"))
    page.locator("#calendar-message", has_text="已改到").wait_for()
    movable.refresh_from_db()
    assert timezone.localtime(movable.due_at) == at(target_day, 9)
    moved = page.locator(
        f"td.fc-daygrid-day[data-date='{target_day:%Y-%m-%d}'] [data-placement='{movable.pk}']"
    )
    moved.wait_for()
    page.reload()
    moved.wait_for()

    # A delivered placement cannot be dragged: it stays on its day.
    drag(
        page,
        page.locator(f"[data-placement='{sent.pk}']"),
        page.locator(f"td.fc-daygrid-day[data-date='{month.replace(day=18):%Y-%m-%d}']"),
    )
    sent.refresh_from_db()
    assert timezone.localtime(sent.due_at) == at(month.replace(day=11), 10)
    assert (
        page.locator(f"[data-placement='{sent.pk}']")
        .get_attribute("title")
        .endswith("“已送达”状态的排期正在发送或已发送，不能修改；可以取消后重新排期。")
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".cal-failed").first.wait_for()
    page.screenshot(path=str(SHOTS / "calendar-moved-and-failed.png"))
    assert problems == []


def test_clicking_an_empty_day_opens_planning_for_that_day(live_server, placements, month):
    user = user_in_role("宣传策划", username="planner")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, live_server.url, user.username, PASSWORD)
        page.goto(f"{live_server.url}/admin/schedule/calendar/?date={month:%Y-%m-%d}")
        page.locator(".fc-daygrid-day").first.wait_for()
        day = month.replace(day=20)
        page.locator(f"td.fc-daygrid-day[data-date='{day:%Y-%m-%d}'] .fc-daygrid-day-frame").click()
        page.wait_for_url(f"**/admin/schedule/calendar/plan/?date={day:%Y-%m-%d}")
        assert page.locator("input[name=date]").input_value() == f"{day:%Y-%m-%d}"


@pytest.mark.slow
def test_screenshots_of_the_month_week_and_phone_views_with_the_demo_data(live_server):
    for command in ("load_demo_content", "load_demo_schedule", "load_demo_campaign"):
        call_command(command, stdout=io.StringIO())
    campaign = Campaign.objects.get()
    user = user_in_role("宣传策划", username="planner")
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}/admin/schedule/calendar/?date={campaign.starts_on:%Y-%m-%d}"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, live_server.url, user.username, PASSWORD)
        page.goto(url)
        page.locator("[data-placement]").first.wait_for()
        page.screenshot(path=str(SHOTS / "calendar-month.png"), full_page=True)
        page.get_by_role("button", name="周").click()
        page.locator(".fc-timegrid-event").first.wait_for()
        page.screenshot(path=str(SHOTS / "calendar-week.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/schedule/calendar/planner/?campaign={campaign.pk}")
        page.screenshot(path=str(SHOTS / "calendar-planner.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/")
        page.screenshot(path=str(SHOTS / "calendar-dashboard.png"), full_page=True)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        log_in(phone, live_server.url, user.username, PASSWORD)
        phone.goto(url)
        phone.locator(".fc-list-event").first.wait_for()
        phone.screenshot(path=str(SHOTS / "calendar-phone.png"), full_page=True)
    assert campaign.placements.count() > 10
