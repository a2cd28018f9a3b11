"""The poster version: what is taken from a page, and every limit it is held to on a board."""

import datetime

import pytest
from django.utils import timezone

from media_schedule.channels.bulletin_board import version as poster_version
from tests.support.wechat_pages import make_article, make_image

pytestmark = pytest.mark.django_db


def messages(problems) -> list[tuple[str, str]]:
    return [(problem.severity, problem.message) for problem in problems]


def test_version_is_built_from_an_article(channel, article, cover):
    version = channel.build_version(article)

    day = timezone.localdate(article.publication_date)
    assert version == {
        "kind": "bulletin_board",
        "title": "我县开展八一走访慰问活动",
        "text": "县委、县政府领导走访慰问驻地部队官兵和优抚对象，送去节日的问候。\n"
        "慰问组一行先后来到驻地部队营区。\n"
        "“军爱民，民拥军。”——标语",
        "picture_id": cover.pk,
        "header": "双拥专栏",
        "subheader": "双拥动态",
        "footer": f"双拥专栏 · {day.year}年{day.month}月{day.day}日",
    }


def test_body_text_is_plain_and_scripts_are_dropped(channel):
    page = make_article(
        summary="",
        body=[
            {
                "type": "paragraph",
                "value": "<p>县人武部<a href='https://example.com'>组织</a>开展&nbsp;征兵宣传。"
                "<script>alert('x')</script></p><style>p{}</style><ul><li>进社区</li>"
                "<li>进学校</li></ul>",
            }
        ],
    )

    version = channel.build_version(page)

    assert version["text"] == "县人武部组织开展 征兵宣传。\n进社区\n进学校"
    assert version["picture_id"] is None


def test_a_long_page_gives_a_few_whole_sentences():
    sentence = "驻地官兵与群众共同开展植树活动，绿化荒山二十余亩。"
    page = make_article(
        summary="",
        body=[{"type": "paragraph", "value": f"<p>{sentence * 5}</p>"} for _ in range(8)],
    )

    text = poster_version.build(page)["text"]

    assert len(text.replace("\n", "")) <= poster_version.TEXT_BUDGET
    assert len(text.splitlines()) <= poster_version.MAX_PARAGRAPHS
    assert all(paragraph.endswith("。") for paragraph in text.splitlines())


def test_a_built_version_passes_on_the_common_board(channel, make_board):
    sharp = make_image("慰问现场大图", size=(2400, 1600))
    page = make_article(cover=sharp)
    outlet = make_board()

    assert channel.validate(channel.build_version(page), outlet=outlet) == []


def test_a_coarse_picture_is_a_warning(channel, article, make_board):
    problems = channel.validate(channel.build_version(article), outlet=make_board())

    assert [problem.severity for problem in problems] == ["warning"]
    assert problems[0].field == "picture_id"
    assert problems[0].message.startswith("图片“慰问现场”分辨率偏低：印在宣传栏上宽约 ")


def test_an_empty_title_is_an_error_and_an_empty_poster_a_warning(channel, make_board):
    problems = channel.validate({}, outlet=make_board())

    assert messages(problems) == [
        ("error", "标题不能为空"),
        ("warning", "正文为空，也没有图片：海报上只有标题。"),
    ]


@pytest.mark.parametrize("version", [None, "标题", ["标题"], 42])
def test_a_version_that_is_not_a_dict_is_refused_without_a_crash(channel, make_board, version):
    assert messages(channel.validate(version, outlet=make_board())) == [
        ("error", "海报版本格式无效，请重新生成。")
    ]


def test_fields_of_the_wrong_type_count_as_empty(channel, make_board):
    version = {"title": 5, "text": ["正文"], "picture_id": "封面", "footer": None}

    assert messages(channel.validate(version, outlet=make_board())) == [
        ("error", "标题不能为空"),
        ("warning", "正文为空，也没有图片：海报上只有标题。"),
        ("warning", "图片编号无效，海报将不带图片印刷。"),
    ]


def test_a_huge_title_is_an_error_with_the_counts(channel, make_board):
    version = {"title": "国防" * 2500, "text": "军民团结一家亲。"}

    problems = channel.validate(version, outlet=make_board(2250, 1050))

    # 2250 mm board: content 2250 − 2 × 47.25 mm wide; 30 mm title → 71 characters a line.
    assert messages(problems) == [
        (
            "error",
            "标题太长：按本宣传栏最小字高 30 毫米须排 71 行，最多 2 行"
            "（共 5000 字，每行约 71 字，上限约 142 字）",
        )
    ]


