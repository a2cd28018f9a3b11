"""Rundowns: back-timed order, XLSX read back with openpyxl, PDF text extracted, .ics parsed
back with icalendar (stable UIDs)."""

import datetime
import io
import os
from pathlib import Path

import pytest
import time_machine
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from media_schedule.channels.broadcast.exports import rundown_pdf, rundown_xlsx
from media_schedule.channels.broadcast.ics import feed_token, outlet_calendar
from media_schedule.channels.broadcast.models import Clip, SlotException
from media_schedule.channels.broadcast.rundown import rundown_for
from media_schedule.channels.broadcast.services import booking_place

from .conftest import local

NOW = local(2026, 11, 29, 9, 0)
SHOTS = Path(os.environ.get("BROADCAST_SHOTS", "/tmp/broadcast-shots"))
DAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def day_of_radio(radio, make_slot, make_article):
    morning = make_slot(radio, name="早间新闻", presenter="李明", capacity_seconds=120)
    evening = make_slot(
        radio,
        name="双拥之声",
        start_time=datetime.time(18, 55),
        length_seconds=120,
        capacity_seconds=120,
    )
    first = booking_place(
        page=make_article("县领导走访慰问驻地官兵"),
        slot=morning,
        original_start=local(2026, 11, 30, 7, 30),
        version={"title": "县领导走访慰问驻地官兵", "script": "双" * 120, "item_type": "live_read"},
    )
    second = booking_place(
        page=make_article("征兵宣传进校园"),
        slot=morning,
        original_start=local(2026, 11, 30, 7, 30),
        version={
            "title": "征兵宣传进校园",
            "script": "双" * 80,
            "item_type": "recorded",
            "notes": "录音见共享盘",
        },
    )
    third = booking_place(
        page=make_article("<b>退役军人</b>&就业"),
        slot=evening,
        original_start=local(2026, 11, 30, 18, 55),
        version={"title": "<b>退役军人</b>&就业", "script": "双" * 40, "item_type": "live_read"},
    )
    return first, second, third


def test_items_are_back_timed_from_the_slot_end(radio, day_of_radio):
    rundown = rundown_for(radio, DAY)

    assert [
        (i.order, i.planned_text, i.title, i.item_type, i.seconds, i.presenter)
        for i in rundown.items
    ] == [
        (1, "07:34:10", "县领导走访慰问驻地官兵", "口播", 30, "李明"),
        (2, "07:34:40", "征兵宣传进校园", "录音", 20, "李明"),
        (3, "18:56:50", "<b>退役军人</b>&就业", "口播", 10, ""),
    ]
    assert [block.free_seconds for block in rundown.blocks] == [70, 110]


def test_the_revision_changes_with_the_rundown(radio, make_article, day_of_radio):
    before = rundown_for(radio, DAY).revision
    assert rundown_for(radio, DAY).revision == before

    booking_place(
        page=make_article("新增稿件"),
        slot=day_of_radio[0].slot,
        original_start=local(2026, 11, 30, 7, 30),
        version={"title": "新增稿件", "script": "双" * 8, "item_type": "live_read"},
    )

    assert rundown_for(radio, DAY).revision != before


def test_xlsx_reads_back_sized_frozen_and_a4_landscape(radio, day_of_radio):
    book = load_workbook(io.BytesIO(rundown_xlsx(rundown_for(radio, DAY))))
    sheet = book.active

    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "县广播电台 串联单 2026年11月30日"
    assert rows[1] == ["序号", "计划时间", "标题", "类型", "时长", "播音/主持", "素材", "备注"]
    assert rows[2][:3] == [None, "07:30", "【早间新闻】容量 120 秒，已排 50 秒，剩余 70 秒"]
    assert rows[3] == [
        1,
        "07:34:10",
        "县领导走访慰问驻地官兵",
        "口播",
        "0:30",
        "李明",
        "播音稿",
        None,
    ]
    assert rows[4] == [
        2,
        "07:34:40",
        "征兵宣传进校园",
        "录音",
        "0:20",
        "李明",
        "播音稿",
        "录音见共享盘",
    ]
    assert rows[6] == [3, "18:56:50", "<b>退役军人</b>&就业", "口播", "0:10", None, "播音稿", None]
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["C"].width == 44


