"""A placement's delivery history tells each receipt in words: when the WeChat article went
out and where, which package carries an item to a screen, which revision went live on the
website; never the outlet's raw keys."""

import pytest
from django.urls import reverse
from django.utils import timezone

from media_schedule.channels.led.models import Screen
from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

RAW_KEYS = (
    "publish_id:",
    "draft_media_id",
    "thumb_media_id",
    "package_sha256",
    "screen_id",
    "revision_id",
    "already_live",
    "external_id",
    "{'",
    "&#x27;",
)
FINISHED = timezone.make_aware(timezone.datetime(2026, 8, 1, 9, 30, 12))


@pytest.fixture
def scheduler(client):
    client.force_login(user_in_role("排期员"))
    return client


def history(client, outlet: Outlet, url: str, receipt: dict, outcome="delivered") -> str:
    """The history table of a placement with one record of ``outcome``."""
    article = approved_article()
    placement = Placement.objects.create(
        page=article, outlet=outlet, due_at=FINISHED, status=Placement.Status.DELIVERED
    )
    DeliveryRecord.objects.create(
        placement=placement,
        outlet=outlet,
        page=article,
        attempt=1,
        outcome=outcome,
        started_at=FINISHED,
        finished_at=FINISHED,
        url=url,
        receipt=receipt,
    )
    html = client.get(
        reverse("media_schedule_placement:inspect", args=[placement.pk])
    ).content.decode()
    table = html[html.index("发送记录") :]
    for key in RAW_KEYS:
        assert key not in table, key
    return table


def test_a_wechat_receipt(scheduler):
    outlet = Outlet.objects.create(name="示范县双拥公众号", kind=Outlet.Kind.WECHAT)

    table = history(
        scheduler,
        outlet,
        "https://mp.weixin.qq.com/s/abc123",
        {
            "publish_id": "2247483647",
            "article_id": "ART_9f3c",
            "draft_media_id": "DRAFT_1",
            "thumb_media_id": "THUMB_1",
            "external_id": "2247483647",
        },
    )

    assert "<dt>发布时间</dt>" in table and "<dd>2026年8月1日 09:30</dd>" in table
    assert '<dt>文章链接</dt><dd><a href="https://mp.weixin.qq.com/s/abc123"' in table.replace(
        "\n", ""
    ).replace("  ", "")
    assert "<dt>发表编号（publish_id）</dt>" in table and "<dd>2247483647</dd>" in table
    assert "<dt>文章编号（article_id）</dt>" in table and "<dd>ART_9f3c</dd>" in table


def test_a_wechat_article_found_by_its_marker(scheduler):
    outlet = Outlet.objects.create(name="示范县双拥公众号", kind=Outlet.Kind.WECHAT)

    table = history(
        scheduler,
        outlet,
        "https://mp.weixin.qq.com/s/xyz",
        {"article_id": "ART_7", "found_by": "ref", "external_id": "ART_7"},
    )

    assert "<dd>ART_7</dd>" in table
    assert "发表编号" not in table
    assert "在公众号最近发表的文章中找到本次发表" in table


def test_a_failed_wechat_publication_names_the_platforms_reason(scheduler):
    outlet = Outlet.objects.create(name="示范县双拥公众号", kind=Outlet.Kind.WECHAT)

    table = history(
        scheduler,
        outlet,
        "",
        {"publish_id": "100", "publish_status": 4, "fail_idx": [1]},
        outcome="failed",
    )

    assert "<dd>4：平台审核不通过，文章未发表</dd>" in table
    assert "发布时间" not in table


def test_an_led_receipt(scheduler):
    outlet = Outlet.objects.create(name="县文化广场户外屏", kind=Outlet.Kind.LED_SCREEN)
    screen = Screen.objects.create(outlet=outlet, width=192, height=64, colour_mode="dual")

    table = history(
        scheduler,
        outlet,
        "",
        {
            "screen_id": screen.pk,
            "package_version": 7,
            "package_sha256": "9c1e7ab2f40d5e6f7a8b9c0d1e2f3a4b",
            "new_version": False,
            "external_id": f"led-{screen.pk}-v7",
        },
    )

    assert "<dt>节目包版本</dt>" in table and "<dd>v7（内容未变，沿用此版本）</dd>" in table
    assert "<dt>校验值</dt>" in table and "<dd>9c1e7ab2f40d</dd>" in table
    assert "<dt>屏幕</dt>" in table and "<dd>县文化广场户外屏（192×64，双色（红绿））</dd>" in table


def test_a_website_receipt(scheduler):
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)

    table = history(
        scheduler,
        outlet,
        "http://localhost/schedule-news/article/",
        {"revision_id": 12, "already_live": True, "external_id": "12"},
    )

    assert "<dt>发布地址</dt>" in table
    assert 'href="http://localhost/schedule-news/article/"' in table
    assert "<dd>第 12 号修订（此前已上线，未重复发布）</dd>" in table


def test_an_address_that_is_not_a_web_link_is_not_made_a_link(scheduler):
    outlet = Outlet.objects.create(name="示范县双拥公众号", kind=Outlet.Kind.WECHAT)

    table = history(scheduler, outlet, "javascript:alert(1)", {"publish_id": "1"})

    assert "<dd>javascript:alert(1)</dd>" in table
    assert 'href="javascript:' not in table
