"""Admin pages of radio and TV: stations, a day per station (slots, bookings, free seconds),
placing and filling, the script editor, rundown downloads, the confirmation link and the
as-run upload, and the occurrence preview the slot editor asks as the rule is typed.

Each view asks for the model permission of what it does: reading needs
``broadcast.view_slotbooking``; placing and filling ``add_slotbooking``; editing an item and
making the station's link ``change_slotbooking``; uploading an as-run file
``add_asrunanswer``; the occurrence preview ``view_broadcastslot``. Admin access alone opens
none of them.
"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.auth import permission_required

from media_schedule.models import Outlet
from media_schedule.services import TransitionError, placement_cancel

from .asrun import MAX_UPLOAD_BYTES, UploadError, asrun_upload, link_max_age, link_token
from .clips import ClipError, clip_store
from .exports import RundownFontMissingError, rundown_pdf, rundown_xlsx
from .forms import (
    AsRunUploadForm,
    FillForm,
    PlaceForm,
    RadioScriptForm,
    SlotPreviewForm,
    TvItemForm,
)
from .ics import feed_token
from .models import BROADCAST_KINDS, BroadcastSlot, SlotBooking
from .occurrences import day_bounds, occurrences_between
from .recurrence import RuleError, expand, parse_rule
from .rundown import duration_text, rundown_for
from .script import pace_of
from .services import (
    EDITABLE_STATUSES,
    BookingError,
    approved_pool,
    booking_place,
    booking_revise,
    slot_fill,
)

VIEW = "broadcast.view_slotbooking"
ADD = "broadcast.add_slotbooking"
CHANGE = "broadcast.change_slotbooking"
UPLOAD = "broadcast.add_asrunanswer"
PREVIEW_COUNT = 8


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


def _station(outlet_id: int) -> Outlet:
    return get_object_or_404(Outlet, pk=outlet_id, kind__in=BROADCAST_KINDS)


def _day_url(outlet: Outlet, day: datetime.date) -> str:
    return reverse("broadcast_admin:day", args=[outlet.pk, day.isoformat()])


@permission_required(VIEW)
def station_index(request):
    """The radio and TV stations with their slots and today's link."""
    today = timezone.localdate()
    start, end = day_bounds(today)
    stations = Outlet.objects.filter(kind__in=BROADCAST_KINDS).order_by("kind", "name")
    today_occurrences = occurrences_between(start, end, stations)
    rows = []
    for outlet in stations:
        mine = [o for o in today_occurrences if o.outlet.pk == outlet.pk]
        rows.append(
            {
                "outlet": outlet,
                "slots": outlet.broadcast_slots.filter(is_active=True).count(),
                "occurrences": len(mine),
                "free": sum(o.free_seconds for o in mine),
                "day_url": _day_url(outlet, today),
                "feed": request.build_absolute_uri(
                    reverse("broadcast_calendar", args=[outlet.pk, feed_token(outlet)])
                ),
            }
        )
    return render(
        request,
        "broadcast/admin/index.html",
        {"rows": rows, "can_edit_slots": request.user.has_perm("broadcast.change_broadcastslot")},
    )


@permission_required(VIEW)
def day_view(request, outlet_id: int, day: str):
    """One station's day: each occurrence with its items in running order, planned times,
    durations and free seconds, with the forms to place and fill."""
    outlet = _station(outlet_id)
    date = _day(day)
    rundown = rundown_for(outlet, date)
    occurrences = [block.occurrence for block in rundown.blocks]
    context = {
        "outlet": outlet,
        "rundown": rundown,
        "day_text": formats.date_format(date, _("Y年n月j日 l")),
        "previous_url": _day_url(outlet, date - datetime.timedelta(days=1)),
        "next_url": _day_url(outlet, date + datetime.timedelta(days=1)),
        "today_url": _day_url(outlet, timezone.localdate()),
        "day": date.isoformat(),
        "can_add": request.user.has_perm(ADD),
        "can_change": request.user.has_perm(CHANGE),
        "can_upload": request.user.has_perm(UPLOAD),
        "editable": EDITABLE_STATUSES,
        "place_form": PlaceForm(occurrences=occurrences, prefix="place"),
        "fill_form": FillForm(occurrences=occurrences, prefix="fill"),
        "upload_form": AsRunUploadForm(),
        "durations": {item.booking.pk: duration_text(item.seconds) for item in rundown.items},
    }
    return render(request, "broadcast/admin/day.html", context)


