"""Admin pages of the LED screens: previews, warnings, export with progress, insertions.

Each view asks for the model permission of what it does: reading screens and previews needs
``led.view_screen``; downloading a package or following an export needs ``led.view_package``;
exporting and pushing an insertion each build a package (``led.add_package``); withdrawing an
insertion changes one (``led.change_package``); seeing and rotating a screen's pull token
needs ``led.change_screen``. Admin access alone opens none of them.
"""

import io
import zoneinfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_required
from wagtail.models import Page

from media_schedule.models import Placement

from ..pictures import PictureError
from . import proof, services
from .adapter import problems_on_screen
from .models import ExportJob, Package, Screen
from .playlist import (
    active_insertions,
    current_loop,
    picture_focal,
    picture_load,
    playing_at,
    screen_playlist,
)
from .render import ScreenSpec, dot_matrix_preview, render_item
from .typesetting import FontMissingError, MissingGlyphsError
from .versions import InvalidVersion, parse_version

PREVIEW_VIEWS = ("actual", "dots", "gif", "original", "picture")
VIEW_SCREEN = "led.view_screen"
VIEW_PLAYS = "led.view_playrecord"
ADD_PLAYS = "led.add_playrecord"
VIEW_PACKAGE = "led.view_package"
ADD_PACKAGE = "led.add_package"
CHANGE_PACKAGE = "led.change_package"
# Also the permission to see a screen's pull token: the operator sets up the controller with it.
CHANGE_SCREEN = "led.change_screen"


def user_can(user) -> dict[str, bool]:
    """What the screen pages may offer ``user``: links and forms of the views it may use."""
    return {
        "download": user.has_perm(VIEW_PACKAGE),
        "build": user.has_perm(ADD_PACKAGE),
        "withdraw": user.has_perm(CHANGE_PACKAGE),
        "add_screen": user.has_perm("led.add_screen"),
        "edit_screen": user.has_perm(CHANGE_SCREEN),
        "plays": user.has_perm(VIEW_PLAYS),
    }


def _png_response(image) -> HttpResponse:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


@permission_required(VIEW_SCREEN)
def screen_index(request):
    """Every screen with its current package, pulls and a link to its previews."""
    screens = Screen.objects.select_related("outlet").order_by("outlet__name")
    rows = []
    for screen in screens:
        rows.append(
            {
                "screen": screen,
                "package": current_loop(screen),
                "last_pull": screen.pulls.first(),
            }
        )
    return render(
        request, "led/admin/screen_index.html", {"rows": rows, "can": user_can(request.user)}
    )


@permission_required(VIEW_SCREEN)
def screen_detail(request, screen_id: int):
    """The loop of one screen: each item at actual size and as dots, with its warnings."""
    screen = get_object_or_404(Screen.objects.select_related("outlet"), pk=screen_id)
    entries = screen_playlist(screen=screen)
    rows = []
    for entry in entries:
        problems = problems_on_screen(entry.version, screen) if entry.version else entry.problems
        rows.append({"entry": entry, "problems": problems})
    now = timezone.now()
    playing = {entry.placement.pk for entry in playing_at(entries, now, screen)}
    job = None
    if request.GET.get("job", "").isdigit():
        job = screen.export_jobs.filter(pk=int(request.GET["job"])).first()
    return render(
        request,
        "led/admin/screen_detail.html",
        {
            "screen": screen,
            "rows": rows,
            "playing": playing,
            "package": current_loop(screen),
            "packages": screen.packages.order_by("-created_at")[:10],
            "insertions": active_insertions(screen, now),
            "pulls": screen.pulls.select_related("package")[:20],
            "job": job,
            "insertion_form": InsertionForm(),
            "pull_url": request.build_absolute_uri(reverse("led_pull_manifest", args=[screen.pk])),
            "preview_scale": _dot_scale(screen),
            "can": user_can(request.user),
        },
    )


@permission_required(CHANGE_SCREEN)
def token_rotate(request, screen_id: int):
    """Ask to confirm, then give the screen a new pull token; the old one fails at once."""
    screen = get_object_or_404(Screen.objects.select_related("outlet"), pk=screen_id)
    if request.method == "POST":
        services.screen_token_rotate(screen=screen, user=request.user)
        messages.success(
            request,
            _("已为“%(name)s”生成新的拉取密钥，旧密钥已失效；请在控制器中换用新密钥。")
            % {"name": screen.name},
        )
        return redirect(f"{reverse('led_admin:screen', args=[screen.pk])}#token")
    return render(request, "led/admin/token_rotate.html", {"screen": screen})


