"""The coverage pages as the office head who uses them and as users who must be refused:
the report with hostile filters, a cell's records, the XLSX read back, the dashboard panel."""

import datetime
import io

import openpyxl
import pytest
import time_machine

from publicity.models import Campaign, CampaignTarget
from tests.support.roles import user_in_role

from .conftest import beijing, deliver, fail

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = beijing(2026, 7, 30, 12)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def head(client):
    user = user_in_role("双拥办主任", username="zhuren")
    client.force_login(user)
    return user


@pytest.fixture
def campaign():
    campaign = Campaign.objects.create(
        name="八一建军节宣传", slug="bayi-2026", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 9)
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=2, per="week")
    return campaign


@pytest.fixture
def deliveries(outlets, page, campaign):
    deliver(outlets["tv"], beijing(2026, 7, 28, 19), page=page, campaign=campaign)
    deliver(outlets["online"], beijing(2026, 7, 28, 9), page=page, campaign=campaign)
    deliver(outlets["online"], beijing(2026, 7, 29, 9), page=page)
    fail(outlets["newspaper"], beijing(2026, 7, 29, 6), page=page, campaign=campaign)


def test_the_head_sees_the_week_with_its_gap_and_chart(client, head, deliveries, campaign):
    response = client.get("/admin/coverage/", {"period": "week", "campaign": campaign.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年7月27日至2026年8月2日 · 八一建军节宣传" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="coverage-heatmap"' in html
    assert "电视每周至少 2 条：2026年7月27日至2026年8月2日 已播 1，还差 1" in html
    assert 'class="gap"' in html
    matrix = response.context["matrix"]
    assert [c.delivered for c in matrix.row("online").cells] == [0, 1, 0, 0, 0, 0, 0]
    assert [c.missed for c in matrix.row("newspaper").cells] == [0, 0, 1, 0, 0, 0, 0]


def test_everything_this_month_by_week(client, head, deliveries):
    response = client.get("/admin/coverage/", {"period": "month", "granularity": "week"})
    matrix = response.context["matrix"]
    assert (matrix.start, matrix.end) == (D(2026, 7, 1), D(2026, 7, 31))
    assert [c.delivered for c in matrix.row("online").cells] == [0, 0, 0, 0, 2]
    assert matrix.shortfalls == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"period": "custom", "start": "2026-08-01", "end": "2026-07-01"}, "结束日期不能早于开始日期。"),
        ({"period": "custom", "start": "2026-07-01"}, "自定义期间请填写开始和结束日期。"),
        ({"period": "year", "granularity": "day"}, "按日统计最长 92 天，请改为按周或按月。"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "期间最长 1098 天，请缩短。"),
        ({"period": "week", "campaign": "999999"}, "选择一个有效的选项"),
        ({"period": "<script>", "date": "2026-02-30"}, "选择一个有效的选项"),
    ],
)  # fmt: skip
def test_hostile_filters_get_a_clear_error(client, head, params, error):
    response = client.get("/admin/coverage/", params)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["matrix"] is None
    assert "<script>" not in response.content.decode().split("<body")[1].split("</form>")[0]


def test_a_cell_lists_its_records_and_what_was_missed(client, head, deliveries):
    response = client.get(
        "/admin/coverage/cell/", {"column": "online", "start": "2026-07-27", "end": "2026-08-02"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已播发（2）" in html
    assert "2026年7月28日 09:00" in html
    paper = client.get(
        "/admin/coverage/cell/",
        {"column": "newspaper", "start": "2026-07-29", "end": "2026-07-29"},
    ).content.decode()
    assert "未播发的排期（1）" in paper and "渠道拒绝" in paper


@pytest.mark.parametrize(
    "params",
    [
        {"column": "cinema", "start": "2026-07-27", "end": "2026-08-02"},
        {"column": "tv", "start": "2026-13-01", "end": "2026-08-02"},
        {"column": "tv", "start": "2026-08-02", "end": "2026-07-27"},
        {"column": "tv", "start": "1900-01-01", "end": "2026-08-02"},
        {"column": "tv", "start": "2026-07-27", "end": "2026-08-02", "campaign": "x'--"},
        {"column": "tv", "start": "2026-07-27", "end": "2026-08-02", "theme": "424242"},
    ],
)
def test_a_malformed_cell_address_is_not_found(client, head, params):
    assert client.get("/admin/coverage/cell/", params).status_code == 404


def test_the_xlsx_reads_back(client, head, deliveries, campaign):
    response = client.get("/admin/coverage/export/", {"period": "week", "campaign": campaign.pk})
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%AE%A3%E4%BC%A0" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["覆盖矩阵", "目标差距"]
    rows = list(book["覆盖矩阵"].iter_rows(values_only=True))
    assert rows[0][:2] == ("期间", "2026-07-27 — 2026-08-02")
    assert rows[1][:2] == ("宣传活动", "八一建军节宣传")
    assert rows[4] == ("媒介", "7月27日", "7月28日", "7月29日", "7月30日", "7月31日", "8月1日", "8月2日", "合计")  # fmt: skip
    assert rows[5] == ("电视有画面", 0, 1, 0, 0, 0, 0, 0, 1)
    assert rows[8] == ("网络有信息", 0, 1, 0, 0, 0, 0, 0, 1)
    assert book["覆盖矩阵"].cell(6, 3).fill.fgColor.rgb == "00F8D7DA"
    gaps = list(book["目标差距"].iter_rows(values_only=True))
    assert gaps[1][:7] == (
        "电视每周至少 2 条", datetime.datetime(2026, 7, 27), datetime.datetime(2026, 8, 2),
        2, 1, 1, 0,
    )  # fmt: skip


def test_a_campaign_name_that_looks_like_a_formula_is_neutralised(client, head, outlets):
    campaign = Campaign.objects.create(
        name='=HYPERLINK("http://x")', slug="f", starts_on=D(2026, 7, 1), ends_on=D(2026, 7, 31)
    )
    response = client.get("/admin/coverage/export/", {"period": "week", "campaign": campaign.pk})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["覆盖矩阵"].cell(2, 2).value == '\'=HYPERLINK("http://x")'


def test_the_dashboard_panel_shows_the_four_media_this_week(client, head, deliveries):
    html = client.get("/admin/").content.decode()
    assert "本周四大媒介覆盖" in html
    assert "2026年7月27日至2026年8月2日" in html
    panel = html.split("data-coverage-panel")[1].split("</table>")[0]
    assert "网络有信息" in panel and "宣传栏" not in panel


@pytest.mark.parametrize("role", ["仅后台访问", "排期员"])
def test_users_without_the_coverage_permission_are_refused(client, role, deliveries):
    client.force_login(user_in_role(role))
    for url in ("/admin/coverage/", "/admin/coverage/export/", "/admin/coverage/cell/?column=tv&start=2026-07-27&end=2026-08-02"):  # fmt: skip
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert "本周四大媒介覆盖" not in client.get("/admin/").content.decode()
