"""Admin registration: outlets and placements, "schedule to outlets" from a page, the
dashboard panel. Views and panels call ``services`` and ``selectors``."""

import datetime

from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from .dispatch.record import confirmable_statuses
from .evidence_views import PlacementEvidenceView, RecordCorrectView, evidence_file
from .filters import OutletFilterSet, PlacementFilterSet
from .forms import OutletForm
from .models import Outlet, Placement
from .selectors import delivery_receipts, placement_preview, schedule_health
from .services import CANCELLABLE, RETRYABLE, placement_deletable
from .views import (
    OutletCreateView,
    OutletEditView,
    OutletFileView,
    PlacementActionView,
    PlacementCreateView,
    PlacementDeleteView,
    PlacementEditView,
    PlacementFileView,
    PlacementIndexView,
    ScheduleView,
    editable,
    may_see_files,
)


class OutletViewSet(ModelViewSet):
    model = Outlet
    url_prefix = "schedule/outlets"
    icon = "site"
    menu_label = _("发布渠道")
    list_display = ["name", "kind", "medium", "is_active"]
    list_export = ["name", "get_kind_display", "get_medium_display", "is_active", "notes"]
    export_headings = {"get_kind_display": _("渠道类型"), "get_medium_display": _("计入媒介")}
    export_filename = "outlets"
    filterset_class = OutletFilterSet
    search_fields = ["name", "notes"]
    copy_view_enabled = False
    # "Add" asks for the kind first; both forms carry the kind's own settings.
    add_view_class = OutletCreateView
    edit_view_class = OutletEditView
    create_template_name = "media_schedule/admin/outlet_create.html"
    edit_template_name = "media_schedule/admin/outlet_edit.html"

    def get_form_class(self, for_update=False):
        # The API secret is write-only and the settings are the kind's: see OutletForm.
        return OutletForm


class PlacementInspectView(InspectView):
    """A placement's fields, its version as the outlet's audience sees it, and its history:
    every attempt, error and receipt in words."""

    template_name = "media_schedule/admin/placement_inspect.html"

    @cached_property
    def preview(self):
        return placement_preview(placement=self.object)

    def get_field_display_value(self, field_name, field):
        """Times in the site's time zone, the version as its audience sees it, a dash for
        nothing."""
        if field_name == "version":
            return self.preview.html or gettext("（该渠道暂无预览）")
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return "—"
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), gettext("Y年n月j日 H:i:s"))
        return value

    def get_context_data(self, **kwargs):
        placement = self.object
        files = self.preview.files if may_see_files(self.request.user) else []
        return super().get_context_data(
            records=delivery_receipts(placement=placement),
            files=files,
            can_retry=placement.status in RETRYABLE,
            can_cancel=placement.status in CANCELLABLE,
            can_record_evidence=placement.status in confirmable_statuses(placement),
            may_correct=self.request.user.has_perm("media_schedule.change_placement"),
            overdue=placement.is_overdue_for_confirmation(),
            **kwargs,
        )

    def get_edit_url(self):
        return super().get_edit_url() if editable(self.object) else None

    def get_delete_url(self):
        return super().get_delete_url() if placement_deletable(self.object) else None


class PlacementViewSet(ModelViewSet):
    model = Placement
    url_prefix = "schedule/placements"
    icon = "date"
    menu_label = _("排期")
    # Item and outlet are fixed once scheduled (the version belongs to both); see the views.
    form_fields = ["due_at", "campaign"]
    index_view_class = PlacementIndexView
    add_view_class = PlacementCreateView
    edit_view_class = PlacementEditView
    delete_view_class = PlacementDeleteView
    list_display = ["page", "outlet", "due_at", "status", "attempts", "last_error"]
    list_export = [
        "page",
        "outlet",
        "campaign",
        "due_display",
        "get_status_display",
        "attempts",
        "delivered_at",
        "result_url",
        "external_id",
        "last_error",
        "idempotency_key",
    ]
    export_filename = "placements"
    export_headings = {"due_display": _("计划时间"), "get_status_display": _("状态")}
    filterset_class = PlacementFilterSet
    inspect_view_enabled = True
    inspect_view_class = PlacementInspectView
    inspect_view_fields = [
        "page",
        "outlet",
        "campaign",
        "due_at",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "idempotency_key",
        "external_id",
        "result_url",
        "delivered_at",
        "version",
    ]
    copy_view_enabled = False


