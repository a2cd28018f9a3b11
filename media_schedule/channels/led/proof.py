"""Proof of play (播放记录): what a screen's player says it showed, and screen-days from it.

Plays come in batches of ``{item, start, end, count}`` (Xibo's proof-of-play row), from the
token-authenticated endpoint or an operator's CSV upload of a controller's play log. Each
row is checked on its own: good rows are stored, bad ones are reported with their reason,
so one bad row never loses the others. Recording a play changes no delivery record: the
controller taking the package already confirmed the placements it carries (services).
"""

import csv
import datetime
import io
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Package, PlayRecord, PullLog, Screen

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAX_BATCH = 1000
MAX_COUNT = 100_000
MAX_CSV_BYTES = 5 * 1024 * 1024
# A player's clock may run a little fast; a play further in the future is a wrong clock.
FUTURE_TOLERANCE = datetime.timedelta(hours=1)
OLDEST_PLAY = datetime.timedelta(days=400)
PROOF_OF_PLAY, PULL_LOG = "proof_of_play", "pull_log"
CSV_HEADERS = {
    "item": "item",
    "条目": "item",
    "start": "start",
    "开始": "start",
    "end": "end",
    "结束": "end",
    "count": "count",
    "次数": "count",
}


@dataclass
class PlayBatchResult:
    """What became of a batch: stored, already known, not in any package, refused."""

    accepted: int = 0
    duplicates: int = 0
    not_in_package: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "not_in_package": self.not_in_package,
            "rejected": self.rejected,
        }


class PlayRowError(ValueError):
    """One reported play that cannot be stored; the message says why, in Chinese."""


def _moment(value: Any, name: str) -> datetime.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise PlayRowError(
            _("%(name)s 必须是 ISO 8601 时间，如 2026-11-29T08:00:00+08:00。") % {"name": name}
        )
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None:
        raise PlayRowError(
            _("%(name)s 不是有效的时间：%(value)s") % {"name": name, "value": value[:40]}
        )
    # Controllers log local wall-clock time: a time without an offset is Asia/Shanghai.
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=SHANGHAI)


