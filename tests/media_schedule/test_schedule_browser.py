"""Scheduling in the browser, as the scheduler: the trail says where the page is, and the time
field has a picker and a format hint."""

from pathlib import Path

import pytest
from django.conf import settings

from media_schedule.models import Outlet
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article():
    Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    return approved_article("八一建军节走访慰问驻地部队")


@pytest.fixture
def page(article, live_server):
    user = user_in_role("排期员", username="scheduler")
    with chromium() as browser:
        page = browser.new_page(
            viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai"
        )
        # The picker opens its list of times scrolled to the browser's hour: at a fixed
        # morning hour 09:00 is in view whatever the time the test runs.
        page.clock.set_fixed_time("2026-08-01T08:30:00+08:00")
        log_in(page, live_server.url, user.username, PASSWORD)
        yield page


def test_the_schedule_page_has_a_trail_and_a_time_picker(page, live_server, article):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/admin/schedule/page/{article.pk}/")
    page.wait_for_load_state("networkidle")

    # Wagtail folds the trail behind a toggle; its links are there all the same.
    trail = [text.strip() for text in page.locator(".w-breadcrumbs a").all_text_contents()]
    assert trail[:3] == ["首页", "排期", "八一建军节走访慰问驻地部队"]
    field = page.locator("input[name=due_at_0]")
    assert field.get_attribute("placeholder") == "2026-08-01 09:30"

    field.click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    picker.wait_for(timeout=5000)
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "schedule-picker.png"))
    picker.locator(".xdsoft_date:not(.xdsoft_other_month)", has_text="15").first.click()
    picker.locator(".xdsoft_time", has_text="09:00").first.click()

    assert field.input_value() == "2026-08-15 09:00"
    assert problems == []
