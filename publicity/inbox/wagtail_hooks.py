"""Admin registration: feed sources (with their health), the inbox and the dashboard flag."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_urls
from .models import FeedSource
from .selectors import flagged_sources
from .services import feed_source_saved


class FeedSourceEditView(EditView):
    def save_instance(self):
        source = super().save_instance()
        feed_source_saved(source=source)
        return source


class FeedSourceViewSet(ModelViewSet):
    model = FeedSource
    edit_view_class = FeedSourceEditView
    icon = "link-external"
    menu_label = _("订阅源")
    menu_order = 250
    add_to_admin_menu = True
    list_display = [
        "name",
        "url",
        "health_display",
        "last_success_at",
        "entries_seen",
        "next_poll_at",
    ]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    ordering = ["name"]


feed_source_viewset = FeedSourceViewSet("inbox_sources")


@hooks.register("register_admin_viewset")
def register_feed_source_viewset():
    return feed_source_viewset


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [path("inbox/", include(admin_urls, namespace="inbox"))]


class InboxMenuItem(MenuItem):
    """Shown only to users who may read the inbox."""

    def is_shown(self, request):
        return request.user.has_perm("inbox.view_feedentry")


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(_("订阅收件箱"), reverse("inbox:index"), icon_name="mail", order=240)


class FailingSourcesPanel(Component):
    """Dashboard list of sources that keep failing, for users who may see sources."""

    name = "inbox_failing_sources"
    template_name = "inbox/failing_panel.html"
    order = 95

    def __init__(self, sources):
        self.sources = sources

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["sources"] = self.sources
        return context


@hooks.register("construct_homepage_panels")
def add_failing_sources_panel(request, panels):
    if not request.user.has_perm("inbox.view_feedsource"):
        return
    sources = list(flagged_sources()[:20])
    if sources:
        panels.append(FailingSourcesPanel(sources))