def _count(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise PlayRowError(_("次数必须是 1 到 %(max)d 之间的整数。") % {"max": MAX_COUNT})
    return value


def parse_play(
    row: Any, *, now: datetime.datetime
) -> tuple[str, datetime.datetime, datetime.datetime, int]:
    """``(item, start, end, count)`` of one reported play, or :class:`PlayRowError`."""
    if not isinstance(row, dict):
        raise PlayRowError(_("每条记录应为包含 item、start、end、count 的对象。"))
    item = row.get("item")
    if not isinstance(item, str) or not item.strip() or len(item) > 100:
        raise PlayRowError(_("条目（item）不能为空，且不超过 100 个字符。"))
    if any(ord(char) < 32 for char in item):
        raise PlayRowError(_("条目（item）含有控制字符。"))
    start = _moment(row.get("start"), "start")
    end = _moment(row.get("end"), "end")
    if end < start:
        raise PlayRowError(_("结束时间早于开始时间。"))
    if end > now + FUTURE_TOLERANCE:
        raise PlayRowError(_("播放时间在未来，请检查控制器的时钟。"))
    if start < now - OLDEST_PLAY:
        raise PlayRowError(_("播放时间早于 400 天前，不予记录。"))
    return item.strip(), start, end, _count(row.get("count"))


def _known_items(screen: Screen) -> dict[str, tuple[int, int | None]]:
    """Item keys of every loop package of the screen: ``key → (package id, placement id)``,
    the newest package winning."""
    known: dict[str, tuple[int, int | None]] = {}
    packages = screen.packages.filter(kind=Package.Kind.LOOP).order_by("version")
    for package_id, manifest in packages.values_list("pk", "manifest"):
        for item in manifest.get("items", []):
            known[item["key"]] = (package_id, item.get("placement_id"))
    return known


def plays_record(
    *, screen: Screen, rows: list[Any], source: str, positions: list[int] | None = None
) -> PlayBatchResult:
    """Store a batch of reported plays of ``screen``; returns what became of each.

    Out-of-order rows are fine (each stands alone); a row already stored is counted as a
    duplicate and left as it was; a play of an item that no package of this screen carries
    is stored, flagged and reported, since the log is evidence and must not lose anything;
    a malformed row is refused with its position (its index, or ``positions[index]``, e.g.
    its line in an uploaded file) and reason.
    """
    result = PlayBatchResult()
    now = timezone.now()
    known = _known_items(screen)
    for index, row in enumerate(rows):
        position = positions[index] if positions is not None else index
        try:
            item, start, end, count = parse_play(row, now=now)
        except PlayRowError as error:
            result.rejected.append({"row": position, "error": str(error)})
            continue
        package_id, placement_id = known.get(item, (None, None))
        if package_id is None:
            result.not_in_package.append({"row": position, "item": item})
        try:
            # Each row in its own savepoint: a duplicate must not undo the rows before it.
            with transaction.atomic():
                _record, created = PlayRecord.objects.get_or_create(
                    screen=screen,
                    item_key=item,
                    started_at=start,
                    ended_at=end,
                    defaults={
                        "count": count,
                        "source": source,
                        "package_id": package_id,
                        "placement_id": placement_id,
                        "in_package": package_id is not None,
                    },
                )
        except IntegrityError:
            created = False  # stored by a concurrent request with the same batch
        if created:
            result.accepted += 1
        else:
            result.duplicates += 1
    return result


def _decode(data: bytes) -> str:
    # Controllers' Windows software writes GB18030 as often as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlayRowError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))


def play_log_rows(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of an uploaded play log (CSV with a header ``item,start,end,count`` or
    ``条目,开始,结束,次数``) and the lines refused while reading it, by line number."""
    if len(data) > MAX_CSV_BYTES:
        raise PlayRowError(_("文件超过 5 MB，请分开上传。"))
    if b"\x00" in data:
        raise PlayRowError(_("这不是文本文件，请上传控制卡导出的 CSV 播放日志。"))
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise PlayRowError(_("文件是空的或不是 CSV。")) from error
    columns = [CSV_HEADERS.get(name.strip().lower()) for name in header]
    missing = {"item", "start", "end"} - set(columns)
    if missing:
        raise PlayRowError(
            _("表头缺少列：%(columns)s。表头应为 item,start,end,count 或 条目,开始,结束,次数。")
            % {"columns": "、".join(sorted(missing))}
        )
    rows, refused = [], []
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            line = reader.line_num
            refused.append({"row": line, "error": _("无法读取该行：%(e)s") % {"e": error}})
            continue
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            refused.append({"row": line, "error": _("列数与表头不符。")})
            continue
        row = {name: value for name, value in zip(columns, values, strict=True) if name}
        row["_line"] = line
        rows.append(row)
    return rows, refused


def play_log_upload(*, screen: Screen, data: bytes) -> tuple[PlayBatchResult, int]:
    """Store an uploaded play log; returns the result (rows named by their line in the file)
    and how many rows were read. Raises :class:`PlayRowError` for a file that cannot be read
    at all."""
    rows, refused = play_log_rows(data)
    lines = [row.pop("_line") for row in rows]
    result = plays_record(
        screen=screen, rows=rows, source=PlayRecord.Source.UPLOAD, positions=lines
    )
    result.rejected = sorted([*refused, *result.rejected], key=lambda entry: entry["row"])
    return result, len(rows) + len(refused)


def _local_days(start: datetime.datetime, end: datetime.datetime):
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def screen_days(
    outlet_ids, start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], str]:
    """The days (Asia/Shanghai, ``start`` to ``end`` inclusive) on which each LED outlet's
    screen showed our programme, and what says so.

    ``(outlet_id, date) → "proof_of_play"`` when the screen's player reported a play that
    day of an item in one of its packages; otherwise ``"pull_log"`` when its controller took
    its package that day (a pull answered 200 or 304), which proves reception, not play.
    Days with neither are absent. Outlets without a screen are absent too."""
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=SHANGHAI)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI
    )
    days: dict[tuple[int, datetime.date], str] = {}
    pulls = PullLog.objects.filter(
        screen__outlet_id__in=list(outlet_ids),
        status_code__in=(200, 304),
        package__isnull=False,
        requested_at__gte=first,
        requested_at__lt=after,
    ).values_list("screen__outlet_id", "requested_at")
    for outlet_id, moment in pulls:
        days[(outlet_id, timezone.localtime(moment).date())] = PULL_LOG
    plays = PlayRecord.objects.filter(
        screen__outlet_id__in=list(outlet_ids),
        in_package=True,
        started_at__lt=after,
        ended_at__gte=first,
    ).values_list("screen__outlet_id", "started_at", "ended_at")
    for outlet_id, started, ended in plays:
        for day in _local_days(
            max(started, first), min(ended, after - datetime.timedelta(microseconds=1))
        ):
            days[(outlet_id, day)] = PROOF_OF_PLAY
    return days
