"""WeChat publishing under faults: what is live on the platform is what the 台账 says.

The rules one at a time, in-process (the dispatcher's steps called as a worker calls them):
once a submit was accepted no error fails the placement; the publish id is kept the moment the
submit answers; a retried placement asks the platform before sending. Then the whole loop with
two thread-pool workers against a stand-in that keeps injecting faults.
"""

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from media_schedule import dispatch
from media_schedule.channels.wechat.adapter import WeChatChannel
from media_schedule.models import DeliveryRecord, Outlet, Placement
from media_schedule.services import placement_retry
from tests.support.wechat_standin import Faults, WeChatStandIn
from tests.support.worker import WorkerProcess

from .conftest import FAST_DISPATCH, all_final, run_dispatcher
from .test_wechat_dispatch import schedule, wechat_article

Status = Placement.Status
Outcome = DeliveryRecord.Outcome


@pytest.fixture
def media_root(tmp_path, settings, monkeypatch):
    """Uploads in a private folder that worker processes read too."""
    root = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def standin():
    with WeChatStandIn() as server:
        yield server


@pytest.fixture
def account(standin, media_root, dispatch_settings):
    return Outlet.objects.create(
        name="双拥公众号",
        kind=Outlet.Kind.WECHAT,
        config=standin.outlet_config(poll_attempts=2),
        secret=standin.app_secret,
    )


@pytest.fixture
def work(enqueued, django_capture_on_commit_callbacks):
    """One tick, then every delivery it enqueued, run here as a worker would run them."""

    def tick_and_deliver(*, now=None) -> list[str]:
        start = len(enqueued)
        with django_capture_on_commit_callbacks(execute=True):
            dispatch.dispatch_tick(now=now)
        return [
            dispatch.placement_deliver(placement_id=pk, claim_token=token)
            for pk, token in enqueued[start:]
        ]

    return tick_and_deliver


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def outcomes(placement) -> list[str]:
    return list(placement.records.order_by("pk").values_list("outcome", flat=True))


# --- the rules, in-process ---------------------------------------------------------------


@pytest.mark.django_db
def test_errors_after_an_accepted_submit_never_fail_the_placement(account, standin, work, settings):
    settings.OUTREACH_DISPATCH = {**FAST_DISPATCH, "CONFIRM_INTERVAL_SECONDS": 0, "MAX_CHECKS": 2}
    placement = schedule(wechat_article(), account)
    # Every status query is refused for its token, even after the token is replaced, for
    # the delivery and its first three checks.
    standin.errcode_next("/cgi-bin/freepublish/get", 40001, count=2 * 4)

    assert work() == ["unconfirmed"]
    placement.refresh_from_db()
    [publication] = standin.publications
    assert placement.status == Status.UNCONFIRMED
    assert placement.external_id == publication.publish_id

    # The checks run out without an answer: still unconfirmed, a person is asked to look,
    # and checking goes on, less often.
    assert work(now=later(1)) == ["pending"]
    assert work(now=later(2)) == ["pending"]
    placement.refresh_from_db()
    assert placement.status == Status.UNCONFIRMED
    assert "已向渠道核实 2 次仍无法确认是否发布，请人工核实" in placement.last_error
    assert placement.next_attempt_at > later(FAST_DISPATCH["RETRY_CAP_SECONDS"] - 1)
    assert work(now=later(1)) == []
    assert work(now=later(3)) == ["pending"]

    # Once the platform answers, the placement is delivered.
    assert work(now=later(3)) == ["delivered"]
    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.result_url == f"{standin.base_url}/s/{publication.article_id}"
    assert outcomes(placement) == [Outcome.UNCONFIRMED, Outcome.DELIVERED]
    assert standin.submits_received == 1


class WorkerKilled(BaseException):
    """The worker process dying in the middle of a delivery."""


@pytest.mark.django_db
def test_the_publish_id_is_kept_as_soon_as_the_submit_answers(account, standin, work):
    placement = schedule(wechat_article(), account)
    seen = []

    def die_while_polling(self, session, request, publish_id, details):
        seen.append((publish_id, Placement.objects.get(pk=placement.pk).external_id))
        raise WorkerKilled

    with pytest.MonkeyPatch.context() as patch, pytest.raises(WorkerKilled):
        patch.setattr(WeChatChannel, "_await_published", die_while_polling)
        work()

    [publication] = standin.publications
    assert seen == [(publication.publish_id, publication.publish_id)]
    # The reaper finds the dead send; the check asks by publish id, not through the list.
    lease = FAST_DISPATCH["LEASE_SECONDS"]
    assert dispatch.placements_reap_expired(now=later(lease + 1)) == 1
    assert work(now=later(lease + 2)) == ["delivered"]
    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.external_id == publication.publish_id
    assert standin.calls["/cgi-bin/freepublish/batchget"] == 0
    assert standin.submits_received == 1


