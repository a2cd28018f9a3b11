"""The admin pages: the 播出编辑 role uses them, a user with admin access alone is refused;
the day view, placing with a capacity error, filling, the script editor, downloads, the
confirmation link, the as-run upload and the occurrence preview; the demo command."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from media_schedule.channels.broadcast.models import BroadcastSlot, SlotBooking, SlotException
from media_schedule.channels.broadcast.services import booking_place
from media_schedule.models import Placement
from publicity.models import Theme
from tests.support.roles import user_in_role

from .conftest import local

NOW = local(2026, 11, 29, 9, 0)
DAY = "2026-11-30"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def editor(db, client):
    user = user_in_role("播出编辑")
    client.force_login(user)
    return user


@pytest.fixture
def booked(radio, make_slot, make_article):
    slot = make_slot(radio, name="早间新闻", capacity_seconds=60, presenter="李明")
    booking = booking_place(
        page=make_article("县领导走访慰问"),
        slot=slot,
        original_start=local(2026, 11, 30, 7, 30),
        version={"title": "县领导走访慰问", "script": "双" * 160, "item_type": "live_read"},
    )
    return slot, booking


def admin_urls(radio, booking):
    return [
        "/admin/broadcast/",
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/",
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/rundown.xlsx",
        f"/admin/broadcast/bookings/{booking.pk}/",
        "/admin/broadcast/slot-preview/?rule=FREQ%3DDAILY&start_time=07:30&starts_on=2026-12-01",
        "/admin/broadcast_slots/",
    ]


def test_admin_access_alone_opens_nothing(client, radio, booked):
    client.force_login(user_in_role("仅后台访问"))
    for url in admin_urls(radio, booked[1]):
        assert client.get(url).status_code in (302, 403), url
    posts = [
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/place/",
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/fill/",
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/confirmation-link/",
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/as-run/",
        f"/admin/broadcast/bookings/{booked[1].pk}/cancel/",
    ]
    for url in posts:
        assert client.post(url).status_code in (302, 403), url
    assert Placement.objects.get().status == Placement.Status.PLANNED


def test_the_editor_opens_every_page(client, editor, radio, booked):
    for url in admin_urls(radio, booked[1]):
        assert client.get(url).status_code == 200, url


def test_the_day_view_shows_slots_items_and_free_seconds(client, editor, radio, booked):
    text = client.get(f"/admin/broadcast/stations/{radio.pk}/{DAY}/").content.decode()

    assert "2026年11月30日 星期一" in text
    assert "07:30—07:35 早间新闻" in text
    assert "容量 60 秒，剩余 <strong>20</strong> 秒" in text
    assert "07:34:20" in text
    assert "县领导走访慰问" in text


def test_placing_over_capacity_says_so(client, editor, radio, booked, make_article):
    slot, _booking = booked
    article = make_article("征兵宣传", body=[("paragraph", "<p>" + "双" * 200 + "</p>")])

    response = client.post(
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/place/",
        {
            "place-occurrence": f"{slot.pk}|{local(2026, 11, 30, 7, 30).isoformat()}",
            "place-page": article.pk,
        },
        follow=True,
    )

    assert (
        "“早间新闻”2026年11月30日 07:30 的场次超出容量 31 秒：已编排 40 秒，本条 51 秒，容量 60 秒。"
        in response.content.decode()
    )
    assert SlotBooking.objects.count() == 1


def test_filling_from_a_theme(client, editor, radio, booked, make_article):
    slot, _booking = booked
    theme = Theme.objects.create(name="征兵", slug="draft")
    for title, length in [("甲", 12), ("乙", 8), ("丙", 30)]:
        article = make_article(
            title, body=[("paragraph", "<p>" + "双" * (length * 4 - len(title)) + "</p>")]
        )
        article.themes.add(theme)
        article.save_revision().publish()

    response = client.post(
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/fill/",
        {
            "fill-occurrence": f"{slot.pk}|{local(2026, 11, 30, 7, 30).isoformat()}",
            "fill-theme": theme.pk,
        },
        follow=True,
    )

    assert "已从稿件池编入 2 条，共 20 秒。" in response.content.decode()
    assert sorted(b.placement.page.title for b in SlotBooking.objects.all()) == [
        "乙",
        "县领导走访慰问",
        "甲",
    ]


def test_the_script_editor_retimes_and_checks_capacity(client, editor, radio, booked):
    _slot, booking = booked
    url = f"/admin/broadcast/bookings/{booking.pk}/"
    page = client.get(url).content.decode()
    assert 'data-pace="4.0"' in page
    assert "data-broadcast-script" in page

    too_long = client.post(url, {"script": "双" * 400, "item_type": "live_read"})
    assert "超出容量 40 秒" in too_long.content.decode()
    saved = client.post(
        url, {"script": "双拥共建" * 20, "item_type": "recorded", "presenter": "赵敏"}
    )

    assert saved.status_code == 302
    booking.refresh_from_db()
    assert (booking.planned_seconds, booking.item_type) == (20, "recorded")
    assert booking.placement.version["presenter"] == "赵敏"


def test_downloads_and_the_confirmation_link(client, editor, radio, booked):
    xlsx = client.get(f"/admin/broadcast/stations/{radio.pk}/{DAY}/rundown.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[3][:3] == (1, "07:34:20", "县领导走访慰问")
    pdf = client.get(f"/admin/broadcast/stations/{radio.pk}/{DAY}/rundown.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/admin/broadcast/stations/{radio.pk}/{DAY}/rundown.exe").status_code == 404
    assert client.get(f"/admin/broadcast/stations/{radio.pk}/2026-13-45/").status_code == 404

    response = client.post(
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/confirmation-link/", follow=True
    )
    text = response.content.decode()
    assert (
        "播出确认链接（2026年12月6日 09:00 前有效，串联单改动后失效）：http://testserver/broadcast/as-run/"
        in text
    )


def test_the_upload_reports_a_row_that_matches_nothing(client, editor, radio, booked):
    content = "标题,播出情况\n县领导走访慰问,已播出\n没有这条,已播出\n".encode()
    response = client.post(
        f"/admin/broadcast/stations/{radio.pk}/{DAY}/as-run/",
        {"file": SimpleUploadedFile("asrun.csv", content)},
        follow=True,
    )

    text = response.content.decode()
    assert "播出记录已登记：0 条确认播出，0 条未播出。" in text
    assert "该排期当前状态为“计划中”，不能登记刊播。" in text
    assert "第 3 行与串联单中的条目都对不上，未登记：没有这条，已播出" in text


def test_the_slot_preview_follows_the_rule_as_typed(client, editor):
    base = "/admin/broadcast/slot-preview/"
    good = client.get(
        base, {"rule": "FREQ=MONTHLY;BYDAY=-1FR", "start_time": "20:00", "starts_on": "2026-12-01"}
    )
    bad = client.get(
        base, {"rule": "FREQ=HOURLY", "start_time": "20:00", "starts_on": "2026-12-01"}
    )
    empty = client.get(base, {"rule": "FREQ=DAILY", "start_time": "", "starts_on": ""})

    assert json.loads(good.content)["occurrences"][:3] == [
        "2026年12月25日 星期五 20:00",
        "2027年1月29日 星期五 20:00",
        "2027年2月26日 星期五 20:00",
    ]
    assert (
        json.loads(bad.content)["error"]
        == "FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY（时段每天最多一次）。"
    )
    assert json.loads(empty.content)["error"] == "请填写规则、开始时间和起始日期。"


def test_the_slot_editor_saves_a_normalised_rule_and_refuses_a_bad_one(client, editor, radio):
    form = {
        "outlet": radio.pk,
        "name": "午间资讯",
        "rule": "freq=weekly; byday=mo,we",
        "start_time": "12:20",
        "length_seconds": 120,
        "capacity_seconds": 120,
        "starts_on": "2026-12-01",
        "is_active": "on",
    }
    created = client.post("/admin/broadcast_slots/new/", form)
    assert created.status_code == 302
    assert BroadcastSlot.objects.get().rule == "FREQ=WEEKLY;BYDAY=MO,WE"

    refused = client.post("/admin/broadcast_slots/new/", {**form, "rule": "FREQ=SECONDLY"})
    assert "FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY" in refused.content.decode()
    assert BroadcastSlot.objects.count() == 1


def test_the_demo_command_is_idempotent(make_article):
    for title in ["县领导走访慰问驻地部队", "征兵宣传进校园", "退役军人就业帮扶"]:
        make_article(title)
    out = io.StringIO()
    call_command("load_demo_broadcast", stdout=out)
    again = io.StringIO()
    call_command("load_demo_broadcast", stdout=again)

    assert "演示广播电视已创建 (created):" in out.getvalue()
    assert (
        again.getvalue().strip() == "演示广播电视已存在，未作改动 (demo broadcast already present)"
    )
    assert BroadcastSlot.objects.count() == 5
    assert SlotException.objects.count() == 1
    assert SlotBooking.objects.exists()
    tomorrow = datetime.date(2026, 11, 30)
    assert all(
        b.occurrence_start.astimezone(local(2026, 1, 1).tzinfo).date() == tomorrow
        for b in SlotBooking.objects.all()
    )


def test_a_slot_overlapping_another_of_its_outlet_is_refused(client, editor, radio, make_slot):
    make_slot(
        radio,
        name="国防教育专题",
        rule="FREQ=MONTHLY;BYDAY=-1FR",
        start_time=datetime.time(20, 0),
        length_seconds=600,
        capacity_seconds=600,
    )
    form = {
        "outlet": radio.pk,
        "name": "晚间新闻",
        "rule": "FREQ=WEEKLY;BYDAY=FR",
        "start_time": "20:05",
        "length_seconds": 300,
        "capacity_seconds": 120,
        "starts_on": "2026-12-01",
        "is_active": "on",
    }

    refused = client.post("/admin/broadcast_slots/new/", form)
    moved = client.post("/admin/broadcast_slots/new/", {**form, "start_time": "20:10"})

    assert (
        "与本渠道的时段“国防教育专题”在 2026年12月25日 20:05 的场次时间重叠，请调整开始时间或长度。"
        in refused.content.decode()
    )
    assert moved.status_code == 302
    assert BroadcastSlot.objects.count() == 2


def test_the_tv_item_editor_takes_a_clip_link(client, editor, tv, make_slot, make_article):
    slot = make_slot(
        tv, name="县新闻", start_time=datetime.time(19, 0), length_seconds=600, capacity_seconds=120
    )
    booking = booking_place(
        page=make_article("走访慰问"),
        slot=slot,
        original_start=local(2026, 11, 30, 19, 0),
        version={
            "title": "走访慰问",
            "lead_in": "请看报道",
            "caption": "走访慰问",
            "item_type": "caption",
        },
    )
    url = f"/admin/broadcast/bookings/{booking.pk}/"

    bad = client.post(
        url, {"item_type": "vt", "caption": "走访慰问", "clip_url": "javascript:alert(1)"}
    )
    over = client.post(
        url,
        {
            "item_type": "vt",
            "caption": "走访慰问",
            "clip_url": "https://v.example.cn/a.mp4",
            "clip_seconds": 200,
        },
    )
    saved = client.post(
        url,
        {
            "item_type": "vt",
            "caption": "走访慰问",
            "lead_in": "请看报道",
            "clip_url": "https://v.example.cn/a.mp4",
            "clip_seconds": 45,
        },
    )

    assert "输入一个有效的 URL。" in bad.content.decode()
    assert "超出容量 80 秒：已编排 0 秒，本条 200 秒，容量 120 秒。" in over.content.decode()
    assert saved.status_code == 302
    booking.refresh_from_db()
    assert booking.planned_seconds == 46
    assert booking.placement.version["clip_url"] == "https://v.example.cn/a.mp4"


def test_the_exception_editor_cancels_and_moves_occurrences(client, editor, radio, booked):
    slot, _booking = booked
    base = {"slot": slot.pk, "original_start": "2026-12-01 07:30", "note": "转播表彰大会"}

    missing_time = client.post("/admin/broadcast_exceptions/new/", {**base, "action": "move"})
    moved = client.post(
        "/admin/broadcast_exceptions/new/",
        {**base, "action": "move", "moved_to": "2026-12-01 09:00"},
    )
    day = client.get(f"/admin/broadcast/stations/{radio.pk}/2026-12-01/").content.decode()

    assert "改时须填写新的开始时间。" in missing_time.content.decode()
    assert moved.status_code == 302
    assert SlotException.objects.get().moved_to == local(2026, 12, 1, 9, 0)
    assert "09:00—09:05 早间新闻" in day
    assert "（改时）" in day
