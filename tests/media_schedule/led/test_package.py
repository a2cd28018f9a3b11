"""The export package: ZIP contents, manifest schema and checksums, GIF, MP4, playlists."""

import hashlib
import io
import json
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import jsonschema
import pytest
from PIL import Image

from media_schedule.channels.led import package as package_module
from media_schedule.channels.led.package import SCHEMA_PATH, PackageItem, build_package
from media_schedule.channels.led.render import ScreenSpec
from media_schedule.channels.led.versions import parse_version


def header(spec: ScreenSpec) -> dict:
    return {
        "screen": {
            "id": 1,
            "name": "人民广场东侧屏",
            "width": spec.width,
            "height": spec.height,
            "colour_mode": spec.colour_mode,
            "colour_mode_label": "单色",
            "led_colour": spec.led_colour,
            "location": "人民广场东侧",
            "operating_hours": {"opens": "07:00", "closes": "22:00"},
            "controller": {"vendor": "诺瓦", "model": "T3"},
        },
        "package": {
            "version": 3,
            "fingerprint": "0" * 64,
            "created_at": "2025-08-01T07:30:00+08:00",
            "created_display": "2025年8月1日 07:30",
        },
    }


ITEMS = [
    ("军民团结一家亲", 6),
    (
        "全民国防教育日主题活动在县文化广场举行，驻地官兵进行装备展示，现场发放宣传资料三千余份，欢迎广大市民踊跃参加",
        5,
    ),
    ("强军兴军 从我做起", 4),
]


def items(with_picture=False):
    made = []
    for number, (text, dwell) in enumerate(ITEMS, start=1):
        picture = None
        if with_picture and number == 1:
            picture = lambda: Image.linear_gradient("L").resize((800, 600)).convert("RGB")  # noqa: E731
        made.append(
            PackageItem(
                key=f"placement-{number}",
                title=f"第{number}条",
                version=parse_version(
                    {
                        "lines": [text],
                        "dwell_seconds": dwell,
                        "day_parts": [{"start": "07:00", "end": "21:00"}],
                    }
                ),
                placement_id=number,
                page_id=10 + number,
                picture=picture,
            )
        )
    return made


def build(spec, **options):
    buffer = io.BytesIO()
    result = build_package(buffer, spec=spec, items=items(**options), header=header(spec))
    buffer.seek(0)
    return result, zipfile.ZipFile(buffer)


@pytest.fixture(scope="module")
def single():
    return build(ScreenSpec(192, 64, "single"), with_picture=True)


def test_zip_holds_frames_animations_playlists_manifest_and_readme(single):
    _result, archive = single
    names = set(archive.namelist())
    assert {
        "manifest.json",
        "说明.txt",
        "loop.gif",
        "loop.mp4",
        "playlist.m3u",
        "playlist.xspf",
    } <= names
    assert any(name.startswith("frames/") and name.endswith(".png") for name in names)
    assert any(name.startswith("items/") and name.endswith(".gif") for name in names)
    readme = archive.read("说明.txt").decode("utf-8-sig")
    assert "U盘" in readme and "人民广场东侧屏" in readme and "192×64" in readme


def test_manifest_follows_the_published_json_schema(single):
    _result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(manifest, schema)
    assert manifest["schema_version"] == 1
    assert [item["position"] for item in manifest["items"]] == [1, 2, 3]
    assert manifest["items"][0]["day_parts"] == [{"start": "07:00", "end": "21:00"}]


def test_manifest_is_refused_by_the_schema_when_a_checksum_is_malformed(single):
    _result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    manifest["files"][0]["sha256"] = "not-a-digest"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, schema)


