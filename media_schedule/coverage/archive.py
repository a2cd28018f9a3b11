"""The inspection archive (资料归档): one ZIP with the 台账 XLSX, a printable PDF report and
every evidence file, organised by medium and date, with a SHA-256 manifest.

Built by a background job (``tasks.build_archive``) that records its progress on its row.
Evidence files are streamed from storage into the ZIP (stored, not recompressed: pictures
and PDFs are compressed already) and hashed on the way, so memory stays flat however many
files there are; the PDF lists a bounded number of records per medium with thumbnails and
points to the XLSX for the rest.
"""

import base64
import datetime
import hashlib
import io
import logging
import os
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from PIL import Image

from media_schedule.channels.fonts import fc_match
from media_schedule.models import DeliveryEvidence, DeliveryRecord
from media_schedule.models.evidence import evidence_extension
from publicity.models import Campaign

from .chart import heatmap_svg
from .columns import COLUMNS, LABELS
from .matrix import Matrix, coverage_matrix
from .models import ArchiveJob, CoveragePlacement, ItemEvidence, StandardItem
from .periods import DAY, MONTH, WEEK, chinese_date, period_label
from .standards import ItemStatus, item_records, standard_status, standing_evidence
from .xlsx import ledger_workbook

logger = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans CJK SC"
# Records listed per medium in the PDF (all of them are in the XLSX) and thumbnails shown.
PDF_RECORDS_PER_MEDIUM = 60
PDF_THUMBNAILS_PER_MEDIUM = 12
THUMBNAIL_PIXELS = 240
CHUNK = 1024 * 1024


class ArchiveFontMissing(Exception):
    """The CJK face the PDF is set in is not installed."""


@dataclass
class RecordEntry:
    record: DeliveryRecord
    ran_at: datetime.datetime
    column: str
    files: list[tuple[DeliveryEvidence, str]] = field(default_factory=list)

    @property
    def evidence_paths(self) -> list[str]:
        return [path for _piece, path in self.files] + [
            piece.url for piece in self.record.evidence.all() if piece.url
        ]


@dataclass
class ArchiveData:
    start: datetime.date
    end: datetime.date
    campaign: Campaign | None
    matrix: Matrix
    records: dict[str, list[RecordEntry]]
    statuses: list[ItemStatus]
    item_records: dict[int, list[RecordEntry]]
    item_evidence: dict[int, list[tuple[ItemEvidence, str]]]
    # (storage name, path in the ZIP), each once.
    files: dict[str, str] = field(default_factory=dict)

    column_labels = COLUMNS


def _evidence_path(column: str, day: datetime.date, piece: DeliveryEvidence) -> str:
    extension = evidence_extension(piece.file_format)
    return f"证据/{LABELS[column]}/{day:%Y-%m-%d}/{piece.record_id}-{piece.pk}.{extension}"


def _entry(record: DeliveryRecord, column: str, files: dict[str, str]) -> RecordEntry:
    ran_at = record.placement.delivered_at or record.finished_at
    entry = RecordEntry(record, ran_at, column)
    day = timezone.localtime(ran_at).date()
    for piece in record.evidence.all():
        if piece.file:
            path = _evidence_path(column, day, piece)
            files[piece.file.name] = path
            entry.files.append((piece, path))
    return entry


def _granularity(start: datetime.date, end: datetime.date) -> str:
    days = (end - start).days + 1
    return DAY if days <= 16 else WEEK if days <= 120 else MONTH


def collect(*, start: datetime.date, end: datetime.date, campaign: Campaign | None) -> ArchiveData:
    """Everything the archive holds for the period (and campaign)."""
    matrix = coverage_matrix(
        start=start, end=end, granularity=_granularity(start, end), campaign=campaign,
        with_links=False,
    )  # fmt: skip
    facts = CoveragePlacement.objects.filter(counted=True, day__gte=start, day__lte=end)
    if campaign is not None:
        facts = facts.filter(campaign_key=campaign.pk)
    column_of_record = dict(facts.values_list("record_id", "column"))
    records = (
        DeliveryRecord.objects.filter(pk__in=list(column_of_record))
        .select_related("outlet", "page", "placement")
        .prefetch_related("evidence")
        .order_by("finished_at", "pk")
    )
    files: dict[str, str] = {}
    by_column: dict[str, list[RecordEntry]] = defaultdict(list)
    for record in records.iterator(chunk_size=2000):
        column = column_of_record[record.pk]
        by_column[column].append(_entry(record, column, files))
    for entries in by_column.values():
        entries.sort(key=lambda e: (e.ran_at, e.record.pk))
    items = StandardItem.objects.filter(starts_on__lte=end, ends_on__gte=start).select_related(
        "theme", "responsible"
    )
    statuses = standard_status(items)
    item_entries: dict[int, list[RecordEntry]] = {}
    item_files: dict[int, list[tuple[ItemEvidence, str]]] = {}
    for number, status in enumerate(statuses, start=1):
        item = status.item
        fact_columns = dict(
            CoveragePlacement.objects.filter(record__in=item_records(item)).values_list(
                "record_id", "column"
            )
        )
        item_entries[item.pk] = [
            _entry(record, fact_columns.get(record.pk, "online"), files)
            for record in status.records
        ]
        pieces = []
        for piece in standing_evidence(item):
            path = ""
            if piece.file:
                extension = evidence_extension(piece.file_format)
                path = (
                    f"证据/考评条目/{number:02d}/{piece.happened_on:%Y-%m-%d}/"
                    f"条目佐证-{piece.pk}.{extension}"
                )
                files[piece.file.name] = path
            pieces.append((piece, path))
        item_files[item.pk] = pieces
    return ArchiveData(
        start, end, campaign, matrix, dict(by_column), statuses, item_entries, item_files, files
    )


