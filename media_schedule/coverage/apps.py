from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "media_schedule.coverage"
    label = "coverage"
    verbose_name = _("宣传覆盖与归档")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401 (connects the roll-up to the delivery log)
