"""Packages built in a process of their own: the same package as in-process, pictures and
the language carried over, and a build process that crashes or hangs is an error."""

import io
import json
import sys
import zipfile

import pytest
from django.utils import translation
from PIL import Image

from media_schedule.channels.led import builder, services
from media_schedule.channels.led.builder import PackageBuildError, build_package_isolated
from media_schedule.channels.led.models import Package
from media_schedule.channels.led.package import PackageItem, build_package
from media_schedule.channels.led.render import ScreenSpec
from media_schedule.channels.led.versions import parse_version
from media_schedule.channels.pictures import FocalPoint, PictureError

from .test_package import header


def photo_file() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((640, 400)).convert("RGB").save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


def missing_picture():
    raise PictureError("图片（编号 42）不存在或已被删除。")


def loop_items() -> list[PackageItem]:
    return [
        PackageItem(
            "placement-1",
            "第1条",
            parse_version({"lines": ["军民团结一家亲"], "dwell_seconds": 3}),
            placement_id=1,
            page_id=7,
            picture=photo_file,
            focal=FocalPoint(300, 180, 40, 40),
        ),
        PackageItem(
            "placement-2", "第2条", parse_version({"lines": ["拥军优属"]}), picture=missing_picture
        ),
    ]


def test_the_build_process_makes_the_package_the_renderer_makes_in_process():
    spec = ScreenSpec(96, 32, "dual", "red")
    isolated, in_process = io.BytesIO(), io.BytesIO()

    result = build_package_isolated(isolated, spec=spec, items=loop_items(), header=header(spec))
    expected = build_package(in_process, spec=spec, items=loop_items(), header=header(spec))

    assert result.manifest == expected.manifest
    assert (result.frame_count, result.duration_ms) == (expected.frame_count, expected.duration_ms)
    first, second = result.manifest["items"]
    assert [segment["kind"] for segment in first["segments"]] == ["text", "picture"]
    assert (first["placement_id"], first["page_id"]) == (1, 7)
    assert second["warnings"][0] == "图片（编号 42）不存在或已被删除。"
    archive = zipfile.ZipFile(isolated)
    assert json.loads(archive.read("manifest.json")) == result.manifest
    assert archive.testzip() is None


def test_progress_comes_back_in_the_language_of_the_request():
    spec = ScreenSpec(64, 16, "single")
    messages = []
    with translation.override("en"):
        build_package_isolated(
            io.BytesIO(),
            spec=spec,
            items=loop_items()[1:],
            header=header(spec),
            progress=lambda percent, message: messages.append((percent, message)),
        )
    assert messages[-1] == (100, "Done")
    assert [percent for percent, _message in messages] == sorted(p for p, _m in messages)


@pytest.mark.django_db
def test_a_build_process_that_crashes_fails_the_export_and_stores_nothing(
    make_screen, deliver_placement, monkeypatch
):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    monkeypatch.setattr(builder, "BUILD_COMMAND", [sys.executable, "-c", "import os; os.abort()"])
    job = screen.export_jobs.create()

    finished = services.export_job_run(job_id=job.pk)

    assert finished.status == finished.Status.FAILED
    assert finished.error == "生成节目包的进程意外退出（退出码 -6），节目包没有生成。"
    assert not Package.objects.filter(screen=screen).exists()


def test_a_build_process_that_hangs_is_stopped(monkeypatch):
    monkeypatch.setattr(builder, "BUILD_TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(
        builder, "BUILD_COMMAND", [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    out = io.BytesIO()
    spec = ScreenSpec(64, 16, "single")
    with pytest.raises(PackageBuildError, match="已停止"):
        build_package_isolated(out, spec=spec, items=loop_items()[1:], header=header(spec))
    assert out.getvalue() == b""


def test_a_library_printing_to_standard_output_does_not_fail_the_build(monkeypatch):
    noisy = (
        "print('Building prefix dict from the default dictionary ...'); import runpy; "
        "runpy.run_module('media_schedule.channels.led.builder', run_name='__main__')"
    )
    monkeypatch.setattr(builder, "BUILD_COMMAND", [sys.executable, "-c", noisy])
    spec = ScreenSpec(64, 16, "single")
    result = build_package_isolated(
        io.BytesIO(), spec=spec, items=loop_items()[1:], header=header(spec)
    )
    assert result.manifest["loop"]["item_count"] == 1
