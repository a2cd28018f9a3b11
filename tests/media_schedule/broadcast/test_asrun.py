"""As-run confirmation: the rundown handed over by the dispatcher, the station's signed link
(expired, tampered, replayed, after a change), the upload matched to the rundown, and
DeliveryRecords written through the record service for confirmed items only."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core import signing
from openpyxl import Workbook

from media_schedule import dispatch
from media_schedule.channels.broadcast.asrun import (
    SALT,
    ItemAnswer,
    LinkRefused,
    UploadError,
    asrun_apply,
    asrun_upload,
    link_token,
    rundown_of_token,
)
from media_schedule.channels.broadcast.models import AsRunAnswer
from media_schedule.channels.broadcast.rundown import rundown_for
from media_schedule.channels.broadcast.services import booking_place
from media_schedule.models import DeliveryRecord, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

from .conftest import local

Status = Placement.Status
Outcome = DeliveryRecord.Outcome
DAY = datetime.date(2026, 11, 30)
PLANNED = local(2026, 11, 29, 9, 0)
HANDOVER = local(2026, 11, 30, 6, 0)
AFTER_AIR = local(2026, 11, 30, 20, 0)


def script(seconds):
    return "双" * (seconds * 4)


@pytest.fixture
def handed_over(radio, make_slot, enqueued):
    """Three items on the radio's day, handed over by the dispatcher (awaiting)."""
    morning = make_slot(radio, name="早间新闻", capacity_seconds=120)
    evening = make_slot(
        radio,
        name="双拥之声",
        start_time=datetime.time(18, 55),
        length_seconds=120,
        capacity_seconds=120,
    )
    with time_machine.travel(PLANNED, tick=False):
        bookings = [
            booking_place(
                page=approved_article(title, slug=f"asrun-{index}"),
                slot=slot,
                original_start=start,
                version={"title": title, "script": script(seconds), "item_type": "live_read"},
            )
            for index, (title, slot, start, seconds) in enumerate(
                [
                    ("走访慰问", morning, local(2026, 11, 30, 7, 30), 30),
                    ("征兵宣传", morning, local(2026, 11, 30, 7, 30), 20),
                    ("退役军人就业", evening, local(2026, 11, 30, 18, 55), 10),
                ]
            )
        ]
    with time_machine.travel(HANDOVER, tick=False):
        dispatch.placements_check_approval(now=HANDOVER + datetime.timedelta(hours=13))
        Placement.objects.update(due_at=HANDOVER)
        dispatch.placements_claim(now=HANDOVER)
        for booking in bookings:
            assert dispatch.placement_deliver(placement_id=booking.placement_id) == "handed_over"
    return bookings


def statuses(bookings):
    return [Placement.objects.get(pk=b.placement_id).status for b in bookings]


def test_the_dispatcher_hands_the_rundown_over_and_the_items_await(radio, handed_over):
    rundown = rundown_for(radio, DAY)
    assert statuses(handed_over) == [Status.AWAITING] * 3
    record = DeliveryRecord.objects.filter(placement_id=handed_over[0].placement_id).get()
    assert record.outcome == Outcome.HANDED_OVER
    assert record.receipt["rundown_day"] == "2026-11-30"
    assert record.receipt["rundown_revision"] == rundown.revision
    placement = Placement.objects.get(pk=handed_over[0].placement_id)
    # The kind's default: 36 hours to confirm.
    assert placement.confirm_by == HANDOVER + datetime.timedelta(hours=36)


