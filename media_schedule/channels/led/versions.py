"""The LED version of an item: slogan lines, an optional picture, dwell time and schedule.

A version is stored as JSON on the placement; :func:`parse_version` turns it into a
:class:`LedVersion` or reports every problem at once, worded for an editor.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from media_schedule.channels.base import VersionProblem

from .typesetting import clean_text

MAX_LINES = 6
MAX_LINE_CHARS = 80
MIN_DWELL, MAX_DWELL = 2, 300
URGENT_PRIORITY = 9
TEXT_COLOURS = ("red", "green", "yellow", "white")
PICTURE_FITS = ("crop", "fit")


@dataclass(frozen=True)
class DayPart:
    """A daily window such as 07:00–22:00 (Asia/Shanghai)."""

    start: datetime.time
    end: datetime.time

    def contains(self, moment: datetime.time) -> bool:
        return self.start <= moment < self.end

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


@dataclass(frozen=True)
class LedVersion:
    """What one item shows on a screen and when it may be shown."""

    lines: tuple[str, ...]
    dwell_seconds: int = 8
    picture_id: int | None = None
    picture_fit: str = "crop"
    colour: str = "red"
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    day_parts: tuple[DayPart, ...] = field(default_factory=tuple)
    priority: int = 0

    @property
    def urgent(self) -> bool:
        return self.priority >= URGENT_PRIORITY

    def as_json(self) -> dict[str, Any]:
        return {
            "lines": list(self.lines),
            "dwell_seconds": self.dwell_seconds,
            "picture_id": self.picture_id,
            "picture_fit": self.picture_fit,
            "colour": self.colour,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "day_parts": [part.as_json() for part in self.day_parts],
            "priority": self.priority,
        }


class InvalidVersion(ValueError):
    """The version's JSON is unusable; ``problems`` lists every reason."""

    def __init__(self, problems: list[VersionProblem]):
        self.problems = problems
        super().__init__("；".join(problem.message for problem in problems))


def _time(value: Any) -> datetime.time:
    return datetime.time.fromisoformat(str(value))


def parse_version(data: Any) -> LedVersion:
    """Check and normalise a version's JSON; raises :class:`InvalidVersion`."""
    problems: list[VersionProblem] = []
    if not isinstance(data, dict):
        raise InvalidVersion([VersionProblem("version", _("显示屏版本必须是一个对象。"))])

    raw_lines = data.get("lines")
    lines: list[str] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.append(VersionProblem("lines", _("至少需要一行标语。")))
    elif len(raw_lines) > MAX_LINES:
        problems.append(VersionProblem("lines", _("标语最多 %(n)d 行。") % {"n": MAX_LINES}))
    else:
        for number, raw in enumerate(raw_lines, start=1):
            if not isinstance(raw, str):
                problems.append(VersionProblem("lines", _("第 %(n)d 行不是文字。") % {"n": number}))
                continue
            try:
                line = clean_text(raw)
            except ValueError as error:
                problems.append(VersionProblem("lines", str(error)))
                continue
            if not line:
                problems.append(VersionProblem("lines", _("第 %(n)d 行是空的。") % {"n": number}))
            elif len(line) > MAX_LINE_CHARS:
                problems.append(
                    VersionProblem(
                        "lines",
                        _("第 %(n)d 行有 %(len)d 个字，超过 %(max)d 字的上限。")
                        % {"n": number, "len": len(line), "max": MAX_LINE_CHARS},
                    )
                )
            else:
                lines.append(line)

    dwell = data.get("dwell_seconds", 8)
    if isinstance(dwell, bool) or not isinstance(dwell, int) or not MIN_DWELL <= dwell <= MAX_DWELL:
        problems.append(
            VersionProblem(
                "dwell_seconds",
                _("停留时间须为 %(min)d 至 %(max)d 秒的整数。")
                % {"min": MIN_DWELL, "max": MAX_DWELL},
            )
        )

    picture_id = data.get("picture_id")
    if picture_id is not None and (isinstance(picture_id, bool) or not isinstance(picture_id, int)):
        problems.append(VersionProblem("picture_id", _("图片编号无效。")))
    picture_fit = data.get("picture_fit", "crop")
    if picture_fit not in PICTURE_FITS:
        problems.append(VersionProblem("picture_fit", _("图片适配方式只能是裁切或完整显示。")))
    colour = data.get("colour", "red")
    if colour not in TEXT_COLOURS:
        problems.append(VersionProblem("colour", _("文字颜色只能是红、绿、黄或白。")))

    dates = {}
    for key, label in (("valid_from", _("开始日期")), ("valid_until", _("结束日期"))):
        value = data.get(key)
        try:
            dates[key] = datetime.date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            problems.append(
                VersionProblem(key, _("%(label)s格式应为 2025-08-01。") % {"label": label})
            )
            dates[key] = None
    if dates["valid_from"] and dates["valid_until"] and dates["valid_from"] > dates["valid_until"]:
        problems.append(VersionProblem("valid_until", _("结束日期不能早于开始日期。")))

    day_parts: list[DayPart] = []
    raw_parts = data.get("day_parts") or []
    if not isinstance(raw_parts, list):
        raw_parts = [raw_parts]
    for raw in raw_parts:
        try:
            part = DayPart(_time(raw["start"]), _time(raw["end"]))
        except (TypeError, KeyError, ValueError):
            problems.append(VersionProblem("day_parts", _("播放时段格式应为 07:00–22:00。")))
            continue
        if part.start >= part.end:
            problems.append(VersionProblem("day_parts", _("播放时段的结束时间必须晚于开始时间。")))
        else:
            day_parts.append(part)

    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 9:
        problems.append(VersionProblem("priority", _("优先级须为 0 至 9 的整数（9 为紧急）。")))

    if problems:
        raise InvalidVersion(problems)
    return LedVersion(
        lines=tuple(lines),
        dwell_seconds=dwell,
        picture_id=picture_id,
        picture_fit=picture_fit,
        colour=colour,
        valid_from=dates["valid_from"],
        valid_until=dates["valid_until"],
        day_parts=tuple(day_parts),
        priority=priority,
    )
