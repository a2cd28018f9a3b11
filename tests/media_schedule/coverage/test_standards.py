"""The assessment standard item by item: records matched by medium, theme and period,
evidence attached by hand (checked by content, append-only, corrected by a new row), items
lacking evidence first with their editor, and who may see the evidence."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from media_schedule.coverage.models import ItemEvidence, StandardItem
from media_schedule.coverage.standards import standard_status
from publicity.models import Theme
from tests.support.media_clips import clip
from tests.support.roles import user_in_role

from .conftest import beijing, deliver

pytestmark = pytest.mark.django_db
D = datetime.date


def jpeg(name="慰问现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def theme():
    return Theme.objects.create(name="国防教育", slug="guofang")


@pytest.fixture
def items(theme):
    editor = user_in_role("仅后台访问", username="liu")
    editor.first_name, editor.last_name = "小刘", ""
    editor.save()
    screens = StandardItem.objects.create(
        code="3.2", text="户外电子显示屏常态滚动播放国防教育内容", starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31), medium="screen", theme=theme, required_count=2,
        responsible=editor, sort_order=2,
    )  # fmt: skip
    column = StandardItem.objects.create(
        code="3.1", text="报纸、网络开设双拥宣传专栏并持续更新", starts_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31), medium="", required_count=1, sort_order=1,
    )  # fmt: skip
    visits = StandardItem.objects.create(
        code="4.1", text="八一期间组织走访慰问并见诸报道", starts_on=D(2026, 7, 20),
        ends_on=D(2026, 8, 10), medium="newspaper", required_count=1, sort_order=3,
        responsible=editor,
    )  # fmt: skip
    return {"screens": screens, "column": column, "visits": visits}


def test_records_match_by_medium_theme_and_period(outlets, page, theme, items):
    page.themes.add(theme)
    page.save()
    from tests.support.schedule_pages import draft_article

    other = draft_article("拥军优属暖人心")
    deliver(outlets["screen"], beijing(2026, 3, 1, 8), page=page)
    deliver(outlets["screen2"], beijing(2026, 3, 2, 8), page=other)  # another theme
    deliver(outlets["board"], beijing(2026, 3, 3, 8), page=page)  # not a screen
    deliver(outlets["newspaper"], beijing(2026, 7, 19, 8), page=page)  # before the period

    statuses = {s.item.code: s for s in standard_status()}
    assert [r.outlet.name for r in statuses["3.2"].records] == ["人民广场大屏"]
    assert statuses["3.2"].missing == 1
    assert statuses["3.1"].count == 4
    assert statuses["4.1"].records == []
    # Lacking first, then in their order.
    assert [s.item.code for s in standard_status()] == ["3.2", "4.1", "3.1"]


def test_the_list_puts_lacking_items_first_with_their_editor(client, items):
    client.force_login(user_in_role("覆盖查看"))
    html = client.get("/admin/coverage/standard/").content.decode()
    assert "共 3 条，3 条佐证不足（排在前面）。" in html
    assert html.index("户外电子显示屏常态滚动播放") < html.index("八一期间组织走访慰问")
    assert "小刘" in html and "未指定" in html


def test_evidence_attached_by_hand_counts_and_is_corrected_by_a_new_row(client, items):
    head = user_in_role("双拥办主任", username="zhuren")
    client.force_login(head)
    url = f"/admin/coverage/standard/{items['visits'].pk}/"
    response = client.post(
        url, {"happened_on": "2026-07-31", "note": "县四套班子走访驻地部队", "file": jpeg()}
    )
    assert response.status_code == 302
    first = ItemEvidence.objects.get()
    assert (first.file_format, first.original_name) == ("jpeg", "慰问现场.jpg")
    assert first.file.name.startswith("evidence/standards/")
    html = client.get(url).content.decode()
    assert "佐证齐全：1 条。" in html
    assert "慰问现场.jpg" in html
    assert client.get(f"/admin/coverage/standard/evidence/{first.pk}/").status_code == 200

    # It was the wrong event: withdrawn by a correction, both rows kept.
    client.post(
        f"{url}?correct={first.pk}",
        {"happened_on": "2026-07-31", "note": "照片为其他活动，撤回", "supersedes": first.pk,
         "withdraw": "on"},
    )  # fmt: skip
    assert ItemEvidence.objects.count() == 2
    html = client.get(url).content.decode()
    assert "佐证不足：现有 0 条。" in html
    assert "已被更正" in html and "撤回（更正）" in html
    # The withdrawn one cannot be corrected twice.
    response = client.post(
        url, {"happened_on": "2026-07-31", "note": "再改", "supersedes": first.pk}
    )
    assert "这份佐证已被更正过，请更正最新的一份。" in response.content.decode()
    with pytest.raises(ValueError, match="append-only"):
        first.delete()


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("假照片.jpg", b"MZ\x90\x00 not a picture"), "不是可用的照片"),
        (SimpleUploadedFile("空.png", b""), "所提交的是空文件。"),
        (SimpleUploadedFile("截断.pdf", b"%PDF-1.7\n1 0 obj"), "PDF 文件“截断.pdf”不完整。"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(client, items, upload, error):
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    response = client.post(
        f"/admin/coverage/standard/{items['visits'].pk}/",
        {"happened_on": "2026-07-31", "note": "走访", "file": upload},
    )
    assert error in response.content.decode()
    assert ItemEvidence.objects.count() == 0


def test_only_those_who_may_see_evidence_see_it(client, items):
    head = user_in_role("双拥办主任", username="zhuren")
    client.force_login(head)
    url = f"/admin/coverage/standard/{items['visits'].pk}/"
    client.post(url, {"happened_on": "2026-07-31", "note": "走访慰问照片", "file": jpeg()})
    piece = ItemEvidence.objects.get()

    client.force_login(user_in_role("覆盖查看"))
    html = client.get(url).content.decode()
    assert "走访慰问照片" not in html and "慰问现场.jpg" not in html
    assert client.get(f"/admin/coverage/standard/evidence/{piece.pk}/").status_code in (302, 403)
    response = client.post(url, {"happened_on": "2026-07-31", "note": "偷偷加", "file": jpeg()})
    assert response.status_code == 404
    assert ItemEvidence.objects.count() == 1

    client.force_login(user_in_role("仅后台访问"))
    assert client.get(url).status_code in (302, 403)
    assert client.get("/admin/coverage/standard/").status_code in (302, 403)


def test_the_demo_items_are_made_once_and_the_roll_up_rebuilt(outlets, page):
    from media_schedule.coverage.demo import ITEMS, load_coverage_demo

    deliver(outlets["tv"], beijing(2026, 3, 1, 19), page=page)
    first = load_coverage_demo(today=D(2026, 5, 1))
    again = load_coverage_demo(today=D(2026, 5, 1))
    assert first.created == [code for code, *_rest in ITEMS] and again.created == []
    assert (first.placements, again.placements) == (1, 1)
    tv = StandardItem.objects.get(code="1.2")
    assert (tv.starts_on, tv.ends_on, tv.medium, tv.required_count) == (
        D(2026, 1, 1), D(2026, 12, 31), "tv", 12,
    )  # fmt: skip
    assert {s.item.code: s.count for s in standard_status()}["1.2"] == 1


def test_a_forged_correction_target_is_refused(client, items):
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    url = f"/admin/coverage/standard/{items['visits'].pk}/"
    client.post(url, {"happened_on": "2026-07-31", "note": "走访", "file": jpeg()})
    other = ItemEvidence.objects.get()
    bad = client.post(url, {"happened_on": "2026-07-31", "note": "改", "supersedes": "x<y"})
    assert "要更正的佐证编号无效。" in bad.content.decode()
    # Evidence of another item cannot be corrected from this one.
    elsewhere = f"/admin/coverage/standard/{items['screens'].pk}/"
    response = client.post(
        elsewhere, {"happened_on": "2026-07-31", "note": "改", "supersedes": other.pk}
    )
    assert response.status_code == 404
    assert ItemEvidence.objects.count() == 1


def test_a_video_attached_by_hand_is_kept_with_its_duration_and_played_to_those_who_may(
    client, items
):
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    url = f"/admin/coverage/standard/{items['visits'].pk}/"
    response = client.post(
        url,
        {
            "happened_on": "2026-07-31",
            "note": "走访慰问现场录像",
            "file": SimpleUploadedFile("走访录像.mov", clip("mov"), content_type="video/quicktime"),
        },
    )

    assert response.status_code == 302
    piece = ItemEvidence.objects.get()
    assert (piece.kind, piece.file_format, piece.width, piece.height) == ("video", "mov", 160, 120)
    assert piece.duration_seconds > 0 and piece.size == len(clip("mov"))
    html = client.get(url).content.decode()
    file_url = f"/admin/coverage/standard/evidence/{piece.pk}/"
    assert f'<video controls preload="none" width="320" src="{file_url}">' in html
    assert f"{piece.duration_seconds} 秒" in html
    served = client.get(file_url)
    assert served.status_code == 200 and served["Content-Type"] == "video/quicktime"

    client.force_login(user_in_role("覆盖查看"))
    assert client.get(file_url).status_code in (302, 403)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("录像.mp4", b"plain text, not a video\n", "的内容不是可识别的录音或录像"),
        ("截断.mp4", clip("mp4")[:2000], "不完整（可能上传中断）"),
    ],
)
def test_a_false_or_cut_short_clip_is_refused_and_nothing_is_stored(
    client, items, name, content, error
):
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    response = client.post(
        f"/admin/coverage/standard/{items['visits'].pk}/",
        {"happened_on": "2026-07-31", "note": "走访", "file": SimpleUploadedFile(name, content)},
    )

    assert error in response.content.decode()
    assert ItemEvidence.objects.count() == 0


def test_an_upgraded_system_gets_its_roll_up_built_from_the_log_once(outlets, page):
    from media_schedule.coverage.demo import load_coverage_demo
    from media_schedule.coverage.models import CoverageDay, CoveragePlacement

    deliver(outlets["tv"], beijing(2026, 3, 1, 19), page=page)
    # As before coverage existed: records in the log, no roll-up.
    CoveragePlacement.objects.all().delete()
    CoverageDay.objects.all().delete()

    assert load_coverage_demo(today=D(2026, 5, 1)).placements == 1
    assert {s.item.code: s.count for s in standard_status()}["1.2"] == 1

    CoveragePlacement.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_coverage", stdout=out)
    assert out.getvalue() == "覆盖统计已重建 (roll-up rebuilt): 1 个排期\n"
    assert CoveragePlacement.objects.get().counted is True
