"""Public pages of the stations: the as-run confirmation page (signed link, no account) and
the iCalendar subscription (token in the URL, for calendar apps)."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from media_schedule.models import Outlet

from .asrun import (
    Answer,
    ItemAnswer,
    LinkRefused,
    asrun_apply,
    link_used,
    parse_time,
    rundown_of_token,
)
from .ics import outlet_calendar, token_valid
from .models import AsRunAnswer, Clip
from .rundown import duration_text

MAX_NOTE = 500


def _refused(request, message: str):
    return render(request, "broadcast/asrun_refused.html", {"message": message}, status=403)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def asrun_page(request, token: str):
    """The station's duty editor ticks each item aired / not aired / aired at another time.

    The page works once per rundown revision: after the submission it shows what was
    recorded, and a changed rundown needs a new link."""
    try:
        rundown = rundown_of_token(token)
    except LinkRefused as refusal:
        return _refused(request, str(refusal))
    submitted = link_used(token)
    errors: dict[int, str] = {}
    report = None
    if request.method == "POST" and not submitted:
        answers = []
        for item in rundown.items:
            prefix = f"item-{item.booking.pk}"
            answer = request.POST.get(f"{prefix}-answer", "")
            note = request.POST.get(f"{prefix}-note", "").strip()[:MAX_NOTE]
            if answer not in Answer.values:
                errors[item.booking.pk] = _("请选择播出情况。")
                continue
            try:
                aired_at = parse_time(request.POST.get(f"{prefix}-time", ""), rundown.day)
            except ValueError:
                errors[item.booking.pk] = _("无法识别播出时间，请按“时:分”填写，例如 18:57。")
                continue
            if answer == Answer.OTHER_TIME and aired_at is None:
                errors[item.booking.pk] = _("改时播出请填写实际播出时间。")
                continue
            if answer == Answer.AIRED:
                aired_at = None
            answers.append(ItemAnswer(item, answer, aired_at, note))
        if not errors and rundown.items:
            try:
                report = asrun_apply(
                    rundown=rundown, answers=answers, channel=AsRunAnswer.Channel.LINK, token=token
                )
            except LinkRefused as refusal:
                return _refused(request, str(refusal))
            submitted = True
    recorded = {
        answer.booking_id: answer
        for answer in AsRunAnswer.objects.filter(
            booking__in=[item.booking for item in rundown.items],
            rundown_revision=rundown.revision,
        ).order_by("created_at")
    }
    rows = [
        {
            "item": item,
            "duration": duration_text(item.seconds),
            "error": errors.get(item.booking.pk, ""),
            "posted": request.POST.get(f"item-{item.booking.pk}-answer", ""),
            "posted_time": request.POST.get(f"item-{item.booking.pk}-time", ""),
            "posted_note": request.POST.get(f"item-{item.booking.pk}-note", ""),
            "recorded": recorded.get(item.booking.pk),
            "clip": item.placement.version.get("clip_id"),
        }
        for item in rundown.items
    ]
    return render(
        request,
        "broadcast/asrun_page.html",
        {
            "rundown": rundown,
            "rows": rows,
            "submitted": submitted,
            "report": report,
            "answers": Answer.choices,
            "token": token,
        },
    )


@never_cache
@require_GET
def asrun_clip(request, token: str, clip_id: int):
    """A clip of the rundown, for the station to fetch through its confirmation link."""
    try:
        rundown = rundown_of_token(token)
    except LinkRefused:
        raise Http404 from None
    if clip_id not in {item.placement.version.get("clip_id") for item in rundown.items}:
        raise Http404
    clip = get_object_or_404(Clip, pk=clip_id)
    return FileResponse(clip.file.open("rb"), as_attachment=True, filename=clip.original_name)


@require_GET
def calendar_feed(request, outlet_id: int, token: str):
    """The outlet's occurrences as an iCalendar feed; 404 for a wrong token, so the feed's
    existence is not told."""
    outlet = Outlet.objects.filter(pk=outlet_id, kind__in=["radio", "tv"]).first()
    if outlet is None or not token_valid(outlet, token):
        raise Http404
    response = HttpResponse(outlet_calendar(outlet), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
