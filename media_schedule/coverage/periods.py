"""Periods (week, month, quarter, year, custom) and the buckets a matrix divides them into.

Everything here works on calendar dates in Asia/Shanghai: a delivery's day is fixed when the
roll-up records it (``timezone.localtime``), so a piece sent at 23:30 on 31 December in
Beijing (15:30 UTC) counts for December and for that year, whatever the server's clock says.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
CUSTOM = "custom"
DAY = "day"

PERIOD_CHOICES = [
    (WEEK, _("本周")),
    (MONTH, _("本月")),
    (QUARTER, _("本季度")),
    (YEAR, _("本年")),
    (CUSTOM, _("自定义")),
]
GRANULARITY_CHOICES = [(DAY, _("按日")), (WEEK, _("按周")), (MONTH, _("按月"))]
# The bucket a period is divided into unless the user chooses another.
DEFAULT_GRANULARITY = {WEEK: DAY, MONTH: DAY, QUARTER: WEEK, YEAR: WEEK}
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Bucket:
    """One column of time: the days from ``start`` to ``end`` (both included)."""

    start: datetime.date
    end: datetime.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def period_bounds(kind: str, anchor: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the week (Monday to Sunday), month, quarter or year that
    holds ``anchor``."""
    if kind == WEEK:
        start = anchor - datetime.timedelta(days=anchor.weekday())
        return start, start + datetime.timedelta(days=6)
    if kind == MONTH:
        start = anchor.replace(day=1)
        return start, start + relativedelta(months=1, days=-1)
    if kind == QUARTER:
        start = anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1)
        return start, start + relativedelta(months=3, days=-1)
    if kind == YEAR:
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    raise ValueError(kind)


def buckets(start: datetime.date, end: datetime.date, granularity: str) -> list[Bucket]:
    """The period cut into days, weeks (Monday to Sunday, clipped to the period) or months."""
    found = []
    day = start
    while day <= end:
        if granularity == DAY:
            last = day
            label = dateformat.format(day, gettext("n月j日"))
        elif granularity == WEEK:
            last = min(day + datetime.timedelta(days=6 - day.weekday()), end)
            label = gettext("%(start)s—%(end)s") % {
                "start": dateformat.format(day, gettext("n月j日")),
                "end": dateformat.format(last, gettext("n月j日")),
            }
        elif granularity == MONTH:
            last = min(day.replace(day=1) + relativedelta(months=1, days=-1), end)
            label = dateformat.format(day, gettext("Y年n月"))
        else:
            raise ValueError(granularity)
        found.append(Bucket(day, last, label))
        day = last + datetime.timedelta(days=1)
    return found


def bucket_index(found: list[Bucket]) -> dict[datetime.date, int]:
    """Each day of the period mapped to the position of its bucket."""
    index = {}
    for position, bucket in enumerate(found):
        day = bucket.start
        while day <= bucket.end:
            index[day] = position
            day += datetime.timedelta(days=1)
    return index


def chinese_date(value: datetime.date) -> str:
    """``2026年11月29日`` (the English catalog gives its own order)."""
    return dateformat.format(value, gettext("Y年n月j日"))


def period_label(start: datetime.date, end: datetime.date) -> str:
    return gettext("%(start)s至%(end)s") % {"start": chinese_date(start), "end": chinese_date(end)}
