"""Workbooks: the report's matrix, and the archive's 台账 (a summary sheet, one sheet per
medium, one per standard item). Times are Beijing wall-clock times, text cells that a
spreadsheet would run as formulas are neutralised (``publicity.exports``)."""

import io
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from publicity.exports import local_naive, neutralise_formula

from .matrix import Matrix

RED = PatternFill("solid", fgColor="F8D7DA")
BOLD = Font(bold=True)
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def text(value) -> str:
    return neutralise_formula(str(value if value is not None else ""))


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    base = SHEET_FORBIDDEN.sub("_", title)[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _header(sheet, values) -> None:
    sheet.append([text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def matrix_sheet(sheet, matrix: Matrix) -> None:
    """Delivered, planned and missed counts, airtime and screen-days; gaps in red."""
    sheet.append([text(_("期间")), text(f"{matrix.start:%Y-%m-%d} — {matrix.end:%Y-%m-%d}")])
    if matrix.campaign is not None:
        sheet.append([text(_("宣传活动")), text(matrix.campaign.name)])
    if matrix.theme is not None:
        sheet.append([text(_("主题")), text(matrix.theme.name)])
    sheet.append([])
    labels = [b.label for b in matrix.buckets]
    for title, value in (
        (_("已播发（条）"), lambda c: c.delivered),
        (_("已排期待播（条）"), lambda c: c.planned),
        (_("失败或逾期未确认（条）"), lambda c: c.missed),
    ):
        sheet.append([text(title)])
        sheet[sheet.max_row][0].font = BOLD
        _header(sheet, [_("媒介"), *labels, _("合计")])
        for row in matrix.rows:
            values = [value(c) for c in row.cells]
            sheet.append([text(row.label), *values, sum(values)])
            if title == _("已播发（条）"):
                for cell, source in zip(sheet[sheet.max_row][1:], row.cells, strict=False):
                    if source.is_gap:
                        cell.fill = RED
        sheet.append([])
    sheet.append([text(_("时长与屏日"))])
    sheet[sheet.max_row][0].font = BOLD
    _header(sheet, [_("项目"), *labels, _("合计")])
    for column, title, value in (
        ("tv", _("电视播出时长（秒）"), lambda c: c.airtime_seconds),
        ("radio", _("广播播出时长（秒）"), lambda c: c.airtime_seconds),
        ("screen", _("显示屏屏日"), lambda c: c.outlet_days),
    ):
        values = [value(c) for c in matrix.row(column).cells]
        sheet.append([text(title), *values, sum(values)])
    sheet.column_dimensions["A"].width = 22


def gaps_sheet(sheet, matrix: Matrix) -> None:
    _header(
        sheet,
        [
            _("目标"),
            _("开始"),
            _("结束"),
            _("要求"),
            _("已播"),
            _("还差"),
            _("已排待播"),
            _("补齐办法"),
        ],
    )
    for shortfall in matrix.shortfalls:
        sheet.append(
            [
                text(shortfall.label.split("：")[0]),
                shortfall.start,
                shortfall.end,
                shortfall.required,
                shortfall.have,
                shortfall.missing,
                shortfall.planned,
                text("；".join(shortfall.suggestions)),
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy年m月d日"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["H"].width = 60


def coverage_workbook(matrix: Matrix) -> bytes:
    """The report's matrix (and its gaps when a campaign sets targets) as XLSX bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("覆盖矩阵")
    matrix_sheet(sheet, matrix)
    if matrix.campaign is not None:
        gaps_sheet(book.create_sheet(_("目标差距")), matrix)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


RECORD_HEADINGS = [
    gettext_lazy("播出时间"),
    gettext_lazy("渠道"),
    gettext_lazy("内容"),
    gettext_lazy("确认来源"),
    gettext_lazy("登记人"),
    gettext_lazy("发布地址"),
    gettext_lazy("证据文件"),
    gettext_lazy("备注"),
]


def record_row(entry) -> list:
    """One ledger line: an archive entry (``archive.RecordEntry``)."""
    record = entry.record
    return [
        local_naive(entry.ran_at),
        text(record.outlet.name),
        text(record.page.title),
        text(record.get_source_display()),
        text(record.recorded_by_name),
        text(record.url),
        text("\n".join(entry.evidence_paths)),
        text(record.note),
    ]


def ledger_workbook(data) -> bytes:
    """The archive's 台账 (``data`` is an ``archive.ArchiveData``)."""
    book = Workbook(write_only=False)
    taken: set[str] = set()
    summary = book.active
    summary.title = sheet_title(_("汇总"), taken)
    matrix_sheet(summary, data.matrix)
    if data.matrix.shortfalls:
        gaps_sheet(book.create_sheet(sheet_title(_("目标差距"), taken)), data.matrix)
    for column, label in data.column_labels:
        sheet = book.create_sheet(sheet_title(str(label), taken))
        _header(sheet, RECORD_HEADINGS)
        for entry in data.records.get(column, []):
            sheet.append(record_row(entry))
            sheet.cell(sheet.max_row, 1).number_format = "yyyy年m月d日 hh:mm"
        sheet.column_dimensions["A"].width = 20
        sheet.column_dimensions["C"].width = 36
        sheet.column_dimensions["G"].width = 48
    for number, status in enumerate(data.statuses, start=1):
        item = status.item
        sheet = book.create_sheet(
            sheet_title(_("条目%(n)d %(code)s") % {"n": number, "code": item.code}, taken)
        )
        sheet.append([text(_("标准条目")), text(item.text)])
        sheet.append([text(_("考核期")), item.starts_on, item.ends_on])
        for cell in sheet[sheet.max_row][1:3]:
            cell.number_format = "yyyy年m月d日"
        sheet.append([text(_("要求")), item.required_count, text(_("已有")), status.count])
        sheet.append([text(_("是否齐全")), text(_("齐全") if status.enough else _("缺少佐证"))])
        sheet.append(
            [
                text(_("责任编辑")),
                text(item.responsible.get_full_name() or item.responsible.get_username())
                if item.responsible
                else "",
            ]
        )
        sheet.append([])
        _header(sheet, RECORD_HEADINGS)
        for entry in data.item_records.get(item.pk, []):
            sheet.append(record_row(entry))
            sheet.cell(sheet.max_row, 1).number_format = "yyyy年m月d日 hh:mm"
        sheet.append([])
        _header(sheet, [_("发生日期"), _("说明"), _("渠道"), _("登记人"), _("证据文件"), _("网址")])
        for piece, path in data.item_evidence.get(item.pk, []):
            sheet.append(
                [
                    piece.happened_on,
                    text(piece.note),
                    text(piece.outlet.name if piece.outlet else ""),
                    text(piece.added_by_name),
                    text(path),
                    text(piece.url),
                ]
            )
            sheet.cell(sheet.max_row, 1).number_format = "yyyy年m月d日"
        sheet.column_dimensions["A"].width = 20
        sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
