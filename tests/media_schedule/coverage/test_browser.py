"""In a real browser: the report page with its heat map, gap and filters, the standard's
items, the dashboard panel, and the archive job's progress bar ending in a download link."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from media_schedule.coverage.models import StandardItem
from publicity.models import Campaign, CampaignTarget
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role

from .conftest import beijing, deliver, fail

D = datetime.date


@pytest.mark.browser
@pytest.mark.worker
def test_report_standard_and_archive_progress(live_server, celery_worker, outlets, page, tmp_path):
    head = user_in_role("双拥办主任", username="zhuren")
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    campaign = Campaign.objects.create(
        name="双拥宣传月", slug="month", starts_on=monday - datetime.timedelta(days=14),
        ends_on=monday + datetime.timedelta(days=20),
    )  # fmt: skip
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=3, per="week")
    for offset, key in [(-13, "tv"), (-12, "tv"), (-11, "tv"), (-6, "tv"), (-5, "online"),
                        (-4, "screen"), (-3, "newspaper"), (-2, "radio"), (-1, "board")]:  # fmt: skip
        day = monday + datetime.timedelta(days=offset)
        deliver(
            outlets[key], beijing(day.year, day.month, day.day, 19), page=page, campaign=campaign
        )
    fail(
        outlets["radio"],
        beijing(monday.year, monday.month, monday.day, 7),
        page=page,
        campaign=campaign,
    )
    StandardItem.objects.create(
        code="1.2", text="县电视台全年播出双拥新闻不少于十二条", starts_on=D(today.year, 1, 1),
        ends_on=D(today.year, 12, 31), medium="tv", required_count=12, responsible=head,
    )  # fmt: skip

    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        log_in(tab, live_server.url, head.username, PASSWORD)
        expect(tab.locator("[data-coverage-panel]")).to_be_visible()
        tab.screenshot(path=str(tmp_path / "coverage-dashboard.png"), full_page=True)

        tab.goto(f"{live_server.url}/admin/coverage/")
        tab.select_option("select[name=period]", "custom")
        tab.fill("input[name=start]", (monday - datetime.timedelta(days=14)).isoformat())
        tab.fill("input[name=end]", (monday + datetime.timedelta(days=6)).isoformat())
        tab.select_option("select[name=granularity]", "week")
        tab.select_option("select[name=campaign]", str(campaign.pk))
        tab.click("text=查看")
        expect(tab.locator("svg.coverage-heatmap")).to_be_visible()
        tv = tab.locator("[data-coverage-matrix] tr[data-column=tv] td")
        expect(tv.nth(0)).to_have_text("3")
        expect(tv.nth(1)).to_contain_text("差 2")
        assert "gap" in tv.nth(1).get_attribute("class")
        expect(tab.locator("[data-coverage-gaps]")).to_contain_text("电视每周至少 3 条")
        tab.screenshot(path=str(tmp_path / "coverage-report.png"), full_page=True)

        tab.goto(f"{live_server.url}/admin/coverage/standard/")
        expect(tab.locator("[data-standard-items] tr[data-enough='0']")).to_contain_text(
            "县电视台全年播出双拥新闻"
        )
        tab.screenshot(path=str(tmp_path / "coverage-standard.png"), full_page=True)

        tab.goto(f"{live_server.url}/admin/coverage/archive/")
        tab.fill("input[name=starts_on]", (monday - datetime.timedelta(days=14)).isoformat())
        tab.fill("input[name=ends_on]", (monday + datetime.timedelta(days=6)).isoformat())
        tab.click("text=开始归档")
        expect(tab.locator("[data-archive-job] progress")).to_be_visible()
        link = tab.locator("[data-archive-result] a")
        expect(link).to_have_text("下载归档 ZIP", timeout=120_000)
        assert tab.locator("[data-archive-job] progress").evaluate("bar => bar.value") == 100
        tab.screenshot(path=str(tmp_path / "coverage-archive.png"), full_page=True)
        with tab.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.startswith("资料归档_考核期_")
    print(tmp_path)
