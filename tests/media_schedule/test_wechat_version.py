"""The WeChat article version: what is built from a page, and every limit it is held to."""

import datetime

import pytest
from wagtail.models import Page

from media_schedule.channels import get_channel
from media_schedule.channels.wechat import version as wechat
from publicity.models import ExemplarPage
from tests.support.schedule_pages import news_column
from tests.support.wechat_pages import image_block, make_article, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def messages(version: dict) -> list[str]:
    return [problem.message for problem in wechat.validate(version)]


def test_version_built_from_an_article_passes_validation():
    cover = make_image("封面", focal=(600, 400, 200, 200))
    photo = make_image("慰问现场", size=(800, 600), fmt="PNG")
    page = make_article(
        cover=cover,
        body=[
            {"type": "paragraph", "value": "<p>市领导走访慰问<b>驻地部队</b>。</p>"},
            image_block(photo, caption="慰问现场"),
            {"type": "quote", "value": {"text": "军爱民，民拥军。", "attribution": "标语"}},
        ],
    )

    version = get_channel("wechat").build_version(page)

    assert version["title"] == page.title
    assert version["author"] == "市双拥办"
    assert version["digest"] == page.summary
    assert version["content_source_url"] == page.get_full_url()
    assert version["content_source_url"].startswith("http")
    assert version["cover"]["image_id"] == cover.pk
    assert version["cover"]["crops"]["1_1"]["box"] == [200, 0, 1000, 800]
    assert [image["image_id"] for image in version["images"]] == [photo.pk]
    assert f'src="{version["images"][0]["src"]}"' in version["content"]
    assert "<b>驻地部队</b>" in version["content"]
    assert "<blockquote>" in version["content"]
    assert get_channel("wechat").validate(version) == []


def test_every_violation_is_reported_with_its_count():
    big = make_image("big", size=(700, 700), fmt="PNG", noise=True, filename="big.png")
    animated = make_image("anim", size=(50, 50), fmt="GIF", filename="anim.gif")
    page = make_article(
        title="关于在全市范围内深入开展双拥模范城创建宣传月活动暨国防教育进机关进社区通知",
        author="中共某某市委宣传部双拥工作领导小组办公室",
        summary="摘" * 140,
        body=[image_block(big), image_block(animated)],
    )
    version = wechat.build(page)
    assert len(version["title"]) == 37

    found = messages(version)

    assert "标题超出 5 字（共 37 字，上限 32 字）" in found
    assert "作者超出 4 字（共 20 字，上限 16 字）" in found
    assert "摘要超出 12 字（共 140 字，上限 128 字）" in found
    assert "缺少封面图片（须作为永久素材上传）" in found
    assert "正文图片 big.png 超过 1 MB（1.4 MB）" in found
    assert "正文图片 anim.gif 格式为 GIF，仅支持 JPG/PNG" in found
    assert len(found) == 6


def test_content_limits_count_characters_and_bytes():
    version = wechat.build(make_article(cover=make_image("封面")))

    version["content"] = "<p>" + "拥" * 20_000 + "</p>"
    found = messages(version)
    assert "正文超出 8 字符（共 20,007 字符，须少于 20,000 字符）" in found
    assert "正文超过 1 MB" not in " ".join(found)

    version["content"] = "<p>" + "军" * 400_000 + "</p>"
    found = messages(version)
    assert "正文超出 380,008 字符（共 400,007 字符，须少于 20,000 字符）" in found
    assert "正文超过 1 MB（1.1 MB）" in found

    version["content"] = "<p>" + "a" * 19_992 + "</p>"  # 19,999 characters: allowed
    assert messages(version) == []


def test_hostile_html_is_sanitised_to_wechat_tags():
    hostile = (
        '<p style="color: red; background: url(javascript:alert(1))">军民<script>alert(1)</script>'
        '<a href="javascript:alert(2)">点我</a><img src="http://evil.example/x.png" onerror="alert(3)">'
        "</p><iframe src='http://evil.example'></iframe><style>p{}</style><!-- note -->"
        '<form action="http://evil.example"><input name="q"></form><p onclick="steal()">同心</p>'
    )
    version = wechat.build(
        make_article(cover=make_image("封面"), body=[{"type": "paragraph", "value": hostile}])
    )
    content = version["content"]

    for banned in ("<script", "alert", "javascript", "onerror", "onclick", "<iframe", "<style",
                   "<form", "<input", "<a ", "evil.example", "<!--", "background"):  # fmt: skip
        assert banned not in content, banned
    assert "点我" in content and "同心" in content
    assert '<p style="color:red">' in content
    assert messages(version) == []


