"""WeChat placements through the dispatcher and a real worker, against the stand-in server.

Beat is replaced by calling the tick from the test, which is all beat does.
"""

import datetime
import json

import pytest
from django.utils import timezone

from media_schedule.channels import get_channel
from media_schedule.models import DeliveryRecord, Outlet, Placement
from publicity.models import ArticlePage
from tests.support.schedule_pages import approved_article, draft_article
from tests.support.wechat_pages import image_block, make_image
from tests.support.wechat_standin import WeChatStandIn
from tests.support.worker import WorkerProcess

from .conftest import all_final, run_dispatcher

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Status = Placement.Status


@pytest.fixture
def media_root(tmp_path, settings, monkeypatch):
    """Uploads in a private folder that the worker process reads too."""
    root = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def wechat_worker(media_root, dispatch_settings, transactional_db, _purged_broker):
    worker = WorkerProcess(concurrency=1, name="wechat").start()
    yield worker
    worker.stop()


@pytest.fixture
def standin():
    with WeChatStandIn() as server:
        yield server


@pytest.fixture
def account(standin, media_root):
    return Outlet.objects.create(
        name="双拥公众号",
        kind=Outlet.Kind.WECHAT,
        config=standin.outlet_config(),
        secret=standin.app_secret,
    )


def with_cover_and_body(page: ArticlePage) -> ArticlePage:
    """``page`` with a cover and a body image, attached to the row itself (not as a new
    unreviewed revision), as an editor would schedule it."""
    photo = make_image("慰问现场", size=(640, 480), fmt="PNG")
    page.body = json.dumps(
        [
            {"type": "paragraph", "value": "<p>县领导走访慰问驻地部队。</p>"},
            image_block(photo, caption="慰问现场"),
        ]
    )
    ArticlePage.objects.filter(pk=page.pk).update(
        cover_image=make_image("封面", size=(1200, 800), focal=(900, 300, 100, 100)),
        body=page.body,
    )
    return ArticlePage.objects.get(pk=page.pk)


def wechat_article(title: str = "我县开展八一走访慰问") -> ArticlePage:
    """An article that passed review, ready for WeChat."""
    return with_cover_and_body(approved_article(title))


def schedule(page, outlet, *, in_seconds: float = 0.0) -> Placement:
    version = get_channel("wechat").build_version(page)
    assert get_channel("wechat").validate(version) == []
    return Placement.objects.create(
        page=page,
        outlet=outlet,
        due_at=timezone.now() + datetime.timedelta(seconds=in_seconds),
        version=version,
    )


def test_a_wechat_placement_is_published_at_its_due_time(wechat_worker, account, standin):
    placement = schedule(wechat_article(), account, in_seconds=2)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.delivered_at >= placement.due_at
    [publication] = standin.published()
    assert publication.key == str(placement.idempotency_key)
    assert placement.external_id == publication.publish_id
    assert placement.result_url == f"{standin.base_url}/s/{publication.article_id}"
    assert publication.article["title"] == placement.version["title"]
    (record,) = placement.records.all()
    assert record.outcome == DeliveryRecord.Outcome.DELIVERED
    assert record.receipt["article_id"] == publication.article_id


def test_503s_are_retried_until_the_article_goes_out_once(wechat_worker, account, standin):
    placement = schedule(wechat_article(), account)
    standin.fail_next(2)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert placement.attempts == 3
    outcomes = list(placement.records.order_by("attempt").values_list("outcome", "error"))
    assert [outcome for outcome, _error in outcomes] == ["retry", "retry", "delivered"]
    assert "HTTP 503" in outcomes[0][1]
    assert standin.accepted_by_key() == {str(placement.idempotency_key): 1}


def test_a_platform_refusal_fails_at_once_with_the_reason(wechat_worker, account, standin):
    placement = schedule(wechat_article(), account)
    standin.errcode_next("/cgi-bin/stable_token", 40164)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.FAILED
    assert placement.attempts == 1
    assert "40164" in placement.last_error
    assert "IP 不在公众号的 IP 白名单中" in placement.last_error
    (record,) = placement.records.all()
    assert record.outcome == DeliveryRecord.Outcome.FAILED
    assert record.receipt["errcode"] == 40164
    assert standin.publications == []


def test_an_expired_access_token_is_refreshed_once(wechat_worker, account, standin):
    first = schedule(wechat_article("第一条"), account)
    assert run_dispatcher(lambda: all_final(first.pk))
    standin.expire_tokens()

    second = schedule(wechat_article("第二条"), account)
    assert run_dispatcher(lambda: all_final(second.pk))

    second.refresh_from_db()
    assert second.status == Status.DELIVERED
    assert second.attempts == 1  # refreshed inside the attempt, not retried by the dispatcher
    assert standin.token_requests == 2
    assert standin.token_rejections == 1
    assert len(standin.published()) == 2


def test_a_submit_whose_answer_is_lost_is_reconciled_without_a_second_submit(
    wechat_worker, account, standin
):
    placement = schedule(wechat_article(), account)
    key = str(placement.idempotency_key)
    standin.drop_after_submit()

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert standin.submits_received == 1
    assert standin.accepted_by_key() == {key: 1}
    assert standin.calls["/cgi-bin/freepublish/batchget"] >= 1
    [publication] = standin.publications
    assert placement.result_url == f"{standin.base_url}/s/{publication.article_id}"
    outcomes = list(placement.records.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["unconfirmed", "delivered"]


def test_a_publication_the_platform_rejects_fails_with_the_reason(wechat_worker, account, standin):
    standin.publish_sequence = [1, 4]
    placement = schedule(wechat_article(), account)

    assert run_dispatcher(lambda: all_final(placement.pk))

    placement.refresh_from_db()
    assert placement.status == Status.FAILED
    assert "平台审核不通过" in placement.last_error
    assert standin.submits_received == 1


def test_unapproved_content_never_reaches_wechat(wechat_worker, account, standin):
    placement = schedule(with_cover_and_body(draft_article("草稿：尚未送审")), account)

    run_dispatcher(lambda: False, timeout=4)

    placement.refresh_from_db()
    assert placement.status == Status.PLANNED
    assert sum(standin.calls.values()) == 0
