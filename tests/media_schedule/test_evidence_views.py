"""Recording evidence and corrections in the admin, as the editor who does it and as a user
with admin access only."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from media_schedule.channels.base import Channel, DeliveryMode
from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.media_clips import clip
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

Status = Placement.Status


class PaperChannel(Channel):
    kind = "newspaper"
    delivery_mode = DeliveryMode.MANUAL

    def build_version(self, page):
        return {"headline": page.title}


@pytest.fixture(autouse=True)
def _paper_kind(settings, tmp_path):
    settings.OUTREACH_CHANNELS = {"newspaper": f"{__name__}.PaperChannel"}
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def placement():
    outlet = Outlet.objects.create(name="示范县报", kind=Outlet.Kind.NEWSPAPER)
    return Placement.objects.create(
        page=approved_article(),
        outlet=outlet,
        due_at=timezone.now() - datetime.timedelta(hours=3),
        status=Status.AWAITING,
        version={"headline": "八一"},
    )


@pytest.fixture
def editor(client):
    user = user_in_role("仅后台访问", username="bianji")
    user.groups.add(Group.objects.get(name="编辑"))
    client.force_login(user)
    return user


@pytest.fixture
def outsider(client):
    client.force_login(user_in_role("仅后台访问", username="outsider"))


def jpeg(name="第3版.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (180, 20, 20)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def evidence_url(placement) -> str:
    return f"/admin/schedule/placements/{placement.pk}/evidence/"


def test_the_editor_records_evidence_and_the_placement_is_delivered(client, editor, placement):
    before = client.get(f"/admin/schedule/placements/inspect/{placement.pk}/").content.decode()
    form = client.get(evidence_url(placement))
    response = client.post(
        evidence_url(placement),
        {
            "confirmed_at": "2026-08-01 07:30",
            "issue_date": "2026-08-01",
            "page_number": "第3版",
            "note": "头版转第3版",
            "files": [jpeg()],
        },
    )

    placement.refresh_from_db()
    record = placement.records.get()
    piece = record.evidence.get()
    assert form.status_code == 200
    assert "登记刊播证据" in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/schedule/placements/inspect/{placement.pk}/"
    assert placement.status == Status.DELIVERED
    assert (record.source, record.recorded_by, record.note) == ("editor", editor, "头版转第3版")
    assert record.receipt == {"issue_date": "2026-08-01", "page_number": "第3版"}
    assert record.finished_at == datetime.datetime(
        2026, 8, 1, 7, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    assert f'href="{evidence_url(placement)}"' in before
    after = client.get(response["Location"])
    assert after.status_code == 200
    page = after.content.decode()
    assert "编辑登记（仅后台访问）" in page
    assert f"/admin/schedule/evidence/{piece.pk}/" in page and "第3版.jpg" in page
    assert f"/admin/schedule/records/{record.pk}/correct/" in page
    assert f'href="{evidence_url(placement)}"' not in page
    served = client.get(f"/admin/schedule/evidence/{piece.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_lies_about_its_name_is_refused_and_nothing_is_saved(client, editor, placement):
    fake = SimpleUploadedFile("第3版.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")

    response = client.post(
        evidence_url(placement),
        {
            "confirmed_at": "2026-08-01 07:30",
            "note": "保留这段说明",
            "files": [jpeg("好.jpg"), fake],
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "文件“第3版.jpg”不是可用的照片（JPEG、PNG、WebP）或 PDF。" in page
    assert "请改正后重新选择全部文件；本次未保存任何内容。" in page
    assert "保留这段说明" in page
    assert not DeliveryRecord.objects.exists()
    assert Placement.objects.get(pk=placement.pk).status == Status.AWAITING


def test_evidence_needs_a_file_or_a_link(client, editor, placement):
    response = client.post(evidence_url(placement), {"confirmed_at": "2026-08-01 07:30"})

    assert "请上传至少一个证据文件，或填写网址。" in response.content.decode()
    assert not DeliveryRecord.objects.exists()


def test_a_correction_supersedes_the_record(client, editor, placement):
    client.post(
        evidence_url(placement),
        {"confirmed_at": "2026-08-01 07:30", "url": "https://epaper.example.cn/0801/3"},
    )
    original = DeliveryRecord.objects.get()

    page = client.get(f"/admin/schedule/records/{original.pk}/correct/")
    response = client.post(
        f"/admin/schedule/records/{original.pk}/correct/", {"ran": "no", "note": "当天版面撤稿"}
    )

    correction = DeliveryRecord.objects.exclude(pk=original.pk).get()
    history = client.get(f"/admin/schedule/placements/inspect/{placement.pk}/").content.decode()
    assert "已被更正" in history and "更正了上一条记录" in history and "当天版面撤稿" in history
    assert page.status_code == 200 and response.status_code == 302
    assert correction.supersedes == original and correction.outcome == "failed"
    assert Placement.objects.get(pk=placement.pk).status == Status.FAILED


def test_a_user_with_admin_access_only_is_refused_everywhere(client, outsider, placement):
    record = DeliveryRecord.objects.create(
        placement=placement,
        outlet=placement.outlet,
        page=placement.page,
        attempt=0,
        outcome="delivered",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )

    answers = [
        client.get(evidence_url(placement)).status_code,
        client.post(evidence_url(placement), {"confirmed_at": "2026-08-01 07:30"}).status_code,
        client.get(f"/admin/schedule/records/{record.pk}/correct/").status_code,
        client.get("/admin/schedule/evidence/1/").status_code,
    ]

    assert all(code in (302, 403) for code in answers), answers
    assert Placement.objects.get(pk=placement.pk).status == Status.AWAITING
    assert DeliveryRecord.objects.count() == 1


def test_audio_and_video_clips_are_recorded_played_and_served_to_editors_only(
    client, editor, placement
):
    response = client.post(
        evidence_url(placement),
        {
            "confirmed_at": "2026-08-01 19:00",
            "note": "新闻联播后播出，手机录像和录音",
            "files": [
                SimpleUploadedFile("播出录像.mp4", clip("mp4"), content_type="video/mp4"),
                SimpleUploadedFile("电台录音.amr", clip("amr"), content_type="audio/amr"),
            ],
        },
    )

    assert response.status_code == 302
    video, audio = placement.records.get().evidence.order_by("pk")
    assert (video.kind, video.file_format, video.width, video.height) == ("video", "mp4", 160, 120)
    assert (audio.kind, audio.file_format, audio.width) == ("audio", "amr", None)
    assert video.duration_seconds > 0 and audio.duration_seconds > 0
    assert video.size == len(clip("mp4")) and video.file.name.endswith(".mp4")
    page = client.get(f"/admin/schedule/placements/inspect/{placement.pk}/").content.decode()
    assert (
        f'<video controls preload="none" width="320" src="/admin/schedule/evidence/{video.pk}/">'
        in page
    )
    assert f'<audio controls preload="none" src="/admin/schedule/evidence/{audio.pk}/">' in page
    assert f"{video.duration_seconds} 秒" in page
    served = client.get(f"/admin/schedule/evidence/{video.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"
    assert b"".join(served.streaming_content) == clip("mp4")
    assert client.get(f"/admin/schedule/evidence/{audio.pk}/")["Content-Type"] == "audio/amr"

    client.force_login(user_in_role("仅后台访问", username="outsider"))
    assert client.get(f"/admin/schedule/evidence/{video.pk}/").status_code in (302, 403)


def test_a_text_file_named_mp4_is_refused_and_nothing_is_saved(client, editor, placement):
    response = client.post(
        evidence_url(placement),
        {
            "confirmed_at": "2026-08-01 19:00",
            "files": [SimpleUploadedFile("播出录像.mp4", b"not a video\n" * 10)],
        },
    )

    assert response.status_code == 200
    assert "文件“播出录像.mp4”的内容不是可识别的录音或录像（与文件名不符）。" in (
        response.content.decode()
    )
    assert not DeliveryRecord.objects.exists()


def test_the_form_says_recordings_are_taken(client, editor, placement):
    page = client.get(evidence_url(placement)).content.decode()

    assert "录音（MP3、M4A、WAV、OGG、AMR）不超过 50 MB" in page
    assert "audio/*,video/*" in page
