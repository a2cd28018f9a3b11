"""Outlets (发布渠道) and the medium each counts for in the four-medium goal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Medium(models.TextChoices):
    """电视有画面、广播有声音、报纸有文字、网络有信息, plus outdoor screens and boards."""

    TV = "tv", _("电视（画面）")
    RADIO = "radio", _("广播（声音）")
    NEWSPAPER = "newspaper", _("报纸（文字）")
    ONLINE = "online", _("网络（信息）")
    OUTDOOR = "outdoor", _("户外（屏幕、宣传栏）")


class Outlet(models.Model):
    """Somewhere an item is published: a WeChat account, the website, a screen, a station."""

    class Kind(models.TextChoices):
        WECHAT = "wechat", _("微信公众号")
        WEBSITE = "website", _("门户网站")
        LED_SCREEN = "led_screen", _("户外显示屏")
        RADIO = "radio", _("广播电台")
        TV = "tv", _("电视台")
        NEWSPAPER = "newspaper", _("报纸")
        BULLETIN_BOARD = "bulletin_board", _("宣传栏")

    DEFAULT_MEDIUM = {
        Kind.WECHAT: Medium.ONLINE,
        Kind.WEBSITE: Medium.ONLINE,
        Kind.LED_SCREEN: Medium.OUTDOOR,
        Kind.RADIO: Medium.RADIO,
        Kind.TV: Medium.TV,
        Kind.NEWSPAPER: Medium.NEWSPAPER,
        Kind.BULLETIN_BOARD: Medium.OUTDOOR,
    }

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("渠道类型"), max_length=20, choices=Kind.choices)
    medium = models.CharField(
        _("计入媒介"),
        max_length=20,
        choices=Medium.choices,
        blank=True,
        help_text=_("留空则按渠道类型自动确定。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    config = models.JSONField(
        _("接口配置"),
        default=dict,
        blank=True,
        help_text=_("渠道接口参数，例如公众号的 base_url、app_id。"),
    )
    secret = models.CharField(
        _("接口密钥"), max_length=200, blank=True, help_text=_("例如公众号的 AppSecret。")
    )
    confirm_within_hours = models.PositiveIntegerField(
        _("确认时限（小时）"),
        null=True,
        blank=True,
        help_text=_(
            "交付后（或自行刊播的到期后）多少小时内应得到渠道确认或登记证据，逾期将醒目提示；"
            "留空按渠道类型的默认时限。"
        ),
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("发布渠道")
        verbose_name_plural = _("发布渠道")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.medium:
            self.medium = self.DEFAULT_MEDIUM[self.Kind(self.kind)]
        super().save(*args, **kwargs)
