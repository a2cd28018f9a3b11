"""Key-date rules turned into dates for any year.

A rule is a fixed day (8月1日), the n-th weekday of a month (九月第三个星期六), a day of the
Chinese lunar calendar (正月初一, 腊月最后一天 = 除夕, 闰月 where asked), or the last day of a
month; an offset moves it (春节前一周 = 春节 −7 天), and a key date may end a window at the
next occurrence of another (元旦 → 元宵). Lunar months come from lunar-python, whose tables
run from 1900 to 2100.
"""

import calendar
import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lunar_python import LunarYear

if TYPE_CHECKING:
    from .models import KeyDate

GREGORIAN = "gregorian"
LUNAR = "lunar"
# A window's end is looked for this far after its start; a year and a bit covers any rule.
WINDOW_SEARCH_DAYS = 400


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a key date: its day and, for a window, the day the window ends."""

    key_date: "KeyDate"
    date: datetime.date
    ends_on: datetime.date

    @property
    def is_window(self) -> bool:
        return self.ends_on != self.date


@functools.lru_cache(maxsize=4096)
def lunar_to_gregorian(
    lunar_year: int, month: int, day: int | None, *, leap: bool = False
) -> datetime.date | None:
    """The Gregorian day of lunar ``month``/``day`` in ``lunar_year``; ``day`` None is the
    month's last day (29 or 30). None when that year has no such month (a leap month) or day.
    Cached: the tables never change and building a lunar year takes milliseconds.
    """
    lunar_month = LunarYear.fromYear(lunar_year).getMonth(-month if leap else month)
    if lunar_month is None:
        return None
    length = lunar_month.getDayCount()
    if day is None:
        day = length
    if not 1 <= day <= length:
        return None
    # Julian day numbers count from noon; +0.5 lands on the civil day that starts at midnight.
    ordinal = int(lunar_month.getFirstJulianDay() + 0.5) + day - 1 - 1721425
    return datetime.date.fromordinal(ordinal)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date | None:
    first = datetime.date(year, month, 1)
    if nth > 0:
        date = first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    else:
        last = first.replace(day=calendar.monthrange(year, month)[1])
        date = last - datetime.timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-nth - 1))
    return date if date.month == month else None


def _gregorian_day(key_date: "KeyDate", year: int) -> datetime.date | None:
    if key_date.last_day:
        return datetime.date(year, key_date.month, calendar.monthrange(year, key_date.month)[1])
    if key_date.day is not None:
        try:
            return datetime.date(year, key_date.month, key_date.day)
        except ValueError:  # 29 February outside a leap year
            return None
    return _nth_weekday(year, key_date.month, key_date.weekday, key_date.week_of_month)


def dates_in_year(key_date: "KeyDate", year: int) -> list[datetime.date]:
    """The days (offset applied) the rule falls on in Gregorian ``year``, in order.

    A lunar date early in the lunar year falls in the Gregorian year of the same number, one
    late in it (腊月) may fall in the next, so both lunar years are asked and kept when they
    land in ``year``: usually one day, none for a missing leap month, two in rare years.
    """
    offset = datetime.timedelta(days=key_date.offset_days or 0)
    if key_date.calendar == LUNAR:
        days = []
        for lunar_year in (year - 1, year):
            day = lunar_to_gregorian(
                lunar_year,
                key_date.month,
                None if key_date.last_day else key_date.day,
                leap=key_date.leap_month,
            )
            if day is not None:
                days.append(day + offset)
    else:
        days = [
            day + offset
            for day in (_gregorian_day(key_date, y) for y in (year - 1, year, year + 1))
            if day is not None
        ]
    return sorted(day for day in days if day.year == year)


def next_date(key_date: "KeyDate", today: datetime.date) -> datetime.date:
    """The first day of the rule on or after ``today``.

    Nine years always hold a 29 February (2096 to 2104 is the longest gap) and a lunar leap
    month comes back within twenty years at most for the months rules use; the search stops
    there and raises ``ValueError`` for a rule that never occurs.
    """
    for year in range(today.year, today.year + 40):
        for day in dates_in_year(key_date, year):
            if day >= today:
                return day
    raise ValueError(f"{key_date!r} has no date within forty years of {today}")


def occurrence_at(key_date: "KeyDate", date: datetime.date) -> Occurrence:
    """The occurrence starting on ``date``, its window ending at the next ``window_end``."""
    end_rule = key_date.window_end
    if end_rule is None:
        return Occurrence(key_date, date, date)
    try:
        ends_on = next_date(end_rule, date)
    except ValueError:
        ends_on = date
    if (ends_on - date).days > WINDOW_SEARCH_DAYS:
        ends_on = date
    return Occurrence(key_date, date, ends_on)


def occurrences_between(
    key_dates: "list[KeyDate]", start: datetime.date, end: datetime.date
) -> list[Occurrence]:
    """Every occurrence of ``key_dates`` whose day or window touches ``start``–``end``, in
    date order; a window that began before ``start`` (元旦 → 元宵 seen in February) counts."""
    found = []
    for key_date in key_dates:
        for year in range(start.year - 1, end.year + 1):
            for day in dates_in_year(key_date, year):
                if day > end:
                    continue
                occurrence = occurrence_at(key_date, day)
                if occurrence.ends_on >= start:
                    found.append(occurrence)
    found.sort(key=lambda item: (item.date, item.key_date.name))
    return found


def next_occurrence(key_date: "KeyDate", today: datetime.date) -> Occurrence:
    """The occurrence in progress on ``today`` (a window not yet over) or else the next one."""
    for year in (today.year - 1, today.year):
        for day in dates_in_year(key_date, year):
            if day < today and key_date.window_end_id is not None:
                occurrence = occurrence_at(key_date, day)
                if occurrence.ends_on >= today:
                    return occurrence
    return occurrence_at(key_date, next_date(key_date, today))


def proposed_window(occurrence: Occurrence, lead_days: int) -> tuple[datetime.date, datetime.date]:
    """The campaign window proposed for an occurrence: ``lead_days`` before it to its end."""
    return occurrence.date - datetime.timedelta(days=lead_days), occurrence.ends_on
