from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("宣传内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import exports, signal_handlers

        signal_handlers.register()
        exports.install()
