"""Packages per screen: new versions only on change, insertions, the playlist rules."""

import datetime
import sys
import zipfile

import pytest
from django.utils import timezone

from media_schedule.channels.led import builder, services
from media_schedule.channels.led.models import Package
from media_schedule.channels.led.playlist import playing_at, screen_playlist
from media_schedule.models import Placement

pytestmark = pytest.mark.django_db


def test_first_refresh_builds_version_one_with_the_delivered_placements(
    make_screen, deliver_placement
):
    screen = make_screen()
    first = deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    deliver_placement(screen, {"lines": ["强军兴军从我做起"]})
    deliver_placement(screen, {"lines": ["尚未送达"]}, status=Placement.Status.APPROVED)

    package, created = services.screen_package_refresh(screen=screen)

    assert created and package.version == 1
    assert package.item_count == 2
    assert [item["lines"] for item in package.manifest["items"]] == [
        ["军民团结一家亲"],
        ["强军兴军从我做起"],
    ]
    assert package.manifest["items"][0]["placement_id"] == first.pk
    with package.archive.open("rb") as handle:
        assert "manifest.json" in zipfile.ZipFile(handle).namelist()


def test_unchanged_content_makes_no_new_version(make_screen, deliver_placement, article):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    package, _ = services.screen_package_refresh(screen=screen)

    again, created = services.screen_package_refresh(screen=screen)
    # A new page title changes no dot on the screen: no flash write for the controller.
    article.title = "改过的标题"
    article.save()
    still, created_after_rename = services.screen_package_refresh(screen=screen)

    assert not created and not created_after_rename
    assert again.pk == still.pk == package.pk
    assert Package.objects.filter(screen=screen).count() == 1


def test_changed_content_makes_the_next_version(make_screen, deliver_placement):
    screen = make_screen()
    placement = deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    services.screen_package_refresh(screen=screen)
    placement.version = {**placement.version, "dwell_seconds": 9}
    placement.save()

    package, created = services.screen_package_refresh(screen=screen)

    assert created and package.version == 2
    assert package.duration_ms == 9000


def test_expired_items_leave_the_loop_and_broken_versions_are_listed(
    make_screen, deliver_placement
):
    screen = make_screen()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    deliver_placement(screen, {"lines": ["过期标语"], "valid_until": yesterday})
    deliver_placement(screen, {"lines": []})
    deliver_placement(screen, {"lines": ["拥军优属"]})

    entries = screen_playlist(screen=screen)

    assert [entry.version.lines if entry.version else None for entry in entries] == [
        ("拥军优属",),
        None,
    ]
    assert "至少需要一行标语" in entries[1].problems[0].message


def test_urgent_item_pre_empts_the_loop_inside_its_day_part(make_screen, deliver_placement):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["日常标语"]})
    deliver_placement(
        screen, {"lines": ["晚间标语"], "day_parts": [{"start": "18:00", "end": "21:00"}]}
    )
    deliver_placement(
        screen,
        {"lines": ["紧急通知"], "priority": 9, "day_parts": [{"start": "08:00", "end": "09:00"}]},
    )
    entries = screen_playlist(screen=screen)
    day = timezone.localdate()

    def at(hour, minute=0):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return [entry.version.lines[0] for entry in playing_at(entries, moment, screen)]

    assert entries[0].version.lines == ("紧急通知",)
    assert at(8, 30) == ["紧急通知"]
    assert at(10) == ["日常标语"]
    assert at(19) == ["日常标语", "晚间标语"]
    assert at(23) == []


def test_insertion_is_pushed_without_rebuilding_the_loop(make_screen, deliver_placement):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    loop, _ = services.screen_package_refresh(screen=screen)
    now = timezone.now()

    insertion = services.insertion_push(
        screen=screen,
        lines=["台风预警：请市民注意安全"],
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=2),
    )
    document = services.pull_document(screen=screen)

    assert insertion.kind == Package.Kind.INSERTION and insertion.manifest["items"][0]["urgent"]
    assert Package.objects.filter(screen=screen, kind=Package.Kind.LOOP).count() == 1
    assert b'"insertions"' in document and "台风预警".encode() in document
    assert f'"version": {loop.version}'.encode() in document

    services.insertion_withdraw(package=insertion)
    assert "台风预警".encode() not in services.pull_document(screen=screen)