def test_body_text_that_cannot_fit_at_the_minimum_size_is_an_error(channel, make_board):
    version = {"title": "双拥", "text": "军" * 3000}

    problems = channel.validate(version, outlet=make_board(600, 400))

    # 600 × 400 mm: 5 mm body in 3 columns of 36 characters, 25 lines each; 3000 characters
    # with a two-character indent need 84 lines.
    assert messages(problems) == [
        (
            "error",
            "正文太长：按本宣传栏最小字高 5 毫米须排 84 行，版面只容得下 75 行"
            "（共 3000 字，每行约 36 字，上限约 2700 字）。请删减正文。",
        )
    ]


def test_the_same_text_fits_a_larger_board(channel, make_board):
    version = {"title": "双拥", "text": "军" * 3000}

    assert channel.validate(version, outlet=make_board(2250, 1050)) == []


def test_characters_without_a_glyph_are_named(channel, make_board):
    version = {"title": "双拥😀模范城", "text": "军民鱼水情\U00013000深。", "footer": "双拥办"}

    assert messages(channel.validate(version, outlet=make_board())) == [
        (
            "error",
            "标题含有字体缺少的字符，印出来会是方框：“😀”(U+1F600)。请改用常用字或删去这些字符。",
        ),
        (
            "error",
            "正文含有字体缺少的字符，印出来会是方框：“𓀀”(U+13000)。请改用常用字或删去这些字符。",
        ),
    ]


def test_a_long_footer_is_an_error(channel, make_board):
    version = {"title": "双拥", "text": "军民团结。", "footer": "双拥" * 100}

    problems = channel.validate(version, outlet=make_board(600, 400))

    assert messages(problems) == [("error", "页脚过长：共 200 字，本宣传栏一行最多约 90 字")]


def test_a_missing_picture_file_is_a_warning(channel, article, cover, make_board):
    cover.file.storage.delete(cover.file.name)

    problems = channel.validate(channel.build_version(article), outlet=make_board())

    assert messages(problems) == [
        ("warning", "图片“慰问现场”的文件已丢失，海报将不带图片印刷；请重新上传或换一张图片。")
    ]


def test_a_deleted_or_broken_picture_is_a_warning(channel, article, cover, make_board):
    version = channel.build_version(article)
    with open(cover.file.path, "wb") as broken:
        broken.write(b"not an image at all")

    assert messages(channel.validate(version, outlet=make_board())) == [
        (
            "warning",
            "图片“慰问现场”无法使用：无法识别的图片格式：只接受 PNG、JPEG、WebP、GIF。"
            "海报将不带图片印刷。",
        )
    ]

    cover.delete()

    assert messages(channel.validate(version, outlet=make_board())) == [
        ("warning", f"所选图片（编号 {version['picture_id']}）已被删除，海报将不带图片印刷。")
    ]


def test_without_an_outlet_every_active_board_is_checked(channel, make_board):
    small = make_board(600, 400)
    make_board(2250, 1050)
    stopped = make_board(300, 200)
    stopped.is_active = False
    stopped.save()

    problems = channel.validate({"title": "双拥", "text": "军" * 3000})

    assert [problem.message.split("：")[0] for problem in problems] == [small.name]


def test_a_board_with_a_broken_config_is_named(channel, make_board):
    broken = make_board(100, 1050)

    problems = channel.validate({"title": "双拥", "text": "军民团结。"})

    assert messages(problems) == [
        (
            "error",
            f"{broken.name}：宣传栏尺寸设置有误：宽度须在 200～5000 毫米之间（现为 100 毫米）",
        )
    ]
    assert messages(channel.outlet_problems(broken)) == [
        ("error", "宣传栏尺寸设置有误：宽度须在 200～5000 毫米之间（现为 100 毫米）")
    ]


def test_an_exemplar_gives_its_story_and_photo(channel, cover):
    from publicity.models import ColumnPage, ExemplarPage
    from tests.support.schedule_pages import news_column

    gallery = (
        news_column()
        .get_parent()
        .add_child(instance=ColumnPage(title="先进典型", slug="exemplars"))
    )
    exemplar = gallery.add_child(
        instance=ExemplarPage(
            title="退役军人张某",
            slug="zhang",
            summary="二十年如一日义务讲授国防教育课。",
            story="<p>退役后回到家乡，讲述军旅故事。</p><p>先后获评县双拥模范个人。</p>",
            photo=cover,
            consent_given_on=datetime.date(2025, 1, 1),
            consent_review_date=datetime.date(2099, 1, 1),
        )
    )

    version = channel.build_version(exemplar)

    assert version["text"] == (
        "二十年如一日义务讲授国防教育课。\n退役后回到家乡，讲述军旅故事。\n先后获评县双拥模范个人。"
    )
    assert version["picture_id"] == cover.pk
    assert version["subheader"] == "先进典型"
