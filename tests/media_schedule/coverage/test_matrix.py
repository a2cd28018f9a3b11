"""The coverage matrix: Beijing-day buckets across month and year ends, delivered apart from
planned and missed, supersession, the roll-up against a full rebuild, themes, airtime and
screen-days."""

import datetime

import pytest
import time_machine

from media_schedule.channels import Receipt
from media_schedule.coverage import rollup
from media_schedule.coverage.matrix import coverage_matrix
from media_schedule.coverage.models import CoverageDay
from media_schedule.coverage.periods import (
    DAY,
    MONTH,
    QUARTER,
    WEEK,
    YEAR,
    buckets,
    period_bounds,
)
from media_schedule.dispatch.record import record_correct
from media_schedule.models import DeliveryRecord, Placement
from publicity.models import Campaign, Theme
from tests.support.roles import user_in_role

from .conftest import beijing, deliver, fail, placement_on

pytestmark = pytest.mark.django_db
D = datetime.date


def counts(matrix, column):
    return [cell.delivered for cell in matrix.row(column).cells]


def test_period_bounds_cross_month_and_year_ends():
    assert period_bounds(WEEK, D(2027, 1, 1)) == (D(2026, 12, 28), D(2027, 1, 3))
    assert period_bounds(MONTH, D(2028, 2, 10)) == (D(2028, 2, 1), D(2028, 2, 29))
    assert period_bounds(QUARTER, D(2026, 11, 29)) == (D(2026, 10, 1), D(2026, 12, 31))
    assert period_bounds(YEAR, D(2026, 11, 29)) == (D(2026, 1, 1), D(2026, 12, 31))


def test_weeks_are_monday_to_sunday_clipped_to_the_period():
    found = buckets(D(2026, 12, 1), D(2026, 12, 31), WEEK)
    assert [(b.start, b.end) for b in found] == [
        (D(2026, 12, 1), D(2026, 12, 6)),
        (D(2026, 12, 7), D(2026, 12, 13)),
        (D(2026, 12, 14), D(2026, 12, 20)),
        (D(2026, 12, 21), D(2026, 12, 27)),
        (D(2026, 12, 28), D(2026, 12, 31)),
    ]
    assert [b.label for b in found][-1] == "12月28日—12月31日"
    assert len(buckets(D(2026, 1, 1), D(2026, 12, 31), WEEK)) == 53
    months = buckets(D(2026, 11, 15), D(2027, 2, 3), MONTH)
    assert [(b.start, b.end, b.label) for b in months] == [
        (D(2026, 11, 15), D(2026, 11, 30), "2026年11月"),
        (D(2026, 12, 1), D(2026, 12, 31), "2026年12月"),
        (D(2027, 1, 1), D(2027, 1, 31), "2027年1月"),
        (D(2027, 2, 1), D(2027, 2, 3), "2027年2月"),
    ]


def test_a_delivery_counts_on_its_beijing_day_across_the_year_end(outlets, page):
    # 23:30 on 31 December in Beijing is 15:30 UTC the same day; 00:10 on 1 January in
    # Beijing is still 31 December in UTC.
    deliver(outlets["online"], beijing(2026, 12, 31, 23, 30), page=page)
    deliver(outlets["online"], beijing(2027, 1, 1, 0, 10), page=page)
    deliver(outlets["online"], beijing(2027, 1, 1, 8, 0), page=page)

    december = coverage_matrix(start=D(2026, 12, 1), end=D(2026, 12, 31), granularity=DAY)
    assert counts(december, "online")[-1] == 1
    assert sum(counts(december, "online")) == 1
    year_2027 = coverage_matrix(start=D(2027, 1, 1), end=D(2027, 12, 31), granularity=MONTH)
    assert counts(year_2027, "online")[:2] == [2, 0]
    across = coverage_matrix(start=D(2026, 12, 28), end=D(2027, 1, 3), granularity=WEEK)
    assert counts(across, "online") == [3]
    assert counts(across, "tv") == [0]


def test_outdoor_is_split_into_screens_and_boards_with_screen_days(outlets, page):
    monday = beijing(2026, 11, 23, 9)
    deliver(outlets["screen"], monday, page=page)
    deliver(outlets["screen"], monday.replace(hour=10), page=page)
    deliver(outlets["screen2"], monday, page=page)
    deliver(outlets["screen"], monday + datetime.timedelta(days=1), page=page)
    deliver(outlets["board"], monday, page=page)

    matrix = coverage_matrix(start=D(2026, 11, 23), end=D(2026, 11, 29), granularity=WEEK)
    screen = matrix.row("screen").cells[0]
    assert (screen.delivered, screen.outlet_days) == (4, 3)
    assert matrix.row("board").cells[0].delivered == 1
    assert [row.label for row in matrix.rows] == [
        "电视有画面", "广播有声音", "报纸有文字", "网络有信息", "户外显示屏", "宣传栏",
    ]  # fmt: skip


def test_airtime_comes_from_the_receipt_else_the_booking(outlets, page):
    when = beijing(2026, 11, 24, 19)
    deliver(outlets["tv"], when, page=page, receipt=Receipt(details={"duration_seconds": 95}))
    deliver(outlets["radio"], when, page=page, version={"duration_seconds": 60})
    deliver(outlets["online"], when, page=page, receipt=Receipt(details={"duration_seconds": 30}))

    matrix = coverage_matrix(start=D(2026, 11, 23), end=D(2026, 11, 29), granularity=WEEK)
    assert matrix.row("tv").airtime_seconds == 95
    assert matrix.row("radio").airtime_seconds == 60
    assert matrix.row("online").airtime_seconds == 0


