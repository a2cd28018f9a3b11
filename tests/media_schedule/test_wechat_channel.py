"""The WeChat adapter against the stand-in server on 127.0.0.1: delivery, tokens, faults."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from media_schedule.channels import (
    DeliveryRequest,
    NotReceivedError,
    PermanentDeliveryError,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
    get_channel,
)
from media_schedule.models import WeChatAccessToken
from tests.support.wechat_pages import image_block, make_article, make_image
from tests.support.wechat_standin import Faults, WeChatStandIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def standin():
    with WeChatStandIn() as server:
        yield server


@pytest.fixture
def channel():
    return get_channel("wechat")


@pytest.fixture
def article():
    photo = make_image("慰问现场", size=(640, 480), fmt="PNG")
    return make_article(
        cover=make_image("封面", size=(1200, 800), focal=(900, 300, 100, 100)),
        body=[
            {"type": "paragraph", "value": "<p>市领导走访慰问驻地部队官兵。</p>"},
            image_block(photo, caption="慰问现场"),
        ],
    )


def request_for(channel, page, standin, *, key=None, attempt=1, external_id="", **config):
    return DeliveryRequest(
        placement_id=1,
        idempotency_key=key or str(uuid.uuid4()),
        attempt=attempt,
        page_id=page.pk,
        version=channel.build_version(page),
        outlet_config=standin.outlet_config(**config),
        outlet_secret=standin.app_secret,
        external_id=external_id,
    )


def test_delivers_cover_images_draft_and_publication(channel, article, standin):
    request = request_for(channel, article, standin)

    receipt = channel.deliver(request)

    [publication] = standin.publications
    assert receipt.external_id == publication.publish_id
    assert receipt.url == f"{standin.base_url}/s/{publication.article_id}"
    assert publication.key == request.idempotency_key
    sent = publication.article
    assert sent["title"] == article.title
    assert sent["thumb_media_id"] in standin.materials
    assert sent["pic_crop_1_1"] == "0.3333_0_1_1"  # focal point near the right edge
    assert sent["pic_crop_235_1"] == request.version["cover"]["crops"]["2.35_1"]["fractions"]
    # The body image now points at the platform's copy (the stand-in refuses any other).
    assert request.version["images"][0]["src"] not in sent["content"]
    assert len(standin.uploaded_urls) == 1 and next(iter(standin.uploaded_urls)) in sent["content"]
    source = urlsplit(sent["content_source_url"])
    assert parse_qs(source.query)["ref"] == [request.idempotency_key]
    assert sent["content_source_url"].startswith(article.get_full_url())


def test_access_token_is_cached_between_deliveries(channel, article, standin):
    channel.deliver(request_for(channel, article, standin))
    channel.deliver(request_for(channel, article, standin))

    assert standin.token_requests == 1
    assert len(standin.publications) == 2


def test_access_token_is_refreshed_before_it_expires(channel, article, standin):
    with time_machine.travel("2026-08-01 09:00 +0800", tick=False) as clock:
        channel.deliver(request_for(channel, article, standin))
        # 7,200 s tokens are kept 6,900 s: a token never expires in the middle of a delivery.
        clock.shift(6_901)
        channel.deliver(request_for(channel, article, standin))

    assert standin.token_requests == 2
    assert standin.calls["/cgi-bin/draft/add"] == 2  # no call was refused for its token


def test_expired_access_token_is_refreshed_once_and_the_call_retried(channel, article, standin):
    channel.deliver(request_for(channel, article, standin))
    standin.expire_tokens()

    channel.deliver(request_for(channel, article, standin))

    assert standin.token_requests == 2
    assert len(standin.published()) == 2


def test_token_rejected_again_after_refresh_is_transient(channel, article, standin):
    standin.errcode_next("/cgi-bin/draft/add", 42001, count=5)

    with pytest.raises(TransientDeliveryError, match="42001") as caught:
        channel.deliver(request_for(channel, article, standin))

    assert "access_token 更换后仍被拒绝" in str(caught.value)
    # The platform handed back the token it had refused, so it was force-refreshed, once.
    assert standin.token_requests == 3
    assert standin.force_refreshes == 1
    assert standin.calls["/cgi-bin/draft/add"] == 2
    assert standin.submits_received == 0


def test_http_503_is_transient_and_a_retry_gets_through(channel, article, standin):
    standin.fail_next(3)
    key = str(uuid.uuid4())
    errors = []

    for attempt in range(1, 6):
        try:
            channel.deliver(request_for(channel, article, standin, key=key, attempt=attempt))
            break
        except TransientDeliveryError as error:
            errors.append(str(error))
            assert standin.publications == []

    assert len(errors) == 3 and all("HTTP 503" in error for error in errors)
    assert standin.accepted_by_key() == {key: 1}


def test_503_on_submit_is_transient_because_the_platform_refused_it(channel, article, standin):
    standin.fail_next(1, path="/cgi-bin/freepublish/submit")

    with pytest.raises(TransientDeliveryError, match="HTTP 503"):
        channel.deliver(request_for(channel, article, standin))

    assert standin.publications == []


def test_unreachable_outlet_is_transient(channel, article, standin):
    request = request_for(channel, article, standin)
    standin.stop()

    with pytest.raises(TransientDeliveryError, match="无法连接微信接口"):
        channel.deliver(request)


@pytest.mark.parametrize(
    ("path", "errcode", "reason"),
    [
        ("/cgi-bin/stable_token", 40164, "IP 不在公众号的 IP 白名单中"),
        ("/cgi-bin/material/add_material", 40007, "media_id 不合法"),
        ("/cgi-bin/draft/add", 45166, "正文内容不合法"),
        ("/cgi-bin/freepublish/submit", 48001, "公众号未获得该接口的权限"),
        ("/cgi-bin/freepublish/submit", 53503, "该草稿未通过发布检查"),
        ("/cgi-bin/draft/add", 99999, "未列入处理表的错误码"),
    ],
)
def test_platform_errcodes_are_permanent_with_a_reason(channel, article, standin, path, errcode, reason):  # fmt: skip
    standin.errcode_next(path, errcode)

    with pytest.raises(PermanentDeliveryError) as caught:
        channel.deliver(request_for(channel, article, standin))

    assert f"（{errcode} " in str(caught.value)
    assert reason in str(caught.value)
    assert caught.value.details["errcode"] == errcode
    assert standin.publications == []


def test_wrong_app_secret_is_permanent(channel, article, standin):
    request = request_for(channel, article, standin)
    request = DeliveryRequest(**{**request.__dict__, "outlet_secret": "wrong"})

    with pytest.raises(PermanentDeliveryError, match="AppSecret 不正确"):
        channel.deliver(request)


@pytest.mark.parametrize("errcode", [-1, 45009, 45011])
def test_busy_and_quota_errcodes_are_transient(channel, article, standin, errcode):
    standin.errcode_next("/cgi-bin/media/uploadimg", errcode)

    with pytest.raises(TransientDeliveryError) as caught:
        channel.deliver(request_for(channel, article, standin))

    assert caught.value.details["errcode"] == errcode
    assert caught.value.details["retry_after"] >= 1


def test_rate_limit_is_transient(channel, article):
    with WeChatStandIn(rate_limit=3) as limited:
        with pytest.raises(TransientDeliveryError, match="频率限制") as caught:
            channel.deliver(request_for(channel, article, limited))
        assert caught.value.details["errcode"] == 45011
        assert limited.publications == []
        limited.rate_limit = None
        channel.deliver(request_for(channel, article, limited, attempt=2))
        assert len(limited.published()) == 1


def test_invalid_version_is_refused_before_any_request(channel, article, standin):
    request = request_for(channel, article, standin)
    request.version["title"] = "标" * 40

    with pytest.raises(PermanentDeliveryError, match="标题超出 8 字"):
        channel.deliver(request)

    assert sum(standin.calls.values()) == 0


def test_missing_credentials_are_permanent(channel, article, standin):
    request = request_for(channel, article, standin, app_id="")

    with pytest.raises(PermanentDeliveryError, match="未配置 AppID 或 AppSecret"):
        channel.deliver(request)


def test_dropped_answer_after_submit_is_unconfirmed_then_found_without_resubmitting(
    channel, article, standin
):
    standin.drop_after_submit()
    request = request_for(channel, article, standin)

    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request)

    assert caught.value.external_id == ""
    assert caught.value.details["draft_media_id"] in standin.drafts
    receipt = channel.confirm(request)
    [publication] = standin.publications
    assert receipt.url == f"{standin.base_url}/s/{publication.article_id}"
    assert receipt.details["found_by"] == "ref"
    # A careless retry of deliver() finds the publication too instead of submitting again.
    retried = channel.deliver(DeliveryRequest(**{**request.__dict__, "attempt": 2}))
    assert retried.url == receipt.url
    assert standin.submits_received == 1
    assert standin.duplicate_keys() == {}


def test_confirm_without_a_trace_yet_is_transient_and_never_submits(channel, article, standin):
    standin.publish_sequence = [1, 1, 0]  # each status query moves it one step
    standin.drop_after_submit()
    request = request_for(channel, article, standin)
    with pytest.raises(UnconfirmedDeliveryError):
        channel.deliver(request)

    with pytest.raises(TransientDeliveryError, match="尚未找到"):
        channel.confirm(request)  # still publishing: not in the published list yet

    assert standin.submits_received == 1
    assert channel.confirm(request).url  # published by now
    assert standin.submits_received == 1


def test_publishing_then_published_is_polled_to_a_receipt(channel, article, standin):
    standin.publish_sequence = [1, 1, 0]

    receipt = channel.deliver(request_for(channel, article, standin))

    assert receipt.url.startswith(f"{standin.base_url}/s/")
    assert standin.calls["/cgi-bin/freepublish/get"] == 3


def test_still_publishing_after_polling_is_unconfirmed_with_the_publish_id(
    channel, article, standin
):
    standin.publish_sequence = [1, 1, 0]
    request = request_for(channel, article, standin, poll_attempts=1)

    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request)

    publish_id = caught.value.external_id
    assert publish_id == standin.publications[0].publish_id
    later = DeliveryRequest(**{**request.__dict__, "external_id": publish_id, "attempt": 2})
    assert channel.confirm(later) is None  # still publishing
    assert channel.confirm(later).external_id == publish_id
    # deliver() with a known publish id only reconciles.
    assert channel.deliver(later).external_id == publish_id
    assert standin.submits_received == 1


def test_status_query_failing_after_submit_is_unconfirmed_never_transient(
    channel, article, standin
):
    standin.fail_next(5, status=502, path="/cgi-bin/freepublish/get")

    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request_for(channel, article, standin))

    assert caught.value.external_id == standin.publications[0].publish_id


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (2, "原创声明校验未通过"),
        (3, "平台常规校验未通过"),
        (4, "平台审核不通过"),
        (5, "发表成功后已被全部删除"),
        (6, "发表成功后已被平台封禁"),
    ],
)
def test_publish_failures_are_permanent_with_reason(channel, article, standin, status, reason):
    standin.publish_sequence = [1, status]

    with pytest.raises(PermanentDeliveryError, match=f"状态 {status}") as caught:
        channel.deliver(request_for(channel, article, standin))

    assert reason in str(caught.value)
    assert caught.value.details["publish_status"] == status
    assert standin.submits_received == 1


def test_standin_counts_a_double_publication(channel, article, standin):
    """The duplicate counter the fault tests rely on does see a key published twice."""
    request = request_for(channel, article, standin)

    channel.deliver(request)
    channel.deliver(request)

    assert standin.duplicate_keys() == {request.idempotency_key: 2}


def test_body_image_grown_past_the_limit_is_refused_at_delivery(channel, standin, settings):
    photo = make_image("现场", size=(300, 300), fmt="PNG")
    page = make_article(cover=make_image("封面"), body=[image_block(photo)])
    request = request_for(channel, page, standin)
    big = make_image("大图", size=(700, 700), fmt="PNG", noise=True)
    # The file changed on disk after the version was checked.
    (settings.MEDIA_ROOT / photo.file.name).write_bytes(
        (settings.MEDIA_ROOT / big.file.name).read_bytes()
    )

    with pytest.raises(PermanentDeliveryError, match=r"正文图片 .* 超过 1 MB"):
        channel.deliver(request)

    assert standin.calls["/cgi-bin/media/uploadimg"] == 0


# --- once a submit is accepted, no error is a failure -------------------------------------


def noting(request):
    """``request`` with an ``on_external_id`` that keeps what the adapter hands over."""
    noted: list[str] = []
    return DeliveryRequest(**{**request.__dict__, "on_external_id": noted.append}), noted


@pytest.mark.parametrize(
    ("errcode", "count"),
    [(40001, 2), (42001, 2), (48001, 1), (-1, 1), (45009, 1)],
)
def test_an_error_while_polling_after_submit_is_unconfirmed_with_the_publish_id(
    channel, article, standin, errcode, count
):
    standin.errcode_next("/cgi-bin/freepublish/get", errcode, count=count)
    request, noted = noting(request_for(channel, article, standin))

    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request)

    [publication] = standin.publications
    assert caught.value.external_id == publication.publish_id
    assert f"{errcode}" in str(caught.value)
    assert noted == [publication.publish_id]


def test_a_lost_answer_while_polling_is_unconfirmed_with_the_publish_id(channel, article, standin):
    standin.faults = Faults(drop_every_poll=1)
    request, noted = noting(request_for(channel, article, standin))

    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request)

    assert caught.value.external_id == standin.publications[0].publish_id
    assert noted == [standin.publications[0].publish_id]


def test_an_unknown_publish_status_is_unconfirmed_not_failed(channel, article, standin):
    standin.publish_sequence = [9]

    with pytest.raises(UnconfirmedDeliveryError, match="无法识别"):
        channel.deliver(request_for(channel, article, standin))


@pytest.mark.parametrize(
    ("path", "errcode", "count"),
    [
        ("/cgi-bin/freepublish/get", 40001, 2),
        ("/cgi-bin/freepublish/get", 48001, 1),
        ("/cgi-bin/freepublish/batchget", 40014, 2),
        ("/cgi-bin/freepublish/batchget", 50002, 1),
        ("/cgi-bin/stable_token", 40164, 1),
    ],
)
def test_confirm_cannot_tell_on_any_error_while_asking(channel, article, standin, path, errcode, count):  # fmt: skip
    standin.publish_sequence = [1, 1, 0]
    with pytest.raises(UnconfirmedDeliveryError) as caught:
        channel.deliver(request_for(channel, article, standin, poll_attempts=1))
    publish_id = caught.value.external_id
    by_id = request_for(channel, article, standin, external_id=publish_id)
    by_key = request_for(channel, article, standin, key=standin.publications[0].key)
    request = by_key if path.endswith("batchget") else by_id
    if path.endswith("stable_token"):
        WeChatAccessToken.objects.all().delete()  # the next call needs a new token
    standin.errcode_next(path, errcode, count=count)

    with pytest.raises(TransientDeliveryError, match=str(errcode)):
        channel.confirm(request)

    assert standin.submits_received == 1


def test_confirm_before_resending_tells_not_received_from_published(channel, article, standin):
    request = request_for(channel, article, standin)
    asked = DeliveryRequest(**{**request.__dict__, "before_resend": True})

    with pytest.raises(NotReceivedError):
        channel.confirm(asked)  # nothing of this key is public: safe to send
    # Without the flag the same answer means "cannot tell yet".
    with pytest.raises(TransientDeliveryError, match="尚未找到"):
        channel.confirm(request)
    channel.deliver(request)
    assert (
        channel.confirm(asked).url == f"{standin.base_url}/s/{standin.publications[0].article_id}"
    )
