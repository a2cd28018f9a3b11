"""The coverage roll-up: one row per placement (what it contributes) and one per Beijing day,
column and campaign (what the matrix reads).

Why a roll-up: the year-by-week matrix over a million delivery records must answer in tens of
milliseconds, and "the latest record not superseded, per placement" is a correlated query
that no index makes cheap. The roll-up is kept in step by ``placement_refresh``, called (via
``signal_handlers``) in the same transaction as every record the dispatcher's record service
writes: it recomputes the placement's contribution from all its records, and when that
changed, recomputes each affected day bucket from the placement rows under a row lock. A late
record or a correction thus moves the count from the day it left to the day it counts on,
and two workers finishing placements on the same day cannot lose each other's count.
``rebuild`` recomputes everything from the records (after bulk loads, or to check).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from media_schedule.models import DeliveryRecord, Placement

from .columns import AIRTIME_COLUMNS, column_of
from .models import ALL_CAMPAIGNS, CoverageDay, CoveragePlacement

Outcome = DeliveryRecord.Outcome
# Receipt (then version) keys that give a piece's airtime in seconds, most specific first.
AIRTIME_KEYS = ("airtime_seconds", "duration_seconds", "seconds")


@dataclass(frozen=True)
class Fact:
    """A placement's contribution: counted on ``day`` with ``airtime_seconds``, or not."""

    counted: bool
    day: datetime.date | None
    airtime_seconds: int
    record_id: int | None


def effective_record(records: list[dict]) -> dict | None:
    """The record that says what became of a placement: the latest not superseded by
    another (records are dicts with pk, finished_at and supersedes_id)."""
    superseded = {r["supersedes_id"] for r in records if r["supersedes_id"]}
    standing = [r for r in records if r["pk"] not in superseded]
    if not standing:
        return None
    return max(standing, key=lambda r: (r["finished_at"], r["pk"]))


def _ran_at(record: dict, by_pk: dict[int, dict]) -> datetime.datetime:
    """When the piece ran: a correction keeps the time of the record it corrects."""
    seen = set()
    while record["supersedes_id"] and record["supersedes_id"] in by_pk:
        if record["pk"] in seen:
            break
        seen.add(record["pk"])
        record = by_pk[record["supersedes_id"]]
    return record["finished_at"]


def _airtime(receipts: list[dict], version: dict) -> int:
    for source in [*receipts, version or {}]:
        for key in AIRTIME_KEYS:
            value = source.get(key)
            if isinstance(value, int | float) and 0 < value < 86_400:
                return int(value)
    return 0


def placement_fact(records: list[dict], *, column: str, version: dict) -> Fact:
    """What a placement with ``records`` contributes to the matrix column ``column``."""
    record = effective_record(records)
    if record is None or record["outcome"] != Outcome.DELIVERED:
        return Fact(False, None, 0, record["pk"] if record else None)
    by_pk = {r["pk"]: r for r in records}
    day = timezone.localtime(_ran_at(record, by_pk)).date()
    airtime = 0
    if column in AIRTIME_COLUMNS:
        # The confirming record may carry no receipt of its own (a station's as-run list
        # confirms what the hand-over receipt described): newest receipts first.
        newest = sorted(records, key=lambda r: (r["finished_at"], r["pk"]), reverse=True)
        receipts = [record["receipt"]] + [r["receipt"] for r in newest if r is not record]
        airtime = _airtime([r for r in receipts if isinstance(r, dict)], version)
    return Fact(True, day, airtime, record["pk"])


RECORD_FIELDS = ("pk", "outcome", "finished_at", "supersedes_id", "receipt")


def placement_refresh(*, placement_id: int) -> bool:
    """Bring one placement's contribution and the day buckets it touches up to date with its
    records; returns whether anything changed. Runs in the caller's transaction."""
    placement = (
        Placement.objects.select_related("outlet")
        .only("pk", "campaign_id", "version", "outlet__kind", "outlet__medium")
        .get(pk=placement_id)
    )
    column = column_of(medium=placement.outlet.medium, kind=placement.outlet.kind)
    records = list(DeliveryRecord.objects.filter(placement_id=placement_id).values(*RECORD_FIELDS))
    fact = placement_fact(records, column=column, version=placement.version)
    campaign_key = placement.campaign_id or ALL_CAMPAIGNS
    with transaction.atomic():
        old = CoveragePlacement.objects.select_for_update().filter(pk=placement_id).first()
        new_values = {
            "outlet_id": placement.outlet_id,
            "campaign_key": campaign_key,
            "column": column,
            "day": fact.day,
            "counted": fact.counted,
            "airtime_seconds": fact.airtime_seconds,
            "record_id": fact.record_id,
        }
        if old is not None and all(getattr(old, k) == v for k, v in new_values.items()):
            return False
        CoveragePlacement.objects.update_or_create(pk=placement_id, defaults=new_values)
        touched = set()
        for row in (old, CoveragePlacement(**new_values)):
            if row is not None and row.counted:
                touched.add((row.day, row.column, ALL_CAMPAIGNS))
                if row.campaign_key != ALL_CAMPAIGNS:
                    touched.add((row.day, row.column, row.campaign_key))
        for day, col, key in sorted(touched):
            bucket_recompute(day=day, column=col, campaign_key=key)
    return True


