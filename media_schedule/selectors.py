"""Reads for the admin: the dashboard's summary and a placement's history."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import DeliveryRecord, Placement

PANEL_ROWS = 5


@dataclass
class ScheduleHealth:
    """What needs an editor's attention: counts and the first few rows of each kind."""

    failed: QuerySet
    late: QuerySet
    backlog: QuerySet
    awaiting_approval: QuerySet
    unconfirmed: QuerySet

    def sections(self):
        for key, rows in (
            ("failed", self.failed),
            ("late", self.late),
            ("backlog", self.backlog),
            ("awaiting_approval", self.awaiting_approval),
            ("unconfirmed", self.unconfirmed),
        ):
            yield key, rows.count(), list(rows[:PANEL_ROWS])


def schedule_health(*, now: datetime.datetime | None = None) -> ScheduleHealth:
    """Failed, late, backlogged, held and unconfirmed placements, most urgent first."""
    now = now or timezone.now()
    base = Placement.objects.select_related("page", "outlet").order_by("due_at")
    return ScheduleHealth(
        failed=base.failed().order_by("-updated_at"),
        late=base.late(now),
        backlog=base.backlog(now),
        awaiting_approval=base.awaiting_approval(now),
        unconfirmed=base.unconfirmed(),
    )


def placement_history(*, placement: Placement) -> QuerySet:
    """Every attempt on a placement, oldest first, with errors and receipts."""
    return DeliveryRecord.objects.filter(placement=placement).order_by("started_at", "pk")
