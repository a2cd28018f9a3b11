"""The newspaper copy built from a page, and every limit it is held to."""

import datetime

import pytest

from media_schedule.channels import get_channel
from media_schedule.channels.base import DeliveryMode
from media_schedule.channels.newspaper import version as newspaper
from media_schedule.channels.newspaper.adapter import NewspaperChannel
from media_schedule.channels.newspaper.forms import PaperConfig
from media_schedule.models import Outlet
from publicity.models import ExemplarPage
from tests.support.schedule_pages import news_column
from tests.support.wechat_pages import make_article, make_image

from .conftest import PAPER_CONFIG

pytestmark = pytest.mark.django_db

CONFIG = PaperConfig.from_config(PAPER_CONFIG)


def messages(version: dict, config: PaperConfig = CONFIG, severity: str = "error") -> list[str]:
    return [p.message for p in newspaper.validate(version, config) if p.severity == severity]


def copy(**fields) -> dict:
    """A valid version with ``fields`` changed."""
    return {
        "kind": "newspaper",
        "kicker": "",
        "headline": "我县开展八一走访慰问",
        "subhead": "",
        "byline": "",
        "body": ["县领导走访慰问驻地部队官兵。"],
        "picture": None,
        "section": "",
        "issue_date": None,
        **fields,
    }


def test_registry_serves_a_manual_adapter():
    channel = get_channel("newspaper")

    assert isinstance(channel, NewspaperChannel)
    assert channel.delivery_mode == DeliveryMode.MANUAL
    assert channel.default_confirm_within_hours == 72
    assert "版次" in str(channel.evidence_hint)


def test_version_built_from_an_article(article, photo, paper):
    version = get_channel("newspaper").build_version(article)

    assert version == {
        "kind": "newspaper",
        "kicker": "",
        "headline": "我县开展八一建军节走访慰问活动",
        "subhead": "县领导带队看望驻地官兵和优抚对象",
        "byline": "县双拥办 张明",
        "body": [
            "7月31日，县委、县政府领导走访慰问驻地部队官兵。",
            "送去节日问候",
            "慰问组一行来到营区，与官兵座谈。",
            "军爱民，民拥军。——标语",
        ],
        # The cover is shown again in the body: its caption there comes along.
        "picture": {"image_id": photo.pk, "caption": "县领导与官兵亲切交谈。"},
        "section": "",
        "issue_date": None,
    }
    assert get_channel("newspaper").validate(version, article, paper) == []


def test_without_a_cover_the_first_body_picture_is_taken():
    first = make_image("营区", size=(400, 300))
    second = make_image("座谈", size=(400, 300))
    page = make_article(
        cover=None,
        author="",
        body=[
            {"type": "paragraph", "value": "<p>正文。</p>"},
            {"type": "image", "value": {"image": {"image": first.pk}, "caption": "营区一角"}},
            {"type": "image", "value": {"image": {"image": second.pk}, "caption": "座谈会"}},
        ],
    )

    version = newspaper.build(page)

    assert version["picture"] == {"image_id": first.pk, "caption": "营区一角"}
    assert version["body"] == ["正文。"]
    assert version["byline"] == ""


def test_an_exemplar_gives_its_story_and_photo():
    photo = make_image("老兵", size=(400, 500))
    today = datetime.date.today()
    exemplar = ExemplarPage(
        title="退役老兵王建国",
        slug="wang-jianguo",
        photo=photo,
        story="<p>退役后回到家乡讲述军旅故事。</p><p>二十年如一日。</p>",
        consent_given_on=today - datetime.timedelta(days=10),
        consent_review_date=today + datetime.timedelta(days=300),
    )
    news_column().add_child(instance=exemplar)

    version = newspaper.build(exemplar)

    assert version["headline"] == "退役老兵王建国"
    assert version["body"] == ["退役后回到家乡讲述军旅故事。", "二十年如一日。"]
    assert version["picture"] == {"image_id": photo.pk, "caption": ""}


def test_an_article_with_no_body_gets_a_clear_message_not_an_exception():
    page = make_article(title="  ", body=[], cover=None)

    version = newspaper.build(page)

    assert version["body"] == []
    assert messages(version) == [
        "主标题不能为空",
        "正文为空：报纸稿须有正文，请在页面中填写正文段落",
    ]


