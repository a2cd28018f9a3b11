"""The calendar and planner in the admin menu and URLs, and the key-dates dashboard panel."""

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from publicity.campaign_targets import describe
from publicity.models import long_date

from . import views
from .planning import upcoming_key_dates

app_name = "schedule_calendar"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("events/", views.FeedView.as_view(), name="feed"),
    path("placements/<int:pk>/move/", views.MoveView.as_view(), name="move"),
    path("planner/", views.PlannerView.as_view(), name="planner"),
    path("plan/", views.PlanItemView.as_view(), name="plan_item"),
]


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [path("schedule/calendar/", include((urlpatterns, app_name)))]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_see_calendar(request.user)


class PlannerMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_plan(request.user)


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    return CalendarMenuItem(
        _("排期日历"), reverse("schedule_calendar:calendar"), icon_name="calendar-alt", order=260
    )


@hooks.register("register_admin_menu_item")
def register_planner_menu_item():
    return PlannerMenuItem(
        _("宣传活动策划"), reverse("schedule_calendar:planner"), icon_name="calendar", order=261
    )


class KeyDatesPanel(Component):
    """Dashboard panel: the next key dates and whether their campaign is planned to target."""

    name = "key_dates"
    order = 80
    template_name = "media_schedule/calendar/key_dates_panel.html"

    def __init__(self, *, can_plan: bool):
        self.can_plan = can_plan

    @property
    def media(self):
        return forms.Media(css={"all": ["media_schedule/calendar/calendar.css"]})

    def get_context_data(self, parent_context):
        rows = [
            {
                "status": status,
                "date": long_date(status.occurrence.date),
                "end": long_date(status.occurrence.ends_on) if status.occurrence.is_window else "",
                "targets": [(describe(a.target), a.met) for a in status.assessments],
            }
            for status in upcoming_key_dates(limit=5)
        ]
        return {
            "rows": rows,
            "can_plan": self.can_plan,
            "planner_url": reverse("schedule_calendar:planner"),
            "calendar_url": reverse("schedule_calendar:calendar"),
        }


@hooks.register("construct_homepage_panels")
def add_key_dates_panel(request, panels):
    user = request.user
    if user.has_perm("publicity.view_campaign") or views.may_see_calendar(user):
        panels.append(KeyDatesPanel(can_plan=views.may_plan(user)))
