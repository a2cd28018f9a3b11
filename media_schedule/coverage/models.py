"""Coverage roll-up, the assessment standard's items with hand-attached evidence, archives."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_schedule.models import DeliveryRecord, Outlet, Placement
from media_schedule.models.evidence import AppendOnlyEvidence, evidence_extension

from .columns import COLUMNS

# ``campaign_key`` of the roll-up rows that count every placement, whatever its campaign.
ALL_CAMPAIGNS = 0


class CoveragePlacement(models.Model):
    """What one placement contributes to coverage, from its delivery records.

    Kept by ``rollup.placement_refresh`` whenever a record is written: the latest record not
    superseded decides; a delivered one counts on the Beijing day it ran.
    """

    placement = models.OneToOneField(
        Placement, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="+")
    # The campaign's id (0 for none), a plain number: the roll-up groups by it.
    campaign_key = models.PositiveIntegerField(default=ALL_CAMPAIGNS)
    column = models.CharField(max_length=12, choices=COLUMNS)
    day = models.DateField(null=True)
    counted = models.BooleanField(default=False)
    airtime_seconds = models.PositiveIntegerField(default=0)
    record = models.ForeignKey(
        DeliveryRecord, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("排期覆盖")
        verbose_name_plural = _("排期覆盖")
        indexes = [
            models.Index(fields=["day", "column"], name="coverage_pl_day_col"),
            models.Index(fields=["campaign_key", "day", "column"], name="coverage_pl_camp_day"),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.column} {self.day}"


class CoverageDay(models.Model):
    """Delivered pieces per Beijing day and matrix column, for one campaign or all (key 0).

    A bucket is recomputed from ``CoveragePlacement`` under a row lock each time one of its
    placements changes, so late and superseded records move counts between days correctly.
    """

    day = models.DateField()
    column = models.CharField(max_length=12, choices=COLUMNS)
    campaign_key = models.PositiveIntegerField(default=ALL_CAMPAIGNS)
    delivered = models.PositiveIntegerField(default=0)
    airtime_seconds = models.PositiveBigIntegerField(default=0)
    # Outlets with at least one delivery that day (screen-days for LED screens).
    outlets = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("覆盖统计")
        verbose_name_plural = _("覆盖统计")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_key", "day", "column"], name="coverage_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.column} {self.campaign_key}: {self.delivered}"


class EvidenceMedium(models.TextChoices):
    """What an item's evidence must have run on."""

    ANY = "", _("任何媒介")
    TV = "tv", _("电视有画面")
    RADIO = "radio", _("广播有声音")
    NEWSPAPER = "newspaper", _("报纸有文字")
    ONLINE = "online", _("网络有信息")
    OUTDOOR = "outdoor", _("户外（显示屏、宣传栏）")
    SCREEN = "screen", _("户外显示屏")
    BOARD = "board", _("宣传栏")


class StandardItem(models.Model):
    """One item of the assessment standard that concerns publicity (考评标准条目), with what
    counts as evidence for it: deliveries on a medium, on a theme, at least so many."""

    code = models.CharField(_("编号"), max_length=20, blank=True)
    text = models.TextField(_("标准条目"))
    starts_on = models.DateField(_("考核期开始"))
    ends_on = models.DateField(_("考核期结束"))
    medium = models.CharField(
        _("佐证媒介"), max_length=12, choices=EvidenceMedium.choices, blank=True
    )
    theme = models.ForeignKey(
        "publicity.Theme",
        verbose_name=_("佐证主题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空则不限主题。"),
    )
    required_count = models.PositiveIntegerField(_("至少几条佐证"), default=1)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任编辑"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code", "pk"]
        verbose_name = _("考评标准条目")
        verbose_name_plural = _("考评标准条目")

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()[:80]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


def item_evidence_upload_to(instance: "ItemEvidence", filename: str) -> str:
    """Under ``evidence/`` (a private folder), a name of our own, by month."""
    extension = evidence_extension(instance.file_format)
    month = timezone.localdate().strftime("%Y/%m")
    return f"evidence/standards/{month}/{uuid.uuid4().hex}.{extension}"


class ItemEvidence(AppendOnlyEvidence, models.Model):
    """Evidence attached by hand to a standard item (a meeting filmed, a visit photographed).

    Append-only like the delivery log: a correction is a new row superseding the old one,
    and ``withdrawn`` says the old one should not have counted at all.
    """

    item = models.ForeignKey(
        StandardItem, verbose_name=_("标准条目"), on_delete=models.PROTECT, related_name="evidence"
    )
    happened_on = models.DateField(_("发生日期"))
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("发布渠道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    medium = models.CharField(_("媒介"), max_length=12, choices=EvidenceMedium.choices, blank=True)
    note = models.TextField(_("说明"))
    kind = models.CharField(_("类型"), max_length=10, blank=True)
    file = models.FileField(
        _("文件"), upload_to=item_evidence_upload_to, max_length=200, blank=True
    )
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
    withdrawn = models.BooleanField(_("撤回"), default=False)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的佐证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_by_name = models.CharField(_("登记人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name = _("条目佐证")
        verbose_name_plural = _("条目佐证")

    def __str__(self) -> str:
        return self.original_name or self.url or self.note[:40]


def archive_upload_to(instance: "ArchiveJob", filename: str) -> str:
    # Under evidence/, a private folder: archives hold every evidence file.
    return f"evidence/archives/{uuid.uuid4().hex}.zip"


class ArchiveJob(models.Model):
    """A background build of the inspection archive (资料归档), with progress for the admin."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    campaign = models.ForeignKey(
        "publicity.Campaign",
        verbose_name=_("宣传活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    message = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    archive = models.FileField(_("归档文件"), upload_to=archive_upload_to, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("归档任务")
        verbose_name_plural = _("归档任务")

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"
