"""Wagtail admin: slots and their exceptions (CRUD), the stations' day views and rundowns."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_urls
from .forms import SlotForm
from .models import BroadcastSlot, SlotException


class SlotViewSet(ModelViewSet):
    model = BroadcastSlot
    icon = "time"
    menu_label = _("播出时段")
    add_to_admin_menu = False
    list_display = ["name", "outlet", "rule", "start_time", "capacity_seconds", "is_active"]
    list_filter = ["outlet", "is_active"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return SlotForm


class SlotExceptionViewSet(ModelViewSet):
    model = SlotException
    icon = "cross"
    menu_label = _("时段例外")
    add_to_admin_menu = False
    form_fields = ["slot", "original_start", "action", "moved_to", "note"]
    list_display = ["slot", "original_start", "action", "moved_to", "note"]
    list_filter = ["action"]


slot_viewset = SlotViewSet("broadcast_slots")
exception_viewset = SlotExceptionViewSet("broadcast_exceptions")


@hooks.register("register_admin_viewset")
def register_slot_viewset():
    return slot_viewset


@hooks.register("register_admin_viewset")
def register_exception_viewset():
    return exception_viewset


@hooks.register("register_admin_urls")
def register_broadcast_urls():
    return [path("broadcast/", include(admin_urls, namespace="broadcast_admin"))]


class BroadcastMenuItem(MenuItem):
    """Shown only to users who may open the station pages (``broadcast.view_slotbooking``)."""

    def is_shown(self, request):
        return request.user.has_perm("broadcast.view_slotbooking")


@hooks.register("register_admin_menu_item")
def register_broadcast_menu_item():
    return BroadcastMenuItem(
        _("广播电视"), reverse("broadcast_admin:index"), icon_name="time", order=410
    )