def test_pdf_text_and_embedded_cjk_font(radio, day_of_radio):
    pdf = rundown_pdf(rundown_for(radio, DAY))
    # Kept for people to look at, as the browser tests keep their screenshots.
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "rundown.pdf").write_bytes(pdf)

    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in [
        "县广播电台 串联单 2026年11月30日",
        "县领导走访慰问驻地官兵",
        "07:34:40",
        "<b>退役军人</b>&就业",
        "剩余 70 秒",
    ]:
        assert expected in text
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    # Subset names such as "/DFCEGX+Noto-Sans-CJK-SC": the Simplified Chinese face.
    assert {name.split("+")[-1].replace("-", "") for name in fonts} == {
        "NotoSansCJKSC",
        "NotoSansCJKSCBold",
    }
    for font in page["/Resources"]["/Font"].values():
        descendant = font.get_object().get("/DescendantFonts")
        if descendant:
            descriptor = descendant[0].get_object()["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_a_tv_item_names_its_clip_or_link(tv, make_slot, make_article):
    slot = make_slot(
        tv, name="县新闻", start_time=datetime.time(19, 0), length_seconds=600, capacity_seconds=300
    )
    clip = Clip.objects.create(
        original_name="走访慰问.mp4", container="mp4", sha256="0" * 64, size=10, duration_seconds=45
    )
    booking_place(
        page=make_article("走访慰问"),
        slot=slot,
        original_start=local(2026, 11, 30, 19, 0),
        version={
            "title": "走访慰问",
            "lead_in": "今天",
            "caption": "走访慰问",
            "clip_id": clip.pk,
            "clip_seconds": 45,
            "item_type": "vt",
        },
    )
    booking_place(
        page=make_article("国防教育"),
        slot=slot,
        original_start=local(2026, 11, 30, 19, 0),
        version={
            "title": "国防教育",
            "lead_in": "",
            "caption": "国防教育",
            "clip_url": "https://v.example.cn/a.mp4",
            "clip_seconds": 30,
            "item_type": "vt",
        },
    )

    items = rundown_for(tv, DAY).items

    assert [(i.item_type, i.seconds, i.source) for i in items] == [
        ("VT", 46, "走访慰问.mp4"),
        ("VT", 30, "https://v.example.cn/a.mp4"),
    ]


def test_ics_parses_back_with_stable_uids_and_a_moved_occurrence_keeps_its_uid(radio, day_of_radio):
    first = Calendar.from_ical(outlet_calendar(radio))
    events = {str(e["uid"]): e for e in first.walk("VEVENT")}
    morning = day_of_radio[0].slot
    uid = f"{morning.pk}-20261130T073000@broadcast.outreach"
    assert events[uid]["summary"] == "早间新闻（2 条，剩余 70 秒）"
    assert events[uid].decoded("dtstart") == local(2026, 11, 30, 7, 30)
    assert "07:34:10 县领导走访慰问驻地官兵（口播，0:30）" in str(events[uid]["description"])
    # Seven days back and sixty ahead, two slots a day.
    assert len(events) == 2 * 67

    SlotException.objects.create(
        slot=morning,
        original_start=local(2026, 11, 30, 7, 30),
        action="move",
        moved_to=local(2026, 11, 30, 8, 0),
    )
    second = {str(e["uid"]): e for e in Calendar.from_ical(outlet_calendar(radio)).walk("VEVENT")}

    assert set(second) == set(events)
    assert second[uid].decoded("dtstart") == local(2026, 11, 30, 8, 0)


def test_calendar_feed_needs_its_token(client, radio, tv, day_of_radio):
    url = f"/broadcast/calendar/{radio.pk}/{feed_token(radio)}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"BEGIN:VCALENDAR" in response.content

    assert client.get(f"/broadcast/calendar/{radio.pk}/{feed_token(tv)}.ics").status_code == 404
    assert client.get(f"/broadcast/calendar/{radio.pk}/x.ics").status_code == 404
    assert client.get(f"/broadcast/calendar/{tv.pk}/{feed_token(radio)}.ics").status_code == 404
