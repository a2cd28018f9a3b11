"""The dispatcher end to end: a real worker process, a real HTTP outlet on 127.0.0.1.

Beat is replaced by calling the tick from the test, which is all beat does.
"""

import datetime

import pytest
from django.utils import timezone

from media_schedule import dispatch
from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.schedule_pages import approved_article, draft_article, run_review

from .conftest import all_final, run_dispatcher

# The worker sees only committed rows; serialized rollback brings back what migrations
# created (the page tree root, the default site, the 三审 workflow) after each test.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Status = Placement.Status


def place(page, outlet, *, in_seconds: float = 0.0, title: str | None = None) -> Placement:
    return Placement.objects.create(
        page=page,
        outlet=outlet,
        due_at=timezone.now() + datetime.timedelta(seconds=in_seconds),
        version={"title": title or page.title},
    )


def test_a_placement_goes_out_at_its_due_time_and_is_logged(
    dispatch_worker, standin_outlet, outlet_standin
):
    # Given an approved article scheduled two seconds from now
    placement = place(approved_article(), standin_outlet, in_seconds=2)

    # When the dispatcher ticks until it is done
    assert run_dispatcher(lambda: all_final(placement.pk))

    # Then it went out once, not before its time, and the log holds the receipt
    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.delivered_at >= placement.due_at
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1
    assert placement.result_url.endswith(f"/items/{placement.idempotency_key}")
    (record,) = DeliveryRecord.objects.filter(placement=placement)
    assert record.outcome == DeliveryRecord.Outcome.DELIVERED
    assert record.receipt["external_id"] == placement.external_id
    assert record.url == placement.result_url
    assert (
        outlet_standin.published[str(placement.idempotency_key)]["title"]
        == placement.version["title"]
    )


def test_an_outlet_answering_503_for_a_while_is_retried_with_backoff(
    dispatch_worker, standin_outlet, outlet_standin
):
    placement = place(approved_article(), standin_outlet)
    outlet_standin.plan(str(placement.idempotency_key), ["503", "503"])

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.attempts == 3
    outcomes = list(
        placement.records.order_by("attempt").values_list("attempt", "outcome", "error")
    )
    assert [(a, o) for a, o, _e in outcomes] == [(1, "retry"), (2, "retry"), (3, "delivered")]
    assert "HTTP 503" in outcomes[0][2]
    assert outlet_standin.requests[str(placement.idempotency_key)] == 3
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1


def test_an_outlet_that_keeps_failing_ends_failed_after_the_attempt_limit(
    dispatch_worker, standin_outlet, outlet_standin, dispatch_settings
):
    placement = place(approved_article(), standin_outlet)
    outlet_standin.plan(str(placement.idempotency_key), ["503"] * 10)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.FAILED
    assert placement.attempts == dispatch_settings["MAX_ATTEMPTS"]
    assert f"已尝试 {placement.attempts} 次仍未成功" in placement.last_error
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 0


def test_a_refusal_ends_failed_at_once_with_a_readable_reason(
    dispatch_worker, standin_outlet, outlet_standin
):
    placement = place(approved_article(), standin_outlet)
    outlet_standin.plan(str(placement.idempotency_key), ["400"])

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.FAILED
    assert placement.attempts == 1
    assert placement.last_error == "渠道拒绝（HTTP 400）：标题含有不允许的字符"
    (record,) = placement.records.all()
    assert record.outcome == DeliveryRecord.Outcome.FAILED
    assert record.receipt == {"status": 400}


def test_content_that_has_not_passed_review_is_never_sent(
    dispatch_worker, standin_outlet, outlet_standin
):
    # Given a draft never submitted, and a draft stopped after the first of three reviews
    never_submitted = place(draft_article("草稿：尚未送审"), standin_outlet)
    halfway_page = draft_article("草稿：初审已过")
    run_review(halfway_page, approve_steps=1)
    halfway = place(halfway_page, standin_outlet)

    # When the dispatcher runs for a while (several recheck periods)
    run_dispatcher(lambda: False, timeout=5)

    # Then both wait with their reason, and the outlet never heard of them
    never_submitted.refresh_from_db()
    halfway.refresh_from_db()
    assert never_submitted.status == Status.PLANNED
    assert never_submitted.last_error == "内容尚未审核通过，审核通过后才会发送。"
    assert halfway.status == Status.PLANNED
    assert halfway.last_error == "内容正在审核中，审核通过后才会发送。"
    assert sum(outlet_standin.requests.values()) == 0
    assert not DeliveryRecord.objects.exists()
    assert set(Placement.objects.awaiting_approval(timezone.now())) == {never_submitted, halfway}

    # And once the review is finished, the waiting placement does go out
    state = halfway_page.current_workflow_state
    while state.status == state.STATUS_IN_PROGRESS:
        state.current_task_state.approve(user=state.requested_by)
        state.refresh_from_db()
    assert run_dispatcher(lambda: all_final(halfway.pk))
    halfway.refresh_from_db()
    assert halfway.status == Status.DELIVERED
    assert outlet_standin.accepted[str(halfway.idempotency_key)] == 1


