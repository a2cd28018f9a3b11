"""Services: building and publishing packages, insertions (插播), pulls and export jobs."""

import datetime
import hashlib
import json
import logging
import tempfile
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from media_schedule.dispatch.record import ConfirmationRefused, delivery_confirm
from media_schedule.models import DeliveryRecord, Placement

from .builder import build_package_isolated
from .models import TOKEN_ROTATED, ExportJob, Package, PullLog, Screen, new_token
from .package import PackageItem, ProgressCallback, manifest_json
from .playlist import (
    active_insertions,
    content_fingerprint,
    current_loop,
    package_items,
    screen_playlist,
)
from .render import ScreenSpec, render_item
from .versions import URGENT_PRIORITY, parse_version

logger = logging.getLogger(__name__)


def chinese_datetime(moment: datetime.datetime) -> str:
    """``2025年8月1日 07:30`` in Asia/Shanghai."""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def screen_header(screen: Screen) -> dict[str, Any]:
    """The ``screen`` part of a manifest."""
    return {
        "id": screen.pk,
        "name": screen.name,
        "width": screen.width,
        "height": screen.height,
        "colour_mode": screen.colour_mode,
        "colour_mode_label": str(screen.get_colour_mode_display()),
        "led_colour": screen.led_colour,
        "location": screen.location,
        "operating_hours": {
            "opens": screen.opens_at.strftime("%H:%M"),
            "closes": screen.closes_at.strftime("%H:%M"),
        },
        "controller": {"vendor": screen.controller_vendor, "model": screen.controller_model},
    }


def _next_version(screen: Screen, kind: str) -> int:
    latest = screen.packages.filter(kind=kind).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def _build_and_save(
    *,
    screen: Screen,
    kind: str,
    items: list[PackageItem],
    fingerprint: str,
    user=None,
    progress: ProgressCallback | None = None,
    extra_header: dict[str, Any] | None = None,
    starts_at=None,
    ends_at=None,
) -> Package:
    """Render the package into a temporary file, then store it under the next version.

    Rendering happens outside any transaction; if another process stored the same version
    number meanwhile, the number is taken again.
    """
    spec = ScreenSpec.of(screen)
    now = timezone.now()
    for _attempt in range(3):
        version = _next_version(screen, kind)
        header = {
            "screen": screen_header(screen),
            "package": {
                "version": version,
                "fingerprint": fingerprint,
                "created_at": timezone.localtime(now).isoformat(),
                "created_display": chinese_datetime(now),
            },
            **(extra_header or {}),
        }
        with tempfile.TemporaryFile() as handle:
            result = build_package_isolated(
                handle, spec=spec, items=items, header=header, kind=kind, progress=progress
            )
            handle.flush()
            handle.seek(0)
            digest = hashlib.sha256()
            size = 0
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
            handle.seek(0)
            package = Package(
                screen=screen,
                kind=kind,
                version=version,
                fingerprint=fingerprint,
                checksum=digest.hexdigest(),
                size=size,
                manifest=result.manifest,
                item_count=result.manifest["loop"]["item_count"],
                frame_count=result.frame_count,
                duration_ms=result.duration_ms,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=user,
            )
            name = f"{kind}-v{version:04d}-{digest.hexdigest()[:12]}.zip"
            package.archive.save(name, File(handle), save=False)
        try:
            with transaction.atomic():
                package.save()
            return package
        except IntegrityError:
            package.archive.delete(save=False)
            logger.info("package version %s of screen %s taken; building again", version, screen.pk)
    raise RuntimeError("could not store the package: version numbers kept colliding")


def screen_package_refresh(
    *,
    screen: Screen,
    include_placement_ids=(),
    user=None,
    progress: ProgressCallback | None = None,
) -> tuple[Package | None, bool]:
    """Make sure the screen's loop package matches what it should show.

    Returns the current package and whether it is new. A new version is built only when the
    content fingerprint changes, because every new version is a write to the controller's
    flash memory. Returns ``(None, False)`` while the screen has never had anything to show.
    """
    entries = screen_playlist(screen=screen, include_placement_ids=include_placement_ids)
    items, keys = package_items(entries)
    spec = ScreenSpec.of(screen)
    fingerprint = content_fingerprint(spec, keys)
    current = current_loop(screen)
    if current is not None and current.fingerprint == fingerprint:
        if progress:
            progress(100, _("内容未变化，沿用现有版本"))
        return current, False
    if current is None and not items:
        return None, False
    package = _build_and_save(
        screen=screen,
        kind=Package.Kind.LOOP,
        items=items,
        fingerprint=fingerprint,
        user=user,
        progress=progress,
    )
    return package, True


def insertion_push(
    *,
    screen: Screen,
    lines: list[str],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    dwell_seconds: int = 10,
    colour: str = "yellow",
    user=None,
) -> Package:
    """Push an urgent notice (插播) to a screen without touching its loop package.

    The controller finds it in the pull manifest's ``insertions`` and plays it, at urgent
    priority, between ``starts_at`` and ``ends_at``. Raises ``ValueError`` with the editor's
    problems (bad text, window the wrong way round) and ``MissingGlyphsError``.
    """
    if ends_at <= starts_at:
        raise ValueError(_("插播结束时间必须晚于开始时间。"))
    if ends_at <= timezone.now():
        raise ValueError(_("插播结束时间已经过去。"))
    version = parse_version(
        {
            "lines": lines,
            "dwell_seconds": dwell_seconds,
            "colour": colour,
            "priority": URGENT_PRIORITY,
        }
    )
    # Fail before storing anything when the text cannot be drawn on this screen.
    render_item(version, ScreenSpec.of(screen))
    item = PackageItem(
        key="insertion", title=_("插播：%(text)s") % {"text": lines[0]}, version=version
    )
    keys = [json.dumps(version.as_json(), sort_keys=True, ensure_ascii=False)]
    window = {
        "starts_at": timezone.localtime(starts_at).isoformat(),
        "ends_at": timezone.localtime(ends_at).isoformat(),
    }
    return _build_and_save(
        screen=screen,
        kind=Package.Kind.INSERTION,
        items=[item],
        fingerprint=content_fingerprint(ScreenSpec.of(screen), [*keys, json.dumps(window)]),
        user=user,
        extra_header={"insertion": window},
        starts_at=starts_at,
        ends_at=ends_at,
    )


