"""Building a package in a process of its own.

A package build decodes pictures, holds frames and runs the video encoder (native code) for
seconds to minutes. In a child process that loads only what rendering needs (no Wagtail, no
database), the build's memory is given back to the system when it ends, the worker serving
everyone else stays small, and a crash of native code fails one export, not the worker.

The parent copies each item's picture file into a working folder, writes the request as
JSON and reads the child's progress, its result or its error as JSON lines on its standard
output. ``python -m media_schedule.channels.led.builder REQUEST.json`` is the child.
"""

import dataclasses
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..pictures import FocalPoint, PictureError
from .package import PackageItem, PackageResult, ProgressCallback, build_package
from .render import ScreenSpec
from .typesetting import MissingGlyphsError
from .versions import parse_version
from .video import VideoUnavailable

logger = logging.getLogger(__name__)

BUILD_COMMAND = [sys.executable, "-m", "media_schedule.channels.led.builder"]
# A 200-item full-colour wall takes under ten seconds; a build still running after this long
# is stuck, and is stopped.
BUILD_TIMEOUT_SECONDS = 30 * 60
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class PackageBuildError(RuntimeError):
    """The build process failed, was stopped or ended without a package."""


def build_package_isolated(
    out: BinaryIO,
    *,
    spec: ScreenSpec,
    items: list[PackageItem],
    header: dict[str, Any],
    kind: str = "loop",
    progress: ProgressCallback | None = None,
) -> PackageResult:
    """:func:`~.package.build_package` run in a child process; the same arguments and
    answer. Errors of the build come back as :class:`~.video.VideoUnavailable` (no video
    could be made) or :class:`PackageBuildError`; nothing is written to ``out`` then."""
    workdir = Path(tempfile.mkdtemp(prefix="led-build-"))
    try:
        request = {
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "var_dir": str(settings.VAR_DIR),
            "locale_paths": [str(path) for path in settings.LOCALE_PATHS],
            "spec": {
                "width": spec.width,
                "height": spec.height,
                "colour_mode": spec.colour_mode,
                "led_colour": spec.led_colour,
            },
            "header": header,
            "kind": kind,
            "items": [_item_request(item, number, workdir) for number, item in enumerate(items)],
            "output": str(workdir / "package.zip"),
        }
        request_path = workdir / "request.json"
        request_path.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        answer = _run_child(request_path, progress or (lambda percent, message: None))
        with (workdir / "package.zip").open("rb") as built:
            shutil.copyfileobj(built, out, 1 << 20)
        return PackageResult(**answer)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _item_request(item: PackageItem, number: int, workdir: Path) -> dict[str, Any]:
    """One item as JSON, its picture file copied (not decoded) into ``workdir``."""
    picture_path, picture_error = None, None
    if item.picture is not None:
        try:
            with item.picture() as source:
                picture_path = workdir / f"picture-{number}"
                with picture_path.open("wb") as copy:
                    shutil.copyfileobj(source, copy, 1 << 20)
        except PictureError as error:
            picture_path, picture_error = None, str(error)
    return {
        "key": item.key,
        "title": item.title,
        "version": item.version.as_json(),
        "placement_id": item.placement_id,
        "page_id": item.page_id,
        "picture": str(picture_path) if picture_path else None,
        "picture_error": picture_error,
        "focal": dataclasses.astuple(item.focal) if item.focal else None,
    }


def _run_child(request_path: Path, progress: ProgressCallback) -> dict[str, Any]:
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [*BUILD_COMMAND, str(request_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        text=True,
        encoding="utf-8",
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(BUILD_TIMEOUT_SECONDS, stop)
    timer.start()
    answer: dict[str, Any] = {}
    try:
        for line in process.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                # A library that prints to standard output must not fail the build.
                logger.info("LED package build process said: %s", line.rstrip()[:300])
                continue
            if "progress" in message:
                progress(message["progress"], message["message"])
            else:
                answer = message
        code = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr.seek(0)
        detail = stderr.read().decode(errors="replace")[-3000:]
        stderr.close()
    if "result" in answer:
        return answer["result"]
    if "error" in answer:
        error = answer["error"]
        raise (VideoUnavailable if error["type"] == "video" else PackageBuildError)(
            error["message"]
        )
    if detail:
        logger.error("LED package build process failed (exit %s):\n%s", code, detail)
    if timed_out.is_set():
        raise PackageBuildError(
            _("节目包生成超过 %(minutes)d 分钟，已停止。")
            % {"minutes": math.ceil(BUILD_TIMEOUT_SECONDS / 60)}
        )
    raise PackageBuildError(
        _("生成节目包的进程意外退出（退出码 %(code)s），节目包没有生成。") % {"code": code}
    )


def _picture_opener(path: str):
    def open_file() -> AbstractContextManager[BinaryIO]:
        return open(path, "rb")

    return open_file


def _picture_failure(message: str):
    def open_file():
        raise PictureError(message)

    return open_file


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory since it started its program (VmHWM; unlike
    ru_maxrss, it does not count the parent's pages the process held before exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _child_main(request_path: str) -> int:
    """Build the package a request describes (runs in the child process)."""
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    settings.configure(
        USE_I18N=True,
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        LANGUAGE_CODE=request["language"],
        LOCALE_PATHS=request["locale_paths"],
        VAR_DIR=request["var_dir"],
        INSTALLED_APPS=[],
    )
    import django

    django.setup()
    translation.activate(request["language"])

    def say(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    items = []
    for entry in request["items"]:
        picture = None
        if entry["picture"]:
            picture = _picture_opener(entry["picture"])
        elif entry["picture_error"]:
            picture = _picture_failure(entry["picture_error"])
        items.append(
            PackageItem(
                key=entry["key"],
                title=entry["title"],
                version=parse_version(entry["version"]),
                placement_id=entry["placement_id"],
                page_id=entry["page_id"],
                picture=picture,
                focal=FocalPoint(*entry["focal"]) if entry["focal"] else None,
            )
        )
    try:
        with open(request["output"], "wb") as out:
            result = build_package(
                out,
                spec=ScreenSpec(**request["spec"]),
                items=items,
                header=request["header"],
                kind=request["kind"],
                progress=lambda percent, message: say(
                    {"progress": percent, "message": str(message)}
                ),
            )
    except VideoUnavailable as error:
        say({"error": {"type": "video", "message": str(error)}})
        return 1
    except (MissingGlyphsError, PictureError, ValueError, OSError) as error:
        say({"error": {"type": "build", "message": str(error)}})
        return 1
    say(
        {
            "result": {
                "manifest": result.manifest,
                "frame_count": result.frame_count,
                "duration_ms": result.duration_ms,
                "timings": result.timings,
                "peak_rss_mb": _peak_rss_mb(),
            }
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1]))
