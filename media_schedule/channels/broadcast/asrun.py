"""As-run confirmation: the station says what aired, through a signed link or an upload.

A link is signed for one outlet, one day and one revision of that day's rundown; it expires,
stops working once the rundown changes (the station would be confirming a different list) and
is accepted once (a replayed submission changes nothing). Every "aired" answer is recorded
through the record service with the outlet as its source; "not aired" is kept as the
station's answer and leaves the placement awaiting, so it turns overdue, never delivered.
"""

import csv
import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from media_schedule.dispatch.record import ConfirmationRefused, delivery_confirm
from media_schedule.models import DeliveryRecord, Outlet

from .models import AsRunAnswer, UsedConfirmationLink
from .recurrence import local_zone
from .rundown import Rundown, RundownItem, rundown_for

SALT = "broadcast.as-run"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_ROWS = 2000
Answer = AsRunAnswer.Answer


def link_max_age() -> datetime.timedelta:
    """How long a confirmation link works (``BROADCAST_ASRUN_LINK_DAYS``, default 7 days)."""
    return datetime.timedelta(days=getattr(settings, "BROADCAST_ASRUN_LINK_DAYS", 7))


class LinkRefused(Exception):
    """A confirmation link that cannot be used, worded for the station."""


def link_token(rundown: Rundown) -> str:
    """The signed token of the confirmation link of ``rundown``."""
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"o": rundown.outlet.pk, "d": rundown.day.isoformat(), "r": rundown.revision[:20]}
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rundown_of_token(token: str) -> Rundown:
    """The rundown a link is for; :class:`LinkRefused` when it is tampered with, expired,
    already used, or made for an earlier version of the rundown."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=link_max_age())
    except signing.SignatureExpired:
        raise LinkRefused(_("此确认链接已过期，请向宣传部索取新的链接。")) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkRefused(_("此确认链接无效。")) from None
    try:
        outlet = Outlet.objects.get(pk=int(data["o"]))
        day = datetime.date.fromisoformat(str(data["d"]))
        revision = str(data["r"])
    except (KeyError, TypeError, ValueError, Outlet.DoesNotExist):
        raise LinkRefused(_("此确认链接无效。")) from None
    rundown = rundown_for(outlet, day)
    if not rundown.revision.startswith(revision):
        raise LinkRefused(_("串联单在发出此链接后已有改动，请向宣传部索取新的链接。"))
    return rundown


def link_used(token: str) -> bool:
    return UsedConfirmationLink.objects.filter(digest=token_digest(token)).exists()


@dataclass(frozen=True)
class ItemAnswer:
    """The station's answer for one rundown item."""

    item: RundownItem
    answer: str
    aired_at: datetime.datetime | None = None
    note: str = ""


@dataclass
class AsRunReport:
    """What a confirmation did: items confirmed, answered not aired, refused, rows unmatched."""

    confirmed: list[RundownItem] = field(default_factory=list)
    not_aired: list[RundownItem] = field(default_factory=list)
    refused: list[tuple[RundownItem, str]] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def asrun_apply(
    *,
    rundown: Rundown,
    answers: list[ItemAnswer],
    channel: str,
    user=None,
    token: str = "",
) -> AsRunReport:
    """Record the station's answers. An aired item is confirmed through the record service
    (source: the outlet) at the time it aired; a placement whose state allows no
    confirmation is reported, not forced. With ``token`` the link is spent in the same
    transaction, so a replayed or concurrent second submission records nothing."""
    report = AsRunReport()
    with transaction.atomic():
        if token:
            try:
                with transaction.atomic():
                    UsedConfirmationLink.objects.create(
                        digest=token_digest(token), outlet=rundown.outlet, day=rundown.day
                    )
            except IntegrityError:
                raise LinkRefused(_("此确认链接已提交过，不能重复提交。")) from None
        for answer in answers:
            item = answer.item
            record = None
            if answer.answer in (Answer.AIRED, Answer.OTHER_TIME):
                aired_at = answer.aired_at or item.planned_at
                label = _("已播出") if answer.answer == Answer.AIRED else _("改时播出")
                try:
                    record = delivery_confirm(
                        placement=item.placement,
                        source=DeliveryRecord.Source.OUTLET,
                        user=user,
                        confirmed_at=aired_at,
                        note=answer.note,
                        details={
                            "as_run": label,
                            "rundown_day": rundown.day.isoformat(),
                            "rundown_revision": rundown.revision,
                            "channel": channel,
                        },
                    )
                except ConfirmationRefused as refusal:
                    report.refused.append((item, str(refusal)))
                else:
                    report.confirmed.append(item)
            else:
                report.not_aired.append(item)
            AsRunAnswer.objects.create(
                booking=item.booking,
                answer=answer.answer,
                aired_at=answer.aired_at,
                note=answer.note[:500],
                channel=channel,
                rundown_revision=rundown.revision,
                record=record,
                created_by=user,
            )
    return report


