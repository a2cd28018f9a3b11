"""The "schedule to outlets" form: several outlets, each at its own time, in one go."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput, AdminPageChooser
from wagtail.models import Page

from publicity.models import Campaign

from .models import Outlet

ROWS = 6


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
                label=_("计划时间"), required=False, widget=AdminDateTimeInput
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