def test_insertion_with_bad_window_or_glyphs_is_refused(make_screen):
    screen = make_screen()
    now = timezone.now()
    with pytest.raises(ValueError, match="结束时间必须晚于开始时间"):
        services.insertion_push(screen=screen, lines=["通知"], starts_at=now, ends_at=now)
    with pytest.raises(ValueError, match="😀"):
        services.insertion_push(
            screen=screen,
            lines=["通知😀"],
            starts_at=now,
            ends_at=now + datetime.timedelta(hours=1),
        )
    assert not Package.objects.filter(screen=screen).exists()


def test_export_job_records_progress_and_the_package(make_screen, deliver_placement):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    job = screen.export_jobs.create()

    finished = services.export_job_run(job_id=job.pk)

    assert finished.status == finished.Status.DONE and finished.progress == 100
    assert finished.package.version == 1 and finished.package_is_new
    assert services.export_job_run(job_id=job.pk).package_is_new, "a repeated message does nothing"


def test_export_of_a_screen_with_nothing_delivered_fails_with_a_reason(make_screen):
    job = make_screen().export_jobs.create()
    finished = services.export_job_run(job_id=job.pk)
    assert finished.status == finished.Status.FAILED
    assert "没有已送达的排期" in finished.error


def test_export_where_video_cannot_be_made_fails_and_stores_no_package(
    make_screen, deliver_placement, monkeypatch
):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    # The build process runs where PyAV cannot be imported.
    without_av = (
        "import runpy, sys; sys.modules['av'] = None; "
        "runpy.run_module('media_schedule.channels.led.builder', run_name='__main__')"
    )
    monkeypatch.setattr(builder, "BUILD_COMMAND", [sys.executable, "-c", without_av])
    job = screen.export_jobs.create()

    finished = services.export_job_run(job_id=job.pk)

    assert finished.status == finished.Status.FAILED
    assert "无法生成视频 loop.mp4：本机缺少 H.264 编码器 libx264" in finished.error
    assert not Package.objects.filter(screen=screen).exists()


def test_a_placement_handed_over_but_not_yet_taken_stays_in_the_next_package(
    make_screen, deliver_placement
):
    screen = make_screen()
    waiting = deliver_placement(
        screen, {"lines": ["军民团结一家亲"]}, status=Placement.Status.AWAITING
    )
    second = deliver_placement(
        screen, {"lines": ["强军兴军从我做起"]}, status=Placement.Status.APPROVED
    )

    package, _created = services.screen_package_refresh(
        screen=screen, include_placement_ids=[second.pk]
    )

    assert [item["placement_id"] for item in package.manifest["items"]] == [waiting.pk, second.pk]


def test_taking_the_package_confirms_the_placements_it_carries_and_no_others(
    make_screen, deliver_placement, client
):
    screen = make_screen()
    carried = deliver_placement(
        screen, {"lines": ["军民团结一家亲"]}, status=Placement.Status.AWAITING
    )
    expired = deliver_placement(
        screen,
        {"lines": ["已过期的标语"], "valid_until": "2020-01-31"},
        status=Placement.Status.AWAITING,
    )
    services.screen_package_refresh(screen=screen)

    response = client.get(f"/led/screens/{screen.pk}/files/package.zip", {"token": screen.token})
    b"".join(response.streaming_content)

    carried.refresh_from_db()
    expired.refresh_from_db()
    record = carried.records.get()
    assert carried.status == Placement.Status.DELIVERED
    assert (record.source, record.receipt["package_version"]) == ("outlet", 1)
    assert expired.status == Placement.Status.AWAITING
