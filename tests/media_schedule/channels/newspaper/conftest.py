"""Fixtures for the newspaper outlet: a configured paper and an article with every part."""

import pytest
from django.core.cache import cache

from media_schedule.models import Outlet
from tests.support.wechat_pages import image_block, make_article, make_image

PAPER_CONFIG = {
    "paper_name": "示范县报",
    "issue_days": [0, 1, 2, 3, 4],
    "sections": ["要闻版", "国防教育专版"],
    "body_word_limit": 1200,
    "title_word_limit": 30,
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Wagtail caches renditions by image id, and a rolled-back test's ids come round again:
    # a rendition cached by one test would point another at a file in the first's folder.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def paper(db) -> Outlet:
    return Outlet.objects.create(name="县报", kind=Outlet.Kind.NEWSPAPER, config=dict(PAPER_CONFIG))


@pytest.fixture
def photo(db):
    return make_image("慰问现场", size=(900, 600))


@pytest.fixture
def article(db, photo):
    """An article with a subtitle, an author, rich text, a captioned picture, a quote and a
    clip: everything the copy keeps or drops."""
    page = make_article(
        title="我县开展八一建军节走访慰问活动",
        author="县双拥办 张明",
        cover=photo,
        body=[
            {
                "type": "paragraph",
                "value": "<p>7月31日，县委、县政府领导走访慰问<b>驻地部队</b>官兵。</p>"
                "<h2>送去节日问候</h2><p>慰问组一行来到营区，与官兵座谈。</p>",
            },
            image_block(photo, caption="县领导与官兵亲切交谈。"),
            {"type": "quote", "value": {"text": "军爱民，民拥军。", "attribution": "标语"}},
            {
                "type": "media",
                "value": {"kind": "video", "embed": None, "file": None, "caption": "慰问视频"},
            },
        ],
    )
    page.subtitle = "县领导带队看望驻地官兵和优抚对象"
    page.save()
    return page
