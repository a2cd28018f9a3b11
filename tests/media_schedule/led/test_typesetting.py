"""Fitting, Chinese line breaking, faces by line height and missing glyphs."""

import pytest
from PIL import Image, ImageDraw

from media_schedule.channels.led.typesetting import (
    DOT_MATRIX,
    NO_LINE_END,
    NO_LINE_START,
    OUTLINE,
    MissingGlyphsError,
    break_lines,
    clean_text,
    dot_matrix_face,
    fit,
    missing_glyphs,
    outline_face,
)


@pytest.fixture
def unifont():
    return dot_matrix_face().load()


def test_unifont_draws_a_chinese_character_in_exactly_16_by_16_clean_dots():
    face = dot_matrix_face()
    font = face.load()
    canvas = Image.new("L", (16, 16), 0)
    draw = ImageDraw.Draw(canvas)
    draw.fontmode = "1"
    draw.text((0, face.baseline), "国", font=font, fill=255, anchor="ls")

    assert font.getlength("国") == 16
    assert set(canvas.tobytes()) == {0, 255}
    left, top, right, bottom = canvas.getbbox()
    assert left >= 0 and top >= 0 and right <= 16 and bottom <= 16


def test_noto_at_16_px_spills_past_a_16_px_line_which_is_why_small_lines_use_unifont():
    font = outline_face(16).load()
    _left, top, _right, bottom = font.getbbox("国（g", anchor="la")
    assert bottom - top > 16


@pytest.mark.parametrize("width", [40, 56, 64, 72, 80, 96, 112, 128])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(unifont, width):
    text = "军民团结一家亲，试看天下谁能敌！拥军优属（光荣传统）要发扬。“双拥”工作、人人有责；"
    lines = break_lines(text, unifont, width)

    assert lines is not None and len(lines) > 1
    assert "".join(lines) == text
    for line in lines:
        assert unifont.getlength(line) <= width
        assert line[0] not in NO_LINE_START, lines
        assert line[-1] not in NO_LINE_END, lines


def test_closing_punctuation_takes_the_character_before_it_to_the_next_line(unifont):
    # Seven characters fit in 112 px; the eighth unit is "，" and may not open a line.
    lines = break_lines("军民团结一家亲，试看天下", unifont, 112)
    assert lines == ["军民团结一家", "亲，试看天下"]


def test_latin_words_and_numbers_are_not_split(unifont):
    lines = break_lines("喜迎建军98周年 LED", unifont, 64)
    assert lines is not None
    assert any("98" in line for line in lines)
    assert any("LED" in line for line in lines)


def test_a_unit_wider_than_the_line_does_not_fit(unifont):
    assert break_lines("ABCDEFGHIJ", unifont, 64) is None


def test_largest_face_that_fits_is_chosen():
    layout = fit(["双拥"], 64, 32, full_colour=False)
    assert (layout.face.kind, layout.face.size, layout.scrolling) == (DOT_MATRIX, 32, False)

    layout = fit(["拥军优属"], 64, 16, full_colour=False)
    assert (layout.face.size, layout.lines) == (16, ("拥军优属",))

    wall = fit(["军民团结一家亲"], 1920, 1080, full_colour=True)
    assert wall.face.kind == OUTLINE and wall.face.size > 200
    assert wall.block_height <= 1080


def test_wrapping_stacks_lines_when_the_screen_is_tall_enough():
    layout = fit(["军民团结一家亲", "强军兴军从我做起"], 192, 64, full_colour=False)
    assert layout.face.size == 16
    assert not layout.scrolling
    assert len(layout.lines) <= 4


def test_text_that_cannot_fit_scrolls_on_one_line():
    layout = fit(["全民国防教育日主题活动在县文化广场举行"], 64, 16, full_colour=False)
    assert layout.scrolling
    assert len(layout.lines) == 1
    assert layout.text_width > 64


def test_missing_glyph_is_an_error_that_names_the_characters():
    with pytest.raises(MissingGlyphsError) as caught:
        fit(["双拥模范城😀"], 128, 32, full_colour=False)
    assert caught.value.characters == ["😀"]
    assert "😀" in str(caught.value) and "U+1F600" in str(caught.value)


