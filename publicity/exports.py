"""Every spreadsheet the admin exports (listings, reports, form submissions) writes times in
the site's time zone, the Chinese way, and CSV cells that a spreadsheet cannot run.

Wagtail's ``SpreadsheetExportMixin`` writes aware times as UTC (``10:54+00:00`` in CSV, a
naive UTC time in XLSX) and passes formulas through in CSV. ``install`` changes the mixin
once, so that every export inherits it, including Wagtail's own.
"""

import csv
import datetime

from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext
from wagtail.admin.views.mixins import Echo, SpreadsheetExportMixin, list_to_str

CSV = SpreadsheetExportMixin.FORMAT_CSV
XLSX = SpreadsheetExportMixin.FORMAT_XLSX

# Cells a spreadsheet reads as a formula or a command (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate with an apostrophe, so it shows as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def local_text(value: datetime.datetime) -> str:
    """An aware time in Asia/Shanghai, e.g. ``2026年11月29日 18:54``."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(local, gettext("Y年m月d日 H:i"))


def local_date_text(value: datetime.date) -> str:
    """A date the Chinese way, e.g. ``2026年07月10日``."""
    return formats.date_format(value, gettext("Y年m月d日"))


def yes_no(value: bool) -> str:
    """A yes/no cell in words rather than ``True``/``False``."""
    return gettext("是") if value else gettext("否")


def local_naive(value: datetime.datetime) -> datetime.datetime:
    """An aware time as the site's wall-clock time; XLSX cells carry no time zone."""
    return timezone.make_naive(value) if timezone.is_aware(value) else value


def _preprocess_field_value(self, field, value, export_format):
    function = self.get_preprocess_function(field, value, export_format)
    result = function(value) if function is not None else value
    if export_format == CSV and isinstance(result, str):
        return neutralise_formula(result)
    return result


def _stream_csv(self, queryset):
    writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
    yield writer.writerow(
        {
            field: neutralise_formula(force_str(self.get_heading(queryset, field)))
            for field in self.list_export
        }
    )
    for item in queryset:
        yield self.write_csv_row(writer, self.to_row_dict(item))


def install() -> None:
    """Apply the time-zone and formula rules to ``SpreadsheetExportMixin`` (at start-up)."""
    # The datetime entry comes first: a datetime is also a date.
    SpreadsheetExportMixin.custom_value_preprocess = {
        datetime.datetime: {CSV: local_text, XLSX: local_naive},
        datetime.date: {CSV: local_date_text, XLSX: None},
        datetime.time: {XLSX: None},
        bool: {CSV: yes_no, XLSX: yes_no},
        list: {CSV: list_to_str, XLSX: list_to_str},
    }
    SpreadsheetExportMixin.preprocess_field_value = _preprocess_field_value
    SpreadsheetExportMixin.stream_csv = _stream_csv