def test_an_answer_lost_after_acceptance_is_reconciled_never_resubmitted(
    dispatch_worker, standin_outlet, outlet_standin
):
    placement = place(approved_article(), standin_outlet)
    key = str(placement.idempotency_key)
    outlet_standin.plan(key, ["drop"])

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert outlet_standin.requests[key] == 1
    assert outlet_standin.accepted[key] == 1
    assert outlet_standin.status_queries[key] >= 1
    outcomes = list(placement.records.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["unconfirmed", "delivered"]


def test_broker_down_keeps_due_placements_in_the_backlog_until_it_is_back(
    dispatch_worker, standin_outlet, outlet_standin, monkeypatch
):
    from outreach_site.celery import app

    article = approved_article()
    placements = [place(article, standin_outlet, title=f"第{n}条") for n in range(5)]
    ids = [p.pk for p in placements]

    # When the broker cannot be reached (nothing listens on port 9 of 127.0.0.1)
    monkeypatch.setattr(
        dispatch.claim,
        "broker_connection",
        lambda: app.connection_for_write("redis://127.0.0.1:9/0"),
    )
    report = dispatch.dispatch_tick()

    # Then nothing is lost: every due placement waits in the backlog with the reason
    assert report.claimed == 5 and report.enqueued == 0 and report.enqueue_error
    backlog = Placement.objects.backlog(timezone.now())
    assert sorted(backlog.values_list("pk", flat=True)) == sorted(ids)
    assert all("消息队列暂时不可用" in p.last_error for p in backlog)
    assert sum(outlet_standin.requests.values()) == 0

    # And when the broker is back, the next ticks send them all
    monkeypatch.undo()
    assert run_dispatcher(lambda: all_final(*ids))
    assert set(Placement.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.DELIVERED
    }
    assert not Placement.objects.backlog(timezone.now()).exists()
    assert outlet_standin.duplicates() == {}


def test_the_website_outlet_publishes_the_approved_revision_at_the_due_time(
    dispatch_worker, dispatch_settings
):
    # Given an article that passed review for going live in three seconds
    go_live = timezone.now() + datetime.timedelta(seconds=3)
    article = approved_article("全民国防教育日主题活动", go_live_at=go_live)
    assert not article.live
    website = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    placement = Placement.objects.create(page=article, outlet=website, due_at=go_live)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    article.refresh_from_db()
    assert placement.status == Status.DELIVERED, placement.last_error
    assert article.live
    assert article.last_published_at >= go_live
    assert placement.result_url == article.get_full_url()
    assert placement.external_id == str(article.live_revision_id)


@pytest.mark.postgres
def test_two_workers_and_doubled_ticks_never_deliver_a_placement_twice(
    dispatch_settings, transactional_db, _purged_broker, standin_outlet, outlet_standin
):
    import threading

    from django.db import connection

    from tests.support.worker import WorkerProcess

    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    article = approved_article()
    ids = [place(article, standin_outlet, title=f"第{n}条").pk for n in range(200)]
    workers = [WorkerProcess(name=f"twin{n}").start() for n in range(2)]
    try:
        # Two tickers at once, as when beat fires twice or two beats run by mistake.
        other = threading.Thread(
            target=lambda: (run_dispatcher(lambda: all_final(*ids)), connection.close())
        )
        other.start()
        assert run_dispatcher(lambda: all_final(*ids), timeout=120)
        other.join()
    finally:
        for worker in workers:
            worker.stop()

    assert Placement.objects.filter(pk__in=ids, status=Status.DELIVERED).count() == 200
    assert outlet_standin.duplicates() == {}
    assert sum(outlet_standin.requests.values()) == 200
    assert DeliveryRecord.objects.filter(placement_id__in=ids).count() == 200
