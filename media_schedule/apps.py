from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaScheduleConfig(AppConfig):
    name = "media_schedule"
    verbose_name = _("媒体排期")
    default_auto_field = "django.db.models.BigAutoField"
