"""Fixtures for the bulletin board outlet: boards of several sizes, an article with a cover."""

import itertools

import pytest

from media_schedule.channels import get_channel
from media_schedule.models import Outlet
from tests.support.wechat_pages import make_article, make_image

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def channel():
    return get_channel("bulletin_board")


@pytest.fixture
def make_board(db):
    """An active bulletin board outlet of the given size (millimetres)."""

    def make(width=2250, height=1050, *, location="县人民广场东侧", **config) -> Outlet:
        return Outlet.objects.create(
            name=f"宣传栏{next(_numbers)}",
            kind=Outlet.Kind.BULLETIN_BOARD,
            config={"width_mm": width, "height_mm": height, "location": location, **config},
        )

    return make


@pytest.fixture
def cover(db):
    return make_image("慰问现场", size=(1200, 800), focal=(900, 400, 200, 200))


@pytest.fixture
def article(db, cover):
    """A live article in the 双拥动态 column, with a summary, a cover and a body."""
    return make_article(
        title="我县开展八一走访慰问活动",
        summary="县委、县政府领导走访慰问驻地部队官兵和优抚对象，送去节日的问候。",
        cover=cover,
        body=[
            {"type": "paragraph", "value": "<p>慰问组一行先后来到<b>驻地部队</b>营区。</p>"},
            {"type": "quote", "value": {"text": "军爱民，民拥军。", "attribution": "标语"}},
        ],
    )
