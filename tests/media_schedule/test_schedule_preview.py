"""The schedule preview, as the scheduler sees it: incomplete drafts, outlets that cannot
send, and each screen's own warnings, reported before anything is saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from media_schedule.channels.led.models import Screen
from media_schedule.models import Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.wechat_pages import make_article, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scheduler(client):
    client.force_login(user_in_role("排期员"))
    return client


def wechat_outlet(**fields) -> Outlet:
    defaults = {"config": {"app_id": "wx1234567890"}, "secret": "app-secret-value"}
    return Outlet.objects.create(
        name="示范县双拥公众号", kind=Outlet.Kind.WECHAT, **{**defaults, **fields}
    )


def preview(client, page, *outlets) -> str:
    due = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    data = {"preview": "1"}
    for row, outlet in enumerate(outlets):
        data[f"outlet_{row}"] = outlet.pk
        data[f"due_at_{row}"] = due
    response = client.post(reverse("media_schedule_page", args=[page.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, outlet: Outlet) -> str:
    start = html.index(f'data-outlet="{outlet.pk}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


def test_a_draft_with_empty_blocks_gets_a_message_per_block(scheduler):
    page = make_article(
        body=[
            {"type": "paragraph", "value": "<p>走访慰问活动在全市展开。</p>"},
            {"type": "image", "value": {"image": None, "caption": "慰问现场"}},
            {"type": "quote", "value": {"text": "", "attribution": ""}},
            {"type": "media", "value": {"kind": "video", "embed": None, "file": None}},
        ]
    )
    outlet = wechat_outlet()

    html = section(preview(scheduler, page, outlet), outlet)

    assert "4 个问题，需修改后才能保存" in html
    assert "正文第 2 块（带说明的图片）未选择图片" in html
    assert "正文第 3 块（引文）引文为空" in html
    assert "正文第 4 块（视频或音频）未填写链接也未选择文件" in html
    assert "缺少封面图片" in html
    assert "符合该渠道的要求" not in html
    assert not Placement.objects.exists()


def test_a_cover_whose_file_is_gone_is_an_error_not_a_crash(scheduler):
    cover = make_image("封面")
    cover.file.storage.delete(cover.file.name)
    type(cover).objects.filter(pk=cover.pk).update(file_size=None)
    outlet = wechat_outlet()

    html = section(preview(scheduler, make_article(cover=cover), outlet), outlet)

    assert "图片“封面”的文件已丢失，请重新上传或换一张图片" in html


@pytest.mark.parametrize(
    "fields",
    [{"secret": ""}, {"config": {}}],
    ids=["no AppSecret", "no AppID"],
)
def test_an_account_that_cannot_publish_is_an_error_in_the_preview(scheduler, fields):
    outlet = wechat_outlet(**fields)

    html = section(preview(scheduler, make_article(), outlet), outlet)

    assert "公众号渠道未配置 AppID 或 AppSecret，请在“发布渠道”中填写。" in html
    assert "符合该渠道的要求" not in html


def test_each_led_outlet_lists_its_own_screens_warnings_only(scheduler):
    small = Outlet.objects.create(name="社区小屏", kind=Outlet.Kind.LED_SCREEN)
    large = Outlet.objects.create(name="广场大屏", kind=Outlet.Kind.LED_SCREEN)
    Screen.objects.create(outlet=small, width=64, height=16, colour_mode="single")
    Screen.objects.create(outlet=large, width=1920, height=1080, colour_mode="full")
    page = make_article(title="全民国防教育日主题活动在县文化广场隆重举行")

    html = preview(scheduler, page, small, large)

    assert "社区小屏：" in section(html, small)
    assert "社区小屏" not in section(html, large)
    assert "广场大屏：" not in section(html, small)


def test_an_led_outlet_without_a_screen_is_an_error(scheduler):
    outlet = Outlet.objects.create(name="新建大屏", kind=Outlet.Kind.LED_SCREEN)

    html = section(preview(scheduler, make_article(), outlet), outlet)

    assert "发布渠道“新建大屏”没有关联显示屏，请先在“户外显示屏”中登记。" in html


def test_a_time_that_is_not_a_time_gets_one_error(scheduler):
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    page = make_article()

    response = scheduler.post(
        reverse("media_schedule_page", args=[page.pk]),
        {"outlet_0": outlet.pk, "due_at_0": "明天上午九点", "preview": "1"},
    )

    errors = response.context["form"].errors
    assert errors == {
        "due_at_0": ["时间格式不对，请用日期选择器或按“2026-08-01 09:30”的格式填写（北京时间）。"]
    }
    assert not Placement.objects.exists()
