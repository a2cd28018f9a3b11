"""Evidence that an item ran (刊播证据): the page, the posted board, the e-paper, a link.

Each piece belongs to the delivery record that it supports and, like the record, is never
changed: a correction is a new record with its own evidence (``DeliveryRecord.supersedes``).
Files are kept under the private media root (``evidence/``), served only through the
permission-checked admin view.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .placements import DeliveryRecord

# What each checked format is served as, and the extension its stored copy gets.
EVIDENCE_CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "mp3": "audio/mpeg",
    "aac": "audio/aac",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "amr": "audio/amr",
    "weba": "audio/webm",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "3gp": "video/3gpp",
    "3ga": "audio/3gpp",
}
EVIDENCE_EXTENSIONS = {"jpeg": "jpg", "3ga": "3gp", "weba": "webm"}


def evidence_extension(file_format: str) -> str:
    if file_format not in EVIDENCE_CONTENT_TYPES:
        return "bin"
    return EVIDENCE_EXTENSIONS.get(file_format, file_format)


def evidence_upload_to(instance: "DeliveryEvidence", filename: str) -> str:
    """A name of our own (the uploaded one is kept in ``original_name``), by month."""
    extension = evidence_extension(instance.file_format)
    month = timezone.localdate().strftime("%Y/%m")
    return f"evidence/{month}/{uuid.uuid4().hex}.{extension}"


class AppendOnlyEvidence:
    """What every stored piece of evidence shares (a placement's, a standard item's): rows are
    only ever added, a correction being a new row, and the file is served as its format."""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("evidence is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("evidence is append-only")

    @property
    def content_type(self) -> str:
        return EVIDENCE_CONTENT_TYPES.get(self.file_format, "application/octet-stream")

    @property
    def is_audio(self) -> bool:
        return self.kind == "audio"

    @property
    def is_video(self) -> bool:
        return self.kind == "video"


class DeliveryEvidence(AppendOnlyEvidence, models.Model):
    """One piece of evidence: a checked file (picture, PDF, audio or video) or a link."""

    class Kind(models.TextChoices):
        PICTURE = "picture", _("照片或扫描件")
        PDF = "pdf", _("PDF 文件")
        AUDIO = "audio", _("录音")
        VIDEO = "video", _("录像")
        LINK = "link", _("网址")

    record = models.ForeignKey(
        DeliveryRecord,
        verbose_name=_("播发记录"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=200, blank=True)
    # What the content turned out to be (jpeg, pdf, mp3, mp4…), whatever the name said.
    file_format = models.CharField(_("文件格式"), max_length=10, blank=True)
    url = models.URLField(_("网址"), max_length=500, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    width = models.PositiveIntegerField(_("宽（像素）"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高（像素）"), null=True, blank=True)
    duration_seconds = models.DecimalField(
        _("时长（秒）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    sha256 = models.CharField(_("校验值"), max_length=64, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    place = models.CharField(_("拍摄地点"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("刊播证据")
        verbose_name_plural = _("刊播证据")

    def __str__(self) -> str:
        return self.original_name or self.url or f"{self.record_id}"
