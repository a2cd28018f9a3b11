"""Recurrence of broadcast slots: RFC 5545 rules checked for what a slot may use and
expanded with python-dateutil.

Rules are expanded in naive local time (Asia/Shanghai, which has had no daylight saving since
1991) and made aware afterwards, so "every day at 07:30" stays 07:30 across month and year
ends whatever the server's own time zone.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr
from django.conf import settings
from django.utils.translation import gettext as _

_DAY = datetime.timedelta(days=1)
ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# The slot's own fields say when it starts and ends: these parts would contradict them.
FORBIDDEN_PARTS = {"DTSTART", "UNTIL", "BYHOUR", "BYMINUTE", "BYSECOND"}
KNOWN_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYSETPOS",
    "WKST",
}
MAX_RULE_LENGTH = 300


class RuleError(ValueError):
    """A recurrence rule a slot cannot use, worded for the editor."""


def local_zone() -> ZoneInfo:
    """The site's time zone (Asia/Shanghai)."""
    return ZoneInfo(settings.TIME_ZONE)


def normalise_rule(text: str) -> str:
    """The rule as stored: upper case, without an ``RRULE:`` prefix or blanks."""
    text = "".join(text.split()).upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text.strip(";")


def parse_rule(text: str) -> str:
    """Check a rule and return it normalised; :class:`RuleError` says what is wrong."""
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(_("重复规则过长（最多 %(max)d 个字符）。") % {"max": MAX_RULE_LENGTH})
    rule = normalise_rule(text)
    if not rule:
        raise RuleError(_("请填写重复规则，例如 FREQ=DAILY。"))
    parts = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not value:
            raise RuleError(_("无法识别“%(part)s”，应为“名称=值”。") % {"part": part[:40]})
        if name in FORBIDDEN_PARTS:
            raise RuleError(
                _("规则中不能写 %(name)s：开始时间、起止日期请在时段的字段中填写。")
                % {"name": name}
            )
        if name not in KNOWN_PARTS:
            raise RuleError(_("不支持的规则项：%(name)s。") % {"name": name[:40]})
        if name in parts:
            raise RuleError(_("规则项 %(name)s 重复出现。") % {"name": name})
        parts[name] = value
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise RuleError(_("FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY（时段每天最多一次）。"))
    try:
        parsed = _compile(rule, datetime.datetime(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise RuleError(_("重复规则有误：%(error)s") % {"error": error}) from None
    if parsed.after(datetime.datetime(2000, 1, 1), inc=True) is None:
        raise RuleError(_("按此规则不会有任何场次。"))
    return rule


@lru_cache(maxsize=4096)
def _compile(rule: str, dtstart: datetime.datetime) -> rrule:
    return rrulestr(rule, dtstart=dtstart, cache=False)


@dataclass(frozen=True)
class Exception_:
    """A stored exception in local naive time: cancelled, or moved to ``moved_to``."""

    original: datetime.datetime
    moved_to: datetime.datetime | None = None


def to_local_naive(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime as naive local time (Asia/Shanghai)."""
    return value.astimezone(local_zone()).replace(tzinfo=None)


def expand(
    *,
    rule: str,
    first_day: datetime.date,
    last_day: datetime.date | None,
    start_time: datetime.time,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    exceptions: Iterable[Exception_] = (),
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """(original start, actual start) of every occurrence whose actual start falls in
    ``[window_start, window_end)``, in order of actual start; all naive local times.

    A cancelled occurrence is left out; a moved one appears at its new time (even when its
    original time lies outside the window) and not at its old one.
    """
    dtstart = datetime.datetime.combine(first_day, start_time)
    # COUNT is counted from the first occurrence, so the rule must always start at dtstart.
    base = _compile(rule, dtstart)
    # The last day is applied after expansion: a rule with COUNT may not also take UNTIL.
    ends = (
        datetime.datetime.combine(last_day + _DAY, datetime.time())
        if last_day is not None
        else None
    )
    exceptions = list(exceptions)
    until = min(window_end, ends) if ends is not None else window_end
    # A set with exclusions merges through a heap; without exceptions the rule alone is quicker.
    rules = base
    if exceptions:
        rules = rruleset(cache=False)
        rules.rrule(base)
        for exception in exceptions:
            rules.exdate(exception.original)
    found = [
        (start, start) for start in rules.between(window_start, until, inc=True) if start < until
    ]
    for exception in exceptions:
        moved = exception.moved_to
        if moved is None or not (window_start <= moved < window_end):
            continue
        # Only an occurrence the rule really has can be moved.
        if (ends is None or exception.original < ends) and base.between(
            exception.original, exception.original, inc=True
        ):
            found.append((exception.original, moved))
    found.sort(key=lambda pair: (pair[1], pair[0]))
    return iter(found)


def expand_naively(
    *,
    rule: str,
    first_day: datetime.date,
    last_day: datetime.date | None,
    start_time: datetime.time,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
) -> list[datetime.datetime]:
    """The baseline the benchmark compares with: parse the rule anew, walk it from its first
    occurrence and keep what falls in the window."""
    dtstart = datetime.datetime.combine(first_day, start_time)
    found = []
    for start in rrulestr(rule, dtstart=dtstart):
        if start >= window_end or (last_day is not None and start.date() > last_day):
            break
        if start >= window_start:
            found.append(start)
    return found
