"""The inbox in the Wagtail admin: list, preview, import as draft, ignore, bulk actions.

Views only read the request and call ``services``/``importing``; every one asks for the
inbox model permissions (and the page permission of the chosen column, checked on import).
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_required

from ..models import ColumnPage
from .importing import entry_import
from .models import FeedEntry, FeedSource
from .sanitise import preview_html
from .selectors import columns_for_import, inbox_entries
from .services import InboxError, entries_ignore, entries_restore

VIEW = "inbox.view_feedentry"
CHANGE = "inbox.change_feedentry"
PER_PAGE = 30


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    source = forms.ModelChoiceField(
        label=gettext_lazy("订阅源"),
        queryset=FeedSource.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("全部订阅源"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *FeedEntry.Status.choices],
        required=False,
    )


def _column_choice(request) -> ColumnPage | None:
    value = request.POST.get("column", "")
    if not value.isdigit():
        return None
    return ColumnPage.objects.filter(pk=int(value)).first()


@permission_required(VIEW)
def inbox_index(request):
    """New entries per source with filters and search; bulk actions for those who may."""
    data = request.GET.copy()
    data.setdefault("status", FeedEntry.Status.NEW)
    form = InboxFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": FeedEntry.Status.NEW}
    entries = inbox_entries(
        status=filters.get("status") or "",
        source=filters.get("source"),
        query=filters.get("q") or "",
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("p"))
    can_change = request.user.has_perm(CHANGE)
    return render(
        request,
        "inbox/index.html",
        {
            "form": form,
            "page_obj": page,
            "can_change": can_change,
            "columns": columns_for_import(request.user) if can_change else [],
            "query_string": _without_page(request),
        },
    )


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("p", None)
    return params.urlencode()


@permission_required(VIEW)
def entry_detail(request, entry_id: int):
    """One entry's sanitised content (images named, not shown), its sources and actions."""
    entry = get_object_or_404(FeedEntry, pk=entry_id)
    can_change = request.user.has_perm(CHANGE)
    columns = columns_for_import(request.user) if can_change else []
    default = next(
        (
            s.default_column_id
            for s in entry.sources.all()
            if s.default_column_id in {c.pk for c in columns}
        ),
        None,
    )
    return render(
        request,
        "inbox/detail.html",
        {
            "entry": entry,
            "preview": preview_html(entry.content_html),
            "sightings": entry.sightings.select_related("source"),
            "can_change": can_change,
            "columns": columns,
            "default_column": default,
        },
    )


@require_POST
@permission_required(CHANGE)
def entry_import_view(request, entry_id: int):
    """Import one entry as a draft into the chosen column; it goes into 三审 review."""
    entry = get_object_or_404(FeedEntry, pk=entry_id)
    column = _column_choice(request)
    if column is None:
        messages.error(request, _("请选择要导入的栏目。"))
        return redirect("inbox:entry", entry.pk)
    try:
        outcome = entry_import(entry=entry, column=column, user=request.user)
    except InboxError as error:
        messages.error(request, str(error))
        return redirect("inbox:entry", entry.pk)
    _report_import(request, outcome)
    return redirect("inbox:entry", entry.pk)


def _report_import(request, outcome) -> None:
    messages.success(
        request,
        _("已导入为草稿“%(title)s”，并已提交三审；审核通过前不会发布。")
        % {"title": outcome.page.title},
    )
    for note in outcome.notes:
        messages.warning(request, note)


@require_POST
@permission_required(CHANGE)
def entry_ignore_view(request, entry_id: int):
    entry = get_object_or_404(FeedEntry, pk=entry_id)
    if entries_ignore(entries=FeedEntry.objects.filter(pk=entry.pk), user=request.user):
        messages.success(request, _("已忽略“%(title)s”。") % {"title": entry.title})
    return redirect(reverse("inbox:index"))


@require_POST
@permission_required(CHANGE)
def entry_restore_view(request, entry_id: int):
    entry = get_object_or_404(FeedEntry, pk=entry_id)
    if entries_restore(entries=FeedEntry.objects.filter(pk=entry.pk), user=request.user):
        messages.success(request, _("“%(title)s”已放回待处理。") % {"title": entry.title})
    return redirect("inbox:entry", entry.pk)


@require_POST
@permission_required(CHANGE)
def inbox_bulk(request):
    """Ignore, restore or import the ticked entries."""
    ids = [int(v) for v in request.POST.getlist("entry") if v.isdigit()][: PER_PAGE * 4]
    back = reverse("inbox:index") + ("?" + request.POST["back"] if request.POST.get("back") else "")
    entries = FeedEntry.objects.filter(pk__in=ids)
    action = request.POST.get("action", "")
    if not ids:
        messages.error(request, _("请先勾选条目。"))
    elif action == "ignore":
        count = entries_ignore(entries=entries, user=request.user)
        messages.success(request, _("已忽略 %(n)d 条。") % {"n": count})
    elif action == "restore":
        count = entries_restore(entries=entries, user=request.user)
        messages.success(request, _("已放回待处理 %(n)d 条。") % {"n": count})
    elif action == "import":
        column = _column_choice(request)
        if column is None:
            messages.error(request, _("请选择要导入的栏目。"))
            return redirect(back)
        imported = 0
        for entry in entries.order_by("published_at", "pk"):
            try:
                outcome = entry_import(entry=entry, column=column, user=request.user)
            except InboxError as error:
                messages.error(request, str(error))
                continue
            imported += 1
            for note in outcome.notes:
                messages.warning(request, f"{entry.title}：{note}")
        messages.success(
            request,
            _("已导入 %(n)d 条为草稿，并已提交三审；审核通过前不会发布。") % {"n": imported},
        )
    else:
        messages.error(request, _("未知的操作。"))
    return redirect(back)
