"""The report's filters: a period (this week, month, quarter, year, or custom dates), its
buckets, and a campaign or theme."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publicity.models import Campaign, Theme

from .periods import (
    CUSTOM,
    DAY,
    DEFAULT_GRANULARITY,
    GRANULARITY_CHOICES,
    MAX_DAYS,
    PERIOD_CHOICES,
    WEEK,
    period_bounds,
)

# A day-by-day matrix wider than this is unreadable: weeks are asked for instead.
MAX_DAY_BUCKETS = 92


class CoverageFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("期间"), choices=PERIOD_CHOICES, required=False)
    date = forms.DateField(
        label=_("所在日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("本周、本月等以此日期所在的期间计算，留空为今天。"),
    )
    start = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    granularity = forms.ChoiceField(
        label=_("统计单位"), choices=[("", _("自动")), *GRANULARITY_CHOICES], required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("宣传活动"), queryset=Campaign.objects.all(), required=False,
        empty_label=_("全部"),
    )  # fmt: skip
    theme = forms.ModelChoiceField(
        label=_("主题"), queryset=Theme.objects.all(), required=False, empty_label=_("全部")
    )

    def clean(self):
        data = super().clean()
        period = data.get("period") or WEEK
        if period == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(_("自定义期间请填写开始和结束日期。"))
            if end < start:
                raise forms.ValidationError(_("结束日期不能早于开始日期。"))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("期间最长 %(days)d 天，请缩短。") % {"days": MAX_DAYS}
                )
        else:
            anchor = data.get("date") or timezone.localdate()
            start, end = period_bounds(period, anchor)
        granularity = data.get("granularity") or DEFAULT_GRANULARITY.get(
            period, DAY if (end - start).days < 31 else WEEK
        )
        if granularity == DAY and (end - start).days + 1 > MAX_DAY_BUCKETS:
            raise forms.ValidationError(
                _("按日统计最长 %(days)d 天，请改为按周或按月。") % {"days": MAX_DAY_BUCKETS}
            )
        data.update(period=period, start=start, end=end, granularity=granularity)
        return data


def resolve_filters(params) -> tuple[CoverageFilterForm, dict | None]:
    """The bound form and its cleaned values (``None`` when invalid)."""
    form = CoverageFilterForm(params or None)
    if not params:
        form = CoverageFilterForm({"period": WEEK})
    if form.is_valid():
        return form, form.cleaned_data
    return form, None


def parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