class ScheduleViewSetGroup(ViewSetGroup):
    menu_label = _("媒体排期")
    menu_icon = "date"
    menu_order = 250
    items = (PlacementViewSet("media_schedule_placement"), OutletViewSet("media_schedule_outlet"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ScheduleViewSetGroup()


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("schedule/page/<int:page_id>/", ScheduleView.as_view(), name="media_schedule_page"),
        path(
            "schedule/placement/<int:pk>/<str:action>/",
            PlacementActionView.as_view(),
            name="media_schedule_placement_action",
        ),
        path(
            "schedule/page/<int:page_id>/outlet/<int:outlet_id>/files/<str:name>",
            OutletFileView.as_view(),
            name="media_schedule_outlet_file",
        ),
        path(
            "schedule/placement/<int:pk>/files/<str:name>",
            PlacementFileView.as_view(),
            name="media_schedule_placement_file",
        ),
    ]


class ScheduleToOutletsButton(PageMenuItem):
    """ "排期发布" on a page: opens the schedule-to-outlets view for it."""

    label = _("排期发布")
    icon_name = "date"
    url_name = "media_schedule_page"

    def is_shown(self, user):
        return user.has_perm("media_schedule.add_placement") and not self.page.is_root()


def _schedule_button(page, user, priority):
    yield ScheduleToOutletsButton(page=page, priority=priority)


@hooks.register("register_page_listing_more_buttons")
def page_listing_schedule_button(page, user, next_url=None):
    yield from _schedule_button(page, user, priority=45)


@hooks.register("register_page_header_buttons")
def page_header_schedule_button(page, user, view_name, next_url=None):
    yield from _schedule_button(page, user, priority=55)


class ScheduleHealthPanel(Component):
    """Dashboard panel: failed, late, backlogged, held and unconfirmed placements, and those
    overdue for confirmation."""

    name = "schedule_health"
    order = 90
    template_name = "media_schedule/admin/schedule_health_panel.html"
    labels = {
        "failed": _("发送失败"),
        "late": _("已超时未送达"),
        "backlog": _("积压待发送"),
        "awaiting_approval": _("等待审核通过"),
        "unconfirmed": _("结果待核实"),
        "overdue_confirmation": _("逾期未确认刊播"),
    }
    filters = {
        "failed": "?status=failed",
        "late": "",
        "backlog": "?status=approved&status=queued",
        "awaiting_approval": "?status=planned",
        "unconfirmed": "?status=unconfirmed",
        "overdue_confirmation": "?status=awaiting",
    }

    def get_context_data(self, parent_context):
        index = reverse("media_schedule_placement:index")
        sections = [
            {
                "key": key,
                "label": self.labels[key],
                "count": count,
                "rows": rows,
                "url": index + self.filters[key],
            }
            for key, count, rows in schedule_health().sections()
        ]
        return {"sections": sections, "index_url": index}


@hooks.register("construct_homepage_panels")
def add_schedule_health_panel(request, panels):
    if request.user.has_perm("media_schedule.view_placement") or request.user.has_perm(
        "media_schedule.change_placement"
    ):
        panels.append(ScheduleHealthPanel())


@hooks.register("register_reports_menu_item")
def register_placement_report_menu_item():
    return MenuItem(
        _("排期异常"),
        reverse("media_schedule_placement:index") + "?status=failed&status=unconfirmed",
        icon_name="warning",
        order=900,
    )


@hooks.register("register_admin_urls")
def register_evidence_urls():
    return [
        path(
            "schedule/placements/<int:pk>/evidence/",
            PlacementEvidenceView.as_view(),
            name="media_schedule_evidence",
        ),
        path(
            "schedule/records/<int:pk>/correct/",
            RecordCorrectView.as_view(),
            name="media_schedule_record_correct",
        ),
        path("schedule/evidence/<int:pk>/", evidence_file, name="media_schedule_evidence_file"),
    ]
