from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaScheduleConfig(AppConfig):
    name = "media_schedule"
    verbose_name = _("媒体排期")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .channels.registry import load_channels

        # A mistyped adapter path in OUTREACH_CHANNELS stops start-up here, with its name.
        load_channels()
