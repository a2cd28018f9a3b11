"""The ``newspaper`` outlet adapter: copy, limits, preview and files; nothing is sent."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import Channel, DeliveryMode, OutletFile, ReceiptLine, VersionProblem
from . import version as versions
from .forms import NewspaperConfigForm, PaperConfig
from .layout import PrintCopy, print_copy, render

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
PREVIEW_PICTURE_PIXELS = 640
FILE_STEM_CHARS = 20
# Characters no file system or browser download accepts in a name.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')


class NewspaperChannel(Channel):
    """Adapter for newspapers (报纸): the editor takes the Word or PDF copy to the paper and
    later records the printed page; the placement waits for that evidence after its due
    time, for ``default_confirm_within_hours`` before it shows as overdue."""

    kind = "newspaper"
    delivery_mode = DeliveryMode.MANUAL
    config_form_class = NewspaperConfigForm
    # A paper usually prints within a few issues of receiving the copy.
    default_confirm_within_hours = 72
    evidence_hint = gettext_lazy(
        "上传见报版面的照片或扫描件（须看得清报名、出版日期和版次），"
        "或上传电子报版面 PDF，或填写电子报网址。"
    )

    def build_version(self, page) -> dict[str, Any]:
        """The page's newspaper copy (see :func:`version.build`)."""
        return versions.build(page)

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        """The copy's problems against ``outlet``'s word limits and sections (without an
        outlet, against none)."""
        return versions.validate(version, PaperConfig.of(outlet))

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """A stopped outlet, or one whose paper name, issue days or sections are not set."""
        problems = super().outlet_problems(outlet)
        config = PaperConfig.of(outlet)
        missing = [
            label
            for label, value in (
                (_("报纸名称"), config.paper_name),
                (_("出版日"), config.issue_days),
                (_("版面"), config.sections),
            )
            if not value
        ]
        if missing:
            problems.append(
                VersionProblem(
                    "outlet",
                    _("该报纸渠道尚未设置%(fields)s，请先在渠道设置中填写。")
                    % {"fields": "、".join(missing)},
                )
            )
        return problems

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """The copy as a newspaper column: dateline, headings, picture, body in columns."""
        with translation.override(settings.LANGUAGE_CODE):
            copy = print_copy(version, outlet)
            picture = copy.picture(PREVIEW_PICTURE_PIXELS)
            return render(
                "newspaper/preview.html",
                copy,
                picture=picture,
                picture_src=picture.url if picture else "",
            )

    def files(self, version: dict[str, Any], *, outlet=None, page=None) -> list[OutletFile]:
        """The print-ready copy as Word (for the paper to set from) and as PDF (to read and
        print as it will look). Both share one copy, so they carry the same issue date."""
        with translation.override(settings.LANGUAGE_CODE):
            copy = print_copy(version, outlet)
            label = _("报纸稿")
            stem = f"{label}-{file_stem(copy.headline)}"
        return [
            OutletFile(
                f"{stem}.docx",
                _("报纸稿（Word）"),
                DOCX_TYPE,
                render=_file_maker("docx", copy),
            ),
            OutletFile(
                f"{stem}.pdf",
                _("报纸稿（PDF）"),
                PDF_TYPE,
                render=_file_maker("pdf", copy),
            ),
        ]

    def receipt_lines(self, record) -> list[ReceiptLine]:
        """The base lines, plus the issue date (刊发日期) and page (版次) the evidence names."""
        lines = super().receipt_lines(record)
        receipt = record.receipt if isinstance(record.receipt, dict) else {}
        issue_date = receipt.get("issue_date")
        if issue_date:
            try:
                shown = versions.long_date(datetime.date.fromisoformat(str(issue_date)))
            except ValueError:
                shown = str(issue_date)
            lines.append(ReceiptLine(_("刊发日期"), shown))
        page_number = receipt.get("page_number")
        if page_number not in (None, ""):
            text = str(page_number).strip()
            shown = _("第 %(number)s 版") % {"number": text} if text.isdigit() else text
            lines.append(ReceiptLine(_("版次"), shown))
        return lines


def file_stem(headline: str) -> str:
    """A short file-name-safe form of the headline (at most 20 characters)."""
    stem = _UNSAFE_IN_NAME.sub("", headline).strip(".")[:FILE_STEM_CHARS]
    return stem or _("无标题")


def _file_maker(kind: str, copy: PrintCopy) -> Callable[[], bytes]:
    def render_file() -> bytes:
        # Loaded on first use: WeasyPrint takes seconds to import (Pango through cffi), and
        # every process that starts the app loads this adapter, most never to make a file.
        if kind == "docx":
            from .word import render_docx as make
        else:
            from .pdf import render_pdf as make
        # Made when downloaded, in whatever language the admin user reads; what goes to the
        # paper is in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            return make(copy)

    return render_file
