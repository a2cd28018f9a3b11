"""Admin views for evidence: record that a placement ran, correct a record, open a file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .channels import get_channel
from .dispatch.record import ConfirmationRefused, delivery_confirm, record_correct
from .evidence_forms import CorrectionForm, EvidenceForm
from .models import DeliveryEvidence, DeliveryRecord, Placement
from .models.evidence import EVIDENCE_CONTENT_TYPES
from .views import placements_breadcrumbs

CONTENT_TYPES = EVIDENCE_CONTENT_TYPES


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class _PlacementFormView(WagtailAdminTemplateMixin, FormView):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        inspect = reverse("media_schedule_placement:inspect", args=[self.placement.pk])
        return [
            *placements_breadcrumbs(),
            {"url": inspect, "label": str(self.placement)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return str(self.placement)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(placement=self.placement, view=self)
        return context


class PlacementEvidenceView(_PlacementFormView):
    """登记刊播证据: the evidence that a placement ran delivers it."""

    form_class = EvidenceForm
    template_name = "media_schedule/admin/evidence_form.html"
    page_title = gettext_lazy("登记刊播证据")

    def dispatch(self, request, *args, **kwargs):
        _require(request, "media_schedule.change_placement")
        self.placement = get_object_or_404(
            Placement.objects.select_related("outlet", "page"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # Most evidence is for the planned day; the editor corrects the time if it ran later.
        return {"confirmed_at": timezone.localtime(min(self.placement.due_at, timezone.now()))}

    def get_context_data(self, **kwargs):
        try:
            hint = get_channel(self.placement.outlet.kind).evidence_hint
        except LookupError:
            hint = ""
        return super().get_context_data(hint=hint, **kwargs)

    def form_valid(self, form):
        try:
            delivery_confirm(
                placement=self.placement,
                source=DeliveryRecord.Source.EDITOR,
                user=self.request.user,
                confirmed_at=form.cleaned_data["confirmed_at"],
                note=form.cleaned_data["note"],
                url=form.cleaned_data["url"],
                details=form.details(),
                evidence=form.evidence,
            )
        except ConfirmationRefused as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("已登记刊播证据，该排期记为已送达。"))
        return redirect("media_schedule_placement:inspect", self.placement.pk)


class RecordCorrectView(_PlacementFormView):
    """更正记录: a new record that supersedes one in the history."""

    form_class = CorrectionForm
    template_name = "media_schedule/admin/evidence_form.html"
    page_title = gettext_lazy("更正播发记录")

    def dispatch(self, request, *args, **kwargs):
        _require(request, "media_schedule.change_placement")
        self.record = get_object_or_404(
            DeliveryRecord.objects.select_related("placement__outlet", "placement__page"),
            pk=kwargs["pk"],
        )
        self.placement = self.record.placement
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, **kwargs)

    def form_valid(self, form):
        try:
            record_correct(
                record=self.record,
                user=self.request.user,
                note=form.cleaned_data["note"],
                ran=form.cleaned_data["ran"],
                url=form.cleaned_data["url"],
                evidence=form.evidence,
            )
        except ConfirmationRefused as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("已更正，原记录保留并标注为已更正。"))
        return redirect("media_schedule_placement:inspect", self.placement.pk)


def evidence_file(request, pk: int):
    """One evidence file, to users who may see the schedule; never from a public URL."""
    _require(request, "media_schedule.view_placement")
    piece = get_object_or_404(DeliveryEvidence, pk=pk)
    if not piece.file:
        raise Http404
    response = FileResponse(
        piece.file.open("rb"),
        content_type=CONTENT_TYPES.get(piece.file_format, "application/octet-stream"),
        as_attachment=piece.file_format not in CONTENT_TYPES,
        filename=piece.original_name or piece.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
