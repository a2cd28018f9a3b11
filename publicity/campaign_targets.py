"""Campaign coverage targets as people say them (“电视每周至少 2 条”), and the arithmetic of
whether a plan meets them.

A target is a medium, a count and a period: per day, per week, over the whole campaign, or
“continuous” (户外屏全程滚动: at least one on every day of the window). ``parse_target`` reads
the sentence an editor types, ``describe`` writes it back, and ``assess`` compares a target
with the dates items are planned on.
"""

import datetime
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Medium(models.TextChoices):
    """The media a target counts; the values are the scheduler's outlet media."""

    TV = "tv", _("电视")
    RADIO = "radio", _("广播")
    NEWSPAPER = "newspaper", _("报纸")
    ONLINE = "online", _("网络")
    OUTDOOR = "outdoor", _("户外屏")


class Per(models.TextChoices):
    """The period a target's count is asked for."""

    DAY = "day", _("每天")
    WEEK = "week", _("每周")
    CAMPAIGN = "campaign", _("活动期内")
    CONTINUOUS = "continuous", _("全程滚动")


@dataclass(frozen=True)
class Target:
    """One coverage target: ``count`` items of ``medium`` per ``per``."""

    medium: str
    count: int
    per: str


# What people call each medium; the longest names are tried first so 户外屏 wins over 户外.
MEDIUM_WORDS = {
    "电视台": Medium.TV,
    "电视": Medium.TV,
    "广播电台": Medium.RADIO,
    "广播": Medium.RADIO,
    "电台": Medium.RADIO,
    "报纸": Medium.NEWSPAPER,
    "报刊": Medium.NEWSPAPER,
    "纸媒": Medium.NEWSPAPER,
    "网络": Medium.ONLINE,
    "网站": Medium.ONLINE,
    "新媒体": Medium.ONLINE,
    "户外屏": Medium.OUTDOOR,
    "户外大屏": Medium.OUTDOOR,
    "户外": Medium.OUTDOOR,
    "大屏": Medium.OUTDOOR,
    "LED屏": Medium.OUTDOOR,
}
PER_WORDS = {
    "每天": Per.DAY,
    "每日": Per.DAY,
    "每周": Per.WEEK,
    "每星期": Per.WEEK,
    "活动期内": Per.CAMPAIGN,
    "活动期间": Per.CAMPAIGN,
    "活动期间内": Per.CAMPAIGN,
    "整个活动期": Per.CAMPAIGN,
    "全程共": Per.CAMPAIGN,
    "共": Per.CAMPAIGN,
}
CONTINUOUS_WORDS = ("全程滚动", "全程滚动播放", "全程播放", "每天滚动")
AT_LEAST_WORDS = ("至少", "不少于", "最少", "不低于", "共", "合计")
UNITS = "条次篇期个则档"
# The word used when a target is written back, per medium.
UNIT_OF = {
    Medium.TV: _("条"),
    Medium.RADIO: _("次"),
    Medium.NEWSPAPER: _("篇"),
    Medium.ONLINE: _("条"),
    Medium.OUTDOOR: _("条"),
}
DIGITS = dict(zip("零一二三四五六七八九", range(10), strict=True)) | {"两": 2}
MAX_COUNT = 1000
QUOTE_MAX = 40
EXAMPLE = "电视每周至少 2 条"


