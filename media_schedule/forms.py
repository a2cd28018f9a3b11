"""The "schedule to outlets" form (several outlets, each at its own time, in one go) and the
outlet form: the kind's own settings form inside it, the API secret write-only."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput, AdminPageChooser
from wagtail.models import Page

from publicity.models import Campaign

from .channels import get_channel
from .channels.base import Channel, DeliveryMode
from .models import Outlet

ROWS = 6
# What the time field takes (WAGTAIL_DATETIME_FORMAT), shown as its placeholder and in its error.
DUE_AT_EXAMPLE = "2026-08-01 09:30"
INVALID_DUE_AT = _("时间格式不对，请用日期选择器或按“2026-08-01 09:30”的格式填写（北京时间）。")


class DateTimePicker(AdminDateTimeInput):
    """Wagtail's date-time picker, started by a script that runs after the picker has loaded
    (Wagtail's widget starts it inline, before, on pages that are not its editors)."""

    template_name = "django/forms/widgets/datetime.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-datetime-chooser"] = context["widget"]["config_json"]
        return context

    @property
    def media(self):
        return super().media + forms.Media(js=["media_schedule/js/datetime-fields.js"])


class PagePickForm(forms.Form):
    """The item to schedule, chosen from the page tree."""

    page = forms.ModelChoiceField(
        label=_("内容"),
        queryset=Page.objects.filter(depth__gt=1),
        widget=AdminPageChooser(),
        help_text=_("选择要排期的稿件，下一步为它选择发布渠道和时间。"),
    )