@pytest.mark.django_db
def test_a_retried_placement_whose_answer_was_lost_is_found_not_sent_again(account, standin, work):
    # Given a submit the platform accepted but whose answer was lost, left failed (as the
    # dispatcher used to leave such placements) and then retried by an editor
    placement = schedule(wechat_article(), account)
    standin.drop_after_submit()
    assert work() == ["unconfirmed"]
    Placement.objects.filter(pk=placement.pk).update(status=Status.FAILED, last_error="失败")
    placement_retry(placement=placement)
    assert placement.attempts == 0

    # When it falls due again
    assert work() == ["delivered"]

    # Then the platform was asked first, and the article is out once
    placement.refresh_from_db()
    [publication] = standin.publications
    assert placement.status == Status.DELIVERED
    assert placement.result_url == f"{standin.base_url}/s/{publication.article_id}"
    assert standin.submits_received == 1
    assert standin.duplicate_keys() == {}
    assert outcomes(placement) == [Outcome.UNCONFIRMED, Outcome.DELIVERED]


@pytest.mark.django_db
def test_a_retried_placement_still_publishing_is_not_sent_again(account, standin, work):
    standin.publish_sequence = [1] * 6 + [0]
    placement = schedule(wechat_article(), account)
    assert work() == ["unconfirmed"]  # still publishing after two polls
    Placement.objects.filter(pk=placement.pk).update(status=Status.FAILED)
    placement_retry(placement=placement)

    assert work() == ["unconfirmed"]

    placement.refresh_from_db()
    assert placement.status == Status.UNCONFIRMED
    assert placement.external_id == standin.publications[0].publish_id
    assert "仍在处理中" in placement.last_error
    assert standin.submits_received == 1


@pytest.mark.django_db
def test_a_retried_placement_the_platform_rejected_is_published_anew(account, standin, work):
    standin.publish_sequence = [4]
    placement = schedule(wechat_article(), account)
    assert work() == ["failed"]
    placement.refresh_from_db()
    assert "平台审核不通过" in placement.last_error
    rejected = standin.publications[0].publish_id
    assert placement.external_id == rejected

    # The editor fixes the cause and retries: the platform confirms the first publication
    # failed, so it is sent again, under the same key.
    standin.publish_sequence = [0]
    placement_retry(placement=placement)
    assert work() == ["delivered"]

    placement.refresh_from_db()
    _first, second = standin.publications
    assert placement.status == Status.DELIVERED
    assert placement.external_id == second.publish_id != rejected
    assert [p.key for p in standin.published()] == [str(placement.idempotency_key)]
    assert outcomes(placement) == [Outcome.FAILED, Outcome.DELIVERED]


# --- the whole loop ----------------------------------------------------------------------

COUNT = 40
FAULTS = Faults(
    token_error_every=7, quota_error_every_submit=5, drop_every_submit=4, drop_every_poll=11
)


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_under_faults_every_live_article_is_recorded_delivered_once(
    account, standin, dispatch_settings, monkeypatch, _purged_broker
):
    # Given 40 placements falling due together, two thread-pool workers, and a platform that
    # refuses every 7th call's token, every 5th submit for quota, drops the answer of every
    # 4th submit (accepted) and of every 11th status query, and is "publishing" twice
    for name, value in {
        "DISPATCH_MAX_ATTEMPTS": "8",
        "DISPATCH_CONFIRM_INTERVAL_SECONDS": "1",
        "DISPATCH_MAX_CHECKS": "20",
    }.items():
        monkeypatch.setenv(name, value)
    dispatch_settings.update(MAX_ATTEMPTS=8, CONFIRM_INTERVAL_SECONDS=1, MAX_CHECKS=20)
    article = wechat_article()
    placements = [schedule(article, account, in_seconds=1) for _n in range(COUNT)]
    ids = [placement.pk for placement in placements]
    workers = [
        WorkerProcess(name=f"wechat-faults-{n}", pool="threads", concurrency=4).start()
        for n in range(2)
    ]
    standin.faults = FAULTS
    standin.publish_sequence = [1, 1, 0]
    try:
        # When beat ticks until every placement has settled
        done = run_dispatcher(lambda: all_final(*ids), timeout=90)
    finally:
        standin.faults = Faults()
        for worker in workers:
            worker.stop()

    rows = Placement.objects.filter(pk__in=ids)
    states = dict(rows.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    print(f"states: {states}; injected: {dict(standin.injected)}; calls: {dict(standin.calls)}")
    assert done, (states, workers[0].log_tail())
    # Then every kind of fault happened
    assert set(standin.injected) == {"40001", "45009", "submit dropped", "poll dropped"}
    # ...nothing was published twice,
    assert standin.duplicate_keys() == {}
    # ...every article that is live is recorded delivered, with its address, once,
    live = {p.key: p for p in standin.published()}
    delivered = {str(p.idempotency_key): p for p in rows.filter(status=Status.DELIVERED)}
    assert set(delivered) == set(live)
    for key, placement in delivered.items():
        assert placement.result_url == f"{standin.base_url}/s/{live[key].article_id}"
        assert list(placement.records.filter(outcome=Outcome.DELIVERED).values_list("url", flat=True)) == [placement.result_url]  # fmt: skip
    # ...and a failed placement is one the platform never accepted.
    failed = {str(key) for key in rows.filter(status=Status.FAILED).values_list("idempotency_key", flat=True)}  # fmt: skip
    assert not failed & set(standin.accepted_by_key())
    assert set(states) <= {Status.DELIVERED, Status.FAILED}
    # One token for both workers, but for forced refreshes after a refusal of the current one.
    assert standin.tokens_issued == 1 + standin.force_refreshes
