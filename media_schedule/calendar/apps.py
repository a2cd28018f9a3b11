from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "media_schedule.calendar"
    label = "schedule_calendar"
    verbose_name = _("排期日历")
