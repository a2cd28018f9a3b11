"""The bulletin board adapter: what it declares, and the preview an editor sees."""

import base64
import io
import re

import pytest
from PIL import Image

from media_schedule.channels.base import DeliveryMode
from media_schedule.channels.bulletin_board.adapter import BulletinBoardChannel
from media_schedule.channels.bulletin_board.forms import BulletinBoardConfigForm
from media_schedule.channels.registry import load_channels

pytestmark = pytest.mark.django_db

DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def thumbnail(html: str) -> Image.Image:
    [encoded] = DATA_URI.findall(html)
    return Image.open(io.BytesIO(base64.b64decode(encoded)))


def test_the_kind_is_registered_as_a_manual_outlet(channel):
    assert load_channels()["bulletin_board"] is BulletinBoardChannel
    assert isinstance(channel, BulletinBoardChannel)
    assert channel.kind == "bulletin_board"
    assert channel.delivery_mode == DeliveryMode.MANUAL
    assert channel.config_form_class is BulletinBoardConfigForm
    assert channel.default_confirm_within_hours == 168
    assert "照片" in str(channel.evidence_hint)


def test_the_preview_is_a_thumbnail_of_the_poster_with_its_board(channel, article, make_board):
    outlet = make_board(2250, 1050, board_count=4)

    html = channel.preview(channel.build_version(article), outlet=outlet, page=article)

    picture = thumbnail(html)
    assert picture.size == (800, 373)
    assert 'alt="宣传栏海报预览：我县开展八一走访慰问活动"' in html
    assert (
        "<figcaption>宣传栏 · 2250 × 1050 毫米 · 横版 · 县人民广场东侧 · 共 4 块</figcaption>"
        in html
    )
    assert "help-warning" not in html


def test_a_portrait_preview_fits_the_admin(channel, make_board):
    html = channel.preview({"title": "双拥"}, outlet=make_board(1050, 2250))

    picture = thumbnail(html)
    assert picture.height == 600
    assert picture.width / picture.height == pytest.approx(1050 / 2250, rel=0.01)
    assert "竖版" in html


def test_hostile_text_is_escaped_in_the_preview(channel, make_board):
    outlet = make_board(location='<img src=x onerror="alert(1)">广场')
    version = {"title": "<script>alert('x')</script>", "text": "<b>正文</b>"}

    html = channel.preview(version, outlet=outlet)

    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;广场" in html


def test_text_that_does_not_fit_is_cut_in_the_preview_with_a_note(channel, make_board):
    html = channel.preview({"title": "国防" * 2500}, outlet=make_board())

    assert thumbnail(html).width == 800
    assert "有文字超出版面，预览中已截断（以省略号标出），请按校验提示删减。" in html


def test_an_empty_or_broken_version_still_previews(channel):
    for version in ({}, None, {"title": None, "picture_id": "x"}):
        html = channel.preview(version)

        assert thumbnail(html).width == 800
        assert "未指定宣传栏，按常见的 2250 × 1050 毫米版面预览。" in html


def test_a_board_with_a_broken_config_previews_on_the_common_board(channel, make_board):
    html = channel.preview({"title": "双拥"}, outlet=make_board(9000, 1050))

    assert thumbnail(html).size == (800, 373)
    assert (
        "宣传栏尺寸设置有误（宽度须在 200～5000 毫米之间（现为 9000 毫米）），按 2250 × 1050"
        in html
    )