@permission_required(VIEW_SCREEN)
def page_previews(request, page_id: int):
    """One item's LED version on every screen it is placed on."""
    page = get_object_or_404(Page, pk=page_id)
    placements = (
        Placement.objects.filter(page=page, outlet__screen__isnull=False)
        .select_related("outlet__screen")
        .order_by("due_at")
    )
    rows = []
    for placement in placements:
        screen = placement.outlet.screen
        try:
            version = parse_version(placement.version)
            problems = problems_on_screen(version, screen)
        except InvalidVersion as error:
            problems = error.problems
        rows.append({"placement": placement, "screen": screen, "problems": problems})
    return render(request, "led/admin/page_previews.html", {"page": page, "rows": rows})


def _dot_scale(screen: Screen) -> int:
    return max(2, min(8, 1100 // screen.width))


@permission_required(VIEW_SCREEN)
def placement_preview(request, screen_id: int, placement_id: int, view: str):
    """A rendered preview of a placement's version on a screen (PNG or animated GIF).

    ``actual`` is the frame at native size; ``dots`` magnifies it with a diode look (large
    walls show their centre); ``gif`` animates scrolling text at native size; ``picture`` is
    the item's picture as the screen shows it and ``original`` the same picture fitted to
    the screen before its colours were reduced.
    """
    if view not in PREVIEW_VIEWS:
        raise Http404
    screen = get_object_or_404(Screen, pk=screen_id)
    placement = get_object_or_404(Placement, pk=placement_id, outlet_id=screen.outlet_id)
    try:
        version = parse_version(placement.version)
        picture = picture_load(version.picture_id) if version.picture_id else None
        focal, _hash = picture_focal(version.picture_id)
        rendered = render_item(version, ScreenSpec.of(screen), picture=picture, focal=focal)
    except (
        InvalidVersion,
        MissingGlyphsError,
        FontMissingError,
        PictureError,
        ValueError,
    ) as error:
        return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
    spec = ScreenSpec.of(screen)
    if view in ("original", "picture"):
        pictures = [segment for segment in rendered.segments if segment.kind == "picture"]
        if not pictures:
            raise Http404
        chosen = pictures[0]
        return _png_response(
            chosen.original if view == "original" and chosen.original else chosen.stills[0].image
        )
    segment = rendered.segments[0]
    if segment.scroll is not None:
        frame = segment.scroll.frame(segment.frame_count // 3)
    else:
        frame = segment.stills[0].image
    if view == "actual":
        return _png_response(frame)
    if view == "dots":
        scale = _dot_scale(screen)
        if spec.width * scale > 1600:
            # A wall is too big to magnify whole: show its centre, as an operator would up close.
            left, top = (spec.width - 200) // 2, (spec.height - 100) // 2
            frame = frame.crop((left, top, left + 200, top + 100))
            scale = 6
        return _png_response(dot_matrix_preview(frame, spec, scale))
    frames = rendered.frames
    buffer = io.BytesIO()
    frames[0].image.save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=[frame.image for frame in frames[1:]],
        duration=[frame.duration_ms for frame in frames],
        loop=0,
    )
    return HttpResponse(buffer.getvalue(), content_type="image/gif")


@require_POST
@permission_required(ADD_PACKAGE)
def export_start(request, screen_id: int):
    """Queue an export of the screen's package; the page then polls its progress."""
    screen = get_object_or_404(Screen, pk=screen_id)
    job = services.export_job_start(screen=screen, user=request.user)
    return redirect(f"{reverse('led_admin:screen', args=[screen.pk])}?job={job.pk}#export")


@permission_required(VIEW_PACKAGE)
def export_status(request, job_id: int):
    """The progress of an export job as JSON, for the progress bar."""
    job = get_object_or_404(ExportJob.objects.select_related("package"), pk=job_id)
    download = ""
    if job.package_id:
        download = reverse("led_admin:package_download", args=[job.package_id])
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.message,
            "error": job.error,
            "download_url": download,
            "package_version": job.package.version if job.package else None,
            "package_is_new": job.package_is_new,
        }
    )


