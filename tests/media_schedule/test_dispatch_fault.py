"""Fault test: 1,000 placements fall due together and the worker is SIGKILLed midway.

Bounded (a few minutes at most) and local: the outlet is a stand-in on 127.0.0.1 that counts
the idempotency keys it accepts and does no de-duplication of its own.
"""

import datetime
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from media_schedule.models import DeliveryRecord, Placement
from tests.support.schedule_pages import approved_article
from tests.support.worker import WorkerProcess

from .conftest import all_final, run_dispatcher

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COUNT = 1000


def test_a_killed_worker_loses_nothing_and_publishes_nothing_twice(
    dispatch_settings, _purged_broker, standin_outlet, outlet_standin
):
    # Given 1,000 approved placements falling due at the same moment
    article = approved_article()
    due = timezone.now() + datetime.timedelta(seconds=2)
    Placement.objects.bulk_create(
        Placement(page=article, outlet=standin_outlet, due_at=due, version={"title": f"第{n}条"})
        for n in range(COUNT)
    )
    ids = list(Placement.objects.values_list("pk", flat=True))
    # A little latency per request, so the kill lands while deliveries are in flight.
    outlet_standin.delay = 0.01

    worker = WorkerProcess(name="fault").start()
    try:
        # When the worker is SIGKILLed once about a third has been accepted
        run_dispatcher(lambda: len(outlet_standin.accepted) >= COUNT // 3, timeout=120)
        worker.kill()
        accepted_at_kill = len(outlet_standin.accepted)
        # (placements keep falling due and being claimed while no worker runs)
        run_dispatcher(lambda: False, timeout=2)
        # (it answers its readiness ping only after the queue ahead of the ping drains)
        worker.start(timeout=180)
        # Then ticking on brings every placement home
        assert run_dispatcher(lambda: all_final(*ids), timeout=300), worker.log_tail()
    finally:
        worker.stop()

    assert 0 < accepted_at_kill < COUNT
    assert Placement.objects.filter(pk__in=ids, status=Placement.Status.DELIVERED).count() == COUNT
    # The stand-in accepted every key exactly once: nothing lost, nothing published twice.
    assert len(outlet_standin.accepted) == COUNT
    assert outlet_standin.duplicates() == {}
    delivered_records = (
        DeliveryRecord.objects.filter(
            placement_id__in=ids, outcome=DeliveryRecord.Outcome.DELIVERED
        )
        .values("placement_id")
        .annotate(n=Count("pk"))
    )
    assert len(delivered_records) == COUNT
    assert {row["n"] for row in delivered_records} == {1}
    # Rows caught mid-send were reconciled through the status query, not sent again.
    unconfirmed = DeliveryRecord.objects.filter(
        placement_id__in=ids, outcome=DeliveryRecord.Outcome.UNCONFIRMED
    ).count()
    print(
        f"accepted before the kill: {accepted_at_kill}; reconciled after it: {unconfirmed}; "
        f"status queries: {sum(outlet_standin.status_queries.values())}; "
        f"requests: {sum(outlet_standin.requests.values())}; at {time.strftime('%H:%M:%S')}"
    )
