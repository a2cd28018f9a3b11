"""Campaign targets against delivered coverage: a period short of its count is a gap, shown
in the cells it covers, with what would close it."""

import datetime

import pytest

from media_schedule.coverage.matrix import coverage_matrix, target_shortfalls
from media_schedule.coverage.periods import DAY, MONTH, WEEK
from publicity.campaign_targets import Per, Target
from publicity.models import Campaign, CampaignTarget, KeyDate

from .conftest import beijing, deliver, placement_on

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def campaign():
    # 1 August 2026 is a Saturday: the campaign runs from Monday 20 July to Sunday 9 August.
    campaign = Campaign.objects.create(
        name="八一建军节宣传", slug="bayi-2026", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 9)
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=2, per=Per.WEEK)
    CampaignTarget.objects.create(campaign=campaign, medium="outdoor", count=1, per=Per.CONTINUOUS)
    return campaign


def test_a_week_short_of_its_tv_count_is_a_gap_in_its_cells(outlets, page, campaign):
    for day in (20, 22):  # two in the first week
        deliver(outlets["tv"], beijing(2026, 7, day, 19), page=page, campaign=campaign)
    deliver(outlets["tv"], beijing(2026, 7, 28, 19), page=page, campaign=campaign)  # one
    # Not the campaign's: it does not fill the campaign's gap.
    deliver(outlets["tv"], beijing(2026, 7, 29, 19), page=page)
    placement_on(
        outlets["tv"], beijing(2026, 7, 31, 19), page=page, campaign=campaign, status="approved"
    )

    matrix = coverage_matrix(
        start=D(2026, 7, 20), end=D(2026, 8, 9), granularity=WEEK, campaign=campaign,
        now=beijing(2026, 7, 30, 12),
    )  # fmt: skip
    tv = matrix.row("tv").cells
    assert [c.delivered for c in tv] == [2, 1, 0]
    assert [c.is_gap for c in tv] == [False, True, False]  # the third week has not begun
    assert tv[1].missing == 1
    shortfall = tv[1].shortfalls[0]
    assert (shortfall.start, shortfall.end, shortfall.required, shortfall.have) == (
        D(2026, 7, 27), D(2026, 8, 2), 2, 1,
    )  # fmt: skip
    assert shortfall.planned == 1
    assert shortfall.label == "电视每周至少 2 条：2026年7月27日至2026年8月2日 已播 1，还差 1"
    assert shortfall.suggestions[0] == "已排期 1 条待播出，请督促刊播并登记证据。"
    assert shortfall.suggestions[-1] == "在电视有画面再刊播 1 条即可补齐。"


def test_continuous_outdoor_counts_screens_and_boards_together_day_by_day(outlets, page, campaign):
    deliver(outlets["screen"], beijing(2026, 7, 20, 8), page=page, campaign=campaign)
    deliver(outlets["board"], beijing(2026, 7, 21, 8), page=page, campaign=campaign)

    matrix = coverage_matrix(
        start=D(2026, 7, 20), end=D(2026, 7, 26), granularity=DAY, campaign=campaign,
        now=beijing(2026, 7, 22, 12),
    )  # fmt: skip
    screens = [c.is_gap for c in matrix.row("screen").cells]
    boards = [c.is_gap for c in matrix.row("board").cells]
    assert screens == boards == [False, False, True, False, False, False, False]
    assert [s.start for s in matrix.shortfalls if s.target.medium == "outdoor"] == [D(2026, 7, 22)]


def test_the_next_key_date_is_suggested(outlets, page, campaign):
    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    matrix = coverage_matrix(
        start=D(2026, 7, 20), end=D(2026, 7, 26), granularity=WEEK, campaign=campaign,
        now=beijing(2026, 7, 26, 12),
    )  # fmt: skip
    tv_gap = next(s for s in matrix.shortfalls if s.target.medium == "tv")
    assert "临近重要节点：八一建军节（2026年8月1日），可借势集中刊播。" in tv_gap.suggestions


def test_targets_outside_the_campaign_window_are_not_asked_for(outlets, page, campaign):
    matrix = coverage_matrix(
        start=D(2026, 6, 1), end=D(2026, 6, 30), granularity=MONTH, campaign=campaign,
        now=beijing(2026, 8, 20, 12),
    )  # fmt: skip
    assert matrix.shortfalls == []


def test_week_quota_of_a_partial_week_and_campaign_totals():
    days = {D(2026, 7, 24): 1}
    # A window starting on a Friday: its first week asks ceil(2 × 3 / 7) = 1.
    assert target_shortfalls(
        Target("tv", 2, Per.WEEK), start=D(2026, 7, 24), end=D(2026, 7, 26),
        per_day=days, today=D(2026, 7, 30),
    ) == []  # fmt: skip
    [short] = target_shortfalls(
        Target("newspaper", 3, Per.CAMPAIGN), start=D(2026, 7, 20), end=D(2026, 8, 9),
        per_day=days, today=D(2026, 7, 30),
    )  # fmt: skip
    assert (short.required, short.have, short.missing) == (3, 1, 2)
    [daily] = target_shortfalls(
        Target("radio", 2, Per.DAY), start=D(2026, 7, 24), end=D(2026, 7, 24),
        per_day=days, today=D(2026, 7, 30),
    )  # fmt: skip
    assert (daily.required, daily.have) == (2, 1)
