"""The worker's one-statement claim: a queued row whose page is still live with the approved
revision recorded at the tick goes to ``sending`` in a single conditional update; every other
case (review reopened, a newer revision, a stale claim, a stopped outlet) takes the long way
and ends as it always did."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media_schedule import dispatch
from media_schedule.models import Outlet, Placement
from tests.support.schedule_pages import approved_article, reviewer, run_review

pytestmark = pytest.mark.django_db

Status = Placement.Status


def claimed(page, outlet, enqueued, django_capture_on_commit_callbacks) -> Placement:
    """A placement taken through the tick as in production: approved with its revision, queued."""
    placement = Placement.objects.create(
        page=page, outlet=outlet, due_at=timezone.now(), version={"title": page.title}
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = dispatch.dispatch_tick()
    assert report.approved == 1 and report.claimed == 1
    placement.refresh_from_db()
    assert placement.status == Status.QUEUED
    assert placement.revision_id == page.live_revision_id
    return placement


def test_an_approved_claim_is_sent_in_few_queries(
    outlet,
    enqueued,
    outlet_standin,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    page = approved_article()
    placement = claimed(page, outlet, enqueued, django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as queries:
        outcome = dispatch.placement_deliver(
            placement_id=placement.pk, claim_token=dict(enqueued)[placement.pk]
        )

    assert outcome == "delivered"
    # Claim-and-check, read with the outlet, then the outcome: update and record; then, in the
    # same transaction, the coverage roll-up takes in the record (its placement and records
    # read, its row and its day's bucket written). The test's own transaction turns commits
    # into savepoints, which are not counted.
    statements = [
        " ".join(q["sql"].replace('"', "").split()[:3])
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"]
    ]
    assert [s.split()[0] for s in statements[:4]] == ["UPDATE", "SELECT", "UPDATE", "INSERT"]
    assert statements[3] == "INSERT INTO media_schedule_deliveryrecord"
    rollup = [s for s in statements[4:] if "coverage_" in s or s.startswith("SELECT")]
    assert rollup == statements[4:]
    assert len(rollup) == 9
    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.attempts == 1
    assert placement.revision_id == page.live_revision_id
    assert placement.records.get().attempt == 1
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1


def test_review_reopened_after_the_claim_holds_the_item(
    outlet, enqueued, outlet_standin, django_capture_on_commit_callbacks
):
    page = approved_article()
    placement = claimed(page, outlet, enqueued, django_capture_on_commit_callbacks)
    page.title = "修改后重新送审"
    page.save_revision(user=reviewer())
    page.get_workflow().start(page, reviewer())

    outcome = dispatch.placement_deliver(
        placement_id=placement.pk, claim_token=dict(enqueued)[placement.pk]
    )

    assert outcome == "held"
    placement.refresh_from_db()
    assert placement.status == Status.PLANNED
    assert placement.last_error == "内容正在审核中，审核通过后才会发送。"
    assert sum(outlet_standin.requests.values()) == 0
    assert placement.records.count() == 0


def test_a_newer_approved_revision_is_the_one_sent(
    outlet, enqueued, outlet_standin, django_capture_on_commit_callbacks
):
    page = approved_article()
    placement = claimed(page, outlet, enqueued, django_capture_on_commit_callbacks)
    first_revision = placement.revision_id
    page.title = "再次审核通过"
    page.save_revision(user=reviewer())
    run_review(page)
    page.refresh_from_db()
    assert page.live_revision_id != first_revision

    outcome = dispatch.placement_deliver(
        placement_id=placement.pk, claim_token=dict(enqueued)[placement.pk]
    )

    assert outcome == "delivered"
    placement.refresh_from_db()
    assert placement.revision_id == page.live_revision_id
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1


def test_a_stale_or_repeated_message_sends_nothing(
    outlet, enqueued, outlet_standin, django_capture_on_commit_callbacks
):
    placement = claimed(approved_article(), outlet, enqueued, django_capture_on_commit_callbacks)
    token = dict(enqueued)[placement.pk]

    wrong = dispatch.placement_deliver(
        placement_id=placement.pk, claim_token="00000000-0000-0000-0000-000000000000"
    )
    first = dispatch.placement_deliver(placement_id=placement.pk, claim_token=token)
    again = dispatch.placement_deliver(placement_id=placement.pk, claim_token=token)
    malformed = dispatch.placement_deliver(placement_id=placement.pk, claim_token="不是标记")

    # A wrong token falls back to the long way, which still honours the row's own claim.
    assert (wrong, first, again, malformed) == ("delivered", "skipped", "skipped", "skipped")
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1
    assert placement.records.count() == 1


def test_a_stopped_outlet_is_not_sent_to(
    outlet, enqueued, outlet_standin, django_capture_on_commit_callbacks
):
    placement = claimed(approved_article(), outlet, enqueued, django_capture_on_commit_callbacks)
    Outlet.objects.filter(pk=outlet.pk).update(is_active=False)

    outcome = dispatch.placement_deliver(
        placement_id=placement.pk, claim_token=dict(enqueued)[placement.pk]
    )

    assert outcome == "failed"
    placement.refresh_from_db()
    assert placement.last_error == "发布渠道已停用，未发送。"
    assert sum(outlet_standin.requests.values()) == 0


def test_content_withdrawn_after_the_claim_is_held(
    outlet, enqueued, outlet_standin, django_capture_on_commit_callbacks
):
    page = approved_article()
    placement = claimed(page, outlet, enqueued, django_capture_on_commit_callbacks)
    page.unpublish()

    outcome = dispatch.placement_deliver(
        placement_id=placement.pk, claim_token=dict(enqueued)[placement.pk]
    )

    assert outcome == "held"
    assert sum(outlet_standin.requests.values()) == 0
