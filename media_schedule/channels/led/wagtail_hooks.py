"""Wagtail admin: screens (CRUD), their loops with previews, export and insertions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_urls
from .models import TOKEN_ROTATED, Screen


class ScreenViewSet(ModelViewSet):
    model = Screen
    icon = "desktop"
    menu_label = _("显示屏登记")
    add_to_admin_menu = False
    list_display = ["__str__", "location", "controller_vendor", "controller_model"]
    list_filter = ["colour_mode"]
    form_fields = [
        "outlet",
        "width",
        "height",
        "colour_mode",
        "led_colour",
        "location",
        "opens_at",
        "closes_at",
        "controller_vendor",
        "controller_model",
    ]


screen_viewset = ScreenViewSet("led_screens")


@hooks.register("register_admin_viewset")
def register_screen_viewset():
    return screen_viewset


@hooks.register("register_log_actions")
def register_led_log_actions(actions):
    actions.register_action(TOKEN_ROTATED, _("重新生成拉取密钥"), _("重新生成了拉取密钥"))


@hooks.register("register_admin_urls")
def register_led_urls():
    return [path("led/", include(admin_urls, namespace="led_admin"))]


class ScreensMenuItem(MenuItem):
    """Shown only to users who may open the screen pages (``led.view_screen``)."""

    def is_shown(self, request):
        return request.user.has_perm("led.view_screen")


@hooks.register("register_admin_menu_item")
def register_led_menu_item():
    return ScreensMenuItem(
        _("户外显示屏"), reverse("led_admin:index"), icon_name="desktop", order=400
    )
