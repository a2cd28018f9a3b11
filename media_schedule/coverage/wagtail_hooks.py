"""Wagtail admin: the coverage menu, the dashboard panel, the standard's items (CRUD)."""

from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_urls
from .columns import FOUR_MEDIA
from .matrix import coverage_matrix
from .models import StandardItem
from .periods import DAY, WEEK, period_bounds, period_label
from .views import VIEW_ARCHIVE, VIEW_COVERAGE, VIEW_ITEMS


class StandardItemViewSet(ModelViewSet):
    model = StandardItem
    icon = "list-ul"
    menu_label = _("考评标准条目")
    add_to_admin_menu = False
    list_display = ["code", "text", "starts_on", "ends_on", "medium", "required_count"]
    list_filter = ["medium", "theme"]
    search_fields = ["code", "text"]
    form_fields = [
        "code",
        "text",
        "starts_on",
        "ends_on",
        "medium",
        "theme",
        "required_count",
        "responsible",
        "sort_order",
    ]


standard_item_viewset = StandardItemViewSet("coverage_items")


@hooks.register("register_admin_viewset")
def register_standard_item_viewset():
    return standard_item_viewset


@hooks.register("register_admin_urls")
def register_coverage_urls():
    return [path("coverage/", include(admin_urls, namespace="coverage"))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_coverage_menu():
    menu = Menu(
        items=[
            PermissionMenuItem(
                _("覆盖报表"),
                reverse("coverage:report"),
                icon_name="table",
                permission=VIEW_COVERAGE,
                order=10,
            ),
            PermissionMenuItem(
                _("考评标准"),
                reverse("coverage:standard"),
                icon_name="tasks",
                permission=VIEW_ITEMS,
                order=20,
            ),
            PermissionMenuItem(
                _("资料归档"),
                reverse("coverage:archive"),
                icon_name="download",
                permission=VIEW_ARCHIVE,
                order=30,
            ),
        ]
    )
    return SubmenuMenuItem(_("宣传覆盖"), menu, icon_name="table", order=350)


class CoveragePanel(Component):
    """Dashboard panel: this week's four media at a glance (delivered, planned, missed)."""

    name = "coverage_week"
    order = 80
    template_name = "coverage/admin/dashboard_panel.html"

    def get_context_data(self, parent_context):
        start, end = period_bounds(WEEK, timezone.localdate())
        matrix = coverage_matrix(
            start=start, end=end, granularity=DAY, with_links=False, with_suggestions=False
        )
        media = [matrix.row(column) for column in FOUR_MEDIA]
        return {
            "media": media,
            "period": period_label(start, end),
            "report_url": reverse("coverage:report"),
        }


@hooks.register("construct_homepage_panels")
def add_coverage_panel(request, panels):
    if request.user.has_perm(VIEW_COVERAGE):
        panels.append(CoveragePanel())
