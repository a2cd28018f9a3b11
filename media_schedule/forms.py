"""The "schedule to outlets" form (several outlets, each at its own time, in one go) and the
outlet form, whose API secret is write-only."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput, AdminPageChooser
from wagtail.models import Page

from publicity.models import Campaign

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


# Config entries whose names say they hold a credential (app_secret, api_key, access_token,
# password): those belong in the write-only secret field.
CREDENTIAL_NAME = re.compile(r"secret|passw|token$|(?:^|_)(?:api|app|access)?_?key$", re.IGNORECASE)


class OutletForm(forms.ModelForm):
    """An outlet, with its API secret write-only: the stored secret is never sent back.

    Left empty, the secret stays as it is; a new value replaces it; "清除" removes it.
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
        fields = ["name", "kind", "medium", "is_active", "config", "notes"]

    field_order = ["name", "kind", "medium", "is_active", "config", "secret", "clear_secret"]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        if self.instance.secret:
            self.fields["secret"].help_text = _("已设置（留空则不变）。例如公众号的 AppSecret。")
        else:
            self.fields["secret"].help_text = _("未设置。例如公众号的 AppSecret。")
            del self.fields["clear_secret"]

    def clean_config(self):
        config = self.cleaned_data["config"]
        if not isinstance(config, dict):
            raise forms.ValidationError(_('接口配置须为 JSON 对象，例如 {"app_id": "wx…"}。'))
        found = sorted(
            key
            for key, value in config.items()
            if CREDENTIAL_NAME.search(str(key)) and isinstance(value, str) and value.strip()
        )
        if found:
            raise forms.ValidationError(
                _("接口配置会显示给编辑人员，不能存放密钥（%(keys)s）；请填写在“接口密钥”中。")
                % {"keys": "、".join(found)}
            )
        return config

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
        super()._post_clean()
