"""App configurations of the project itself, and Wagtail's user admin with our forms."""

from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class OutreachSiteConfig(AppConfig):
    name = "outreach_site"
    default = True

    def ready(self):
        from . import users

        users.relax_account_form()


class UsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, where a person has one 姓名 and may have no e-mail address."""

    user_viewset = "outreach_site.users.UserViewSet"
