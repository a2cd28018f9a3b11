"""The dispatcher's steps one at a time, in-process: claims, leases, the reaper, the review
gate, retries and the editor's guarded transitions. The worker tests cover the whole loop."""

import datetime

import pytest
from django.utils import timezone

from media_schedule import dispatch
from media_schedule.channels import registry
from media_schedule.dispatch.approval import page_approval
from media_schedule.models import DeliveryRecord, Outlet, Placement
from media_schedule.services import (
    TransitionError,
    placement_cancel,
    placement_retry,
    placements_schedule,
)
from tests.support.schedule_pages import approved_article, draft_article, run_review

pytestmark = pytest.mark.django_db

Status = Placement.Status


def place(page, outlet, **fields) -> Placement:
    return Placement.objects.create(
        page=page, outlet=outlet, due_at=fields.pop("due_at", timezone.now()), **fields
    )


def test_a_claim_takes_each_due_placement_once(
    outlet, enqueued, django_capture_on_commit_callbacks
):
    article = approved_article()
    due = [place(article, outlet, status=Status.APPROVED) for _ in range(3)]
    later = place(
        article, outlet, status=Status.APPROVED, due_at=timezone.now() + datetime.timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = dispatch.placements_claim(now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        second = dispatch.placements_claim(now=timezone.now())

    assert sorted(first) == sorted(p.pk for p in due)
    assert second == []
    assert sorted(pk for pk, _token in enqueued) == sorted(first)
    assert set(Placement.objects.filter(pk__in=first).values_list("status", flat=True)) == {
        Status.QUEUED
    }
    later.refresh_from_db()
    assert later.status == Status.APPROVED


def test_the_review_gate_holds_unapproved_content_with_its_reason(outlet):
    draft = place(draft_article("草稿"), outlet)
    in_review_page = draft_article("审核中")
    run_review(in_review_page, approve_steps=2)
    in_review = place(in_review_page, outlet)
    approved = place(approved_article(), outlet)

    approved_count, held = dispatch.placements_check_approval(now=timezone.now())

    assert (approved_count, held) == (1, 2)
    for placement, reason in [
        (draft, "内容尚未审核通过，审核通过后才会发送。"),
        (in_review, "内容正在审核中，审核通过后才会发送。"),
    ]:
        placement.refresh_from_db()
        assert (placement.status, placement.last_error) == (Status.PLANNED, reason)
        assert placement.next_attempt_at > timezone.now()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.revision_id == approved.page.live_revision_id


def test_a_page_published_around_the_workflow_is_not_approved():
    article = draft_article("绕过审核直接发布")
    article.save_revision().publish()
    article.refresh_from_db()

    approval = page_approval(article)

    assert not approval.approved
    assert approval.reason == "线上版本未经审核流程批准，不能发送。"


def test_content_withdrawn_after_the_claim_is_not_sent(outlet, enqueued, outlet_standin):
    article = approved_article()
    placement = place(article, outlet, status=Status.APPROVED)
    dispatch.placements_claim(now=timezone.now())
    article.unpublish()

    assert dispatch.placement_deliver(placement_id=placement.pk) == "held"

    placement.refresh_from_db()
    assert placement.status == Status.PLANNED
    assert "审核" in placement.last_error
    assert sum(outlet_standin.requests.values()) == 0


def test_a_repeated_message_delivers_once(outlet, enqueued, outlet_standin):
    placement = place(approved_article(), outlet, status=Status.APPROVED, version={"title": "一次"})
    dispatch.placements_claim(now=timezone.now())

    first = dispatch.placement_deliver(placement_id=placement.pk)
    second = dispatch.placement_deliver(placement_id=placement.pk)

    assert (first, second) == ("delivered", "skipped")
    assert outlet_standin.accepted[str(placement.idempotency_key)] == 1
    assert placement.records.count() == 1


def test_expired_leases_are_reclaimed_and_a_dead_send_becomes_unconfirmed(outlet):
    article = approved_article()
    past = timezone.now() - datetime.timedelta(minutes=5)
    lost_message = place(article, outlet, status=Status.QUEUED, lease_expires_at=past)
    dead_send = place(article, outlet, status=Status.SENDING, attempts=1, lease_expires_at=past)
    live_send = place(
        article,
        outlet,
        status=Status.SENDING,
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=1),
    )

    assert dispatch.placements_reap_expired(now=timezone.now()) == 2

    lost_message.refresh_from_db()
    dead_send.refresh_from_db()
    live_send.refresh_from_db()
    assert lost_message.status == Status.APPROVED
    assert dead_send.status == Status.UNCONFIRMED
    assert "是否已送达未知" in dead_send.last_error
    assert dead_send.records.get().outcome == DeliveryRecord.Outcome.UNCONFIRMED
    assert live_send.status == Status.SENDING


def test_an_unconfirmed_send_the_outlet_never_got_is_sent_again_under_the_same_key(
    outlet, enqueued, outlet_standin
):
    placement = place(
        approved_article(), outlet, status=Status.UNCONFIRMED, attempts=1, version={"title": "补发"}
    )
    dispatch.placements_claim(now=timezone.now())

    assert dispatch.placement_deliver(placement_id=placement.pk) == "retry"
    placement.refresh_from_db()
    assert placement.status == Status.APPROVED
    assert "渠道没有收到" in placement.last_error
    assert outlet_standin.status_queries[str(placement.idempotency_key)] == 1
    assert sum(outlet_standin.requests.values()) == 0


def test_an_outlet_kind_without_an_adapter_fails_with_a_reason(
    enqueued, dispatch_settings, monkeypatch
):
    # Every built-in kind has an adapter: take one away, as a project's settings might.
    monkeypatch.delitem(registry.CHANNELS, "tv")
    station = Outlet.objects.create(name="县电视台", kind=Outlet.Kind.TV)
    placement = place(approved_article(), station, status=Status.APPROVED)
    dispatch.placements_claim(now=timezone.now())

    assert dispatch.placement_deliver(placement_id=placement.pk) == "failed"
    placement.refresh_from_db()
    assert placement.last_error == "没有适用于“电视台”渠道的发送模块。"


def test_a_deactivated_outlet_is_not_sent_to(outlet, enqueued, outlet_standin):
    placement = place(approved_article(), outlet, status=Status.APPROVED)
    dispatch.placements_claim(now=timezone.now())
    Outlet.objects.filter(pk=outlet.pk).update(is_active=False)

    assert dispatch.placement_deliver(placement_id=placement.pk) == "failed"
    placement.refresh_from_db()
    assert placement.last_error == "发布渠道已停用，未发送。"
    assert sum(outlet_standin.requests.values()) == 0


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTREACH_DISPATCH = {"RETRY_BASE_MS": 1000, "RETRY_CAP_SECONDS": 10}
    for attempt, step in [(1, 1), (2, 2), (3, 4), (4, 8), (6, 10)]:
        delays = {dispatch.retry_delay(attempt).total_seconds() for _ in range(20)}
        assert all(step / 2 <= d <= step for d in delays)
        assert len(delays) > 1


def test_cancel_and_retry_refuse_the_wrong_states(outlet):
    placement = place(approved_article(), outlet, status=Status.SENDING)
    with pytest.raises(TransitionError, match="“发送中”状态的排期不能取消。"):
        placement_cancel(placement=placement)
    with pytest.raises(TransitionError, match="“发送中”状态的排期不能重试。"):
        placement_retry(placement=placement)
    placement.refresh_from_db()
    assert placement.status == Status.SENDING


def test_a_cancelled_queued_placement_is_not_sent(outlet, enqueued, outlet_standin):
    placement = place(approved_article(), outlet, status=Status.APPROVED)
    dispatch.placements_claim(now=timezone.now())
    placement_cancel(placement=placement)

    assert dispatch.placement_deliver(placement_id=placement.pk) == "skipped"
    assert sum(outlet_standin.requests.values()) == 0


def test_scheduling_without_entries_is_refused(outlet):
    with pytest.raises(TransitionError, match="请至少选择一个发布渠道和时间。"):
        placements_schedule(page=approved_article(), entries=[])


def test_claims_stop_while_too_many_wait_in_the_broker(outlet, enqueued, settings):
    settings.OUTREACH_DISPATCH = {**settings.OUTREACH_DISPATCH, "MAX_QUEUED": 2}
    article = approved_article()
    for _ in range(3):
        place(article, outlet, status=Status.APPROVED)

    assert len(dispatch.placements_claim(now=timezone.now())) == 2
    assert dispatch.placements_claim(now=timezone.now()) == []
    assert Placement.objects.backlog(timezone.now()).filter(status=Status.APPROVED).count() == 1
