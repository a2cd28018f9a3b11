from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastConfig(AppConfig):
    name = "media_schedule.channels.broadcast"
    label = "broadcast"
    verbose_name = _("广播电视")
    default_auto_field = "django.db.models.BigAutoField"
