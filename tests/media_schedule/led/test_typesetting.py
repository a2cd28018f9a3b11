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


def test_a_wrapped_slogan_does_not_leave_one_character_alone():
    layout = fit(["全民国防教育日", "增强国防观念，共筑钢铁长城！"], 192, 64, full_colour=False)
    assert layout.lines[-1] == "长城！"
    assert all(len(line.rstrip("！")) > 1 for line in layout.lines)