class ScheduleForm(forms.Form):
    """Up to ``ROWS`` (outlet, time) pairs and an optional campaign."""

    campaign = forms.ModelChoiceField(
        label=_("宣传活动"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outlets = Outlet.objects.filter(is_active=True)
        for row in range(ROWS):
            self.fields[f"outlet_{row}"] = forms.ModelChoiceField(
                label=_("发布渠道"), queryset=outlets, required=False
            )
            self.fields[f"due_at_{row}"] = forms.DateTimeField(
                label=_("计划时间"),
                required=False,
                widget=DateTimePicker(attrs={"placeholder": DUE_AT_EXAMPLE}),
                error_messages={"invalid": INVALID_DUE_AT},
            )

    def rows(self):
        """Bound fields in pairs, for the template."""
        return [(self[f"outlet_{row}"], self[f"due_at_{row}"]) for row in range(ROWS)]

    def clean(self):
        cleaned = super().clean()
        entries = []
        for row in range(ROWS):
            outlet, due_at = cleaned.get(f"outlet_{row}"), cleaned.get(f"due_at_{row}")
            if outlet and not due_at:
                # A value that did not parse has its own error already.
                if f"due_at_{row}" not in self.errors:
                    self.add_error(f"due_at_{row}", _("请填写计划时间。"))
            elif due_at and not outlet:
                self.add_error(f"outlet_{row}", _("请选择发布渠道。"))
            elif outlet and due_at:
                if due_at < timezone.now() - datetime.timedelta(hours=1):
                    self.add_error(f"due_at_{row}", _("计划时间已过去一小时以上，请检查。"))
                entries.append((outlet, due_at))
        if not entries and not self.errors:
            raise forms.ValidationError(_("请至少选择一个发布渠道和时间。"))
        cleaned["entries"] = entries
        return cleaned


# What each kind is for, in the words of the people who set outlets up (the kind chooser).
KIND_DESCRIPTIONS = {
    Outlet.Kind.WECHAT: _(
        "宣传部或融媒体中心的微信公众号：到时自动发表图文，并取得文章链接作为凭证。"
        "需要公众号的 AppID 和 AppSecret。"
    ),
    Outlet.Kind.WEBSITE: _("本站的双拥专栏：到时自动发布页面，公开地址即凭证。无需其他设置。"),
    Outlet.Kind.LED_SCREEN: _(
        "户外 LED 显示屏：按屏幕像素生成节目包，由控制器拉取或拷贝播放。"
        "建好渠道后，在“户外显示屏”中登记屏幕的尺寸和颜色。"
    ),
    Outlet.Kind.RADIO: _("广播电台：交付播音稿，播出后登记播出记录。"),
    Outlet.Kind.TV: _("电视台：交付字幕和画面稿，播出后登记播出记录。"),
    Outlet.Kind.NEWSPAPER: _("生成可付印的稿件，见报后上传版面照片或扫描件作为凭证。"),
    Outlet.Kind.BULLETIN_BOARD: _("生成可打印的海报，张贴后上传现场照片作为凭证。"),
}
DELIVERY_MODES = {
    DeliveryMode.PUSH: _("自动发送，渠道即时回执"),
    DeliveryMode.HANDOVER: _("交付后由渠道确认"),
    DeliveryMode.MANUAL: _("由编辑登记刊播凭证"),
}


@dataclass(frozen=True)
class OutletKindChoice:
    """One kind of outlet as the "new outlet" page offers it."""

    kind: str
    label: str
    description: str
    delivery: str
    # False for a kind whose adapter is not installed: it can be set up, not yet scheduled.
    can_schedule: bool


def outlet_kind_choices() -> list[OutletKindChoice]:
    """Every outlet kind, with what it is for and how it delivers."""
    choices = []
    for kind in Outlet.Kind:
        channel = channel_of(kind)
        choices.append(
            OutletKindChoice(
                kind=kind.value,
                label=kind.label,
                description=KIND_DESCRIPTIONS.get(kind, ""),
                delivery=DELIVERY_MODES[channel.delivery_mode] if channel else "",
                can_schedule=channel is not None,
            )
        )
    return choices


def channel_of(kind: str) -> Channel | None:
    """The adapter of an outlet kind, or ``None`` when none is installed."""
    try:
        return get_channel(kind)
    except LookupError:
        return None


class OutletForm(forms.ModelForm):
    """An outlet: the common fields, then the settings its kind asks for, and the API secret,
    which is write-only (the stored secret is never sent back).

    The kind is chosen before the form opens and is fixed afterwards: the kind's settings
    form (``config_form``, prefixed ``config-``) is validated with this one, and its cleaned
    data is written into ``Outlet.config`` over what is stored, so keys it does not know
    (timeouts, keys of an older version) are kept. Left empty, the secret stays as it is; a
    new value replaces it; "清除" removes it.
    """

    secret = forms.CharField(
        label=_("接口密钥"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label=_("清除已保存的接口密钥"), required=False)

    class Meta:
        model = Outlet
        fields = ["name", "kind", "medium", "is_active", "confirm_within_hours", "notes"]

    # The kind's settings are shown before the secret (see _outlet_fields.html).
    field_order = [
        "name",
        "kind",
        "medium",
        "is_active",
        "confirm_within_hours",
        "secret",
        "clear_secret",
        "notes",
    ]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        self.fields["kind"].disabled = True
        if not self.instance.pk and not self.initial.get("medium"):
            # Shown chosen, so that whoever sets the outlet up sees what it counts for.
            self.initial["medium"] = Outlet.DEFAULT_MEDIUM.get(kind, "")
        channel = channel_of(kind)
        if channel is None or channel.delivery_mode == DeliveryMode.PUSH:
            # A push outlet answers at once: there is no confirmation to wait for.
            del self.fields["confirm_within_hours"]
        else:
            self.fields["confirm_within_hours"].widget.attrs["placeholder"] = _(
                "默认 %(hours)d 小时"
            ) % {"hours": channel.default_confirm_within_hours}
        config_class = channel.config_form_class if channel else None
        self.config_form = (
            config_class(
                data=self.data if self.is_bound else None,
                prefix="config",
                initial=self.instance.config,
            )
            if config_class
            else None
        )
        self.fields["kind"].help_text = _("渠道类型在新建时选定，之后不能更改。")
        secret_help = str(getattr(config_class, "secret_help", ""))
        self.fields["secret"].label = getattr(config_class, "secret_label", _("接口密钥"))
        if self.instance.secret:
            self.fields["secret"].help_text = str(_("已设置（留空则不变）。")) + secret_help
        else:
            self.fields["secret"].help_text = str(_("未设置。")) + secret_help
            del self.fields["clear_secret"]

    def is_valid(self) -> bool:
        # Both forms are checked, so that every mistake is shown at once.
        valid = super().is_valid()
        return (self.config_form is None or self.config_form.is_valid()) and valid

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("secret") and cleaned.get("clear_secret"):
            self.add_error("clear_secret", _("填写新密钥时不能同时清除密钥。"))
        return cleaned

    def _post_clean(self):
        # Set before the model is validated and saved; an empty field keeps what is stored.
        if self.cleaned_data.get("secret"):
            self.instance.secret = self.cleaned_data["secret"]
        elif self.cleaned_data.get("clear_secret"):
            self.instance.secret = ""
        if self.config_form is not None and self.config_form.is_valid():
            self.instance.config = {**(self.instance.config or {}), **self.config_form.cleaned_data}
        super()._post_clean()
