"""Screens, the packages built for them, the pull log and export jobs."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from media_schedule.models import Outlet

MAX_SCREEN_PIXELS = 3840 * 2160


# The history entry of a token rotation (registered with Wagtail in wagtail_hooks).
TOKEN_ROTATED = "led.token_rotated"


def new_token() -> str:
    """A random secret with which a screen's controller pulls its playlist."""
    return secrets.token_urlsafe(32)


class ColourMode(models.TextChoices):
    SINGLE = "single", _("单色")
    DUAL = "dual", _("双色（红绿）")
    FULL = "full", _("全彩")


class LedColour(models.TextChoices):
    """The colour of the diodes of a single-colour screen (only used to draw previews)."""

    RED = "red", _("红色")
    GREEN = "green", _("绿色")
    AMBER = "amber", _("琥珀色")
    WHITE = "white", _("白色")


class Screen(models.Model):
    """An outdoor LED screen (户外显示屏), driven through one outlet of kind ``led_screen``."""

    outlet = models.OneToOneField(
        Outlet,
        verbose_name=_("发布渠道"),
        on_delete=models.PROTECT,
        related_name="screen",
        limit_choices_to={"kind": Outlet.Kind.LED_SCREEN},
    )
    width = models.PositiveIntegerField(
        _("宽度（像素）"), validators=[MinValueValidator(16), MaxValueValidator(3840)]
    )
    height = models.PositiveIntegerField(
        _("高度（像素）"), validators=[MinValueValidator(16), MaxValueValidator(2160)]
    )
    colour_mode = models.CharField(
        _("颜色模式"), max_length=10, choices=ColourMode.choices, default=ColourMode.SINGLE
    )
    led_colour = models.CharField(
        _("单色屏发光颜色"), max_length=10, choices=LedColour.choices, default=LedColour.RED
    )
    location = models.CharField(_("安装位置"), max_length=200, blank=True)
    opens_at = models.TimeField(_("每日开屏时间"), default=datetime.time(7, 0))
    closes_at = models.TimeField(_("每日关屏时间"), default=datetime.time(22, 0))
    controller_vendor = models.CharField(_("控制卡厂家"), max_length=100, blank=True)
    controller_model = models.CharField(_("控制卡型号"), max_length=100, blank=True)
    token = models.CharField(
        _("拉取密钥"),
        max_length=64,
        default=new_token,
        unique=True,
        help_text=_("控制器拉取节目单时使用的密钥，泄露后请重新生成。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["outlet__name"]
        verbose_name = _("户外显示屏")
        verbose_name_plural = _("户外显示屏")

    def __str__(self) -> str:
        return _("%(name)s（%(width)d×%(height)d，%(colour)s）") % {
            "name": self.outlet.name,
            "width": self.width,
            "height": self.height,
            "colour": self.get_colour_mode_display(),
        }

    @property
    def name(self) -> str:
        return self.outlet.name

    def clean(self) -> None:
        errors = {}
        if self.outlet_id and self.outlet.kind != Outlet.Kind.LED_SCREEN:
            errors["outlet"] = _("只能关联类型为“户外显示屏”的发布渠道。")
        if self.width and self.height and self.width * self.height > MAX_SCREEN_PIXELS:
            errors["width"] = _("屏幕像素总数不能超过 3840×2160。")
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            errors["closes_at"] = _("关屏时间必须晚于开屏时间。")
        if errors:
            raise ValidationError(errors)


def package_upload_to(package: "Package", filename: str) -> str:
    return f"led/packages/screen-{package.screen_id}/{filename}"


class Package(models.Model):
    """One built package (节目包) for a screen: the loop, or an urgent insertion (插播).

    A loop package is only made when what the screen shows changes, because controllers
    keep programs in flash memory that wears with each write.
    """

    class Kind(models.TextChoices):
        LOOP = "loop", _("轮播节目")
        INSERTION = "insertion", _("插播")

    screen = models.ForeignKey(
        Screen, verbose_name=_("显示屏"), on_delete=models.CASCADE, related_name="packages"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LOOP)
    version = models.PositiveIntegerField(_("版本号"))
    fingerprint = models.CharField(_("内容指纹"), max_length=64, db_index=True)
    archive = models.FileField(_("节目包文件"), upload_to=package_upload_to, max_length=300)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    manifest = models.JSONField(_("清单"))
    item_count = models.PositiveIntegerField(_("节目条数"))
    frame_count = models.PositiveIntegerField(_("画面帧数"))
    duration_ms = models.PositiveBigIntegerField(_("总时长（毫秒）"))
    starts_at = models.DateTimeField(_("插播开始"), null=True, blank=True)
    ends_at = models.DateTimeField(_("插播结束"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["screen", "kind", "-version"]
        verbose_name = _("节目包")
        verbose_name_plural = _("节目包")
        constraints = [
            models.UniqueConstraint(
                fields=["screen", "kind", "version"], name="led_package_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.screen.name} {self.get_kind_display()} v{self.version}"


class PullLog(models.Model):
    """One request of a screen's controller to the pull endpoint: evidence of reception."""

    screen = models.ForeignKey(
        Screen, verbose_name=_("显示屏"), on_delete=models.CASCADE, related_name="pulls"
    )
    package = models.ForeignKey(
        Package,
        verbose_name=_("节目包"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pulls",
    )
    requested_at = models.DateTimeField(_("拉取时间"), auto_now_add=True, db_index=True)
    resource = models.CharField(_("请求内容"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("响应状态"))
    etag = models.CharField(_("ETag"), max_length=80, blank=True)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("拉取记录")
        verbose_name_plural = _("拉取记录")

    def __str__(self) -> str:
        return f"{self.screen.name} {self.resource} {self.status_code}"


class ExportJob(models.Model):
    """A background export of a screen's package, with progress the admin page polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    screen = models.ForeignKey(
        Screen, verbose_name=_("显示屏"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    message = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    package = models.ForeignKey(
        Package,
        verbose_name=_("节目包"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    package_is_new = models.BooleanField(_("生成了新版本"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")

    def __str__(self) -> str:
        return f"{self.screen.name} {self.get_status_display()} {self.progress}%"


class PlayRecord(models.Model):
    """Proof of play (播放记录): the screen's player says it showed one item from ``started_at``
    to ``ended_at``, ``count`` times (Xibo's proof-of-play row). Reported by the player or a
    relay through the token-authenticated endpoint, or uploaded by an operator as CSV.

    The same item at the same start and end on the same screen is one record: a batch sent
    twice adds nothing."""

    class Source(models.TextChoices):
        ENDPOINT = "endpoint", _("控制器回报")
        UPLOAD = "upload", _("上传日志")

    screen = models.ForeignKey(
        Screen, verbose_name=_("显示屏"), on_delete=models.CASCADE, related_name="plays"
    )
    package = models.ForeignKey(
        Package,
        verbose_name=_("节目包"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plays",
    )
    item_key = models.CharField(_("条目"), max_length=100)
    placement_id = models.PositiveIntegerField(_("排期编号"), null=True, blank=True)
    in_package = models.BooleanField(
        _("在节目包中"),
        default=True,
        help_text=_("条目不在本屏任何节目包中时为否：记录保留，但不计入覆盖。"),
    )
    started_at = models.DateTimeField(_("开始播放"), db_index=True)
    ended_at = models.DateTimeField(_("结束播放"))
    count = models.PositiveIntegerField(_("次数"), default=1)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("播放记录")
        verbose_name_plural = _("播放记录")
        constraints = [
            models.UniqueConstraint(
                fields=["screen", "item_key", "started_at", "ended_at"],
                name="led_play_unique_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.screen.name} {self.item_key} {self.started_at:%Y-%m-%d %H:%M}"
