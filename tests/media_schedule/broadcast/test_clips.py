"""TV clips: accepted by content (not by name), probed with ffprobe for duration and size; a
TV item with a clip times itself from the clip and its lead-in."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from media_schedule.channels.broadcast.adapter import TvChannel, version_seconds
from media_schedule.channels.broadcast.asrun import link_token
from media_schedule.channels.broadcast.clips import ClipError, clip_store
from media_schedule.channels.broadcast.models import Clip
from media_schedule.channels.broadcast.rundown import rundown_for
from media_schedule.channels.broadcast.services import booking_place
from tests.support.roles import user_in_role

from .conftest import local

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def mp4(tmp_path_factory) -> bytes:
    """Two seconds of a test picture, 320×240, made by ffmpeg."""
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=25",
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


def test_a_clip_is_probed_and_stored_once(db, mp4):
    clip = clip_store(upload=SimpleUploadedFile("走访慰问.txt", mp4))
    again = clip_store(upload=SimpleUploadedFile("another-name.mp4", mp4))

    assert (clip.container, clip.width, clip.height, clip.video_codec) == ("mp4", 320, 240, "h264")
    assert clip.duration_seconds == Decimal("2.00")
    assert clip.size == len(mp4)
    assert clip.original_name == "走访慰问.txt"
    assert again.pk == clip.pk
    assert Clip.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "只接受 MP4、MOV、MPEG-TS、MKV 或 WebM 视频文件。",
        ),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100, "无法读取该视频文件，文件可能已损坏。"),
    ],
)
def test_what_is_not_a_playable_clip_is_refused(db, content, message):
    with pytest.raises(ClipError) as error:
        clip_store(upload=SimpleUploadedFile("clip.mp4", content))
    assert str(error.value) == message
    assert not Clip.objects.exists()


def test_an_audio_only_file_has_no_picture(db, tmp_path):
    path = tmp_path / "voice.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "1",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    with pytest.raises(ClipError, match="文件中没有可播出的画面。"):
        clip_store(upload=SimpleUploadedFile("voice.mp4", path.read_bytes()))


def test_a_tv_item_with_a_clip(db, tv, mp4):
    clip = clip_store(upload=SimpleUploadedFile("clip.mp4", mp4))
    version = {
        "title": "走访慰问",
        "lead_in": "请看报道。",
        "caption": "县领导走访慰问驻地部队",
        "clip_id": clip.pk,
        "clip_seconds": float(clip.duration_seconds),
        "item_type": "vt",
    }

    assert TvChannel().validate(version, outlet=tv) == []
    # 4 voiced characters of lead-in (1 second) and the 2-second clip.
    assert version_seconds(version, tv) == 3
    problems = TvChannel().validate(
        {**version, "clip_id": None, "clip_url": "javascript:alert(1)"}, outlet=tv
    )
    assert [p.message for p in problems] == ["短片链接须以 http:// 或 https:// 开头。"]
    problems = TvChannel().validate({**version, "clip_id": None}, outlet=tv)
    assert [p.message for p in problems] == ["VT 须上传短片或填写短片链接。"]


def test_the_station_fetches_a_clip_of_its_rundown_through_its_link(
    client, tv, mp4, make_slot, make_article
):
    clip = clip_store(upload=SimpleUploadedFile("clip.mp4", mp4))
    other = Clip.objects.create(
        original_name="别的.mp4", container="mp4", sha256="1" * 64, size=1, duration_seconds=1
    )
    slot = make_slot(tv, start_time=datetime.time(19, 0), length_seconds=600, capacity_seconds=300)
    with time_machine.travel(local(2026, 11, 29, 9, 0), tick=False):
        booking_place(
            page=make_article("走访慰问"),
            slot=slot,
            original_start=local(2026, 11, 30, 19, 0),
            version={
                "title": "走访慰问",
                "caption": "走访慰问",
                "clip_id": clip.pk,
                "clip_seconds": 2,
                "item_type": "vt",
            },
        )
        token = link_token(rundown_for(tv, datetime.date(2026, 11, 30)))
        response = client.get(f"/broadcast/as-run/{token}/clips/{clip.pk}/")
        refused = client.get(f"/broadcast/as-run/{token}/clips/{other.pk}/")
        forged = client.get(f"/broadcast/as-run/{token}x/clips/{clip.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == mp4
    assert refused.status_code == 404
    assert forged.status_code == 404


def test_the_tv_item_editor_uploads_and_probes_a_clip(client, tv, mp4, make_slot, make_article):
    client.force_login(user_in_role("播出编辑"))
    slot = make_slot(tv, start_time=datetime.time(19, 0), length_seconds=600, capacity_seconds=300)
    with time_machine.travel(local(2026, 11, 29, 9, 0), tick=False):
        booking = booking_place(
            page=make_article("走访慰问"),
            slot=slot,
            original_start=local(2026, 11, 30, 19, 0),
            version={
                "title": "走访慰问",
                "caption": "走访慰问",
                "lead_in": "请看报道",
                "item_type": "caption",
            },
        )
        url = f"/admin/broadcast/bookings/{booking.pk}/"
        refused = client.post(
            url,
            {
                "item_type": "vt",
                "caption": "走访慰问",
                "clip": SimpleUploadedFile("a.mp4", b"MZ\x90\x00 not a video"),
            },
        )
        saved = client.post(
            url,
            {
                "item_type": "vt",
                "caption": "走访慰问",
                "lead_in": "请看报道",
                "clip": SimpleUploadedFile("走访.mp4", mp4),
            },
        )

    assert "只接受 MP4、MOV、MPEG-TS、MKV 或 WebM 视频文件。" in refused.content.decode()
    assert saved.status_code == 302
    booking.refresh_from_db()
    clip = Clip.objects.get()
    assert booking.placement.version["clip_id"] == clip.pk
    assert booking.planned_seconds == 3  # a 2-second clip and a 1-second lead-in
    assert rundown_for(tv, datetime.date(2026, 11, 30)).items[0].source == "走访.mp4"
