"""The planner's forms: a campaign for a key date, and "plan something on this day"."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput, AdminPageChooser
from wagtail.models import Page

from publicity.campaign_targets import Medium, parse_targets
from publicity.models import Campaign


class PlannedCampaignForm(forms.Form):
    """A campaign for a key date's occurrence: name, window and targets as people say them."""

    name = forms.CharField(label=_("活动名称"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=AdminDateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=AdminDateInput())
    targets = forms.CharField(
        label=_("宣传目标"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一条，例如：电视每周至少 2 条、广播每天 1 次、户外屏全程滚动。"),
    )

    def clean_targets(self):
        return parse_targets(self.cleaned_data["targets"])

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("结束日期不能早于开始日期。"))
            elif (ends_on - starts_on).days > 366:
                self.add_error("ends_on", _("活动期最长一年。"))
        return cleaned


class PlanItemForm(forms.Form):
    """What to put on a day: an item and the medium; the schedule form takes it from there."""

    page = forms.ModelChoiceField(
        label=_("内容"),
        queryset=Page.objects.filter(depth__gt=1),
        widget=AdminPageChooser(),
        help_text=_("选择要排期的稿件，下一步确认发布渠道和时间。"),
    )
    date = forms.DateField(label=_("日期"), widget=AdminDateInput())
    time = forms.TimeField(label=_("时间"), initial=datetime.time(9, 0))
    medium = forms.ChoiceField(
        label=_("媒介"), choices=[("", _("（下一步选择渠道）")), *Medium.choices], required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("宣传活动"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page chooser looks its value up to show it again: a value that is not an id
        # would fail there, so it is dropped here (the field then says it is required).
        if self.is_bound and not str(self.data.get("page", "")).isdigit():
            self.data = self.data.copy()
            self.data["page"] = ""

    def due_text(self) -> str:
        """The chosen day and time in the schedule form's own format (``DUE_AT_EXAMPLE``)."""
        return f"{self.cleaned_data['date']:%Y-%m-%d} {self.cleaned_data['time']:%H:%M}"
