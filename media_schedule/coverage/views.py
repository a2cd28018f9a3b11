"""Admin pages of coverage: the report with its chart and filters, a cell's records, the
XLSX export, the standard's items with their evidence, and the archive with its progress.

Each view asks for a model permission: the report and its records need
``coverage.view_coverageday``; the standard's items ``coverage.view_standarditem``; evidence
attached by hand is seen with ``coverage.view_itemevidence`` and attached with
``coverage.add_itemevidence``; archives are followed and downloaded with
``coverage.view_archivejob`` and started with ``coverage.add_archivejob``.
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_required

from media_schedule.evidence import EvidenceRefused as FileRefused
from media_schedule.evidence import evidence_from_upload, evidence_from_url
from media_schedule.models import DeliveryRecord, Outlet, Placement
from media_schedule.models.evidence import EVIDENCE_CONTENT_TYPES
from publicity.models import Campaign, Theme

from . import archive
from .chart import heatmap_svg
from .columns import LABELS, rule_columns
from .forms import parse_day, resolve_filters
from .matrix import cell_placements, coverage_matrix, theme_filter
from .models import ArchiveJob, CoveragePlacement, EvidenceMedium, ItemEvidence, StandardItem
from .periods import period_label
from .standards import (
    EvidenceRefused,
    item_evidence_add,
    item_records,
    standard_status,
    standing_evidence,
)
from .xlsx import coverage_workbook

VIEW_COVERAGE = "coverage.view_coverageday"
VIEW_ITEMS = "coverage.view_standarditem"
VIEW_EVIDENCE = "coverage.view_itemevidence"
ADD_EVIDENCE = "coverage.add_itemevidence"
VIEW_ARCHIVE = "coverage.view_archivejob"
ADD_ARCHIVE = "coverage.add_archivejob"

CONTENT_TYPES = EVIDENCE_CONTENT_TYPES


def _matrix_from(cleaned):
    return coverage_matrix(
        start=cleaned["start"],
        end=cleaned["end"],
        granularity=cleaned["granularity"],
        campaign=cleaned.get("campaign"),
        theme=cleaned.get("theme"),
    )


@permission_required(VIEW_COVERAGE)
def report(request):
    """The coverage matrix for the chosen period, campaign and theme, with its heat map."""
    form, cleaned = resolve_filters(request.GET)
    context = {"form": form, "matrix": None}
    if cleaned is not None:
        matrix = _matrix_from(cleaned)
        context.update(
            matrix=matrix,
            chart=mark_safe(heatmap_svg(matrix)),
            period=period_label(matrix.start, matrix.end),
            export_url=reverse("coverage:export") + "?" + request.GET.urlencode(),
            can_archive=request.user.has_perm(ADD_ARCHIVE),
        )
    return render(request, "coverage/admin/report.html", context)


@permission_required(VIEW_COVERAGE)
def export(request):
    """The report as an XLSX workbook."""
    _form, cleaned = resolve_filters(request.GET)
    if cleaned is None:
        messages.error(request, _("筛选条件有误，无法导出。"))
        return redirect("coverage:report")
    matrix = _matrix_from(cleaned)
    content = coverage_workbook(matrix)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _("宣传覆盖_%(start)s_%(end)s.xlsx") % {
        "start": matrix.start.strftime("%Y%m%d"),
        "end": matrix.end.strftime("%Y%m%d"),
    }
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@permission_required(VIEW_COVERAGE)
def cell(request):
    """The delivered records and the placements behind one cell of the matrix."""
    column = request.GET.get("column", "")
    start, end = parse_day(request.GET.get("start")), parse_day(request.GET.get("end"))
    if column not in LABELS or start is None or end is None or end < start:
        raise Http404
    if (end - start).days > 3 * 366:
        raise Http404
    campaign = _optional(Campaign, request.GET.get("campaign"))
    theme = _optional(Theme, request.GET.get("theme"))
    facts = CoveragePlacement.objects.filter(
        counted=True, day__gte=start, day__lte=end, column=column
    )
    if campaign is not None:
        facts = facts.filter(campaign_key=campaign.pk)
    if theme is not None:
        facts = facts.filter(placement__in=Placement.objects.filter(theme_filter(theme)))
    records = (
        DeliveryRecord.objects.filter(pk__in=facts.values("record_id"))
        .select_related("outlet", "page", "placement")
        .prefetch_related("evidence")
        .order_by("finished_at", "pk")
    )
    scheduled = cell_placements(column=column, start=start, end=end, campaign=campaign, theme=theme)
    return render(
        request,
        "coverage/admin/cell.html",
        {
            "column_label": LABELS[column],
            "period": period_label(start, end),
            "records": records[:500],
            "scheduled": scheduled[:500],
            "campaign": campaign,
            "theme": theme,
        },
    )


def _optional(model, value):
    if not value:
        return None
    try:
        return model.objects.get(pk=int(value))
    except (ValueError, model.DoesNotExist):
        raise Http404 from None


@permission_required(VIEW_ITEMS)
def standard_index(request):
    """The standard's items, those without enough evidence first, with the responsible
    editor."""
    statuses = standard_status()
    return render(
        request,
        "coverage/admin/standard_index.html",
        {
            "statuses": statuses,
            "lacking": sum(1 for s in statuses if not s.enough),
            "can_add": request.user.has_perm("coverage.add_standarditem"),
            "can_edit": request.user.has_perm("coverage.change_standarditem"),
        },
    )


class ItemEvidenceForm(forms.Form):
    happened_on = forms.DateField(
        label=gettext_lazy("发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    outlet = forms.ModelChoiceField(
        label=gettext_lazy("发布渠道"), queryset=Outlet.objects.all(), required=False
    )
    medium = forms.ChoiceField(
        label=gettext_lazy("媒介"), choices=EvidenceMedium.choices, required=False
    )
    file = forms.FileField(
        label=gettext_lazy("文件"),
        required=False,
        help_text=gettext_lazy(
            "照片、扫描件或截图（JPEG、PNG、WebP）、PDF，或录音（MP3、M4A、WAV、OGG、AMR，"
            "不超过 50 MB）、录像（MP4、MOV、WebM、3GP，不超过 200 MB）。"
        ),
    )
    url = forms.URLField(label=gettext_lazy("网址"), required=False, assume_scheme="https")
    supersedes = forms.IntegerField(widget=forms.HiddenInput, required=False)
    withdraw = forms.BooleanField(label=gettext_lazy("撤回被更正的佐证"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                data["evidence"] = evidence_from_upload(upload.name, upload)
            except FileRefused as error:
                self.add_error("file", str(error))
        elif data.get("url"):
            data["evidence"] = evidence_from_url(data["url"])
        else:
            data["evidence"] = None
        return data


@permission_required(VIEW_ITEMS)
def standard_item(request, standarditem_id: int):
    """One item: the records that match it, the evidence attached by hand with its history,
    and (for those who may) the form to attach more."""
    item = get_object_or_404(
        StandardItem.objects.select_related("theme", "responsible"), pk=standarditem_id
    )
    can_see = request.user.has_perm(VIEW_EVIDENCE)
    can_add = request.user.has_perm(ADD_EVIDENCE)
    form = ItemEvidenceForm(initial={"happened_on": timezone.localdate()})
    if request.method == "POST":
        if not can_add:
            raise Http404
        form = ItemEvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            supersedes = None
            if data.get("supersedes"):
                supersedes = get_object_or_404(ItemEvidence, pk=data["supersedes"], item=item)
            try:
                item_evidence_add(
                    item=item, user=request.user, happened_on=data["happened_on"],
                    note=data["note"], outlet=data.get("outlet"), medium=data.get("medium", ""),
                    evidence=data["evidence"], supersedes=supersedes,
                    withdraw=bool(data.get("withdraw")) and supersedes is not None,
                )  # fmt: skip
            except EvidenceRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("佐证已登记。"))
                return redirect("coverage:item", item.pk)
    records = list(item_records(item))
    history = list(item.evidence.select_related("outlet").order_by("created_at", "pk"))
    superseded_ids = {e.supersedes_id for e in history if e.supersedes_id}
    count = len(records) + standing_evidence(item).count()
    return render(
        request,
        "coverage/admin/standard_item.html",
        {
            "item": item,
            "records": records,
            "history": history if can_see else [],
            "superseded_ids": superseded_ids,
            "count": count,
            "enough": count >= item.required_count,
            "columns": ", ".join(str(LABELS[c]) for c in rule_columns(item.medium)),
            "can_see": can_see,
            "can_add": can_add,
            "form": form,
        },
    )


@permission_required(VIEW_EVIDENCE)
def item_evidence_file(request, itemevidence_id: int):
    """A hand-attached evidence file, from the private folder."""
    piece = get_object_or_404(ItemEvidence, pk=itemevidence_id)
    if not piece.file:
        raise Http404
    response = FileResponse(
        piece.file.open("rb"),
        content_type=CONTENT_TYPES.get(piece.file_format, "application/octet-stream"),
        filename=piece.original_name or piece.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ArchiveForm(forms.Form):
    starts_on = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("宣传活动"), queryset=Campaign.objects.all(), required=False,
        empty_label=gettext_lazy("全部（整个考核期）"),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("结束日期不能早于开始日期。"))
            if (end - start).days > 2 * 366:
                raise forms.ValidationError(_("归档期间最长两年。"))
        return data


@permission_required(VIEW_ARCHIVE)
def archive_index(request):
    """Archives built so far, and the form to start one."""
    today = timezone.localdate()
    form = ArchiveForm(initial={"starts_on": today.replace(month=1, day=1), "ends_on": today})
    jobs = ArchiveJob.objects.select_related("campaign", "created_by")[:30]
    job = None
    if request.GET.get("job"):
        job = ArchiveJob.objects.filter(pk=parse_int(request.GET["job"])).first()
    return render(
        request,
        "coverage/admin/archive_index.html",
        {"form": form, "jobs": jobs, "job": job, "can_add": request.user.has_perm(ADD_ARCHIVE)},
    )


def parse_int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@permission_required(ADD_ARCHIVE)
def archive_start(request):
    """Queue an archive; the page then follows its progress."""
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("coverage:archive")
    job = archive.archive_job_start(
        starts_on=form.cleaned_data["starts_on"],
        ends_on=form.cleaned_data["ends_on"],
        campaign=form.cleaned_data.get("campaign"),
        user=request.user,
    )
    return redirect(reverse("coverage:archive") + f"?job={job.pk}")


@permission_required(VIEW_ARCHIVE)
def archive_status(request, archivejob_id: int):
    """An archive job's progress as JSON, for the progress bar."""
    job = get_object_or_404(ArchiveJob, pk=archivejob_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.message,
            "error": job.error,
            "download_url": reverse("coverage:archive_download", args=[job.pk])
            if job.status == ArchiveJob.Status.DONE
            else "",
        }
    )


@permission_required(VIEW_ARCHIVE)
def archive_download(request, archivejob_id: int):
    """The archive ZIP (evidence included), only for those who may see archives."""
    job = get_object_or_404(ArchiveJob, pk=archivejob_id, status=ArchiveJob.Status.DONE)
    if not job.archive:
        raise Http404
    name = archive.archive_name(job)
    return FileResponse(job.archive.open("rb"), as_attachment=True, filename=name)
