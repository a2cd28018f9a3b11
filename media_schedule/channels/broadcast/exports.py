"""A rundown as the duty editor prints it: XLSX (columns sized, header frozen, A4 landscape)
and PDF (WeasyPrint, Noto CJK embedded as subsets)."""

import io
import threading
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..fonts import fc_match
from .rundown import Rundown, duration_text

PDF_FAMILY = "Noto Sans CJK SC"
PDF_FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Character widths of the columns: 序号, 计划时间, 标题, 类型, 时长, 播音/主持, 素材, 备注.
COLUMN_WIDTHS = [6, 11, 44, 8, 8, 12, 30, 26]


class RundownFontMissingError(Exception):
    """The CJK face the PDF is set in is not installed (never print boxes)."""


def headers() -> list[str]:
    return [
        _("序号"),
        _("计划时间"),
        _("标题"),
        _("类型"),
        _("时长"),
        _("播音/主持"),
        _("素材"),
        _("备注"),
    ]


def rundown_rows(rundown: Rundown) -> list[list]:
    """The table body: a heading row per occurrence, then its items."""
    rows = []
    for block in rundown.blocks:
        occurrence = block.occurrence
        rows.append(
            [
                "",
                timezone.localtime(occurrence.start).strftime("%H:%M"),
                _("【%(slot)s】容量 %(capacity)d 秒，已排 %(booked)d 秒，剩余 %(free)d 秒")
                % {
                    "slot": occurrence.slot.name,
                    "capacity": occurrence.capacity_seconds,
                    "booked": occurrence.capacity_seconds - block.free_seconds,
                    "free": block.free_seconds,
                },
                "",
                "",
                occurrence.slot.presenter,
                "",
                _("改时") if occurrence.moved else "",
            ]
        )
        for item in block.items:
            rows.append(
                [
                    item.order,
                    item.planned_text,
                    item.title,
                    item.item_type,
                    duration_text(item.seconds),
                    item.presenter,
                    item.source,
                    item.notes,
                ]
            )
    return rows


def rundown_title(rundown: Rundown) -> str:
    return _("%(outlet)s 串联单 %(day)s") % {"outlet": rundown.outlet.name, "day": rundown.day_text}


def rundown_xlsx(rundown: Rundown) -> bytes:
    """The rundown as an XLSX workbook printable on A4 landscape, one page wide."""
    book = Workbook()
    sheet = book.active
    sheet.title = rundown.day.strftime("%Y-%m-%d")
    sheet.append([rundown_title(rundown)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMN_WIDTHS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers())
    thin = Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = Border(bottom=thin)
    for row in rundown_rows(rundown):
        sheet.append(row)
        if row[0] == "":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "&P / &N"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def require_font() -> None:
    """Raise :class:`RundownFontMissingError` unless the PDF's CJK face is installed."""
    if not Path(PDF_FONT_FILE).is_file() and fc_match(PDF_FAMILY) is None:
        raise RundownFontMissingError(
            _("未找到字体 %(family)s，无法生成 PDF 串联单；请安装 fonts-noto-cjk。")
            % {"family": PDF_FAMILY}
        )


def rundown_pdf(rundown: Rundown) -> bytes:
    """The rundown as an A4 landscape PDF with the CJK face embedded."""
    from ..printing import HTML, weasyprint

    require_font()
    markup = render_to_string(
        "broadcast/rundown_print.html",
        {
            "title": rundown_title(rundown),
            "headers": headers(),
            "rows": rundown_rows(rundown),
            "family": PDF_FAMILY,
            "revision": rundown.revision[:12],
        },
    )
    # Nothing may be fetched: no text in an item can make the renderer read a file.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return HTML(string=markup, url_fetcher=fetcher).write_pdf(font_config=_font_config())


_fonts = threading.local()


def _font_config():
    """One font configuration per thread, reused: a new one per PDF loads the CJK faces
    again and the process grows by about 10 MB a rundown (measured by the bench)."""
    from ..printing import weasyprint

    if not hasattr(_fonts, "config"):
        _fonts.config = weasyprint.text.fonts.FontConfiguration()
    return _fonts.config