def _chosen_occurrence(value: str, outlet: Outlet):
    slot_id, _sep, start = value.partition("|")
    try:
        slot = BroadcastSlot.objects.get(pk=int(slot_id), outlet=outlet)
        original_start = datetime.datetime.fromisoformat(start)
    except (ValueError, BroadcastSlot.DoesNotExist):
        raise Http404 from None
    return slot, original_start


@require_POST
@permission_required(ADD)
def place(request, outlet_id: int, day: str):
    """Book an article into an occurrence of the day; errors name slot, date and seconds."""
    outlet = _station(outlet_id)
    date = _day(day)
    start, end = day_bounds(date)
    form = PlaceForm(
        request.POST, occurrences=occurrences_between(start, end, [outlet]), prefix="place"
    )
    if form.is_valid():
        slot, original_start = _chosen_occurrence(form.cleaned_data["occurrence"], outlet)
        try:
            booking_place(
                page=form.cleaned_data["page"],
                slot=slot,
                original_start=original_start,
                user=request.user,
            )
        except BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已编入串联单。"))
    else:
        messages.error(request, _("请选择场次和稿件。"))
    return redirect(_day_url(outlet, date))


@require_POST
@permission_required(ADD)
def fill(request, outlet_id: int, day: str):
    """Fill an occurrence from a theme's or a campaign's items, by rotation."""
    outlet = _station(outlet_id)
    date = _day(day)
    start, end = day_bounds(date)
    form = FillForm(
        request.POST, occurrences=occurrences_between(start, end, [outlet]), prefix="fill"
    )
    if not form.is_valid():
        for error in form.non_field_errors() or [_("请选择场次和稿件池。")]:
            messages.error(request, error)
        return redirect(_day_url(outlet, date))
    slot, original_start = _chosen_occurrence(form.cleaned_data["occurrence"], outlet)
    campaign = form.cleaned_data["campaign"]
    pool = approved_pool(theme=form.cleaned_data["theme"], campaign=campaign)
    try:
        bookings = slot_fill(
            slot=slot,
            original_start=original_start,
            pages=pool,
            user=request.user,
            campaign=campaign,
        )
    except BookingError as error:
        messages.error(request, str(error))
    else:
        if bookings:
            messages.success(
                request,
                _("已从稿件池编入 %(count)d 条，共 %(seconds)d 秒。")
                % {"count": len(bookings), "seconds": sum(b.planned_seconds for b in bookings)},
            )
        else:
            messages.warning(request, _("稿件池中没有放得下的稿件。"))
    return redirect(_day_url(outlet, date))


