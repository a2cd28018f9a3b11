"""Listing filters of the admin: outlet, medium, status, campaign and a due-date range."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from publicity.models import Campaign

from .models import Medium, Outlet, Placement


class PlacementFilterSet(WagtailFilterSet):
    outlet = django_filters.ModelChoiceFilter(label=_("发布渠道"), queryset=Outlet.objects.all())
    medium = django_filters.ChoiceFilter(
        label=_("计入媒介"), field_name="outlet__medium", choices=Medium.choices
    )
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=Placement.Status.choices)
    campaign = django_filters.ModelChoiceFilter(
        label=_("宣传活动"), queryset=Campaign.objects.all()
    )
    page_id = django_filters.NumberFilter(label=_("页面编号"), field_name="page_id")
    due_at = django_filters.DateFromToRangeFilter(label=_("计划日期"), widget=DateRangePickerWidget)

    class Meta:
        model = Placement
        fields = ["outlet", "medium", "status", "campaign", "due_at", "page_id"]


class OutletFilterSet(WagtailFilterSet):
    class Meta:
        model = Outlet
        fields = ["kind", "medium", "is_active"]
