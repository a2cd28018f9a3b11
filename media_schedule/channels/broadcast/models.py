"""Broadcast slots (播出时段) with their exceptions, bookings of placements into slot
occurrences, uploaded TV clips and the station's as-run answers.

Occurrences are computed from each slot's recurrence rule (see ``occurrences``); only the
exceptions to the rule (a cancelled or moved occurrence) are stored.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from media_schedule.models import DeliveryRecord, Outlet, Placement

from .recurrence import RuleError, parse_rule

BROADCAST_KINDS = (Outlet.Kind.RADIO, Outlet.Kind.TV)


class BroadcastSlot(models.Model):
    """A recurring window on a radio or TV outlet into which items are booked.

    ``rule`` is an RFC 5545 RRULE without DTSTART (e.g. ``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR``);
    the first occurrence is ``starts_on`` at ``start_time`` (Asia/Shanghai), the last one on
    or before ``ends_on``.
    """

    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("发布渠道"),
        on_delete=models.PROTECT,
        related_name="broadcast_slots",
        limit_choices_to={"kind__in": BROADCAST_KINDS},
    )
    name = models.CharField(_("时段名称"), max_length=100)
    rule = models.CharField(
        _("重复规则"),
        max_length=300,
        help_text=_(
            "RFC 5545 重复规则，例如每天：FREQ=DAILY；工作日：FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR；"
            "隔周六：FREQ=WEEKLY;INTERVAL=2;BYDAY=SA；每月最后一个周五：FREQ=MONTHLY;BYDAY=-1FR。"
        ),
    )
    start_time = models.TimeField(_("开始时间"))
    length_seconds = models.PositiveIntegerField(
        _("时段长度（秒）"), validators=[MinValueValidator(10), MaxValueValidator(6 * 3600)]
    )
    capacity_seconds = models.PositiveIntegerField(
        _("可排播时长（秒）"),
        validators=[MinValueValidator(1), MaxValueValidator(6 * 3600)],
        help_text=_("本时段每次可用于双拥内容的秒数，不能超过时段长度。"),
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    presenter = models.CharField(_("播音员/主持人"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["outlet__name", "start_time", "name"]
        verbose_name = _("播出时段")
        verbose_name_plural = _("播出时段")

    def __str__(self) -> str:
        return f"{self.outlet.name} · {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.outlet_id and self.outlet.kind not in BROADCAST_KINDS:
            errors["outlet"] = _("只能为广播电台或电视台设置播出时段。")
        if self.rule:
            try:
                parse_rule(self.rule)
            except RuleError as error:
                errors["rule"] = str(error)
        if (
            self.capacity_seconds
            and self.length_seconds
            and (self.capacity_seconds > self.length_seconds)
        ):
            errors["capacity_seconds"] = _("可排播时长不能超过时段长度。")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于起始日期。")
        if self.start_time and self.length_seconds:
            start = datetime.datetime.combine(datetime.date(2000, 1, 1), self.start_time)
            if (start + datetime.timedelta(seconds=self.length_seconds)).date() != start.date():
                errors["length_seconds"] = _("时段不能跨过午夜，请拆成两个时段。")
        if errors:
            raise ValidationError(errors)


class SlotException(models.Model):
    """One occurrence of a slot cancelled or moved to another time.

    ``original_start`` names the occurrence as the rule gives it (local time, Asia/Shanghai),
    so a booking keeps pointing at the same occurrence when it moves.
    """

    class Action(models.TextChoices):
        CANCEL = "cancel", _("取消")
        MOVE = "move", _("改时")

    slot = models.ForeignKey(
        BroadcastSlot,
        verbose_name=_("播出时段"),
        on_delete=models.CASCADE,
        related_name="exceptions",
    )
    original_start = models.DateTimeField(_("原定开始时间"))
    action = models.CharField(_("处理"), max_length=10, choices=Action.choices)
    moved_to = models.DateTimeField(_("改到"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["slot", "original_start"]
        verbose_name = _("时段例外")
        verbose_name_plural = _("时段例外")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "original_start"], name="broadcast_exception_unique_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} {self.original_start:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def clean(self) -> None:
        if self.action == self.Action.MOVE and self.moved_to is None:
            raise ValidationError({"moved_to": _("改时须填写新的开始时间。")})
        if self.action == self.Action.CANCEL and self.moved_to is not None:
            raise ValidationError({"moved_to": _("取消的场次不填新的开始时间。")})


class ItemType(models.TextChoices):
    """What the item is on air, as the rundown names it."""

    LIVE_READ = "live_read", _("口播")
    RECORDED = "recorded", _("录音")
    VT = "vt", _("VT")
    CAPTION = "caption", _("字幕")


class SlotBooking(models.Model):
    """A placement booked into one occurrence of a slot, at a position in its running order."""

    placement = models.OneToOneField(
        Placement,
        verbose_name=_("排期"),
        on_delete=models.CASCADE,
        related_name="slot_booking",
    )
    slot = models.ForeignKey(
        BroadcastSlot, verbose_name=_("播出时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    # The occurrence as the rule gives it (before any move): its identity.
    occurrence_start = models.DateTimeField(_("场次"), db_index=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    planned_seconds = models.PositiveIntegerField(_("计划时长（秒）"))
    item_type = models.CharField(_("类型"), max_length=20, choices=ItemType.choices)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["slot", "occurrence_start", "position", "pk"]
        verbose_name = _("时段编排")
        verbose_name_plural = _("时段编排")

    def __str__(self) -> str:
        return f"{self.slot} {self.occurrence_start:%Y-%m-%d %H:%M} #{self.position}"


def clip_upload_to(clip: "Clip", filename: str) -> str:
    return f"broadcast/clips/{clip.sha256[:2]}/{clip.sha256}.{clip.container}"


class Clip(models.Model):
    """An uploaded TV clip, checked by its content and probed with ffprobe."""

    file = models.FileField(_("视频文件"), upload_to=clip_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    container = models.CharField(_("封装格式"), max_length=20)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    duration_seconds = models.DecimalField(_("时长（秒）"), max_digits=9, decimal_places=2)
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    video_codec = models.CharField(_("视频编码"), max_length=40, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("电视短片")
        verbose_name_plural = _("电视短片")

    def __str__(self) -> str:
        return self.original_name


class AsRunAnswer(models.Model):
    """The station's word on one booked item: aired, not aired, or aired at another time.

    Kept whatever the answer, so a "not aired" is on file too; an aired item is confirmed
    through the record service, whose DeliveryRecord this row then points at.
    """

    class Answer(models.TextChoices):
        AIRED = "aired", _("已播出")
        NOT_AIRED = "not_aired", _("未播出")
        OTHER_TIME = "other_time", _("改时播出")

    class Channel(models.TextChoices):
        LINK = "link", _("确认链接")
        UPLOAD = "upload", _("播出记录上传")

    booking = models.ForeignKey(
        SlotBooking, verbose_name=_("时段编排"), on_delete=models.CASCADE, related_name="answers"
    )
    answer = models.CharField(_("播出情况"), max_length=20, choices=Answer.choices)
    aired_at = models.DateTimeField(_("实际播出时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    channel = models.CharField(_("确认方式"), max_length=10, choices=Channel.choices)
    rundown_revision = models.CharField(_("串联单版本"), max_length=64)
    record = models.ForeignKey(
        DeliveryRecord,
        verbose_name=_("播发记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("播出确认")
        verbose_name_plural = _("播出确认")

    def __str__(self) -> str:
        return f"{self.booking} {self.get_answer_display()}"


class UsedConfirmationLink(models.Model):
    """A signed as-run link that has been submitted: the same link is not accepted twice."""

    digest = models.CharField(_("链接摘要"), max_length=64, unique=True)
    outlet = models.ForeignKey(Outlet, verbose_name=_("发布渠道"), on_delete=models.CASCADE)
    day = models.DateField(_("播出日期"))
    used_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已使用的确认链接")
        verbose_name_plural = _("已使用的确认链接")

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.day} {self.digest[:8]}"
