"""Reads for the admin: the dashboard's summary and a placement's history."""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page

from .channels import get_channel
from .channels.base import Channel, OutletFile, ReceiptLine
from .models import DeliveryRecord, Outlet, Placement
from .services import OutletVersion, outlet_version

PANEL_ROWS = 5


@dataclass
class ScheduleHealth:
    """What needs an editor's attention: counts and the first few rows of each kind."""

    failed: QuerySet
    late: QuerySet
    backlog: QuerySet
    awaiting_approval: QuerySet
    unconfirmed: QuerySet
    overdue_confirmation: QuerySet

    def sections(self):
        for key, rows in (
            ("failed", self.failed),
            ("late", self.late),
            ("backlog", self.backlog),
            ("awaiting_approval", self.awaiting_approval),
            ("unconfirmed", self.unconfirmed),
            ("overdue_confirmation", self.overdue_confirmation),
        ):
            yield key, rows.count(), list(rows[:PANEL_ROWS])


def schedule_health(*, now: datetime.datetime | None = None) -> ScheduleHealth:
    """Failed, late, backlogged, held and unconfirmed placements, and those whose outlet has
    not confirmed them by its deadline, most urgent first."""
    now = now or timezone.now()
    base = Placement.objects.select_related("page", "outlet").order_by("due_at")
    return ScheduleHealth(
        failed=base.failed().order_by("-updated_at"),
        late=base.late(now),
        backlog=base.backlog(now),
        awaiting_approval=base.awaiting_approval(now),
        unconfirmed=base.unconfirmed(),
        overdue_confirmation=base.overdue_for_confirmation(now).order_by("confirm_by"),
    )


def placement_history(*, placement: Placement) -> QuerySet:
    """Every attempt on a placement, oldest first, with errors and receipts."""
    return DeliveryRecord.objects.filter(placement=placement).order_by("started_at", "pk")


@dataclass
class OutletPreview:
    """One outlet's version of an item as the schedule preview shows it: its problems, the
    version as the audience sees it, and the files people take to the outlet."""

    outlet_version: OutletVersion
    html: str = ""
    files: list[OutletFile] = field(default_factory=list)

    @property
    def outlet(self) -> Outlet:
        return self.outlet_version.outlet

    @property
    def version(self) -> dict:
        return self.outlet_version.version

    @property
    def errors(self):
        return self.outlet_version.errors

    @property
    def warnings(self):
        return self.outlet_version.warnings


def _channel(kind: str) -> Channel | None:
    try:
        return get_channel(kind)
    except LookupError:
        return None


def outlet_previews(*, page: Page, outlets: list[Outlet]) -> list[OutletPreview]:
    """Each outlet's version of ``page``, checked, shown and with its files, in order."""
    previews = []
    for outlet in outlets:
        built = outlet_version(outlet=outlet, page=page)
        channel = _channel(outlet.kind)
        preview = OutletPreview(built)
        if channel is not None and built.version:
            preview.html = channel.preview(built.version, outlet=outlet, page=page.specific)
            preview.files = channel.files(built.version, outlet=outlet, page=page.specific)
        previews.append(preview)
    return previews


def outlet_file(*, outlet: Outlet, page: Page, name: str, version=None) -> OutletFile | None:
    """The file called ``name`` made from ``version`` (by default the outlet's version of
    ``page`` built afresh), or ``None`` when the outlet makes no such file."""
    channel = _channel(outlet.kind)
    if channel is None:
        return None
    if version is None:
        version = outlet_version(outlet=outlet, page=page).version
    if not version:
        return None
    for candidate in channel.files(version, outlet=outlet, page=page.specific):
        if candidate.name == name:
            return candidate
    return None


def placement_preview(*, placement: Placement) -> OutletPreview:
    """The version saved on a placement, as its outlet's audience sees it, with its files."""
    preview = OutletPreview(OutletVersion(placement.outlet, placement.version or {}))
    channel = _channel(placement.outlet.kind)
    if channel is not None and placement.version:
        page = placement.page.specific
        preview.html = channel.preview(placement.version, outlet=placement.outlet, page=page)
        preview.files = channel.files(placement.version, outlet=placement.outlet, page=page)
    return preview


def delivery_receipts(*, placement: Placement) -> list[tuple[DeliveryRecord, list[ReceiptLine]]]:
    """Every attempt on a placement, oldest first, each with its receipt in words."""
    rows = []
    for record in placement_history(placement=placement).select_related("outlet"):
        # An outlet kind whose adapter is gone still has a URL and a reference to show.
        channel = _channel(record.outlet.kind) or Channel()
        lines = [
            # Addresses come from the outlet's answers: only web links become links.
            line if line.url.startswith(("http://", "https://")) else replace(line, url="")
            for line in channel.receipt_lines(record)
        ]
        rows.append((record, lines))
    return rows