def _thumbnail(name: str) -> str | None:
    """A small JPEG of a stored picture as a data URI, or None when it cannot be read."""
    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=70)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def _recording(piece, path: str, where: str, when) -> dict:
    """An audio or video file as the PDF lists it: its path in the ZIP and its duration."""
    day = timezone.localtime(when).date() if isinstance(when, datetime.datetime) else when
    return {
        "audio": piece.kind == DeliveryEvidence.Kind.AUDIO,
        "path": path,
        "name": piece.original_name,
        "duration": piece.duration_seconds,
        "where": where,
        "day": chinese_date(day),
    }


def report_pdf(data: ArchiveData) -> bytes:
    """The printable report: cover, contents, summary matrix with the chart, a section per
    medium with evidence thumbnails, and the standard's checklist (A4, page numbers)."""
    if fc_match(FONT_FAMILY) is None:
        raise ArchiveFontMissing(
            _("未找到中文字体 %(family)s，无法生成 PDF 报告；请安装 fonts-noto-cjk。")
            % {"family": FONT_FAMILY}
        )
    from media_schedule.channels.printing import HTML

    sections = []
    for column, label in COLUMNS:
        entries = data.records.get(column, [])
        thumbnails = []
        # Recordings cannot be drawn: listed by their name in the ZIP and their duration.
        recordings = [
            _recording(piece, path, entry.record.outlet.name, entry.ran_at)
            for entry in entries
            for piece, path in entry.files
            if piece.kind in (DeliveryEvidence.Kind.AUDIO, DeliveryEvidence.Kind.VIDEO)
        ]
        for entry in entries:
            for piece, _path in entry.files:
                if piece.kind == DeliveryEvidence.Kind.PICTURE:
                    uri = _thumbnail(piece.file.name)
                    if uri:
                        thumbnails.append(
                            {
                                "uri": uri,
                                "caption": f"{entry.record.outlet.name} "
                                f"{chinese_date(timezone.localtime(entry.ran_at).date())}",
                            }
                        )
                if len(thumbnails) >= PDF_THUMBNAILS_PER_MEDIUM:
                    break
            if len(thumbnails) >= PDF_THUMBNAILS_PER_MEDIUM:
                break
        sections.append(
            {
                "id": f"medium-{column}",
                "label": label,
                "row": data.matrix.row(column),
                "entries": entries[:PDF_RECORDS_PER_MEDIUM],
                "more": max(0, len(entries) - PDF_RECORDS_PER_MEDIUM),
                "total": len(entries),
                "thumbnails": thumbnails,
                "recordings": recordings[:PDF_RECORDS_PER_MEDIUM],
                "more_recordings": max(0, len(recordings) - PDF_RECORDS_PER_MEDIUM),
            }
        )
    item_recordings = [
        _recording(piece, path, piece.outlet.name if piece.outlet else "", piece.happened_on)
        for pieces in data.item_evidence.values()
        for piece, path in pieces
        if path and piece.kind in (DeliveryEvidence.Kind.AUDIO, DeliveryEvidence.Kind.VIDEO)
    ]
    html = render_to_string(
        "coverage/archive/report.html",
        {
            "item_recordings": item_recordings,
            "data": data,
            "period": period_label(data.start, data.end),
            "made_on": chinese_date(timezone.localdate()),
            "chart": mark_safe(heatmap_svg(data.matrix)),
            "sections": sections,
            "font": FONT_FAMILY,
        },
    )
    return HTML(string=html).write_pdf()


