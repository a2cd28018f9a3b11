"""Admin views: set up an outlet of a chosen kind; schedule a page to outlets with each
outlet's preview and files; move, retry, cancel or delete a placement. Thin: they call
``services`` and ``selectors``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    WagtailAdminTemplateMixin,
)
from wagtail.models import Page

from .channels.base import OutletFile
from .forms import ROWS, PagePickForm, ScheduleForm, outlet_kind_choices
from .models import DeliveryRecord, Outlet, Placement
from .selectors import outlet_file, outlet_previews
from .services import (
    DELETABLE,
    EDITABLE,
    TransitionError,
    placement_cancel,
    placement_deletable,
    placement_delete,
    placement_edit_refusal,
    placement_reschedule,
    placement_retry,
    placements_schedule,
)


def placements_breadcrumbs() -> list[dict]:
    """Home › 排期, the trail above the scheduler's own pages."""
    return [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse("media_schedule_placement:index"), "label": _("排期")},
    ]


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

    def get_initial(self):
        # The planner and the calendar link here with the campaign and rows filled in
        # (?campaign=…&outlet_0=…&due_at_0=…); the form checks them as if typed.
        fields = ScheduleForm.base_fields.keys() | {
            f"{name}_{row}" for name in ("outlet", "due_at") for row in range(ROWS)
        }
        return {key: value for key, value in self.request.GET.items() if key in fields}

    def get_breadcrumbs_items(self):
        return [
            *placements_breadcrumbs(),
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.title,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        entries = form.cleaned_data["entries"]
        outlets = list(dict.fromkeys(outlet for outlet, _due in entries))
        previews = outlet_previews(page=self.page, outlets=outlets)
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
        if kwargs["action"] not in self.actions:
            raise Http404
        self.placement = get_object_or_404(Placement, pk=kwargs["pk"])
        self.action = kwargs["action"]
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.actions[self.action][0]

    def get_page_subtitle(self):
        return str(self.placement)

    def get_breadcrumbs_items(self):
        inspect = reverse("media_schedule_placement:inspect", args=[self.placement.pk])
        return [
            *placements_breadcrumbs(),
            {"url": inspect, "label": str(self.placement)},
            {"url": "", "label": self.get_page_title()},
        ]

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
        # The URL's own ``action`` and ``pk`` arrive in kwargs too; the view's values win.
        context = super().get_context_data(**kwargs)
        context.update(placement=self.placement, action=self.action)
        return context


def editable(placement: Placement) -> bool:
    """Whether to offer "edit": the edit view refuses anything else."""
    return placement.status in EDITABLE


def offer_delete(placement: Placement) -> bool:
    """Whether to offer "delete" for a listed row (annotated with ``has_records``)."""
    return placement.status in DELETABLE and not placement.has_records


class PlacementIndexView(IndexView):
    """The listing offers edit and delete only on the rows where they are allowed."""

    def get_base_queryset(self):
        has_records = Exists(DeliveryRecord.objects.filter(placement=OuterRef("pk")))
        return (
            super()
            .get_base_queryset()
            .select_related("page", "outlet", "campaign")
            .annotate(has_records=has_records)
        )

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if editable(instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if offer_delete(instance) else None


class PlacementCreateView(CreateView):
    """ "Add placement" asks for the item, then opens "schedule to outlets" for it.

    Placements are made there only, where each outlet's version is built and checked.
    """

    submit_button_label = gettext_lazy("下一步：选择发布渠道和时间")

    def get_form_class(self):
        return PagePickForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        return kwargs

    def form_valid(self, form):
        return redirect("media_schedule_page", form.cleaned_data["page"].pk)


def _refuse(request, placement: Placement, message: str):
    messages.error(request, message)
    return redirect("media_schedule_placement:inspect", placement.pk)


class PlacementEditView(EditView):
    """Move a placement that is not in flight to another time or campaign."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if refusal := placement_edit_refusal(self.object):
            return _refuse(request, self.object, refusal)
        return super().get(request, *args, **kwargs)

    def save_instance(self):
        data = self.form.cleaned_data
        return placement_reschedule(
            placement=self.object,
            due_at=data["due_at"],
            campaign=data.get("campaign"),
            user=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TransitionError as error:
            form.add_error(None, str(error))
            self.produced_error_message = str(error)
            return self.form_invalid(form)


class PlacementDeleteView(DeleteView):
    """Delete a placement that never reached its outlet; the others keep their history."""

    def get(self, request, *args, **kwargs):
        if not placement_deletable(self.object):
            return _refuse(request, self.object, self.refusal())
        return super().get(request, *args, **kwargs)

    def refusal(self) -> str:
        return _("这条排期已进入发送流程或已有发送记录，不能删除；可以取消。")

    def delete_action(self):
        placement_delete(placement=self.object, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TransitionError:
            return _refuse(self.request, self.object, self.refusal())


def may_see_files(user) -> bool:
    """Whether ``user`` may download an outlet's files: whoever schedules or reads the
    schedule takes them to the outlet."""
    return user.has_perm("media_schedule.add_placement") or user.has_perm(
        "media_schedule.view_placement"
    )


def _file_response(file: OutletFile) -> HttpResponse:
    response = HttpResponse(file.render(), content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.name)
    return response


class OutletFileView(View):
    """A file an outlet takes (a print-ready copy, a poster), made from the page's version
    for that outlet as the schedule preview shows it."""

    def get(self, request, page_id: int, outlet_id: int, name: str):
        if not may_see_files(request.user):
            raise PermissionDenied
        page = get_object_or_404(Page, pk=page_id)
        outlet = get_object_or_404(Outlet, pk=outlet_id)
        file = outlet_file(outlet=outlet, page=page, name=name)
        if file is None:
            raise Http404
        return _file_response(file)


class PlacementFileView(View):
    """A file made from the version saved on a placement (what was scheduled, not the page
    as it is now)."""

    def get(self, request, pk: int, name: str):
        if not may_see_files(request.user):
            raise PermissionDenied
        placement = get_object_or_404(Placement.objects.select_related("outlet", "page"), pk=pk)
        file = outlet_file(
            outlet=placement.outlet,
            page=placement.page,
            name=name,
            version=placement.version or {},
        )
        if file is None:
            raise Http404
        return _file_response(file)


class OutletKindChoiceView(WagtailAdminTemplateMixin, TemplateView):
    """The first step of a new outlet: which kind, each with what it is for."""

    template_name = "media_schedule/admin/outlet_kind_choice.html"
    page_title = gettext_lazy("新建发布渠道")
    page_subtitle = gettext_lazy("选择渠道类型")
    header_icon = "site"
    add_url = ""
    index_url = ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url, "label": _("发布渠道")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        kinds = [
            {"choice": choice, "url": f"{self.add_url}?{urlencode({'kind': choice.kind})}"}
            for choice in outlet_kind_choices()
        ]
        return super().get_context_data(kinds=kinds, **kwargs)


def _kind_choice(kind: str):
    return next((choice for choice in outlet_kind_choices() if choice.kind == kind), None)


class OutletCreateView(CreateView):
    """A new outlet: without ``?kind=`` the kinds to choose from, then that kind's form."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        kind = request.GET.get("kind", "")
        self.kind = kind if kind in Outlet.Kind.values else None

    def get(self, request, *args, **kwargs):
        if self.kind is None:
            return OutletKindChoiceView.as_view(
                add_url=reverse(self.add_url_name), index_url=reverse(self.index_url_name)
            )(request)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.kind is None:
            return redirect(self.add_url_name)
        return super().post(request, *args, **kwargs)

    def get_initial_form_instance(self):
        return Outlet(kind=self.kind)

    def get_add_url(self):
        return f"{super().get_add_url()}?{urlencode({'kind': self.kind})}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            kind_choice=_kind_choice(self.kind),
            change_kind_url=reverse(self.add_url_name),
            **kwargs,
        )


class OutletEditView(EditView):
    """An outlet's form with its kind's settings; the kind itself no longer changes."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind_choice=_kind_choice(self.object.kind), **kwargs)