def test_a_hand_edited_version_with_script_or_foreign_image_is_refused():
    version = wechat.build(make_article(cover=make_image("封面")))
    version["content"] = (
        "<p onclick='x()'>正文</p><script>a()</script><script>b()</script>"
        '<img src="http://elsewhere.example/a.png">'
    )

    found = messages(version)

    assert "正文含有 2 段脚本，须删除" in found
    assert "正文含有 1 处脚本属性或 javascript: 链接，须删除" in found
    assert "正文图片 http://elsewhere.example/a.png 不在上传清单中，无法上传" in found


@pytest.mark.parametrize(
    ("size", "focal", "ratio", "expected"),
    [
        # wide image, focal point near the right edge: the square slides right and stops there
        ((2000, 1000), (1600, 400, 1800, 600), 1.0, (1000, 0, 2000, 1000)),
        # same image, 2.35:1: full width, band centred on the focal point's height
        ((2000, 1000), (1600, 400, 1800, 600), 2.35, (0, 74, 2000, 925)),
        # tall image, focal point near the top
        ((600, 1800), (200, 100, 400, 300), 2.35, (0, 72, 600, 327)),
        # no focal point: centred
        ((1000, 1000), None, 2.35, (0, 287, 1000, 713)),
    ],
)
def test_crop_box_is_taken_around_the_focal_point(size, focal, ratio, expected):
    box = wechat.crop_box(*size, ratio, focal)

    assert box == expected
    width, height = box[2] - box[0], box[3] - box[1]
    assert abs(width / height - ratio) < 0.01
    if focal:
        assert box[0] <= focal[0] and box[1] <= focal[1]
        assert box[2] >= focal[2] and box[3] >= focal[3]


def test_cover_crops_recorded_as_wechat_fractions():
    cover = make_image("封面", size=(2000, 1000), focal=(1700, 500, 200, 200))

    crops = wechat.build(make_article(cover=cover))["cover"]["crops"]

    assert crops["1_1"] == {"box": [1000, 0, 2000, 1000], "fractions": "0.5_0_1_1"}
    assert crops["2.35_1"]["box"] == [0, 74, 2000, 925]
    assert crops["2.35_1"]["fractions"] == "0_0.074_1_0.925"


def test_broken_crop_and_unsupported_cover_are_reported():
    version = wechat.build(make_article(cover=make_image("封面", fmt="WEBP", filename="c.webp")))
    version["cover"]["crops"]["1_1"]["fractions"] = "0.5_0_0.2_1"

    found = messages(version)

    assert "封面图片 c.webp 格式为 WEBP，仅支持 JPG/PNG/GIF/BMP" in found
    assert "封面 1:1 裁剪区域无效" in found


def test_version_built_from_the_base_page_or_a_revision_is_the_same():
    page = make_article(cover=make_image("封面"))
    base = Page.objects.get(pk=page.pk)
    revision = page.save_revision()

    assert wechat.build(base) == wechat.build(page)
    assert wechat.build(revision.as_object()) == wechat.build(page)


def test_exemplar_story_and_photo_make_the_version():
    exemplar = ExemplarPage(
        title="优秀退役军人张某某",
        slug="zhang",
        summary="退役不褪色，带领乡亲致富。",
        photo=make_image("照片", size=(800, 1000)),
        story="<p>退役后回乡创业。</p><script>x()</script>",
        consent_given_on=datetime.date(2026, 1, 1),
        consent_review_date=datetime.date(2027, 1, 1),
    )
    news_column().add_child(instance=exemplar)

    version = wechat.build(exemplar)

    assert version["content"] == "<p>退役后回乡创业。</p>"
    assert version["cover"]["name"].endswith(".jpg")
    assert wechat.validate(version) == []
