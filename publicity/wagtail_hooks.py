"""Admin registration: the 双拥宣传 snippets menu, the consent dashboard panel and the rule
that publishing goes through the 三审 workflow."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .forms import CampaignForm
from .models import Campaign, KeyDate, Theme
from .services import exemplars_lapsing
from .workflow import approval_required


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("主题")
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    # Searched in the database like the other two: the search index holds no description.
    search_backend_name = None
    ordering = ["name"]


class KeyDateViewSet(SnippetViewSet):
    model = KeyDate
    icon = "date"
    menu_label = _("重要节点")
    list_display = ["name", "rule_display", "lead_days"]
    list_filter = ["calendar", "month", "themes"]
    search_fields = ["name", "description"]


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    edit_handler = ObjectList(Campaign.panels, base_form_class=CampaignForm)
    icon = "calendar-alt"
    menu_label = _("宣传活动")
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "key_date",
        Column("targets_summary", label=_("宣传目标")),
    ]
    list_filter = ["key_date", "themes"]
    list_export = ["name", "starts_on", "ends_on", "key_date", "targets_summary", "description"]
    export_headings = {"targets_summary": _("宣传目标")}
    search_fields = ["name", "description"]


class PublicityViewSetGroup(SnippetViewSetGroup):
    items = (ThemeViewSet, KeyDateViewSet, CampaignViewSet)
    menu_icon = "pick"
    menu_label = _("双拥宣传")
    menu_name = "publicity"


register_snippet(PublicityViewSetGroup)


class ConsentLapsingPanel(Component):
    """Dashboard list of exemplars whose consent to be shown lapses soon or has lapsed."""

    name = "publicity_consent"
    template_name = "publicity/admin/consent_panel.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["exemplars"] = list(exemplars_lapsing()[:20])
        return context


@hooks.register("construct_homepage_panels")
def add_consent_panel(request, panels):
    panels.append(ConsentLapsingPanel())


def _publish_blocked(page) -> bool:
    return approval_required() and page.get_workflow() is not None


@hooks.register("construct_page_action_menu")
def hide_direct_publish(menu_items, request, context):
    # Publishing is the last step of 三审, never a shortcut around it.
    page = context.get("page") or context.get("parent_page")
    if page is not None and _publish_blocked(page):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


def _refuse_direct_publish(request, page):
    if request.method == "POST" and "action-publish" in request.POST and _publish_blocked(page):
        messages.error(request, _("本页面须经三审（初审、复审、终审）通过后才能发布，请提交审核。"))
        return redirect(request.get_full_path())
    return None


@hooks.register("before_edit_page")
def refuse_direct_publish_on_edit(request, page):
    return _refuse_direct_publish(request, page)


@hooks.register("before_create_page")
def refuse_direct_publish_on_create(request, parent_page, page_class):
    return _refuse_direct_publish(request, parent_page)


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type == "publish" and any(_publish_blocked(page) for page in objects):
        messages.error(request, _("批量发布不适用于需三审的页面，请逐篇提交审核。"))
        return redirect(request.META.get("HTTP_REFERER") or "wagtailadmin_home")
    return None
