from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedConfig(AppConfig):
    name = "media_schedule.channels.led"
    label = "led"
    verbose_name = _("户外显示屏")
    default_auto_field = "django.db.models.BigAutoField"