def test_planned_and_missed_show_apart_in_the_cell_they_were_due(outlets, page):
    now = beijing(2026, 11, 27, 12)
    placement_on(outlets["tv"], beijing(2026, 11, 28, 19), page=page, status="approved")
    fail(outlets["tv"], beijing(2026, 11, 24, 19), page=page)
    placement_on(
        outlets["screen"], beijing(2026, 11, 25, 8), page=page, status="awaiting",
        confirm_by=beijing(2026, 11, 26, 8),
    )  # fmt: skip
    placement_on(
        outlets["screen"], beijing(2026, 11, 26, 8), page=page, status="awaiting",
        confirm_by=beijing(2026, 11, 28, 8),
    )  # fmt: skip

    matrix = coverage_matrix(start=D(2026, 11, 23), end=D(2026, 11, 29), granularity=DAY, now=now)
    tv = matrix.row("tv").cells
    assert [(c.delivered, c.planned, c.missed) for c in tv[1:6]] == [
        (0, 0, 1), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 1, 0),
    ]  # fmt: skip
    screen = matrix.row("screen").cells
    assert (screen[2].missed, screen[2].planned) == (1, 0)
    assert (screen[3].missed, screen[3].planned) == (0, 1)


def test_a_correction_moves_or_removes_the_count(outlets, page):
    editor = user_in_role("仅后台访问", username="editor")
    first = deliver(outlets["newspaper"], beijing(2026, 11, 2, 8), page=page)
    second = deliver(outlets["newspaper"], beijing(2026, 11, 3, 8), page=page)
    week = dict(start=D(2026, 11, 2), end=D(2026, 11, 8), granularity=DAY)
    assert counts(coverage_matrix(**week), "newspaper")[:2] == [1, 1]

    # The paper did not print the first piece after all: it leaves the matrix.
    with time_machine.travel(beijing(2026, 11, 10, 9), tick=False):
        record_correct(
            record=DeliveryRecord.objects.get(placement=first), user=editor,
            note="实际未见报", ran=False,
        )  # fmt: skip
    # The second is corrected with a better link: it still counts on the day it ran.
    with time_machine.travel(beijing(2026, 11, 12, 9), tick=False):
        correction = record_correct(
            record=DeliveryRecord.objects.get(placement=second), user=editor,
            note="补充电子版链接", url="https://paper.example.cn/3",
        )  # fmt: skip
    assert counts(coverage_matrix(**week), "newspaper")[:2] == [0, 1]
    # And corrected again, now that it did run after all: the first comes back.
    with time_machine.travel(beijing(2026, 11, 13, 9), tick=False):
        record_correct(
            record=DeliveryRecord.objects.get(placement=first, supersedes__isnull=False),
            user=editor, note="找到了见报版面",
        )  # fmt: skip
    assert counts(coverage_matrix(**week), "newspaper")[:2] == [1, 1]
    assert correction.supersedes.placement_id == second.pk
    assert Placement.objects.get(pk=first.pk).status == Placement.Status.DELIVERED

    kept = sorted(CoverageDay.objects.values_list("day", "column", "campaign_key", "delivered"))
    assert rollup.rebuild() == 2
    assert (
        sorted(CoverageDay.objects.values_list("day", "column", "campaign_key", "delivered"))
        == kept
        == [(D(2026, 11, 2), "newspaper", 0, 1), (D(2026, 11, 3), "newspaper", 0, 1)]
    )


def test_campaign_and_theme_select_what_counts(outlets, page):
    theme = Theme.objects.create(name="国防教育", slug="guofang")
    other_page = type(page).objects.get(pk=page.pk)
    campaign = Campaign.objects.create(
        name="八一宣传", slug="bayi", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 5)
    )
    page.themes.add(theme)
    page.save()
    from tests.support.schedule_pages import draft_article

    plain = draft_article("社区志愿服务")
    deliver(outlets["online"], beijing(2026, 7, 28, 9), page=plain, campaign=campaign)
    deliver(outlets["online"], beijing(2026, 7, 29, 9), page=other_page)
    deliver(outlets["online"], beijing(2026, 7, 30, 9), page=plain)

    span = dict(start=D(2026, 7, 27), end=D(2026, 8, 2), granularity=WEEK)
    assert counts(coverage_matrix(**span), "online") == [3]
    assert counts(coverage_matrix(**span, campaign=campaign), "online") == [1]
    assert counts(coverage_matrix(**span, theme=theme), "online") == [1]
    campaign.themes.add(theme)
    # A campaign's theme covers its placements, whatever page they carry.
    assert counts(coverage_matrix(**span, theme=theme), "online") == [2]
    assert counts(coverage_matrix(**span, theme=theme, campaign=campaign), "online") == [1]


def test_cells_link_to_their_records(outlets, page):
    matrix = coverage_matrix(start=D(2026, 11, 23), end=D(2026, 11, 29), granularity=WEEK)
    assert matrix.row("tv").cells[0].url == (
        "/admin/coverage/cell/?column=tv&start=2026-11-23&end=2026-11-29"
    )


def test_a_placement_moved_to_another_campaign_counts_there(outlets, page):
    first = Campaign.objects.create(
        name="春节慰问", slug="chunjie", starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 28)
    )
    second = Campaign.objects.create(
        name="双拥月", slug="shuangyong", starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 28)
    )
    placement = deliver(outlets["online"], beijing(2026, 2, 10, 9), page=page, campaign=first)
    span = dict(start=D(2026, 2, 9), end=D(2026, 2, 15), granularity=WEEK)
    assert counts(coverage_matrix(**span, campaign=first), "online") == [1]

    placement.campaign = second
    placement.save()
    assert counts(coverage_matrix(**span, campaign=first), "online") == [0]
    assert counts(coverage_matrix(**span, campaign=second), "online") == [1]
    assert counts(coverage_matrix(**span), "online") == [1]