def test_the_station_confirms_through_its_link(client, radio, handed_over):
    with time_machine.travel(AFTER_AIR, tick=False):
        token = link_token(rundown_for(radio, DAY))
        url = f"/broadcast/as-run/{token}/"
        page = client.get(url)
        assert page.status_code == 200
        assert "走访慰问" in page.content.decode()
        first, second, third = handed_over
        response = client.post(
            url,
            {
                f"item-{first.pk}-answer": "aired",
                f"item-{first.pk}-note": "<script>alert(1)</script>",
                f"item-{second.pk}-answer": "other_time",
                f"item-{second.pk}-time": "08:15",
                f"item-{third.pk}-answer": "not_aired",
                f"item-{third.pk}-note": "突发新闻占用",
            },
        )

    assert response.status_code == 200
    text = response.content.decode()
    assert "已提交：2 条确认播出，1 条未播出。谢谢！" in text
    assert "<script>alert(1)</script>" not in text
    assert statuses(handed_over) == [Status.DELIVERED, Status.DELIVERED, Status.AWAITING]
    records = DeliveryRecord.objects.filter(outcome=Outcome.DELIVERED).order_by("placement_id")
    assert [(r.placement_id, r.source, r.finished_at, r.note) for r in records] == [
        (first.placement_id, "outlet", local(2026, 11, 30, 7, 34, 10), "<script>alert(1)</script>"),
        (second.placement_id, "outlet", local(2026, 11, 30, 8, 15), ""),
    ]
    assert records[1].receipt["as_run"] == "改时播出"
    # "Not aired" writes no record: the placement stays awaiting and turns overdue.
    assert not DeliveryRecord.objects.filter(
        placement_id=third.placement_id, outcome=Outcome.DELIVERED
    ).exists()
    assert AsRunAnswer.objects.get(booking=third).note == "突发新闻占用"
    overdue = Placement.objects.overdue_for_confirmation(HANDOVER + datetime.timedelta(hours=37))
    assert list(overdue.values_list("pk", flat=True)) == [third.placement_id]


def test_a_replayed_submission_changes_nothing(client, radio, handed_over):
    with time_machine.travel(AFTER_AIR, tick=False):
        url = f"/broadcast/as-run/{link_token(rundown_for(radio, DAY))}/"
        answers = {f"item-{b.pk}-answer": "not_aired" for b in handed_over}
        client.post(url, answers)
        replay = client.post(url, {f"item-{b.pk}-answer": "aired" for b in handed_over})

    assert replay.status_code == 200
    assert "此串联单已提交过播出确认" in replay.content.decode()
    assert statuses(handed_over) == [Status.AWAITING] * 3
    assert AsRunAnswer.objects.count() == 3
    # The same token (same second, same rundown) applied directly is refused as well.
    with time_machine.travel(AFTER_AIR, tick=False):
        token = link_token(rundown_for(radio, DAY))
        with pytest.raises(LinkRefused, match="已提交过"):
            asrun_apply(rundown=rundown_of_token(token), answers=[], channel="link", token=token)


def test_expired_tampered_and_changed_links_are_refused(client, radio, handed_over, make_article):
    with time_machine.travel(AFTER_AIR, tick=False):
        token = link_token(rundown_for(radio, DAY))
    with time_machine.travel(AFTER_AIR + datetime.timedelta(days=8), tick=False):
        expired = client.get(f"/broadcast/as-run/{token}/")
    with time_machine.travel(AFTER_AIR, tick=False):
        tampered = client.get(f"/broadcast/as-run/{token[:-2]}xx/")
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token)
        forged = signing.TimestampSigner(salt="other").sign_object(payload)
        forged_response = client.get(f"/broadcast/as-run/{forged}/")
        # Cancelling an item changes the rundown: the old link would confirm another list.
        Placement.objects.filter(pk=handed_over[2].placement_id).update(status=Status.CANCELLED)
        changed = client.post(
            f"/broadcast/as-run/{token}/", {f"item-{handed_over[0].pk}-answer": "aired"}
        )

    assert expired.status_code == 403
    assert "此确认链接已过期，请向宣传部索取新的链接。" in expired.content.decode()
    assert tampered.status_code == 403
    assert "此确认链接无效。" in tampered.content.decode()
    assert forged_response.status_code == 403
    assert changed.status_code == 403
    assert "串联单在发出此链接后已有改动" in changed.content.decode()
    assert statuses(handed_over)[:2] == [Status.AWAITING] * 2
    assert AsRunAnswer.objects.count() == 0


def test_a_form_with_a_missing_answer_records_nothing(client, radio, handed_over):
    with time_machine.travel(AFTER_AIR, tick=False):
        url = f"/broadcast/as-run/{link_token(rundown_for(radio, DAY))}/"
        response = client.post(
            url,
            {
                f"item-{handed_over[0].pk}-answer": "aired",
                f"item-{handed_over[1].pk}-answer": "other_time",
                f"item-{handed_over[1].pk}-time": "八点",
            },
        )
        again = client.get(url)

    text = response.content.decode()
    assert "无法识别播出时间，请按“时:分”填写，例如 18:57。" in text
    assert "请选择播出情况。" in text
    assert AsRunAnswer.objects.count() == 0
    assert again.status_code == 200
    assert "提交播出确认" in again.content.decode()


