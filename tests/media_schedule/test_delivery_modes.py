"""Delivery modes end to end: push as before, handover confirmed later by the outlet, manual
delivered by the editor's evidence; the confirmation deadline; corrections that supersede."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from PIL import Image

from media_schedule.channels.base import Channel, DeliveryMode
from media_schedule.channels.led.models import Screen
from media_schedule.dispatch import dispatch_tick
from media_schedule.dispatch.record import (
    ConfirmationRefused,
    EvidenceItem,
    delivery_confirm,
    record_correct,
)
from media_schedule.evidence import evidence_from_upload
from media_schedule.models import DeliveryEvidence, DeliveryRecord, Outlet, Placement
from tests.support.schedule_pages import approved_article

from .conftest import run_dispatcher

Status = Placement.Status
Outcome = DeliveryRecord.Outcome
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MANUAL_ADAPTER = f"{__name__}.PaperChannel"


class PaperChannel(Channel):
    """A manual outlet kind standing in for print media: nothing is ever sent."""

    kind = "newspaper"
    delivery_mode = DeliveryMode.MANUAL
    default_confirm_within_hours = 72

    def build_version(self, page):
        return {"headline": page.title}

    def deliver(self, request):
        raise AssertionError("a manual outlet is never called")


@pytest.fixture
def bianji(db):
    """An editor of the 编辑 group, who records evidence."""
    user = get_user_model().objects.create_user(username="bianji", first_name="编辑小王")
    user.groups.add(Group.objects.get(name="编辑"))
    return user


@pytest.fixture
def paper(settings):
    settings.OUTREACH_CHANNELS = {"newspaper": MANUAL_ADAPTER}
    return Outlet.objects.create(name="示范县报", kind=Outlet.Kind.NEWSPAPER)


def jpeg_with_exif(*, taken="2026:08:01 09:30:00", gps=True) -> bytes:
    image = Image.new("RGB", (320, 200), (200, 30, 30))
    exif = image.getexif()
    exif[0x0132] = taken  # DateTime
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 13.0, 48.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


# --- Manual: nothing is sent, the editor's evidence delivers ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_manual_placement_awaits_evidence_at_its_due_time_and_the_evidence_delivers_it(
    paper, bianji, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    due = datetime.datetime(2026, 8, 1, 6, 0, tzinfo=SHANGHAI)
    placement = Placement.objects.create(
        page=approved_article(), outlet=paper, due_at=due, version={"headline": "八一"}
    )
    with time_machine.travel(due + datetime.timedelta(minutes=5), tick=False):
        report = dispatch_tick()
    placement.refresh_from_db()

    assert report.awaiting == 1 and report.claimed == 0
    assert placement.status == Status.AWAITING
    assert placement.confirm_by == datetime.datetime(2026, 8, 4, 6, 0, tzinfo=SHANGHAI)
    assert not placement.records.exists()

    photo = evidence_from_upload("报纸第3版.jpg", jpeg_with_exif())
    record = delivery_confirm(
        placement=placement,
        source=DeliveryRecord.Source.EDITOR,
        user=bianji,
        note="第3版刊发",
        evidence=[photo],
    )
    placement.refresh_from_db()
    piece = record.evidence.get()

    assert placement.status == Status.DELIVERED
    assert (record.outcome, record.source, record.recorded_by) == ("delivered", "editor", bianji)
    assert record.recorded_by_name == "编辑小王"
    assert (piece.kind, piece.file_format, piece.width, piece.height) == (
        "picture",
        "jpeg",
        320,
        200,
    )
    assert piece.taken_at == datetime.datetime(2026, 8, 1, 9, 30, tzinfo=SHANGHAI)
    assert piece.place == "北纬 31.23000°，东经 121.47000°"
    assert piece.file.name.startswith("evidence/") and piece.file.name.endswith(".jpg")
    assert (tmp_path / "private" / piece.file.name).read_bytes() == jpeg_with_exif()


@pytest.mark.django_db
def test_a_manual_outlet_is_never_claimed_for_a_worker(paper, enqueued):
    Placement.objects.create(
        page=approved_article(),
        outlet=paper,
        due_at=timezone.now() - datetime.timedelta(minutes=1),
        version={"headline": "八一"},
    )

    dispatch_tick()

    assert enqueued == []
    assert Placement.objects.get().status == Status.AWAITING


@pytest.mark.django_db
def test_evidence_before_the_due_day_delivers_a_manual_placement_at_once(paper, bianji):
    placement = Placement.objects.create(
        page=approved_article(),
        outlet=paper,
        due_at=timezone.now() + datetime.timedelta(days=2),
        version={"headline": "八一"},
    )

    delivery_confirm(
        placement=placement,
        source=DeliveryRecord.Source.EDITOR,
        user=bianji,
        url="https://e.example/3",
    )

    placement.refresh_from_db()
    assert (placement.status, placement.result_url) == (Status.DELIVERED, "https://e.example/3")


@pytest.mark.django_db
def test_a_cancelled_placement_takes_no_evidence(paper, bianji):
    placement = Placement.objects.create(
        page=approved_article(),
        outlet=paper,
        due_at=timezone.now(),
        status=Status.CANCELLED,
        version={},
    )

    with pytest.raises(ConfirmationRefused, match="该排期当前状态为“已取消”，不能登记刊播。"):
        delivery_confirm(placement=placement, source=DeliveryRecord.Source.EDITOR, user=bianji)

    assert not DeliveryRecord.objects.exists()


# --- The confirmation deadline ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_outlet_s_own_time_limit_sets_the_deadline_and_overdue_is_not_failed(paper):
    paper.confirm_within_hours = 2
    paper.save()
    due = datetime.datetime(2026, 9, 19, 8, 0, tzinfo=SHANGHAI)
    placement = Placement.objects.create(
        page=approved_article(), outlet=paper, due_at=due, version={}
    )
    with time_machine.travel(due, tick=False):
        dispatch_tick()
    placement.refresh_from_db()

    before = datetime.datetime(2026, 9, 19, 9, 59, tzinfo=SHANGHAI)
    after = datetime.datetime(2026, 9, 19, 10, 1, tzinfo=SHANGHAI)
    assert placement.confirm_by == datetime.datetime(2026, 9, 19, 10, 0, tzinfo=SHANGHAI)
    assert not Placement.objects.overdue_for_confirmation(before).exists()
    assert list(Placement.objects.overdue_for_confirmation(after)) == [placement]
    assert placement.is_overdue_for_confirmation(after)
    with time_machine.travel(after, tick=False):
        dispatch_tick()
    placement.refresh_from_db()
    assert placement.status == Status.AWAITING


# --- Handover: the LED screen's controller confirms by taking the package --------------------


@pytest.mark.worker
def test_a_handed_over_led_placement_waits_until_the_controller_takes_its_package(
    celery_worker, client, settings
):
    # The worker writes packages where the project stores media.
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"
    outlet = Outlet.objects.create(name="广场大屏", kind=Outlet.Kind.LED_SCREEN)
    screen = Screen.objects.create(outlet=outlet, width=192, height=64, colour_mode="single")
    placement = Placement.objects.create(
        page=approved_article(),
        outlet=outlet,
        due_at=timezone.now(),
        version={"lines": ["军民团结一家亲"], "dwell_seconds": 6},
    )

    assert run_dispatcher(
        lambda: Placement.objects.get(pk=placement.pk).status == Status.AWAITING, timeout=90
    ), celery_worker.log_tail()
    placement.refresh_from_db()
    handed_over = placement.records.get()
    assert handed_over.outcome == Outcome.HANDED_OVER
    assert handed_over.receipt["package_version"] == 1
    assert placement.confirm_by == placement.handed_over_at + datetime.timedelta(hours=24)

    # The manifest alone is not the package: still awaiting.
    client.get(f"/led/screens/{screen.pk}/manifest.json", {"token": screen.token})
    assert Placement.objects.get(pk=placement.pk).status == Status.AWAITING

    response = client.get(f"/led/screens/{screen.pk}/files/package.zip", {"token": screen.token})
    b"".join(response.streaming_content)
    placement.refresh_from_db()
    confirmed = placement.records.get(outcome=Outcome.DELIVERED)

    assert response.status_code == 200
    assert placement.status == Status.DELIVERED
    assert confirmed.source == DeliveryRecord.Source.OUTLET
    assert confirmed.note == "显示屏控制器已取得节目包 v1（127.0.0.1）"


# --- Corrections supersede, never edit --------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_supersedes_the_record_and_the_original_stays_as_it_was(paper, bianji):
    placement = Placement.objects.create(
        page=approved_article(), outlet=paper, due_at=timezone.now(), version={}
    )
    original = delivery_confirm(
        placement=placement, source=DeliveryRecord.Source.EDITOR, user=bianji, note="第3版"
    )

    correction = record_correct(record=original, user=bianji, note="实为广告版，未刊出", ran=False)

    placement.refresh_from_db()
    original.refresh_from_db()
    assert correction.supersedes == original and original.superseded_by == correction
    assert (correction.outcome, correction.error) == ("failed", "实为广告版，未刊出")
    assert (original.outcome, original.note) == ("delivered", "第3版")
    assert placement.status == Status.FAILED
    with pytest.raises(ConfirmationRefused, match="这条记录已被更正过，请更正最新的一条。"):
        record_correct(record=original, user=bianji, note="再改一次")
    with pytest.raises(ConfirmationRefused, match="更正须说明原因。"):
        record_correct(record=correction, user=bianji, note="  ")
    with pytest.raises(ValueError, match="append-only"):
        original.save()


@pytest.mark.django_db
def test_evidence_rows_are_never_changed(paper, bianji, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    placement = Placement.objects.create(
        page=approved_article(), outlet=paper, due_at=timezone.now(), version={}
    )
    record = delivery_confirm(
        placement=placement,
        source=DeliveryRecord.Source.EDITOR,
        user=bianji,
        evidence=[EvidenceItem(kind=DeliveryEvidence.Kind.LINK, url="https://e.example/p3")],
    )
    piece = record.evidence.get()

    with pytest.raises(ValueError, match="append-only"):
        piece.save()
    with pytest.raises(ValueError, match="append-only"):
        piece.delete()
