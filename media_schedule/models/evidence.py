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


def evidence_upload_to(instance: "DeliveryEvidence", filename: str) -> str:
    """A name of our own (the uploaded one is kept in ``original_name``), by month."""
    extension = {"jpeg": "jpg", "png": "png", "webp": "webp", "pdf": "pdf"}.get(
        instance.file_format, "bin"
    )
    month = timezone.localdate().strftime("%Y/%m")
    return f"evidence/{month}/{uuid.uuid4().hex}.{extension}"


class DeliveryEvidence(models.Model):
    """One piece of evidence: a checked file (picture or PDF) or a link."""

    class Kind(models.TextChoices):
        PICTURE = "picture", _("照片或扫描件")
        PDF = "pdf", _("PDF 文件")
        LINK = "link", _("网址")

    record = models.ForeignKey(
        DeliveryRecord,
        verbose_name=_("播发记录"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=200, blank=True)
    # What the content turned out to be (jpeg, png, webp, pdf), whatever the name said.
    file_format = models.CharField(_("文件格式"), max_length=10, blank=True)
    url = models.URLField(_("网址"), max_length=500, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    width = models.PositiveIntegerField(_("宽（像素）"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高（像素）"), null=True, blank=True)
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

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("evidence is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("evidence is append-only")
