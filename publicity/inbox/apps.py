from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "publicity.inbox"
    label = "inbox"
    verbose_name = _("订阅收件箱")
    default_auto_field = "django.db.models.BigAutoField"