@permission_required(VIEW_PACKAGE)
def package_download(request, package_id: int):
    """The package ZIP, named after the screen and version."""
    package = get_object_or_404(Package.objects.select_related("screen__outlet"), pk=package_id)
    kind = _("插播") if package.kind == Package.Kind.INSERTION else _("节目包")
    name = f"{package.screen.name}-{kind}-v{package.version}.zip"
    return FileResponse(package.archive.open("rb"), as_attachment=True, filename=name)


class InsertionForm(forms.Form):
    """An urgent notice (插播) for one screen."""

    lines = forms.CharField(
        label=gettext_lazy("插播内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一句，最多 6 行。"),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("结束时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    dwell_seconds = forms.IntegerField(
        label=gettext_lazy("每次停留（秒）"), min_value=2, max_value=300, initial=10
    )


@require_POST
@permission_required(ADD_PACKAGE)
def insertion_create(request, screen_id: int):
    """Push an insertion, or say in Chinese why not; nothing typed is lost on error."""
    screen = get_object_or_404(Screen, pk=screen_id)
    form = InsertionForm(request.POST)
    if form.is_valid():
        lines = [line for line in form.cleaned_data["lines"].splitlines() if line.strip()]
        tz = zoneinfo.ZoneInfo("Asia/Shanghai")
        starts, ends = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
        try:
            package = services.insertion_push(
                screen=screen,
                lines=lines,
                starts_at=starts if timezone.is_aware(starts) else starts.replace(tzinfo=tz),
                ends_at=ends if timezone.is_aware(ends) else ends.replace(tzinfo=tz),
                dwell_seconds=form.cleaned_data["dwell_seconds"],
                user=request.user,
            )
        except ValueError as error:
            form.add_error("lines", str(error))
        else:
            messages.success(request, _("插播第 %(v)d 号已推送。") % {"v": package.version})
            return redirect("led_admin:screen", screen.pk)
    messages.error(request, _("插播未推送，请检查填写的内容。"))
    return render(
        request,
        "led/admin/insertion_form.html",
        {"screen": screen, "insertion_form": form, "can": user_can(request.user)},
        status=400,
    )


@require_POST
@permission_required(CHANGE_PACKAGE)
def insertion_withdraw(request, package_id: int):
    """Take an insertion off the screen before its end."""
    package = get_object_or_404(Package, pk=package_id, kind=Package.Kind.INSERTION)
    services.insertion_withdraw(package=package)
    messages.success(request, _("插播已撤销。"))
    return redirect("led_admin:screen", package.screen_id)


class PlayLogForm(forms.Form):
    """A controller's play log, exported as CSV."""

    log = forms.FileField(
        label=gettext_lazy("播放日志（CSV）"),
        help_text=gettext_lazy(
            "表头为 条目,开始,结束,次数（或 item,start,end,count）；时间如 2026-11-29 08:00:00，"
            "不带时区时按北京时间；UTF-8 或 GBK 编码，不超过 5 MB。"
        ),
    )


@permission_required(VIEW_PLAYS)
def play_log(request, screen_id: int):
    """The screen's proof of play: its latest records and, for operators who may add them,
    the upload of a controller's play log with every refused row and why."""
    screen = get_object_or_404(Screen.objects.select_related("outlet"), pk=screen_id)
    form, result, read = PlayLogForm(), None, 0
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(ADD_PLAYS):
            raise PermissionDenied
        form = PlayLogForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["log"]
            try:
                result, read = proof.play_log_upload(
                    screen=screen, data=upload.read(proof.MAX_CSV_BYTES + 1)
                )
            except proof.PlayRowError as error:
                form.add_error("log", str(error))
                status = 400
        else:
            status = 400
    return render(
        request,
        "led/admin/play_log.html",
        {
            "screen": screen,
            "form": form,
            "result": result,
            "read": read,
            "can_upload": request.user.has_perm(ADD_PLAYS),
            "plays": screen.plays.select_related("package")[:50],
            "report_url": request.build_absolute_uri(reverse("led_report_plays", args=[screen.pk])),
        },
        status=status,
    )