def test_glyph_check_finds_nothing_missing_in_ordinary_slogans():
    text = "热烈庆祝中国人民解放军建军98周年！“双拥”（拥军优属）"
    assert missing_glyphs(text, dot_matrix_face()) == []
    assert missing_glyphs(text, outline_face(48)) == []


def test_control_characters_are_refused_with_their_code_points():
    with pytest.raises(ValueError, match="U\\+0007"):
        clean_text("双拥\x07工作")
    assert clean_text("  双拥\n 工作 ") == "双拥 工作"


def test_a_screen_lower_than_one_character_is_refused():
    with pytest.raises(ValueError, match="16×16"):
        fit(["双拥"], 64, 12, full_colour=False)


def test_a_wrapped_slogan_breaks_at_its_comma_not_inside_a_word():
    layout = fit(["全民国防教育日", "增强国防观念，共筑钢铁长城！"], 192, 64, full_colour=False)
    assert layout.lines == ("全民国防教育日", "增强国防观念，", "共筑钢铁长城！")


# (slogan, width in 16 px dots, the expected lines): good breaks known in advance.
GOOD_BREAKS = [
    ("军民团结一家亲", 80, ["军民团结", "一家亲"]),
    ("军民团结一家亲", 96, ["军民团结", "一家亲"]),
    ("退役军人服务站走访慰问入户活动启动", 160, ["退役军人服务站走访", "慰问入户活动启动"]),
    ("退役军人服务站走访慰问入户活动启动", 128, ["退役军人服务站", "走访慰问入户", "活动启动"]),
    (
        "全民国防教育日主题活动在县文化广场举行，欢迎市民参加",
        192,
        ["全民国防教育日主题活动", "在县文化广场举行，", "欢迎市民参加"],
    ),
    ("热烈庆祝中国人民解放军建军98周年", 192, ["热烈庆祝中国人民解放军", "建军98周年"]),
    ("关心关爱退役军人，落实优抚政策", 128, ["关心关爱", "退役军人，", "落实优抚政策"]),
    ("拥军优属拥政爱民", 80, ["拥军优属", "拥政爱民"]),
]
# Breaks a character-filling typesetter makes and this one must not.
BAD_BREAKS = [
    ("军民团结一家亲", 80, ["军民团结一", "家亲"]),
    ("退役军人服务站走访慰问入户活动启动", 240, ["退役军人服务站走访慰问入户活动", "启动"]),
    ("拥军优属拥政爱民", 96, ["拥军优属拥政", "爱民"]),
]


@pytest.mark.parametrize(("text", "width", "expected"), GOOD_BREAKS)
def test_lines_break_where_a_reader_pauses(unifont, text, width, expected):
    assert break_lines(text, unifont, width, strict=True) == expected
    # Without strict (the last resort before scrolling) fewer lines come first.
    relaxed = break_lines(text, unifont, width)
    assert "".join(relaxed) == text and len(relaxed) <= len(expected)


@pytest.mark.parametrize(("text", "width", "bad"), BAD_BREAKS)
def test_known_bad_breaks_are_not_made(unifont, text, width, bad):
    lines = break_lines(text, unifont, width)
    assert lines != bad
    assert "".join(lines) == text
    assert len(lines[-1]) > 2, "no one- or two-character last line when a better break fits"


def test_lines_are_balanced_rather_than_filled(unifont):
    # 15 characters in 12-character lines: 8 + 7 (between words), not 12 + 3.
    lines = break_lines("双拥模范城创建人人参与人人共享", unifont, 192)
    assert [len(line) for line in lines] in ([8, 7], [7, 8]), lines


def test_a_word_wider_than_the_line_is_split_only_when_nothing_else_fits(unifont):
    assert break_lines("中华人民共和国", unifont, 64, strict=True) is None
    lines = break_lines("中华人民共和国", unifont, 64)
    assert lines is not None and "".join(lines) == "中华人民共和国"


def test_fit_prefers_a_smaller_face_to_a_break_inside_a_word():
    # At 32 px the 7 characters would need a break inside 一家亲 (3 + 4 on 128 px lines
    # breaks "军民团" from "结"); at 16 px they sit in one line.
    layout = fit(["军民团结一家亲"], 128, 64, full_colour=False)
    assert all(line in ("军民团结", "一家亲", "军民团结一家亲") for line in layout.lines)