def insertion_withdraw(*, package: Package) -> bool:
    """Withdraw an insertion early; returns ``False`` when it was already withdrawn."""
    return bool(
        Package.objects.filter(
            pk=package.pk, kind=Package.Kind.INSERTION, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
    )


def _insertion_entry(package: Package) -> dict[str, Any]:
    prefix = f"insertions/{package.version}/"
    return {
        "version": package.version,
        "priority": URGENT_PRIORITY,
        "starts_at": timezone.localtime(package.starts_at).isoformat(),
        "ends_at": timezone.localtime(package.ends_at).isoformat(),
        "package": {
            "file": prefix + "package.zip",
            "sha256": package.checksum,
            "bytes": package.size,
        },
        "items": package.manifest["items"],
        "files": [{**entry, "path": prefix + entry["path"]} for entry in package.manifest["files"]],
    }


def pull_document(*, screen: Screen, now: datetime.datetime | None = None) -> bytes | None:
    """The manifest a controller pulls: the loop package's manifest plus active insertions.

    ``None`` while the screen has no package yet.
    """
    package = current_loop(screen)
    if package is None:
        return None
    document = dict(package.manifest)
    document["package"] = {
        **document["package"],
        "file": "package.zip",
        "sha256": package.checksum,
        "bytes": package.size,
    }
    document["insertions"] = [_insertion_entry(p) for p in active_insertions(screen, now)]
    return manifest_json(document)


def pull_record(
    *,
    screen: Screen,
    resource: str,
    status_code: int,
    etag: str = "",
    package: Package | None = None,
    remote_addr: str | None = None,
    user_agent: str = "",
) -> PullLog:
    """Log one pull by a screen's controller (kept as evidence of reception).

    A controller that takes the loop package (or is told it already has it) has received
    every placement handed over in that version or before: those are confirmed."""
    pull = PullLog.objects.create(
        screen=screen,
        package=package,
        resource=resource[:300],
        status_code=status_code,
        etag=etag[:80],
        remote_addr=remote_addr,
        user_agent=user_agent[:300],
    )
    received = resource == "package.zip" and status_code in (200, 304)
    if received and package is not None and package.kind == Package.Kind.LOOP:
        placements_confirm_received(screen=screen, package=package, pull=pull)
    return pull


def placements_confirm_received(*, screen: Screen, package: Package, pull: PullLog) -> int:
    """Confirm the placements awaiting confirmation on ``screen`` that ``package`` carries
    (its manifest lists them); returns how many."""
    carried = {item.get("placement_id") for item in package.manifest.get("items", [])}
    awaiting = Placement.objects.awaiting().filter(outlet_id=screen.outlet_id, pk__in=carried)
    confirmed = 0
    for placement in awaiting.select_related("outlet"):
        try:
            delivery_confirm(
                placement=placement,
                source=DeliveryRecord.Source.OUTLET,
                confirmed_at=pull.requested_at,
                note=_("显示屏控制器已取得节目包 v%(version)d（%(address)s）")
                % {"version": package.version, "address": pull.remote_addr or "—"},
                details={"screen_id": screen.pk, "package_version": package.version},
            )
        except ConfirmationRefused:
            continue  # cancelled or confirmed meanwhile
        confirmed += 1
    return confirmed


def export_job_start(*, screen: Screen, user=None) -> ExportJob:
    """Queue a background export of the screen's package; the task starts after commit."""
    from .tasks import export_led_package

    job = ExportJob.objects.create(screen=screen, created_by=user, message=_("排队中"))
    transaction.on_commit(lambda: export_led_package.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build (or reuse) the package for an export job, recording progress on the row.

    Only a queued job is started, so a repeated task message does nothing.
    """
    started = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=1, message=_("开始生成")
    )
    job = ExportJob.objects.select_related("screen__outlet").filter(pk=job_id).first()
    if job is None or not started:
        return job
    last = {"percent": 1}

    def progress(percent: int, message: str) -> None:
        # One write per whole per cent at most: the page polls once a second anyway.
        if percent > last["percent"]:
            last["percent"] = percent
            ExportJob.objects.filter(pk=job_id).update(progress=min(percent, 99), message=message)

    try:
        package, is_new = screen_package_refresh(
            screen=job.screen, user=job.created_by, progress=progress
        )
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            error=str(error),
            message=_("生成失败"),
            finished_at=timezone.now(),
        )
    else:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.DONE if package else ExportJob.Status.FAILED,
            progress=100,
            package=package,
            package_is_new=is_new,
            message=_("已完成") if package else _("该屏幕还没有可播放的节目"),
            error="" if package else _("该屏幕还没有已送达的排期。"),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def screen_token_rotate(*, screen: Screen, user=None) -> str:
    """Give the screen a new pull token; the old one stops working at once.

    The change is logged in the screen's history (who, when), never the token itself.
    """
    with transaction.atomic():
        screen.token = new_token()
        screen.save(update_fields=["token"])
        log(instance=screen, action=TOKEN_ROTATED, user=user)
    return screen.token