def test_every_listed_file_is_in_the_zip_with_its_checksum_and_size(single):
    _result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == set(archive.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert len(data) == entry["bytes"]
    for item in manifest["items"]:
        for segment in item["segments"]:
            for frame in segment["frames"]:
                assert hashlib.sha256(archive.read(frame["file"])).hexdigest() == frame["sha256"]


def test_frames_are_pngs_at_the_screens_native_size(single):
    _result, archive = single
    frames = [name for name in archive.namelist() if name.startswith("frames/")]
    for name in frames[:50]:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG" and image.size == (192, 64)


def test_gif_frame_count_and_durations_read_back_with_pillow(single):
    result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    gif = Image.open(io.BytesIO(archive.read("loop.gif")))
    assert gif.format == "GIF" and gif.size == (192, 64)
    assert gif.n_frames == manifest["loop"]["gif"]["frame_count"]
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert sum(durations) == manifest["loop"]["duration_ms"] == result.duration_ms
    # The first item: 6 s of text, then 6 s of its picture; the last item holds 4 s.
    assert durations[:2] == [6000, 6000]
    assert durations[-1] == 4000
    assert set(durations[2:-1]) == {50}


def test_playlists_list_every_segment_with_its_duration(single):
    result, archive = single
    m3u = archive.read("playlist.m3u").decode("utf-8").splitlines()
    assert m3u[0] == "#EXTM3U"
    extinf = [line for line in m3u if line.startswith("#EXTINF:")]
    assert extinf[0].startswith("#EXTINF:6,第1条")
    tree = ET.fromstring(archive.read("playlist.xspf"))
    ns = {"x": "http://xspf.org/ns/0/"}
    durations = [int(node.text) for node in tree.findall(".//x:track/x:duration", ns)]
    locations = [node.text for node in tree.findall(".//x:track/x:location", ns)]
    assert sum(durations) == result.duration_ms
    assert all(location in archive.namelist() for location in locations)


def test_mp4_lasts_as_long_as_the_loop(single, tmp_path):
    result, archive = single
    path = tmp_path / "loop.mp4"
    path.write_bytes(archive.read("loop.mp4"))
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert abs(float(probe.stdout) * 1000 - result.duration_ms) < 200


def test_package_goes_without_mp4_when_ffmpeg_is_absent(monkeypatch):
    monkeypatch.setattr(package_module.shutil, "which", lambda name: None)
    _result, archive = build(ScreenSpec(64, 16, "single"))
    manifest = json.loads(archive.read("manifest.json"))
    assert "loop.mp4" not in archive.namelist()
    assert all(entry["path"] != "loop.mp4" for entry in manifest["files"])
    assert "loop.mp4" not in archive.read("说明.txt").decode("utf-8-sig")


def test_full_colour_wall_gets_native_frames_and_a_reduced_gif():
    _result, archive = build(ScreenSpec(1920, 1080, "full"), with_picture=True)
    manifest = json.loads(archive.read("manifest.json"))
    first = manifest["items"][0]["segments"][0]["frames"][0]["file"]
    assert Image.open(io.BytesIO(archive.read(first))).size == (1920, 1080)
    gif = Image.open(io.BytesIO(archive.read("loop.gif")))
    assert gif.size == (manifest["loop"]["gif"]["width"], manifest["loop"]["gif"]["height"])
    assert gif.size[0] * gif.size[1] <= package_module.GIF_MAX_PIXELS
    assert manifest["items"][0]["warnings"], "an 800×600 picture is too small for the wall"


def test_an_item_that_cannot_be_drawn_is_skipped_and_named_not_fatal():
    spec = ScreenSpec(128, 32, "single")
    bad = PackageItem("placement-9", "表情", parse_version({"lines": ["拥军😀"]}))

    def broken():
        raise package_module.PictureError("图片文件已损坏")

    broken_picture = PackageItem(
        "placement-8", "坏图", parse_version({"lines": ["双拥"]}), picture=broken
    )
    buffer = io.BytesIO()
    result = build_package(buffer, spec=spec, items=[bad, broken_picture], header=header(spec))
    assert [entry["key"] for entry in result.manifest["skipped"]] == ["placement-9"]
    assert "😀" in result.manifest["skipped"][0]["reason"]
    assert result.manifest["items"][0]["warnings"][0] == "图片文件已损坏"
