"""Occurrences of slots: rules across month and year ends, leap days, exceptions, time zone."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from media_schedule.channels.broadcast.models import SlotException
from media_schedule.channels.broadcast.occurrences import occurrence_of, occurrences_between
from media_schedule.channels.broadcast.recurrence import RuleError, parse_rule

from .conftest import local


def starts(occurrences):
    return [
        o.start.astimezone(local(2026, 1, 1).tzinfo).strftime("%Y-%m-%d %H:%M") for o in occurrences
    ]


def test_every_day_crosses_month_and_year_ends_at_the_same_local_time(radio, make_slot):
    make_slot(radio, rule="FREQ=DAILY", start_time=datetime.time(7, 30))

    found = occurrences_between(local(2026, 12, 30), local(2027, 1, 3), [radio])

    assert starts(found) == [
        "2026-12-30 07:30",
        "2026-12-31 07:30",
        "2027-01-01 07:30",
        "2027-01-02 07:30",
    ]
    assert found[0].end - found[0].start == datetime.timedelta(minutes=5)
    assert found[0].capacity_seconds == 120
    assert found[0].booked_seconds == 0


def test_weekdays_only(radio, make_slot):
    make_slot(
        radio,
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        start_time=datetime.time(18, 55),
        length_seconds=120,
        capacity_seconds=120,
    )

    found = occurrences_between(local(2026, 11, 27), local(2026, 12, 2), [radio])

    # 27 Nov 2026 is a Friday.
    assert starts(found) == ["2026-11-27 18:55", "2026-11-30 18:55", "2026-12-01 18:55"]


def test_every_other_week_and_the_last_friday_of_the_month(radio, make_slot):
    make_slot(radio, rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", starts_on=datetime.date(2026, 12, 1))
    make_slot(radio, rule="FREQ=MONTHLY;BYDAY=-1FR", start_time=datetime.time(20, 0))

    found = occurrences_between(local(2026, 12, 1), local(2027, 2, 1), [radio])

    assert starts(found) == [
        "2026-12-05 07:30",
        "2026-12-19 07:30",
        "2026-12-25 20:00",
        "2027-01-02 07:30",
        "2027-01-16 07:30",
        "2027-01-29 20:00",
        "2027-01-30 07:30",
    ]


def test_the_31st_skips_short_months_and_the_29th_of_february_comes_in_leap_years(radio, make_slot):
    make_slot(radio, rule="FREQ=MONTHLY;BYMONTHDAY=31")
    make_slot(radio, rule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start_time=datetime.time(9, 0))

    found = occurrences_between(local(2027, 1, 1), local(2028, 4, 1), [radio])

    assert starts(found) == [
        "2027-01-31 07:30",
        "2027-03-31 07:30",
        "2027-05-31 07:30",
        "2027-07-31 07:30",
        "2027-08-31 07:30",
        "2027-10-31 07:30",
        "2027-12-31 07:30",
        "2028-01-31 07:30",
        "2028-02-29 09:00",
        "2028-03-31 07:30",
    ]


def test_date_range_bounds_the_occurrences(radio, make_slot):
    make_slot(radio, starts_on=datetime.date(2026, 12, 30), ends_on=datetime.date(2027, 1, 1))

    found = occurrences_between(local(2026, 12, 1), local(2027, 2, 1), [radio])

    assert starts(found) == ["2026-12-30 07:30", "2026-12-31 07:30", "2027-01-01 07:30"]


def test_cancelled_and_moved_occurrences(radio, make_slot):
    slot = make_slot(radio)
    SlotException.objects.create(
        slot=slot, original_start=local(2026, 12, 31, 7, 30), action=SlotException.Action.CANCEL
    )
    SlotException.objects.create(
        slot=slot,
        original_start=local(2027, 1, 1, 7, 30),
        action=SlotException.Action.MOVE,
        moved_to=local(2027, 1, 1, 10, 0),
    )

    found = occurrences_between(local(2026, 12, 30), local(2027, 1, 3), [radio])

    assert starts(found) == ["2026-12-30 07:30", "2027-01-01 10:00", "2027-01-02 07:30"]
    moved = found[1]
    assert moved.moved
    assert moved.original_start == local(2027, 1, 1, 7, 30)
    assert occurrence_of(slot, local(2026, 12, 31, 7, 30)) is None
    assert occurrence_of(slot, local(2027, 1, 1, 7, 30)).start == local(2027, 1, 1, 10, 0)


def test_a_move_into_the_window_from_outside_it_shows(radio, make_slot):
    slot = make_slot(radio)
    SlotException.objects.create(
        slot=slot,
        original_start=local(2027, 1, 5, 7, 30),
        action=SlotException.Action.MOVE,
        moved_to=local(2027, 1, 2, 21, 0),
    )

    found = occurrences_between(local(2027, 1, 2), local(2027, 1, 3), [radio])

    assert starts(found) == ["2027-01-02 07:30", "2027-01-02 21:00"]


def test_times_are_asia_shanghai_whatever_the_window_is_given_in(radio, make_slot):
    make_slot(radio, start_time=datetime.time(0, 30))

    # 2026-12-31 16:00 UTC is 2027-01-01 00:00 in Shanghai.
    start = datetime.datetime(2026, 12, 31, 16, 0, tzinfo=datetime.UTC)
    found = occurrences_between(start, start + datetime.timedelta(days=1), [radio])

    assert [o.start.isoformat() for o in found] == ["2027-01-01T00:30:00+08:00"]
    assert found[0].start == datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)


def test_inactive_slots_and_other_outlets_are_left_out(radio, tv, make_slot):
    make_slot(radio, is_active=False)
    make_slot(tv)

    assert occurrences_between(local(2027, 1, 1), local(2027, 1, 2), [radio]) == []
    assert len(occurrences_between(local(2027, 1, 1), local(2027, 1, 2))) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY（时段每天最多一次）。"),
        ("FREQ=DAILY;BYHOUR=7", "规则中不能写 BYHOUR：开始时间、起止日期请在时段的字段中填写。"),
        (
            "FREQ=DAILY;UNTIL=20271231",
            "规则中不能写 UNTIL：开始时间、起止日期请在时段的字段中填写。",
        ),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "按此规则不会有任何场次。"),
        ("FREQ=DAILY;X-EVIL=1", "不支持的规则项：X-EVIL。"),
        ("FREQ=DAILY;FREQ=WEEKLY", "规则项 FREQ 重复出现。"),
        ("<script>", "无法识别“<SCRIPT>”，应为“名称=值”。"),
        ("", "请填写重复规则，例如 FREQ=DAILY。"),
        ("FREQ=DAILY;" * 40, "重复规则过长（最多 300 个字符）。"),
    ],
)
def test_rules_a_slot_cannot_use_are_refused_with_a_reason(rule, message):
    with pytest.raises(RuleError) as error:
        parse_rule(rule)
    assert str(error.value) == message


def test_rule_is_normalised():
    assert parse_rule("rrule: freq=weekly; byday=mo,fr") == "FREQ=WEEKLY;BYDAY=MO,FR"


def test_slot_form_errors(radio, tv, make_slot):
    with pytest.raises(ValidationError) as error:
        make_slot(radio, capacity_seconds=400, length_seconds=300, start_time=datetime.time(23, 58))
    assert error.value.message_dict == {
        "capacity_seconds": ["可排播时长不能超过时段长度。"],
        "length_seconds": ["时段不能跨过午夜，请拆成两个时段。"],
    }