def _stream_into(zf: zipfile.ZipFile, arcname: str, source) -> str:
    digest = hashlib.sha256()
    with zf.open(zipfile.ZipInfo(arcname, date_time=_zip_time()), "w", force_zip64=True) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _zip_time() -> tuple:
    return timezone.localtime().timetuple()[:6]


def build_archive(
    data: ArchiveData, target, *, progress: Callable[[int, str], None] = lambda p, m: None
) -> dict[str, str]:
    """Write the ZIP for ``data`` to ``target`` (a path or a binary file); returns the
    manifest (path in the ZIP → SHA-256)."""
    manifest: dict[str, str] = {}
    missing: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        progress(10, _("正在生成台账 XLSX"))
        ledger = ledger_workbook(data)
        manifest[_("台账.xlsx")] = _stream_into(zf, _("台账.xlsx"), io.BytesIO(ledger))
        progress(25, _("正在生成 PDF 报告"))
        pdf = report_pdf(data)
        manifest[_("报告.pdf")] = _stream_into(zf, _("报告.pdf"), io.BytesIO(pdf))
        total = len(data.files) or 1
        for done, (name, arcname) in enumerate(sorted(data.files.items(), key=lambda i: i[1])):
            try:
                with default_storage.open(name, "rb") as source:
                    manifest[arcname] = _stream_into(zf, arcname, source)
            except FileNotFoundError:
                missing.append(arcname)
            if done % 50 == 0:
                progress(45 + int(50 * done / total), _("正在打包证据文件 %(done)d/%(total)d")
                         % {"done": done, "total": total})  # fmt: skip
        lines = [f"{digest}  {path}" for path, digest in sorted(manifest.items())]
        if missing:
            lines.append("")
            lines += [_("# 缺少文件：%(path)s") % {"path": path} for path in missing]
        zf.writestr(
            zipfile.ZipInfo("SHA256SUMS.txt", date_time=_zip_time()),
            "\n".join(lines) + "\n",
        )
    return manifest


def archive_name(job: ArchiveJob) -> str:
    # A campaign's name may hold characters a file name cannot.
    scope = re.sub(r'[\\/:*?"<>|\s]+', "_", job.campaign.name) if job.campaign else _("考核期")
    return _("资料归档_%(scope)s_%(start)s-%(end)s.zip") % {
        "scope": scope,
        "start": f"{job.starts_on:%Y%m%d}",
        "end": f"{job.ends_on:%Y%m%d}",
    }


def archive_job_start(*, starts_on, ends_on, campaign=None, user=None) -> ArchiveJob:
    """Queue an archive build; the task starts after commit."""
    from .tasks import build_archive as build_task

    job = ArchiveJob.objects.create(
        starts_on=starts_on, ends_on=ends_on, campaign=campaign, created_by=user,
        message=_("排队中"),
    )  # fmt: skip
    transaction.on_commit(lambda: build_task.delay(job.pk))
    return job


def archive_job_run(*, job_id: int) -> ArchiveJob | None:
    """Build the archive of one job, recording progress on its row. Only a queued job is
    started, so a repeated task message does nothing."""
    started = ArchiveJob.objects.filter(pk=job_id, status=ArchiveJob.Status.QUEUED).update(
        status=ArchiveJob.Status.RUNNING, progress=1, message=_("正在汇总记录")
    )
    job = ArchiveJob.objects.select_related("campaign").filter(pk=job_id).first()
    if job is None or not started:
        return job
    last = {"percent": 1}

    def progress(percent: int, message: str) -> None:
        # One write per whole per cent at most: the page polls once a second.
        if percent > last["percent"]:
            last["percent"] = percent
            ArchiveJob.objects.filter(pk=job_id).update(progress=min(percent, 99), message=message)

    name = f"evidence/archives/{uuid.uuid4().hex}.zip"
    path = Path(default_storage.path(name))
    try:
        data = collect(start=job.starts_on, end=job.ends_on, campaign=job.campaign)
        path.parent.mkdir(parents=True, exist_ok=True)
        build_archive(data, path, progress=progress)
    except Exception as error:
        logger.exception("archive job %s failed", job_id)
        path.unlink(missing_ok=True)
        ArchiveJob.objects.filter(pk=job_id).update(
            status=ArchiveJob.Status.FAILED, error=str(error), message=_("生成失败"),
            finished_at=timezone.now(),
        )  # fmt: skip
    else:
        ArchiveJob.objects.filter(pk=job_id).update(
            status=ArchiveJob.Status.DONE, progress=100, message=_("已完成"), archive=name,
            size=os.path.getsize(path), finished_at=timezone.now(),
        )  # fmt: skip
    job.refresh_from_db()
    return job