@require_POST
@permission_required(CHANGE)
def booking_cancel(request, booking_id: int):
    """Take an item off the rundown (its placement is cancelled, its seconds freed)."""
    booking = get_object_or_404(
        SlotBooking.objects.select_related("placement", "slot__outlet"), pk=booking_id
    )
    try:
        placement_cancel(placement=booking.placement, user=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已从串联单撤下。"))
    day = timezone.localtime(booking.occurrence_start).date()
    return redirect(_day_url(booking.slot.outlet, day))


@permission_required(CHANGE)
def booking_edit(request, booking_id: int):
    """The radio script editor (duration shown live) or the TV item editor."""
    booking = get_object_or_404(
        SlotBooking.objects.select_related("placement", "placement__page", "slot__outlet"),
        pk=booking_id,
    )
    outlet = booking.slot.outlet
    version = dict(booking.placement.version or {})
    is_radio = outlet.kind == Outlet.Kind.RADIO
    form_class = RadioScriptForm if is_radio else TvItemForm
    initial = {key: version.get(key) for key in form_class.base_fields if key in version}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    day = timezone.localtime(booking.occurrence_start).date()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("clip", None)
        try:
            if upload is not None:
                if not request.user.has_perm("broadcast.add_clip"):
                    raise ClipError(_("没有上传短片的权限。"))
                clip = clip_store(upload=upload, user=request.user)
                data["clip_id"] = clip.pk
                data["clip_url"] = ""
                data["clip_seconds"] = float(clip.duration_seconds)
            elif not is_radio:
                data["clip_seconds"] = data.get("clip_seconds") or version.get("clip_seconds") or 0
            booking_revise(booking=booking, version={**version, **data}, user=request.user)
        except (BookingError, ClipError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect(_day_url(outlet, day))
    return render(
        request,
        "broadcast/admin/booking_edit.html",
        {
            "booking": booking,
            "outlet": outlet,
            "form": form,
            "is_radio": is_radio,
            "pace": pace_of(outlet),
            "extra_seconds": 0 if is_radio else int(float(version.get("clip_seconds") or 0)),
            "day_url": _day_url(outlet, day),
            "editable": booking.placement.status in EDITABLE_STATUSES,
        },
    )


@require_GET
@permission_required(VIEW)
def rundown_download(request, outlet_id: int, day: str, kind: str):
    """The day's rundown as XLSX or PDF."""
    outlet = _station(outlet_id)
    rundown = rundown_for(outlet, _day(day))
    name = f"rundown-{outlet.pk}-{rundown.day:%Y%m%d}"
    if kind == "xlsx":
        content = rundown_xlsx(rundown)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "pdf":
        try:
            content = rundown_pdf(rundown)
        except RundownFontMissingError as error:
            messages.error(request, str(error))
            return redirect(_day_url(outlet, rundown.day))
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@require_POST
@permission_required(CHANGE)
def confirmation_link(request, outlet_id: int, day: str):
    """Make the station's signed as-run link for the rundown as it is now."""
    outlet = _station(outlet_id)
    rundown = rundown_for(outlet, _day(day))
    url = request.build_absolute_uri(reverse("broadcast_asrun", args=[link_token(rundown)]))
    expires = timezone.localtime(timezone.now() + link_max_age())
    messages.success(
        request,
        _("播出确认链接（%(expires)s 前有效，串联单改动后失效）：%(url)s")
        % {"expires": formats.date_format(expires, _("Y年n月j日 H:i")), "url": url},
    )
    return redirect(_day_url(outlet, rundown.day))


@require_POST
@permission_required(UPLOAD)
def asrun_upload_view(request, outlet_id: int, day: str):
    """Record the station's as-run file for the day; unmatched rows are listed, not lost."""
    outlet = _station(outlet_id)
    rundown = rundown_for(outlet, _day(day))
    form = AsRunUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择 CSV 或 XLSX 文件。"))
        return redirect(_day_url(outlet, rundown.day))
    try:
        report = asrun_upload(
            rundown=rundown,
            # One byte past the limit is enough to refuse it; a huge upload is not read whole.
            content=form.cleaned_data["file"].read(MAX_UPLOAD_BYTES + 1),
            user=request.user,
        )
    except UploadError as error:
        messages.error(request, str(error))
        return redirect(_day_url(outlet, rundown.day))
    messages.success(
        request,
        _("播出记录已登记：%(confirmed)d 条确认播出，%(not_aired)d 条未播出。")
        % {"confirmed": len(report.confirmed), "not_aired": len(report.not_aired)},
    )
    for item, reason in report.refused:
        messages.warning(request, f"{item.order}. {item.title}：{reason}")
    for number, text in report.unmatched:
        messages.warning(
            request,
            _("第 %(row)d 行与串联单中的条目都对不上，未登记：%(text)s")
            % {"row": number, "text": text},
        )
    for error in report.errors:
        messages.warning(request, error)
    return redirect(_day_url(outlet, rundown.day))


@require_GET
@permission_required("broadcast.view_broadcastslot")
def slot_preview(request):
    """The next occurrences of a slot as typed in the editor (JSON for ``slot_preview.js``)."""
    form = SlotPreviewForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"occurrences": [], "error": _("请填写规则、开始时间和起始日期。")})
    data = form.cleaned_data
    try:
        rule = parse_rule(data["rule"])
    except RuleError as error:
        return JsonResponse({"occurrences": [], "error": str(error)})
    today = timezone.localdate()
    window_start = datetime.datetime.combine(max(today, data["starts_on"]), datetime.time())
    found = []
    for _original, start in expand(
        rule=rule,
        first_day=data["starts_on"],
        last_day=data["ends_on"],
        start_time=data["start_time"],
        window_start=window_start,
        window_end=window_start + datetime.timedelta(days=3 * 366),
    ):
        found.append(formats.date_format(start, _("Y年n月j日 D H:i")))
        if len(found) >= PREVIEW_COUNT:
            break
    return JsonResponse(
        {
            "occurrences": found,
            "heading": _("接下来的场次："),
            "error": "" if found else _("三年内没有场次。"),
        }
    )
