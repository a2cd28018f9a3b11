"""Admin spreadsheet exports: times in Asia/Shanghai written the Chinese way, yes/no in
words, and CSV cells a spreadsheet would run as a formula neutralised (OWASP CSV injection)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from media_schedule.models import Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def scheduler(client):
    client.force_login(user_in_role("排期员"))
    return client


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_placement_export_writes_every_time_in_beijing_time(scheduler):
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    Placement.objects.create(
        page=approved_article("八一走访慰问"),
        outlet=outlet,
        due_at=datetime.datetime(2026, 7, 31, 10, 30, tzinfo=UTC),
        delivered_at=datetime.datetime(2026, 7, 31, 10, 54, tzinfo=UTC),
        status=Placement.Status.DELIVERED,
    )
    index = reverse("media_schedule_placement:index")

    (row,) = csv_rows(scheduler.get(index, {"export": "csv"}))
    assert row["计划时间"] == "2026年07月31日 18:30"
    assert row["送达时间"] == "2026年07月31日 18:54"

    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(scheduler.get(index, {"export": "xlsx"}).streaming_content))
    )
    sheet = workbook.active
    headings = [cell.value for cell in sheet[1]]
    delivered = sheet.cell(row=2, column=headings.index("送达时间") + 1).value
    assert delivered == datetime.datetime(2026, 7, 31, 18, 54)


HOSTILE = {
    '=HYPERLINK("http://evil.example","点此领取补贴")': "'=HYPERLINK(",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(",
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t=1+1",
}


def test_csv_export_neutralises_formulas_in_every_cell(scheduler):
    for text in HOSTILE:
        Outlet.objects.create(name=text, kind=Outlet.Kind.WEBSITE, notes=text)

    rows = csv_rows(scheduler.get(reverse("media_schedule_outlet:index"), {"export": "csv"}))

    assert len(rows) == len(HOSTILE)
    for row in rows:
        original = next(text for text in HOSTILE if row["名称"].endswith(text))
        assert row["名称"].startswith(HOSTILE[original])
        assert row["名称"] == "'" + original
        assert row["备注"] == "'" + original
        assert row["启用"] == "是"


def test_xlsx_export_keeps_formulas_as_text(scheduler):
    Outlet.objects.create(name="=1+1", kind=Outlet.Kind.WEBSITE)

    response = scheduler.get(reverse("media_schedule_outlet:index"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    assert sheet.cell(row=2, column=1).value == "=1+1"
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_wagtails_own_reports_export_beijing_time(admin_client):
    approved_article("八一走访慰问")

    response = admin_client.get(reverse("wagtailadmin_reports:site_history"), {"export": "csv"})
    rows = csv_rows(response)

    assert rows
    for row in rows:
        assert "+00:00" not in "".join(row.values())
        assert any(value.startswith("20") and "年" in value for value in row.values())