def csv_bytes(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_an_upload_confirms_matched_rows_and_reports_the_row_that_matches_nothing(
    radio, handed_over
):
    editor = user_in_role("播出编辑")
    content = csv_bytes(
        [
            ["序号", "标题", "播出情况", "实际播出时间", "说明"],
            ["1", "走访慰问", "已播出", "07:34", ""],
            ["9", "不在串联单上的稿件", "已播出", "", "台里自办"],
            ["", "退役军人就业", "未播出", "", "临时调整"],
            ["2", "征兵宣传", "播了吧", "", ""],
        ],
        encoding="gb18030",
    )
    with time_machine.travel(AFTER_AIR, tick=False):
        report = asrun_upload(rundown=rundown_for(radio, DAY), content=content, user=editor)

    assert [item.title for item in report.confirmed] == ["走访慰问"]
    assert [item.title for item in report.not_aired] == ["退役军人就业"]
    assert report.unmatched == [(3, "9，不在串联单上的稿件，已播出，台里自办")]
    assert report.errors == ["第 5 行：无法识别播出情况“播了吧”。"]
    assert statuses(handed_over) == [Status.AWAITING if i else Status.DELIVERED for i in range(3)]
    record = DeliveryRecord.objects.get(outcome=Outcome.DELIVERED)
    assert (record.source, record.recorded_by, record.finished_at) == (
        "outlet",
        editor,
        local(2026, 11, 30, 7, 34),
    )


def test_an_xlsx_upload_is_read_by_its_content(radio, handed_over):
    book = Workbook()
    book.active.append(["标题", "播出情况", "实际播出时间"])
    book.active.append(["征兵宣传", "改时播出", datetime.datetime(2026, 11, 30, 9, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    with time_machine.travel(AFTER_AIR, tick=False):
        report = asrun_upload(
            rundown=rundown_for(radio, DAY),
            content=buffer.getvalue(),
            user=user_in_role("播出编辑"),
        )

    assert [item.title for item in report.confirmed] == ["征兵宣传"]
    assert DeliveryRecord.objects.get(outcome=Outcome.DELIVERED).finished_at == local(
        2026, 11, 30, 9, 0
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04not a zip", "无法读取该 XLSX 文件"),
        (b"\x81\x30\x81", "无法识别文件编码，请另存为 UTF-8 的 CSV 或 XLSX。"),
        (b"\x7fELF\x00\x00binary", "这不是 CSV 或 XLSX 文件。"),
        ("名称,结果\n甲,乙\n".encode(), "找不到表头：须有“标题”和“播出情况”两列。"),
        (b"x" * (2 * 1024 * 1024 + 1), "文件超过 2 MB，请只上传当天的播出记录。"),
    ],
)
def test_unreadable_uploads_are_refused_with_a_reason(radio, handed_over, content, message):
    with time_machine.travel(AFTER_AIR, tick=False), pytest.raises(UploadError, match=message):
        asrun_upload(rundown=rundown_for(radio, DAY), content=content, user=None)
    assert AsRunAnswer.objects.count() == 0


def test_an_item_not_yet_handed_over_is_reported_not_forced(radio, make_slot, make_article, client):
    slot = make_slot(radio, name="早间新闻")
    with time_machine.travel(PLANNED, tick=False):
        booking = booking_place(
            page=make_article("尚未交付"),
            slot=slot,
            original_start=local(2026, 11, 30, 7, 30),
            version={"title": "尚未交付", "script": script(10), "item_type": "live_read"},
        )
        url = f"/broadcast/as-run/{link_token(rundown_for(radio, DAY))}/"
        response = client.post(url, {f"item-{booking.pk}-answer": "aired"})

    assert "该排期当前状态为“计划中”，不能登记刊播。" in response.content.decode()
    assert not DeliveryRecord.objects.exists()


def test_an_item_the_station_did_not_confirm_shows_overdue_on_the_dashboard(
    admin_client, radio, handed_over
):
    with time_machine.travel(AFTER_AIR, tick=False):
        asrun_apply(
            rundown=rundown_for(radio, DAY),
            answers=[ItemAnswer(rundown_for(radio, DAY).items[0], "aired")],
            channel="upload",
        )
    with time_machine.travel(HANDOVER + datetime.timedelta(hours=37), tick=False):
        html = admin_client.get("/admin/").content.decode()

    assert "逾期未确认刊播" in html
    assert 'data-count="overdue_confirmation">2<' in html
    assert 'data-count="late">0<' in html
    assert statuses(handed_over) == [Status.DELIVERED, Status.AWAITING, Status.AWAITING]
