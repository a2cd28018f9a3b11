"""The bulletin board settings form: what it stores in ``Outlet.config`` and what it refuses."""

import json

import pytest

from media_schedule.channels.bulletin_board.board import Board, InvalidBoard
from media_schedule.channels.bulletin_board.forms import BulletinBoardConfigForm


def form(**data) -> BulletinBoardConfigForm:
    return BulletinBoardConfigForm(
        data={"width_mm": 2250, "height_mm": 1050, "location": "县人民广场东侧", **data}
    )


def test_cleaned_data_is_the_config_with_the_orientation_derived():
    bound = form(location="  县人民广场东侧  ")

    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {
        "width_mm": 2250,
        "height_mm": 1050,
        "orientation": "landscape",
        "location": "县人民广场东侧",
        "board_count": None,
    }
    # It becomes Outlet.config: it must survive JSON.
    assert json.loads(json.dumps(bound.cleaned_data)) == bound.cleaned_data


def test_a_tall_board_is_portrait_and_the_count_is_kept():
    bound = form(width_mm=1050, height_mm=2250, board_count=3)

    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["orientation"] == "portrait"
    assert bound.cleaned_data["board_count"] == 3


def test_an_unbound_form_offers_the_common_size_and_shows_a_stored_config():
    assert BulletinBoardConfigForm()["width_mm"].value() == 2250
    assert BulletinBoardConfigForm()["height_mm"].value() == 1050

    stored = {"width_mm": 1200, "height_mm": 2400, "orientation": "portrait", "location": "社区"}
    shown = BulletinBoardConfigForm(initial=stored)

    assert shown["width_mm"].value() == 1200
    assert shown["orientation"].value() == "portrait"
    assert shown["location"].value() == "社区"
    assert 'min="200"' in str(shown["width_mm"]) and 'max="5000"' in str(shown["width_mm"])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"width_mm": 150}, "width_mm", "宽度须在 200～5000 毫米之间（现为 150 毫米）"),
        ({"height_mm": 12000}, "height_mm", "高度须在 200～5000 毫米之间（现为 12000 毫米）"),
        ({"width_mm": "两米"}, "width_mm", "请填写整数毫米数"),
        (
            {"orientation": "portrait"},
            "orientation",
            "所选版式为竖版，但宽度 2250 毫米大于高度 1050 毫米，请核对尺寸或版式",
        ),
        (
            {"width_mm": 900, "height_mm": 1800, "orientation": "landscape"},
            "orientation",
            "所选版式为横版，但宽度 900 毫米小于高度 1800 毫米，请核对尺寸或版式",
        ),
        ({"location": " "}, "location", "请填写宣传栏所在地点"),
        ({"board_count": 0}, "board_count", "块数须在 1～100 之间"),
        ({"board_count": 101}, "board_count", "块数须在 1～100 之间"),
        ({"board_count": "几块"}, "board_count", "块数须为整数"),
    ],
)
def test_invalid_settings_are_refused_with_a_reason(data, field, message):
    bound = form(**data)

    assert not bound.is_valid()
    assert bound.errors[field] == [message]


def test_a_square_board_may_be_either_way():
    assert form(width_mm=1000, height_mm=1000, orientation="portrait").is_valid()
    assert form(width_mm=1000, height_mm=1000, orientation="landscape").is_valid()


def test_the_stored_config_describes_the_same_board():
    bound = form(width_mm=1200, height_mm=2400, board_count=2)
    assert bound.is_valid()

    board = Board.from_config(bound.cleaned_data)

    assert (board.width_mm, board.height_mm, board.count) == (1200, 2400, 2)
    assert board.describe() == "1200 × 2400 毫米 · 竖版 · 县人民广场东侧 · 共 2 块"


def test_a_config_edited_by_hand_is_checked_like_the_form():
    assert Board.from_config({}) == Board(2250, 1050)
    with pytest.raises(InvalidBoard) as refused:
        Board.from_config({"width_mm": "2250", "height_mm": 50})
    assert str(refused.value) == "宽度须为整数毫米数；高度须在 200～5000 毫米之间（现为 50 毫米）"