def parse_time(value, day: datetime.date) -> datetime.datetime | None:
    """A time the station wrote (``18:57``, ``18:57:30``, ``2026-11-29 18:57``, or a cell's
    datetime) as an aware datetime on ``day``; ``None`` when blank; ``ValueError`` if not a
    time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.time):
        moment = datetime.datetime.combine(day, value)
    else:
        text = str(value).strip().replace("：", ":")
        moment = None
        for pattern in (
            "%H:%M",
            "%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y/%m/%d %H:%M",
        ):
            try:
                parsed = datetime.datetime.strptime(text, pattern)
            except ValueError:
                continue
            moment = parsed if "%Y" in pattern else datetime.datetime.combine(day, parsed.time())
            break
        if moment is None:
            raise ValueError(text)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=local_zone())
    return moment


ANSWER_WORDS = {
    Answer.AIRED: {"已播出", "已播", "播出", "是", "aired", "yes", "y", "1", "√", "✓"},
    Answer.NOT_AIRED: {"未播出", "未播", "否", "not aired", "no", "n", "0", "×", "x"},
    Answer.OTHER_TIME: {"改时播出", "改时", "other time", "moved"},
}
COLUMNS = {
    "order": {"序号", "order", "no", "#"},
    "title": {"标题", "title"},
    "answer": {"播出情况", "状态", "status", "aired"},
    "aired_at": {"实际播出时间", "播出时间", "aired at", "aired_at", "time"},
    "note": {"说明", "备注", "note", "notes"},
}


class UploadError(Exception):
    """An upload that cannot be read at all, worded for the editor."""


def read_rows(content: bytes) -> list[list]:
    """The rows of an as-run file: XLSX (checked by its content, not its name) or CSV in
    UTF-8 or GB18030 (as Excel saves it in China)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(_("文件超过 2 MB，请只上传当天的播出记录。"))
    if content.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UploadError(_("无法读取该 XLSX 文件：%(error)s") % {"error": error}) from None
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_UPLOAD_ROWS:
                raise UploadError(_("行数过多（最多 %(max)d 行）。") % {"max": MAX_UPLOAD_ROWS})
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadError(_("无法识别文件编码，请另存为 UTF-8 的 CSV 或 XLSX。"))
    if "\x00" in text:
        raise UploadError(_("这不是 CSV 或 XLSX 文件。"))
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_UPLOAD_ROWS:
        raise UploadError(_("行数过多（最多 %(max)d 行）。") % {"max": MAX_UPLOAD_ROWS})
    return rows


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def upload_answers(rundown: Rundown, content: bytes) -> tuple[list[ItemAnswer], AsRunReport]:
    """Match an as-run file's rows to the rundown's items: by 序号 and 标题 when both are
    given, else by 标题. Rows that match nothing or cannot be read are reported with their
    row number and text; they stop nothing else."""
    rows = read_rows(content)
    report = AsRunReport()
    header_at = next(
        (
            index
            for index, row in enumerate(rows[:10])
            if any(str(cell or "").strip().lower() in COLUMNS["title"] for cell in row)
        ),
        None,
    )
    if header_at is None:
        raise UploadError(_("找不到表头：须有“标题”和“播出情况”两列。"))
    header = [str(cell or "").strip().lower() for cell in rows[header_at]]
    where = {
        name: next((i for i, title in enumerate(header) if title in words), None)
        for name, words in COLUMNS.items()
    }
    if where["answer"] is None:
        raise UploadError(_("找不到表头：须有“标题”和“播出情况”两列。"))
    items = {item.order: item for item in rundown.items}
    by_title: dict[str, list[RundownItem]] = {}
    for item in rundown.items:
        by_title.setdefault(item.title.strip(), []).append(item)
    answers: list[ItemAnswer] = []
    answered: set[int] = set()
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(str(cell or "").strip() for cell in row):
            continue
        shown = "，".join(str(cell) for cell in row if cell not in (None, ""))[:200]
        title = str(_cell(row, where["title"]) or "")
        order = _cell(row, where["order"])
        item = None
        try:
            candidate = items.get(int(order)) if order not in (None, "") else None
        except (TypeError, ValueError):
            candidate = None
        if candidate is not None and (not title or candidate.title.strip() == title):
            item = candidate
        elif order in (None, "") and len(by_title.get(title, [])) == 1:
            item = by_title[title][0]
        if item is None:
            report.unmatched.append((number, shown))
            continue
        word = str(_cell(row, where["answer"]) or "").strip().lower()
        answer = next((key for key, words in ANSWER_WORDS.items() if word in words), None)
        if answer is None:
            report.errors.append(
                _("第 %(row)d 行：无法识别播出情况“%(word)s”。")
                % {"row": number, "word": word[:20]}
            )
            continue
        try:
            aired_at = parse_time(_cell(row, where["aired_at"]), rundown.day)
        except ValueError:
            report.errors.append(_("第 %(row)d 行：无法识别播出时间。") % {"row": number})
            continue
        if answer == Answer.OTHER_TIME and aired_at is None:
            report.errors.append(_("第 %(row)d 行：改时播出须填写实际播出时间。") % {"row": number})
            continue
        if item.order in answered:
            report.errors.append(
                _("第 %(row)d 行：序号 %(order)d 已在前面出现，本行未采用。")
                % {"row": number, "order": item.order}
            )
            continue
        answered.add(item.order)
        answers.append(
            ItemAnswer(item, answer, aired_at, str(_cell(row, where["note"]) or "")[:500])
        )
    return answers, report


def asrun_upload(*, rundown: Rundown, content: bytes, user) -> AsRunReport:
    """Read an as-run file, match it to ``rundown`` and record the matched answers; the
    report lists rows that matched nothing or could not be read."""
    answers, parsed = upload_answers(rundown, content)
    report = asrun_apply(
        rundown=rundown, answers=answers, channel=AsRunAnswer.Channel.UPLOAD, user=user
    )
    report.unmatched = parsed.unmatched
    report.errors = parsed.errors
    return report
