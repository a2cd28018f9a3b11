from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("宣传内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import exports, search_backend, signal_handlers

        signal_handlers.register()
        exports.install()
        post_migrate.connect(search_backend.rebuild_stale_index, sender=self)
