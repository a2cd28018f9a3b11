"""The assessment standard, item by item (对标对表，不漏项): each item's evidence gathered from
matching delivery records and from evidence attached by hand, lacking items first."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from media_schedule.dispatch.record import EvidenceItem
from media_schedule.models import DeliveryRecord, Placement

from .columns import rule_columns
from .matrix import theme_filter
from .models import CoveragePlacement, ItemEvidence, StandardItem


def item_records(item: StandardItem) -> QuerySet:
    """Delivered records (the standing one of each placement) that match the item's rule:
    its period, its medium, its theme."""
    facts = CoveragePlacement.objects.filter(
        counted=True,
        day__gte=item.starts_on,
        day__lte=item.ends_on,
        column__in=rule_columns(item.medium),
    )
    if item.theme_id:
        facts = facts.filter(
            placement__in=Placement.objects.filter(theme_filter(item.theme)).values("pk")
        )
    return (
        DeliveryRecord.objects.filter(pk__in=facts.values("record_id"))
        .select_related("outlet", "page", "placement")
        .prefetch_related("evidence")
        .order_by("finished_at", "pk")
    )


def standing_evidence(item: StandardItem) -> QuerySet:
    """Hand-attached evidence that stands: neither corrected by a newer row nor withdrawn."""
    return item.evidence.filter(superseded_by__isnull=True, withdrawn=False).select_related(
        "outlet"
    )


@dataclass
class ItemStatus:
    item: StandardItem
    records: list = field(default_factory=list)
    manual: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.records) + len(self.manual)

    @property
    def enough(self) -> bool:
        return self.count >= self.item.required_count

    @property
    def missing(self) -> int:
        return max(0, self.item.required_count - self.count)


def standard_status(items: Iterable[StandardItem] | None = None) -> list[ItemStatus]:
    """Every item with its evidence, those without enough evidence first (then in order)."""
    if items is None:
        items = StandardItem.objects.select_related("theme", "responsible")
    found = [
        ItemStatus(item, list(item_records(item)), list(standing_evidence(item))) for item in items
    ]
    return sorted(found, key=lambda status: status.enough)


class EvidenceRefused(ValueError):
    """Evidence that cannot be attached; the message says why."""


def item_evidence_add(
    *,
    item: StandardItem,
    user,
    happened_on: datetime.date,
    note: str,
    outlet=None,
    medium: str = "",
    evidence: EvidenceItem | None = None,
    supersedes: ItemEvidence | None = None,
    withdraw: bool = False,
) -> ItemEvidence:
    """Attach evidence to an item by hand, or correct (``supersedes``) or withdraw an earlier
    piece: rows are never changed, the history keeps both."""
    if not note.strip():
        raise EvidenceRefused(_("请说明这份佐证的内容。"))
    if supersedes is not None and supersedes.item_id != item.pk:
        raise EvidenceRefused(_("只能更正本条目的佐证。"))
    with transaction.atomic():
        if supersedes is not None:
            locked = ItemEvidence.objects.select_for_update().get(pk=supersedes.pk)
            if ItemEvidence.objects.filter(supersedes=locked).exists():
                raise EvidenceRefused(_("这份佐证已被更正过，请更正最新的一份。"))
        row = ItemEvidence(
            item=item,
            happened_on=happened_on,
            note=note.strip(),
            outlet=outlet,
            medium=medium,
            supersedes=supersedes,
            withdrawn=withdraw,
            added_by=user,
            added_by_name=(user.get_full_name() or user.get_username())[:150] if user else "",
        )
        if evidence is not None:
            row.kind = evidence.kind
            row.file_format = evidence.file_format
            row.url = evidence.url
            row.original_name = evidence.original_name[:255]
            row.size = evidence.byte_size
            row.width = evidence.width
            row.height = evidence.height
            row.duration_seconds = evidence.duration_seconds
            row.sha256 = evidence.sha256
            row.taken_at = evidence.taken_at
            row.place = evidence.place[:100]
            stored = evidence.stored_file()
            if stored is not None:
                row.file.save(evidence.original_name or "evidence", stored, save=False)
        row.save()
    return row