def test_a_malformed_version_is_reported_not_raised():
    assert messages({"body": 12, "picture": "x", "issue_date": "八月一日"}) == [
        "主标题不能为空",
        "正文为空：报纸稿须有正文，请在页面中填写正文段落",
        "刊发日期“八月一日”无法识别，请写成 2026-08-01 的形式",
        "图片设置无法识别，请重新选择图片",
    ]


def test_words_over_the_papers_limits_are_counted_and_named():
    version = copy(
        headline="关于在全县范围内深入开展双拥模范县创建宣传月活动暨国防教育进机关进社区",
        body=["拥" * 1000, "军爱民，民拥军。" * 66 + "2026"],
    )

    assert newspaper.count_words(version["headline"]) == 35
    assert messages(version) == [
        "主标题 35 字，超过本报上限 30 字",
        "正文 1,529 字，超过本报上限 1,200 字",
    ]


def test_at_the_limit_is_allowed():
    config = PaperConfig.from_config({**PAPER_CONFIG, "body_word_limit": 9})

    assert messages(copy(body=["军民团结，一家亲！"]), config) == []
    assert messages(copy(body=["军民团结，一家亲！", "好"]), config) == [
        "正文 10 字，超过本报上限 9 字"
    ]


def test_the_section_must_be_one_of_the_papers():
    assert messages(copy(section="国防教育专版")) == []
    assert messages(copy(section="体育版")) == [
        "版面“体育版”不是本报的版面（本报版面：要闻版、国防教育专版）"
    ]


def test_an_empty_section_means_the_papers_first():
    assert newspaper.section_of(copy(section=""), CONFIG) == "要闻版"
    assert newspaper.section_of(copy(section="国防教育专版"), CONFIG) == "国防教育专版"


def test_without_an_outlet_no_limit_or_section_applies():
    version = copy(body=["拥" * 5000], section="体育版")

    assert get_channel("newspaper").validate(version) == []


def test_issue_date_defaults_to_the_next_issue_day():
    saturday = datetime.date(2026, 8, 1)

    assert newspaper.issue_date_of(copy(), CONFIG, today=saturday) == datetime.date(2026, 8, 3)
    assert newspaper.issue_date_of(copy(), PaperConfig(), today=saturday) == saturday
    chosen = copy(issue_date="2026-08-05")
    assert newspaper.issue_date_of(chosen, CONFIG, today=saturday) == datetime.date(2026, 8, 5)


def test_an_issue_date_the_paper_does_not_appear_on_is_a_warning():
    assert messages(copy(issue_date="2026-08-02"), severity="warning") == [
        "2026年8月2日 不是本报出版日"
    ]


def test_a_picture_whose_file_is_gone_is_a_warning():
    image = make_image("丢失的照片")
    image.file.storage.delete(image.file.name)

    problems = newspaper.validate(copy(picture={"image_id": image.pk, "caption": "说明"}), CONFIG)

    assert [(p.field, p.severity, p.message) for p in problems] == [
        (
            "picture",
            "warning",
            "图片“丢失的照片”的文件已丢失，稿件中将不含图片；请重新上传或换一张图片",
        )
    ]


def test_a_deleted_picture_and_a_missing_caption_are_warnings(photo):
    assert messages(copy(picture={"image_id": 999_999, "caption": "说明"}), severity="warning") == [
        "所选图片已被删除，稿件中将不含图片"
    ]
    assert messages(copy(picture={"image_id": photo.pk, "caption": " "}), severity="warning") == [
        "图片没有说明文字（图注），见报图片一般须配说明"
    ]


def test_characters_the_print_face_lacks_are_named():
    version = copy(body=["古埃及文字𓀀出现在展览中。"])

    assert messages(version, severity="warning") == [
        "PDF 稿的字体 Noto Serif CJK SC 缺少以下字符，PDF 中将无法正确显示，请核对 Word 稿："
        "“𓀀”(U+13000)"
    ]


def test_an_unconfigured_or_stopped_outlet_cannot_take_copy(paper):
    bare = Outlet.objects.create(name="新报", kind=Outlet.Kind.NEWSPAPER, is_active=False)

    assert [p.message for p in get_channel("newspaper").outlet_problems(bare)] == [
        "该渠道已停用，不能发送。",
        "该报纸渠道尚未设置报纸名称、出版日、版面，请先在渠道设置中填写。",
    ]
    assert get_channel("newspaper").outlet_problems(paper) == []
