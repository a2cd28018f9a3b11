"""Evidence files are judged by their content: lying names, damaged files, oversized ones;
pictures, PDFs, and audio and video clips made with ffmpeg."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media_schedule.evidence import EvidenceRefused, evidence_from_upload
from tests.support.media_clips import clip

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def picture(fmt: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, fmt, expected",
    [("版面.pdf", "PNG", "png"), ("照片.png", "JPEG", "jpeg"), ("扫描件", "WEBP", "webp")],
)
def test_a_picture_is_taken_for_what_it_is_whatever_its_name(name, fmt, expected):
    item = evidence_from_upload(name, picture(fmt))

    assert (item.kind, item.file_format, item.width, item.height) == ("picture", expected, 64, 48)
    assert item.original_name == name
    assert item.taken_at is None and item.place == ""


def test_a_pdf_is_accepted_by_its_content():
    item = evidence_from_upload("电子报第3版", MINIMAL_PDF)

    assert (item.kind, item.file_format, len(item.sha256)) == ("pdf", "pdf", 64)


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "第3版.jpg",
            b"<html><script>alert(1)</script></html>",
            "文件“第3版.jpg”不是可用的照片（JPEG、PNG、WebP）或 PDF。",
        ),
        ("动图.jpg", picture("GIF"), "文件“动图.jpg”不是可用的照片（JPEG、PNG、WebP）或 PDF。"),
        (
            "截断.png",
            picture("PNG")[:60],
            "文件“截断.png”不是可用的照片（JPEG、PNG、WebP）或 PDF。",
        ),
        ("版面.pdf", MINIMAL_PDF[:-10], "PDF 文件“版面.pdf”不完整。"),
        ("空.jpg", b"", "文件“空.jpg”是空的。"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_with_its_name(name, content, message):
    with pytest.raises(EvidenceRefused) as refused:
        evidence_from_upload(name, content)

    assert str(refused.value) == message


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(settings):
    settings.OUTREACH_EVIDENCE = {"MAX_PIXELS": 1_000_000}

    with pytest.raises(EvidenceRefused) as refused:
        evidence_from_upload("大图.png", picture("PNG", size=(2000, 1000)))

    assert str(refused.value) == "照片“大图.png”为 2000×1000 像素，超过上限 100 万像素。"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.OUTREACH_EVIDENCE = {"MAX_BYTES": 1024 * 1024}

    with pytest.raises(EvidenceRefused) as refused:
        evidence_from_upload("大文件.pdf", MINIMAL_PDF + b"0" * (2 * 1024 * 1024))

    assert str(refused.value) == "文件“大文件.pdf”有 2.0 MB，超过上限 1 MB。"


@pytest.mark.parametrize(
    "suffix, kind, fmt, size",
    [
        ("mp3", "audio", "mp3", None),
        ("m4a", "audio", "m4a", None),
        ("wav", "audio", "wav", None),
        ("ogg", "audio", "ogg", None),
        ("amr", "audio", "amr", None),
        ("mp4", "video", "mp4", (160, 120)),
        ("mov", "video", "mov", (160, 120)),
        ("webm", "video", "webm", (160, 120)),
        ("3gp", "video", "3gp", (176, 144)),
    ],
)
def test_audio_and_video_clips_are_recognised_by_content_with_their_duration(
    suffix, kind, fmt, size
):
    # The name says nothing: the content decides.
    item = evidence_from_upload("录音录像", SimpleUploadedFile("录音录像", clip(suffix)))

    assert (item.kind, item.file_format) == (kind, fmt)
    assert Decimal("0.9") <= item.duration_seconds <= Decimal("1.2")
    assert (item.width, item.height) == (size or (None, None))
    assert item.content == b"" and item.byte_size == len(clip(suffix))
    assert item.sha256 == hashlib.sha256(clip(suffix)).hexdigest()
    assert item.stored_file().read() == clip(suffix)


def test_a_video_container_holding_only_sound_is_kept_as_audio():
    item = evidence_from_upload("采访.mp4", clip("m4a"))

    assert (item.kind, item.file_format, item.width) == ("audio", "m4a", None)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("播出录像.mp4", b"just some text\n" * 20, "文件“播出录像.mp4”的内容不是可识别的录音或录像（与文件名不符）。"),
        ("录音.mp3", b"", "文件“录音.mp3”是空的。"),
        ("截断.mp4", clip("mp4")[: len(clip("mp4")) // 2], "文件“截断.mp4”不完整（可能上传中断），请重新导出或上传。"),
        ("假录像.mp4", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41\x00\x00\x00\x10free" + b"\x00" * 8, "不是可用的录音或录像"),
        ("假录音.mp3", b"ID3" + b"\x00" * 400, "不是可用的录音或录像"),
    ],
)  # fmt: skip
def test_a_clip_that_lies_is_empty_or_cut_short_is_refused(name, content, message):
    with pytest.raises(EvidenceRefused) as refused:
        evidence_from_upload(name, SimpleUploadedFile(name, content))

    assert message in str(refused.value)


def test_clips_over_their_size_limits_are_refused(settings):
    settings.OUTREACH_EVIDENCE = {"MAX_AUDIO_BYTES": 4096, "MAX_VIDEO_BYTES": 2048}

    for name, content in [("长录音.wav", clip("wav")), ("长录像.mp4", clip("mp4"))]:
        with pytest.raises(EvidenceRefused, match="超过上限"):
            evidence_from_upload(name, SimpleUploadedFile(name, content))
