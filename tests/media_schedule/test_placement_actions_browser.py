"""A scheduler recovers a failed placement in the browser: 重试 → 确定 and the worker delivers
it; 取消 → 确定 on another and it never goes out."""

import datetime

import pytest
from django.utils import timezone

from media_schedule.models import Placement
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role
from tests.support.schedule_pages import approved_article

from .conftest import all_final, run_dispatcher

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = Placement.Status


@pytest.fixture
def placements(standin_outlet, outlet_standin):
    article = approved_article("八一建军节走访慰问驻地部队")
    due = timezone.now() - datetime.timedelta(minutes=1)
    first, second = (
        Placement.objects.create(
            page=article, outlet=standin_outlet, due_at=due, version={"title": article.title}
        )
        for _ in range(2)
    )
    # The outlet refuses each once (a permanent error), as a real one does for a bad title.
    for placement in (first, second):
        outlet_standin.plan(str(placement.idempotency_key), ["400"])
    return first, second


@pytest.fixture
def page(placements, live_server, dispatch_worker):
    user = user_in_role("排期员", username="scheduler")
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, live_server.url, user.username, PASSWORD)
        yield page


def test_retry_delivers_a_failed_placement_and_cancel_stops_another(
    page, live_server, placements, outlet_standin
):
    first, second = placements
    # Given both placements failed at the outlet
    assert run_dispatcher(lambda: all_final(first.pk, second.pk))
    assert set(Placement.objects.values_list("status", flat=True)) == {Status.FAILED}

    # When the scheduler retries the first from its page and confirms
    page.goto(f"{live_server.url}/admin/schedule/placements/inspect/{first.pk}/")
    page.get_by_role("link", name="重试", exact=True).click()
    assert page.locator("h1").inner_text().strip().startswith("重试排期")
    page.get_by_role("button", name="确定").click()
    page.wait_for_load_state("networkidle")
    assert "重试排期：已完成。" in page.content()

    # Then the worker delivers it, and its page says so
    assert run_dispatcher(lambda: all_final(first.pk))
    page.reload()
    assert "已送达" in page.locator("main").inner_text()
    assert outlet_standin.accepted[str(first.idempotency_key)] == 1

    # And the second, cancelled from its page, is never sent again
    page.goto(f"{live_server.url}/admin/schedule/placements/inspect/{second.pk}/")
    page.get_by_role("link", name="取消", exact=True).click()
    page.get_by_role("button", name="确定").click()
    page.wait_for_load_state("networkidle")
    second.refresh_from_db()
    assert second.status == Status.CANCELLED
    assert second.last_error == "已由 scheduler 取消。"
    assert outlet_standin.accepted[str(second.idempotency_key)] == 0
