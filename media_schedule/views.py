"""Admin views: schedule a page to outlets, retry or cancel a placement. Thin: they call
``services`` and ``selectors``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.models import Page

from .forms import ScheduleForm
from .models import Placement
from .services import (
    TransitionError,
    outlet_version,
    placement_cancel,
    placement_retry,
    placements_schedule,
)


class ScheduleView(WagtailAdminTemplateMixin, FormView):
    """Pick several outlets and times for one page, preview each outlet's version, save."""

    form_class = ScheduleForm
    template_name = "media_schedule/admin/schedule.html"
    page_title = gettext_lazy("排期发布")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("media_schedule.add_placement"):
            raise PermissionDenied
        self.page = get_object_or_404(Page, pk=kwargs["page_id"]).specific
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.page.title

    def form_valid(self, form):
        entries = form.cleaned_data["entries"]
        previews = []
        for outlet in dict.fromkeys(outlet for outlet, _due in entries):
            previews.append(outlet_version(outlet=outlet, page=self.page))
        if "save" not in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form, previews=previews))
        try:
            placements = placements_schedule(
                page=self.page,
                entries=entries,
                campaign=form.cleaned_data["campaign"],
                user=self.request.user,
            )
        except TransitionError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form, previews=previews))
        messages.success(
            self.request,
            _("已为“%(title)s”创建 %(count)d 条排期。")
            % {"title": self.page.title, "count": len(placements)},
        )
        return redirect(reverse("media_schedule_placement:index") + f"?page_id={self.page.pk}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, **kwargs)


class PlacementActionView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then retry or cancel one placement."""

    template_name = "media_schedule/admin/placement_action.html"
    header_icon = "date"
    actions = {
        "retry": (gettext_lazy("重试排期"), placement_retry),
        "cancel": (gettext_lazy("取消排期"), placement_cancel),
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("media_schedule.change_placement"):
            raise PermissionDenied
        self.placement = get_object_or_404(Placement, pk=kwargs["pk"])
        self.action = kwargs["action"]
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.actions[self.action][0]

    def get_page_subtitle(self):
        return str(self.placement)

    def post(self, request, *args, **kwargs):
        service = self.actions[self.action][1]
        try:
            service(placement=self.placement, user=request.user)
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(action)s：已完成。") % {"action": self.get_page_title()})
        return redirect("media_schedule_placement:inspect", self.placement.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(placement=self.placement, action=self.action, **kwargs)