def _chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``二十`` → 20, ``两`` → 2; None for anything past 99 or not a number."""
    if "十" not in text:
        return DIGITS.get(text) if len(text) == 1 else None
    tens, _sep, ones = text.partition("十")
    if tens and (len(tens) != 1 or tens not in DIGITS):
        return None
    if ones and (len(ones) != 1 or ones not in DIGITS):
        return None
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def _take_prefix(text: str, words: Iterable[str]) -> tuple[str | None, str]:
    for word in sorted(words, key=len, reverse=True):
        if text.upper().startswith(word.upper()):
            return word, text[len(word) :]
    return None, text


# The same sentences in English, as the admin writes them back in English (“TV (items): at
# least 2 per week”), so an editor working in English can save what the form shows.
ENGLISH_MEDIUM_WORDS = {
    "television": Medium.TV,
    "tv": Medium.TV,
    "radio": Medium.RADIO,
    "newspapers": Medium.NEWSPAPER,
    "newspaper": Medium.NEWSPAPER,
    "press": Medium.NEWSPAPER,
    "online": Medium.ONLINE,
    "internet": Medium.ONLINE,
    "web": Medium.ONLINE,
    "outdoor": Medium.OUTDOOR,
    "screens": Medium.OUTDOOR,
    "led": Medium.OUTDOOR,
}
ENGLISH_PER_PATTERNS = (
    (r"\b(?:per|a|each|every) day\b|\bdaily\b", Per.DAY),
    (r"\b(?:per|a|each|every) week\b|\bweekly\b", Per.WEEK),
    (r"\bcampaign\b|\bin total\b", Per.CAMPAIGN),
)
ENGLISH_CONTINUOUS = re.compile(r"\bthroughout\b|\bcontinuous(?:ly)?\b|\ball along\b")
ENGLISH_NUMBER = re.compile(r"\b(\d+)\b")
CJK = re.compile(r"[\u3400-\u9fff]")


def _parse_english(text: str, original: str) -> Target:
    words = text.lower()
    medium = next(
        (
            medium
            for word, medium in ENGLISH_MEDIUM_WORDS.items()
            if re.search(rf"\b{word}\b", words)
        ),
        None,
    )
    if medium is None:
        raise ValidationError(
            _("“%(text)s”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。")
            % {"text": original}
        )
    if ENGLISH_CONTINUOUS.search(words):
        return Target(medium=medium, count=1, per=Per.CONTINUOUS)
    per = next((per for pattern, per in ENGLISH_PER_PATTERNS if re.search(pattern, words)), None)
    if per is None:
        raise ValidationError(
            _("“%(text)s”没有说明期间：请写每天、每周、活动期内或全程滚动，例如“%(example)s”。")
            % {"text": original, "example": describe(Target(Medium.TV, 2, Per.WEEK))}
        )
    numbers = ENGLISH_NUMBER.findall(words)
    if len(numbers) != 1:
        raise ValidationError(
            _("“%(text)s”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。")
            % {"text": original}
        )
    return _checked(Target(medium=medium, count=int(numbers[0]), per=per), original)


def _checked(target: Target, original: str) -> Target:
    if target.count < 1:
        raise ValidationError(_("“%(text)s”的条数至少为 1。") % {"text": original})
    if target.count > MAX_COUNT:
        raise ValidationError(
            _("“%(text)s”的条数超过 %(max)d，请检查。") % {"text": original, "max": MAX_COUNT}
        )
    return target


def parse_target(text: str) -> Target:
    """Read one target as people say it: “广播每天 1 次”, “报纸活动期内 3 篇”, “户外屏全程滚动”
    (or in English, “radio at least 1 per day”, “outdoor screens throughout the campaign”).

    Raises ``ValidationError`` saying what is missing or not understood.
    """
    original = (text or "").strip()
    rest = re.sub(r"[\s，,。.：:]+", "", original)
    # Quoted back in the error: a pasted paragraph is cut short.
    original = original if len(original) <= QUOTE_MAX else original[:QUOTE_MAX] + "…"
    if not rest:
        raise ValidationError(_("请填写目标，例如“%(example)s”。") % {"example": EXAMPLE})
    if not CJK.search(rest):
        return _parse_english(text.strip(), original)
    word, rest = _take_prefix(rest, MEDIUM_WORDS)
    if word is None:
        raise ValidationError(
            _("“%(text)s”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。")
            % {"text": original}
        )
    medium = MEDIUM_WORDS[word]
    continuous, after = _take_prefix(rest, CONTINUOUS_WORDS)
    if continuous is not None and not after:
        return Target(medium=medium, count=1, per=Per.CONTINUOUS)
    per_word, rest = _take_prefix(rest, PER_WORDS)
    if per_word is None:
        raise ValidationError(
            _("“%(text)s”没有说明期间：请写每天、每周、活动期内或全程滚动，例如“%(example)s”。")
            % {"text": original, "example": EXAMPLE}
        )
    _at_least, rest = _take_prefix(rest, AT_LEAST_WORDS)
    match = re.fullmatch(rf"(\d+|[零一二两三四五六七八九十]+)([{UNITS}]?)", rest)
    if match is None:
        raise ValidationError(
            _("“%(text)s”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。")
            % {"text": original}
        )
    number = match.group(1)
    count = int(number) if number.isdigit() else _chinese_number(number)
    return _checked(Target(medium=medium, count=count or 0, per=PER_WORDS[per_word]), original)


def parse_targets(text: str) -> list[Target]:
    """Read one target per line (blank lines skipped); every bad line is reported with its
    number, as is a second target for the same medium and period."""
    targets: list[Target] = []
    errors = []
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            target = parse_target(line)
        except ValidationError as error:
            errors.append(
                gettext("第 %(line)d 行：%(error)s") % {"line": number, "error": error.messages[0]}
            )
            continue
        key = (target.medium, target.per)
        if key in seen:
            errors.append(
                gettext("第 %(line)d 行与第 %(first)d 行是同一媒介、同一期间的目标，请合并。")
                % {"line": number, "first": seen[key]}
            )
            continue
        seen[key] = number
        targets.append(target)
    if errors:
        raise ValidationError(errors)
    return targets


def describe(target: Target) -> str:
    """Write a target back the way people say it; ``parse_target`` reads it as the same target."""
    medium = Medium(target.medium).label
    if target.per == Per.CONTINUOUS:
        return gettext("%(medium)s全程滚动") % {"medium": medium}
    return gettext("%(medium)s%(per)s至少 %(count)d %(unit)s") % {
        "medium": medium,
        "per": Per(target.per).label,
        "count": target.count,
        "unit": UNIT_OF[Medium(target.medium)],
    }


@dataclass
class Assessment:
    """How a plan stands against one target in a window.

    ``planned`` and ``required`` are counted the target's way (items over the window, or the
    periods that reach the count); ``lacking_days`` are days with nothing for the medium in a
    period that is short of the target, the days to mark on a calendar.
    """

    target: Target
    planned: int
    required: int
    lacking_days: list[datetime.date] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.planned >= self.required


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def weekly_quota(count: int, days_in_week: int) -> int:
    """The share of a weekly target asked of a week the window only partly covers.

    A window starting on a Friday has three days of its first week: two a week then asks for
    one that week (rounded up, never zero), not two squeezed into three days.
    """
    return max(1, math.ceil(count * days_in_week / 7))


def assess(
    target: Target,
    start: datetime.date,
    end: datetime.date,
    planned_dates: Iterable[datetime.date],
) -> Assessment:
    """Compare ``target`` with the dates items of its medium are planned on in ``start``–``end``.

    Day and continuous targets count the days that reach the daily count; week targets count
    the (Monday–Sunday) weeks that reach their quota; campaign targets count the items.
    """
    days = _days(start, end)
    per_day = Counter(d for d in planned_dates if start <= d <= end)
    if target.per == Per.CAMPAIGN:
        planned = sum(per_day.values())
        lacking = [] if planned >= target.count else [d for d in days if not per_day[d]]
        return Assessment(target, min(planned, target.count), target.count, lacking)
    if target.per in (Per.DAY, Per.CONTINUOUS):
        need = target.count if target.per == Per.DAY else 1
        short = [d for d in days if per_day[d] < need]
        return Assessment(target, len(days) - len(short), len(days), short)
    weeks: dict[tuple[int, int], list[datetime.date]] = {}
    for day in days:
        weeks.setdefault(day.isocalendar()[:2], []).append(day)
    met = 0
    lacking = []
    for week_days in weeks.values():
        if sum(per_day[d] for d in week_days) >= weekly_quota(target.count, len(week_days)):
            met += 1
        else:
            lacking += [d for d in week_days if not per_day[d]]
    return Assessment(target, met, len(weeks), lacking)
