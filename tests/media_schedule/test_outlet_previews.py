"""Each outlet's version as its audience sees it, in the schedule preview and on a placement's
page: the WeChat message card and article, the LED frames at the screen's pixels, the
website's summary card. Never a dictionary, never the version's English keys."""

import base64
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media_schedule.channels.led.models import Screen
from media_schedule.models import Outlet, Placement
from media_schedule.services import outlet_version
from tests.support.roles import user_in_role
from tests.support.wechat_pages import image_block, make_article, make_image

pytestmark = pytest.mark.django_db

# Keys of the WeChat and LED versions that must never reach the page as such.
VERSION_KEYS = (
    "content_source_url",
    "need_open_comment",
    "only_fans_can_comment",
    "fractions",
    "picture_fit",
    "dwell_seconds",
    "day_parts",
    "valid_until",
    "image_id",
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=["排期员", "编辑"])
def scheduler(request, client):
    """A scheduler by role, or a member of the editors' group the migrations create."""
    if request.param == "编辑":
        user = get_user_model().objects.create_user(username="editor")
        user.groups.add(Group.objects.get(name="编辑"))
    else:
        user = user_in_role("排期员")
    client.force_login(user)
    return client


@pytest.fixture
def wechat():
    return Outlet.objects.create(
        name="示范县双拥公众号",
        kind=Outlet.Kind.WECHAT,
        config={"app_id": "wx1234567890abcdef", "account_name": "示范县双拥"},
        secret="app-secret-value",
    )


@pytest.fixture
def led():
    outlet = Outlet.objects.create(name="县文化广场户外屏", kind=Outlet.Kind.LED_SCREEN)
    Screen.objects.create(
        outlet=outlet, width=192, height=64, colour_mode="dual", location="文化广场东侧"
    )
    return outlet


@pytest.fixture
def website():
    return Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)


