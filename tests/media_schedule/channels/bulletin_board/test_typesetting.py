"""Legible sizes per board, Chinese line breaking and the poster's layout."""

import pytest

from media_schedule.channels.bulletin_board.board import Board
from media_schedule.channels.bulletin_board.layout import PosterContent, Text, lay_out
from media_schedule.channels.bulletin_board.typesetting import (
    NO_LINE_END,
    NO_LINE_START,
    advance,
    break_lines,
    clean,
    missing_glyphs,
    units,
)

SAMPLE = (
    "活动现场设置了国防知识有奖问答、征兵政策咨询、退役军人服务等展台，工作人员耐心解答群众"
    "提出的问题。“国防教育要从娃娃抓起”，一位带着孩子前来参观的家长说。（记者 王芳）"
    "Daily 2025 年共走访慰问 1,200 户。"
)


@pytest.mark.parametrize(
    ("width", "height", "body", "title"),
    [
        (2250, 1050, 12, 30),
        (1050, 2250, 12, 30),
        (4500, 2100, 24, 60),
        (1125, 525, 6, 15),
        (600, 400, 5, 12.5),
        (5000, 200, 7.8, 19.5),
    ],
)
def test_minimum_sizes_grow_with_the_board(width, height, body, title):
    board = Board(width, height)

    assert board.min_body_mm == pytest.approx(body, abs=0.05)
    assert board.min_title_mm == pytest.approx(title, abs=0.1)


def test_closing_punctuation_takes_the_character_before_it_to_the_next_line():
    lines = break_lines("国防教育要从娃娃抓起，一位家长说。", "body", 10)

    assert [line.text for line in lines] == ["国防教育要从娃娃抓", "起，一位家长说。"]
    assert lines[-1].last and not lines[0].last


def test_an_opening_quote_never_ends_a_line():
    lines = break_lines("我们常说“国防教育”很重要", "body", 5)

    assert [line.text for line in lines] == ["我们常说", "“国防教", "育”很重要"]


def test_a_last_character_never_stands_alone():
    lines = break_lines("军民团结如一人试看天下谁能敌", "body", 13)

    assert [line.text for line in lines] == ["军民团结如一人试看天下谁", "能敌"]


@pytest.mark.parametrize("measure", [4, 5, 7, 9, 12, 17, 23, 31])
def test_no_line_breaks_the_rules_at_any_measure(measure):
    lines = break_lines(SAMPLE, "body", measure, indent=2)

    assert "".join(line.text for line in lines).replace(" ", "") == SAMPLE.replace(" ", "")
    for line in lines:
        assert line.text[0] not in NO_LINE_START, line.text
        assert line.text[-1] not in NO_LINE_END, line.text
        assert line.indent + line.width <= measure + 1e-6, line.text
    # A Latin word stays whole where a line can hold it.
    assert any("Daily" in line.text for line in lines)


def test_control_characters_are_dropped_and_missing_glyphs_named():
    assert clean("军民\u200b鱼水\x07情\n深") == "军民鱼水情 深"
    assert missing_glyphs("双拥😀模范𐍈城", "body") == ["😀", "𐍈"]
    assert missing_glyphs("双拥模范城 Model City 2025", "title") == []


def test_a_short_text_is_set_well_above_the_minimum():
    poster = lay_out(
        PosterContent(title="热烈庆祝八一建军节", paragraphs=("军爱民，民拥军，军民团结一家亲。",)),
        Board(2250, 1050),
    )
    sizes = {element.role: element.size for element in poster.elements if isinstance(element, Text)}

    assert sizes["title"] > 60
    assert sizes["body"] >= 2 * 12
    assert all(fit.fits for fit in poster.fits.values())


def test_every_element_stays_on_the_board():
    board = Board(1050, 2250)
    poster = lay_out(
        PosterContent(
            title="关于开展双拥模范城创建宣传月活动的通知",
            paragraphs=(SAMPLE,) * 6,
            header="双拥专栏",
            subheader="国防教育",
            footer="示范县双拥办 · 2025年9月20日",
        ),
        board,
    )

    for element in poster.elements:
        if isinstance(element, Text):
            drawn = sum(advance(element.role, c) for c in element.text) * element.size
            right = element.x + drawn + element.spacing * (len(element.text) - 1)
            assert element.x >= 0 and right <= board.width_mm - 20, element.text
            assert element.size <= element.baseline <= board.height_mm, element.text
        else:
            assert element.x >= 0 and element.y >= 0
            assert element.x + element.w <= board.width_mm + 1e-6
            assert element.y + element.h <= board.height_mm + 1e-6


def test_justified_lines_end_flush_and_keep_latin_words_whole():
    board = Board(1200, 900)
    text = "Model City 双拥模范城 2025 年度 review：共走访 1,200 户（含 300 户优抚对象）。" * 3
    poster = lay_out(PosterContent(title="双拥", paragraphs=(text,)), board)
    body = [e for e in poster.elements if isinstance(e, Text) and e.role == "body"]
    justified = [line for line in body if line.spacing]

    assert justified
    right_edges = set()
    for line in justified:
        parts = units(line.text)
        drawn = sum(advance("body", unit) for unit in parts) * line.size
        right_edges.add(round(line.x + drawn + line.spacing * (len(parts) - 1), 3))
        assert "Model" in parts or "review" in parts or "Model" not in line.text
    assert len(right_edges) == 1


def test_a_slogan_is_centred_and_a_title_alone_is_set_large():
    board = Board(2250, 1050)
    slogan = lay_out(
        PosterContent(title="热烈庆祝八一建军节", paragraphs=("军爱民 民拥军", "军民团结一家亲")),
        board,
    )
    alone = lay_out(PosterContent(title="热烈庆祝八一建军节"), board)

    for line in (e for e in slogan.elements if isinstance(e, Text) and e.role == "body"):
        drawn = sum(advance("body", c) for c in line.text) * line.size
        assert line.x + drawn / 2 == pytest.approx(board.width_mm / 2, abs=0.5)
    [title] = [e for e in alone.elements if isinstance(e, Text) and e.role == "title"]
    assert title.size > 2 * 60
