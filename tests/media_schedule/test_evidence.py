"""Evidence files are judged by their content: lying names, damaged files, oversized ones."""

import io

import pytest
from PIL import Image

from media_schedule.evidence import EvidenceRefused, evidence_from_upload

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