def bucket_recompute(*, day: datetime.date, column: str, campaign_key: int) -> None:
    """Recount one day bucket from the placement rows.

    The bucket's row is locked first (created if missing), so a concurrent writer of the same
    bucket waits and then counts with our placement included.
    """
    bucket, _created = CoverageDay.objects.select_for_update().get_or_create(
        day=day, column=column, campaign_key=campaign_key
    )
    rows = CoveragePlacement.objects.filter(day=day, column=column, counted=True)
    if campaign_key != ALL_CAMPAIGNS:
        rows = rows.filter(campaign_key=campaign_key)
    totals = rows.aggregate(
        delivered=Count("pk"),
        airtime=Sum("airtime_seconds"),
        outlets=Count("outlet_id", distinct=True),
    )
    if not totals["delivered"]:
        bucket.delete()
        return
    CoverageDay.objects.filter(pk=bucket.pk).update(
        delivered=totals["delivered"],
        airtime_seconds=totals["airtime"] or 0,
        outlets=totals["outlets"],
    )


def rebuild(*, batch: int = 20_000) -> int:
    """Recompute the whole roll-up from the delivery records (bulk loads, checks).

    Walks placements by id range, ``batch`` at a time, so memory stays bounded however long
    the log; returns the number of placements with records.
    """
    with transaction.atomic():
        CoveragePlacement.objects.all().delete()
        CoverageDay.objects.all().delete()
        bounds = Placement.objects.aggregate(low=Min("pk"), high=Max("pk"))
        done = 0
        low, high = bounds["low"] or 0, bounds["high"] or -1
        for first in range(low, high + 1, batch):
            last = first + batch - 1
            grouped: dict[int, list[dict]] = defaultdict(list)
            for record in DeliveryRecord.objects.filter(
                placement_id__gte=first, placement_id__lte=last
            ).values("placement_id", *RECORD_FIELDS):
                grouped[record["placement_id"]].append(record)
            if not grouped:
                continue
            info = Placement.objects.filter(pk__gte=first, pk__lte=last).values(
                "pk", "campaign_id", "version", "outlet_id", "outlet__kind", "outlet__medium"
            )
            rows = []
            for row in info:
                records = grouped.get(row["pk"])
                if not records:
                    continue
                column = column_of(medium=row["outlet__medium"], kind=row["outlet__kind"])
                fact = placement_fact(records, column=column, version=row["version"])
                rows.append(
                    CoveragePlacement(
                        placement_id=row["pk"],
                        outlet_id=row["outlet_id"],
                        campaign_key=row["campaign_id"] or ALL_CAMPAIGNS,
                        column=column,
                        day=fact.day,
                        counted=fact.counted,
                        airtime_seconds=fact.airtime_seconds,
                        record_id=fact.record_id,
                    )
                )
            CoveragePlacement.objects.bulk_create(rows, batch_size=5000)
            done += len(rows)
        _rebuild_days()
    return done


def _rebuild_days() -> None:
    counted = CoveragePlacement.objects.filter(counted=True)
    days = []
    for rows in (
        counted.values("day", "column"),
        counted.filter(~Q(campaign_key=ALL_CAMPAIGNS)).values("day", "column", "campaign_key"),
    ):
        for row in rows.annotate(
            delivered=Count("pk"),
            airtime=Sum("airtime_seconds"),
            outlets=Count("outlet_id", distinct=True),
        ).order_by():
            days.append(
                CoverageDay(
                    day=row["day"],
                    column=row["column"],
                    campaign_key=row.get("campaign_key", ALL_CAMPAIGNS),
                    delivered=row["delivered"],
                    airtime_seconds=row["airtime"] or 0,
                    outlets=row["outlets"],
                )
            )
    CoverageDay.objects.bulk_create(days, batch_size=5000)