@pytest.fixture
def article():
    cover = make_image("慰问封面", size=(1200, 800), focal=(900, 300, 200, 200))
    photo = make_image("慰问现场", size=(800, 600))
    return make_article(
        title="八一走访慰问驻地部队",
        summary="县领导带队走访慰问驻地部队官兵。",
        cover=cover,
        body=[
            {"type": "paragraph", "value": "<p>走访慰问活动在全县展开。</p>"},
            image_block(photo, caption="慰问现场"),
        ],
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
    return html[start : html.index("</section>", start)]


def assert_no_raw_version(html: str) -> None:
    assert "{'" not in html and "&#x27;" not in html and '{"' not in html
    for key in VERSION_KEYS:
        assert key not in html, key


def data_images(html: str) -> list[Image.Image]:
    images = []
    for encoded in re.findall(r'src="data:image/(?:png|gif|jpeg);base64,([^"]+)"', html):
        images.append(Image.open(io.BytesIO(base64.b64decode(encoded))))
    return images


def test_the_wechat_outlet_shows_the_card_and_the_article(scheduler, article, wechat):
    html = section(preview(scheduler, article, wechat), wechat)

    card = html[html.index('class="wechat-card"') : html.index('class="wechat-share"')]
    assert '<p class="wechat-card__title">八一走访慰问驻地部队</p>' in card
    assert "县领导带队走访慰问驻地部队官兵。" in card
    assert "示范县双拥" in card
    # The cover is cut as the platform cuts it: the 2.35:1 box around the focal point.
    built = outlet_version(outlet=wechat, page=article).version
    left, top, right, _bottom = built["cover"]["crops"]["2.35_1"]["box"]
    scale = 100 / (right - left)
    assert (
        f"width: {1200 * scale:.4f}%; margin-left: -{left * scale:.4f}%; "
        f"margin-top: -{top * scale:.4f}%;"
    ) in card
    assert 'src="/media/original_images/' in card
    # The article page: its body, its image from this site, and the link back.
    phone = html[html.index('class="wechat-phone"') :]
    assert "<p>走访慰问活动在全县展开。</p>" in phone
    assert re.search(r'<img src="/media/original_images/[^"]+" alt="慰问现场">', phone)
    assert "阅读原文" in phone
    assert_no_raw_version(html)


def test_a_hostile_stored_body_is_sanitised_again_in_the_preview(article, wechat):
    from media_schedule.channels import get_channel

    version = outlet_version(outlet=wechat, page=article).version
    version["content"] = (
        '<p onclick="steal()">正文</p><script>alert(1)</script><a href="x">链接</a>'
    )

    html = get_channel("wechat").preview(version, outlet=wechat, page=article)

    body = re.search(r'class="wechat-phone__content">(.*?)</div>', html, re.S).group(1)
    assert body == "<p>正文</p>链接"
    assert "<script" not in html and "onclick" not in html


def test_the_led_outlet_shows_its_screens_frames_at_real_pixels(scheduler, article, led):
    html = section(preview(scheduler, article, led), led)

    assert "屏幕：192×64 像素，双色（红绿） · 文化广场东侧" in html
    assert '<img src="data:image/' in html
    frames = data_images(html)
    assert frames and all(frame.size == (192, 64) for frame in frames)
    assert 'width="192" height="64" style="width: 384px"' in html
    assert "第 1 屏：文字，停留" in html and re.search(r"第 2 屏：图片，停留 \d+ 秒", html)
    assert_no_raw_version(html)


def test_a_small_screen_shows_a_scroll_as_an_animation(scheduler, article):
    outlet = Outlet.objects.create(name="社区小屏", kind=Outlet.Kind.LED_SCREEN)
    Screen.objects.create(outlet=outlet, width=64, height=16, colour_mode="single")

    html = section(preview(scheduler, article, outlet), outlet)

    assert "滚动文字，每遍约" in html
    assert 'src="data:image/gif;base64,' in html
    gif = next(image for image in data_images(html) if image.format == "GIF")
    assert gif.size == (64, 16) and gif.n_frames > 10


def test_an_led_outlet_without_a_screen_says_so_instead_of_a_picture(scheduler, article):
    outlet = Outlet.objects.create(name="新建大屏", kind=Outlet.Kind.LED_SCREEN)

    html = section(preview(scheduler, article, outlet), outlet)

    assert "该渠道没有关联显示屏，无法预览。" in html
    assert "data:image" not in html


def test_the_website_outlet_shows_the_summary_card(scheduler, article, website):
    html = section(preview(scheduler, article, website), website)

    assert '<p class="website-card__title">八一走访慰问驻地部队</p>' in html
    assert "县领导带队走访慰问驻地部队官兵。" in html
    assert '<p class="website-card__column">双拥动态</p>' in html
    assert f'href="{article.get_full_url()}"' in html
    assert re.search(r'<img class="website-card__cover" src="/media/images/[^"]+"', html)
    assert_no_raw_version(html)


def test_each_outlets_problems_stay_under_that_outlet(scheduler, wechat, website):
    small = Outlet.objects.create(name="社区小屏", kind=Outlet.Kind.LED_SCREEN)
    Screen.objects.create(outlet=small, width=64, height=16, colour_mode="single")
    page = make_article(title="全民国防教育日主题活动在县文化广场隆重举行并取得圆满成功")

    html = preview(scheduler, page, wechat, small, website)

    assert "缺少封面图片" in section(html, wechat)
    assert "缺少封面图片" not in section(html, small) + section(html, website)
    assert "社区小屏：文字在该屏上一屏放不下" in section(html, small)
    assert "一屏放不下" not in section(html, wechat) + section(html, website)
    assert "符合该渠道的要求。" in section(html, website)
    assert html.count('class="schedule-preview"') == 3


def test_a_placement_shows_its_saved_version_as_a_preview(client, article, wechat, led):
    client.force_login(user_in_role("排期员"))
    rows = []
    for outlet in (wechat, led):
        rows.append(
            Placement.objects.create(
                page=article,
                outlet=outlet,
                due_at=timezone.now(),
                version=outlet_version(outlet=outlet, page=article).version,
            )
        )

    wechat_html = client.get(
        reverse("media_schedule_placement:inspect", args=[rows[0].pk])
    ).content.decode()
    led_html = client.get(
        reverse("media_schedule_placement:inspect", args=[rows[1].pk])
    ).content.decode()

    assert '<p class="wechat-card__title">八一走访慰问驻地部队</p>' in wechat_html
    assert '<img src="data:image/' in led_html
    for html in (wechat_html, led_html):
        # The page's own scripts carry JSON; the fields and the history must not.
        fields = html[html.index("<dl>") : html.index("发送记录")]
        assert "outlet-preview" in fields
        assert_no_raw_version(fields)
