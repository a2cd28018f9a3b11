"""The export package: ZIP contents, manifest schema and checksums, GIF, MP4 read back with
ffprobe, scrolls stored as strips (pixel-identical to today's frames), old manifests."""

import hashlib
import io
import itertools
import json
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from media_schedule.channels.led import package as package_module
from media_schedule.channels.led import video as video_module
from media_schedule.channels.led.package import (
    SCHEMA_DIR,
    SCHEMA_PATH,
    PackageItem,
    build_package,
    read_manifest,
    segment_frames,
)
from media_schedule.channels.led.render import ScreenSpec
from media_schedule.channels.led.versions import parse_version
from media_schedule.channels.led.video import (
    VideoEncoder,
    VideoUnavailable,
    gop_lengths,
    scroll_yuv420p,
    video_settings,
    yuv420p,
)


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


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def items(with_picture=False):
    made = []
    for number, (text, dwell) in enumerate(ITEMS, start=1):
        picture = None
        if with_picture and number == 1:
            picture = lambda: io.BytesIO(png_bytes(Image.linear_gradient("L").resize((800, 600))))  # noqa: E731
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
    # The scroll is one strip, not a PNG per frame: only the two stills and the picture.
    assert sorted(name for name in names if name.startswith("frames/")) == [
        "frames/001/1-0001.png",
        "frames/001/2-0001.png",
        "frames/003/1-0001.png",
    ]
    assert [name for name in names if name.startswith("strips/")] == ["strips/002-1.png"]
    readme = archive.read("说明.txt").decode("utf-8-sig")
    assert "U盘" in readme and "人民广场东侧屏" in readme and "192×64" in readme


def test_manifest_follows_the_published_json_schema(single):
    _result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(manifest, schema)
    assert manifest["schema_version"] == 2
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


def ffprobe(path) -> dict:
    probe = subprocess.run(
        [
            "ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format",
            "-show_entries", "packet=pts,dts,flags", "-of", "json", str(path),
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(probe.stdout)


def test_mp4_is_constant_rate_h264_without_b_frames_as_long_as_the_loop(single, tmp_path):
    result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    path = tmp_path / "loop.mp4"
    path.write_bytes(archive.read("loop.mp4"))

    probe = ffprobe(path)
    (stream,) = probe["streams"]
    packets = probe["packets"]

    assert stream["codec_name"] == "h264"
    assert stream["profile"] == "Constrained Baseline"
    assert stream["level"] == 30
    assert stream["pix_fmt"] == "yuv420p"
    assert (stream["width"], stream["height"]) == (192, 64)
    assert stream["has_b_frames"] == 0
    # The scroll needs one video frame per 50 ms step: 20 frames a second, constant.
    assert stream["r_frame_rate"] == stream["avg_frame_rate"] == "20/1"
    assert int(stream["nb_read_packets"]) == result.duration_ms * 20 // 1000
    assert int(stream["nb_read_packets"]) == manifest["loop"]["video"]["frame_count"]
    frame_ms = 1000 / 20
    assert abs(float(stream["duration"]) * 1000 - result.duration_ms) < frame_ms
    assert abs(float(probe["format"]["duration"]) * 1000 - result.duration_ms) < frame_ms
    # No B-frames: decode order is presentation order and nothing starts before zero.
    assert all(packet["pts"] == packet["dts"] for packet in packets)
    assert packets[0]["pts"] == 0 and float(stream["start_time"]) == 0
    steps = {b["pts"] - a["pts"] for a, b in itertools.pairwise(packets)}
    assert len(steps) == 1
    assert manifest["loop"]["video"] == {
        "file": "loop.mp4",
        "codec": "h264",
        "profile": "constrained_baseline",
        "level": "3.0",
        "pixel_format": "yuv420p",
        "colour": "bt601_limited",
        "frame_rate": 20,
        "constant_frame_rate": True,
        "b_frames": 0,
        "keyframe_interval_s": 10,
        "width": 192,
        "height": 64,
        "padded": False,
        "frame_count": result.duration_ms * 20 // 1000,
    }
    readme = archive.read("说明.txt").decode("utf-8-sig")
    assert "恒定帧率 20 帧/秒" in readme and "无 B 帧" in readme and "级别 3.0" in readme
    assert "每条节目都从关键帧开始，关键帧间隔不超过 10 秒" in readme
    # Every segment starts on a keyframe: the positions of the segments' first frames.
    keyframes = {packet["pts"] for packet in packets if "K" in packet["flags"]}
    step = packets[1]["pts"] - packets[0]["pts"]
    starts, elapsed = [], 0
    for item in manifest["items"]:
        for segment in item["segments"]:
            starts.append(elapsed * 20 // 1000 * step)
            elapsed += segment["duration_ms"]
    assert set(starts) <= keyframes


def test_stills_only_loop_is_one_frame_a_second_and_odd_sizes_are_padded(tmp_path):
    spec = ScreenSpec(97, 33, "dual")
    short = [
        PackageItem("placement-1", "一", parse_version({"lines": ["双拥"], "dwell_seconds": 7}))
    ]
    buffer = io.BytesIO()
    result = build_package(buffer, spec=spec, items=short, header=header(spec))
    archive = zipfile.ZipFile(buffer)
    path = tmp_path / "loop.mp4"
    path.write_bytes(archive.read("loop.mp4"))

    (stream,) = ffprobe(path)["streams"]

    assert (stream["width"], stream["height"]) == (98, 34)
    assert stream["r_frame_rate"] == "1/1" and int(stream["nb_read_packets"]) == 7
    assert float(stream["duration"]) == result.duration_ms / 1000 == 7
    video = result.manifest["loop"]["video"]
    assert (video["width"], video["height"], video["padded"]) == (98, 34, True)
    assert "98×34" in archive.read("说明.txt").decode("utf-8-sig")


def test_a_machine_that_cannot_encode_video_fails_loudly_and_writes_no_package(monkeypatch):
    monkeypatch.setattr(video_module, "ENCODER", "libx264-missing")
    buffer = io.BytesIO()
    with pytest.raises(VideoUnavailable, match="libx264-missing"):
        build_package(
            buffer,
            spec=ScreenSpec(64, 16, "single"),
            items=items(),
            header=header(ScreenSpec(64, 16)),
        )
    assert buffer.getvalue() == b""


def test_a_video_that_cannot_be_written_is_an_error_not_a_package():
    # /dev/full takes the file but fails every write, as a full disk does.
    settings = video_settings(ScreenSpec(64, 16, "single"), scrolls=True)
    video = VideoEncoder(settings, Path("/dev/full"))
    frame = yuv420p(Image.new("RGB", (64, 16), "red"), settings)
    for _second in range(30):
        video.add_still(frame, 1000)
    with pytest.raises(VideoUnavailable, match=r"loop\.mp4"):
        video.close()


def decoded_frames(path: Path, settings) -> list[bytes]:
    """Every frame of ``path`` as ffmpeg's own decoder gives it; decoding errors fail."""
    completed = subprocess.run(
        ["ffmpeg", "-v", "error", "-xerror", "-i", str(path), "-f", "rawvideo",
         "-pix_fmt", "yuv420p", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert completed.stderr == b""
    size = settings.frame_bytes
    data = completed.stdout
    assert len(data) % size == 0
    return [data[offset : offset + size] for offset in range(0, len(data), size)]


def mean_difference(first: bytes, second: bytes) -> float:
    return sum(abs(a - b) for a, b in zip(first, second, strict=True)) / len(first)


def test_each_still_decodes_as_one_unchanging_picture_close_to_its_frame(single, tmp_path):
    result, archive = single
    manifest = json.loads(archive.read("manifest.json"))
    path = tmp_path / "loop.mp4"
    path.write_bytes(archive.read("loop.mp4"))
    settings = video_settings(ScreenSpec(192, 64, "single"), scrolls=True)

    frames = decoded_frames(path, settings)

    assert len(frames) == manifest["loop"]["video"]["frame_count"] == result.duration_ms // 50
    # Item 1: its text for 6 s (120 frames), then its picture for 6 s.
    text, picture = manifest["items"][0]["segments"]
    for segment, first in ((text, 0), (picture, 120)):
        held = frames[first : first + 120]
        assert len(set(held)) == 1, "a still must not change while it is held"
        source = Image.open(io.BytesIO(archive.read(segment["frames"][0]["file"])))
        assert mean_difference(held[0], yuv420p(source, settings)) < 1.5
    assert frames[119] != frames[120]
    # The scroll that follows moves on every frame.
    scroll = frames[240 : 240 + manifest["items"][1]["segments"][0]["scroll"]["frame_count"]]
    assert all(a != b for a, b in itertools.pairwise(scroll[:20]))


def test_without_skip_pictures_every_frame_is_encoded_and_decodes_alike(monkeypatch, tmp_path):
    spec = ScreenSpec(96, 32, "dual")
    settings = video_settings(spec, scrolls=False)
    stills = [Image.new("RGB", (96, 32), colour) for colour in ("red", "green", "yellow")]
    decoded = {}
    for name, limit in (("skips", video_module.SKIP_PICTURE_MAX_BYTES), ("encoded", 0)):
        monkeypatch.setattr(video_module, "SKIP_PICTURE_MAX_BYTES", limit)
        path = tmp_path / f"{name}.mp4"
        video = VideoEncoder(settings, path)
        assert (video._skips is None) == (limit == 0)
        for image, seconds in zip(stills, (12, 1, 21), strict=True):
            video.add_still(yuv420p(image, settings), seconds * 1000)
        video.close()
        decoded[name] = decoded_frames(path, settings)
        packets = ffprobe(path)["packets"]
        step = packets[1]["pts"] - packets[0]["pts"]
        keyframes = [p["pts"] // step for p in packets if "K" in p["flags"]]
        assert keyframes[:4] == [0, 10, 12, 13]
        assert max(b - a for a, b in itertools.pairwise([*keyframes, 34])) <= 10

    assert len(decoded["skips"]) == len(decoded["encoded"]) == 34
    for skipped, encoded in zip(decoded["skips"], decoded["encoded"], strict=True):
        assert mean_difference(skipped, encoded) < 1.0


@pytest.mark.parametrize(
    ("frames", "lengths"),
    [(1, [1]), (7, [7]), (10, [10]), (11, [9, 2]), (20, [10, 10]), (21, [10, 9, 2])],
)
def test_a_long_still_is_cut_into_keyframe_groups_never_leaving_a_lone_keyframe(frames, lengths):
    assert gop_lengths(frames, 10) == lengths


def test_scroll_strip_gives_exactly_the_frames_of_todays_renderer():
    from bench.led_baseline.render import ScreenSpec as OldSpec
    from bench.led_baseline.render import render_item as old_render_item

    spec = ScreenSpec(192, 64, "single")
    _result, archive = build(spec)
    manifest = read_manifest(archive.read("manifest.json"))
    scroll_segment = manifest["items"][1]["segments"][0]
    new_frames = list(segment_frames(scroll_segment, archive.read))
    old = old_render_item(parse_version({"lines": [ITEMS[1][0]]}), OldSpec(192, 64, "single"))
    old_frames = old.segments[0].frames

    assert scroll_segment["scroll"]["frame_count"] == len(old_frames) == len(new_frames)
    assert scroll_segment["duration_ms"] == old.segments[0].duration_ms
    for (image, duration), frame in zip(new_frames, old_frames, strict=True):
        assert duration == frame.duration_ms
        assert image.size == frame.image.size
        assert image.convert("RGB").tobytes() == frame.image.convert("RGB").tobytes()
    # A 64 px face moves 8 px every 50 ms.
    assert (scroll_segment["scroll"]["step_px"], scroll_segment["scroll"]["frame_ms"]) == (8, 50)
    assert scroll_segment["scroll"]["speed_px_per_s"] == 160.0


def test_a_version_1_package_of_todays_builder_is_still_read(monkeypatch):
    from bench.led_baseline import package as old_package

    spec = ScreenSpec(128, 32, "single")
    buffer = io.BytesIO()
    old_package.build_package(buffer, spec=spec, items=items(), header=header(spec))
    archive = zipfile.ZipFile(buffer)

    manifest = read_manifest(archive.read("manifest.json"))
    old_schema = json.loads((SCHEMA_DIR / "manifest-1.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, old_schema)
    scroll = next(s for i in manifest["items"] for s in i["segments"] if s["kind"] == "scroll")
    frames = list(segment_frames(scroll, archive.read))

    assert manifest["schema_version"] == 1
    assert len(frames) == len(scroll["frames"]) > 10
    assert all(image.size == (128, 32) for image, _ms in frames)
    assert sum(ms for _image, ms in frames) == scroll["duration_ms"]


@pytest.mark.parametrize(
    "document",
    [b'{"schema": "led-manifest", "schema_version": 3}', b'{"schema": "other"}', b"[]"],
)
def test_an_unknown_manifest_version_or_kind_is_refused(document):
    with pytest.raises(ValueError):
        read_manifest(document)


def test_full_colour_wall_gets_native_stills_a_jpeg_photo_and_no_loop_gif():
    _result, archive = build(ScreenSpec(1920, 1080, "full"), with_picture=True)
    manifest = json.loads(archive.read("manifest.json"))
    text, picture = manifest["items"][0]["segments"]
    text_image = Image.open(io.BytesIO(archive.read(text["frames"][0]["file"])))
    photo = Image.open(io.BytesIO(archive.read(picture["frames"][0]["file"])))
    assert (text_image.format, text_image.size) == ("PNG", (1920, 1080))
    assert (photo.format, photo.size) == ("JPEG", (1920, 1080))
    # The wall plays loop.mp4; a 256-colour GIF of it is left out.
    assert manifest["loop"]["gif"] is None and "loop.gif" not in archive.namelist()
    assert "loop.gif" not in archive.read("说明.txt").decode("utf-8-sig")
    assert manifest["items"][0]["warnings"], "an 800×600 picture is too small for the wall"


def test_a_large_one_colour_screen_gets_a_reduced_loop_gif():
    _result, archive = build(ScreenSpec(1280, 640, "single"))
    manifest = json.loads(archive.read("manifest.json"))
    gif = Image.open(io.BytesIO(archive.read("loop.gif")))
    assert gif.size == (manifest["loop"]["gif"]["width"], manifest["loop"]["gif"]["height"])
    assert gif.size == (640, 320)


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


@pytest.mark.parametrize("step", [7, 8])
def test_scroll_video_frames_cut_from_the_converted_strip_equal_converting_each_frame(step):
    from media_schedule.channels.led.render import Scroll

    spec = ScreenSpec(96, 32, "dual")
    strip = Image.radial_gradient("L").resize((400, 32)).convert("RGB")
    scroll = Scroll(strip, 96, step, 50, (400 - 96) // step + 1)
    settings = video_settings(spec, scrolls=True)

    cut = list(scroll_yuv420p(scroll, settings))

    assert len(cut) == scroll.frame_count
    for number in (0, 1, 2, scroll.frame_count - 1):
        assert cut[number] == yuv420p(scroll.frame(number), settings)


def test_a_frame_the_writer_cannot_take_stops_the_build_instead_of_hanging_it():
    settings = video_settings(ScreenSpec(64, 16, "single"), scrolls=False)
    video = VideoEncoder(settings, Path("/dev/null"))
    video.add_still(b"too short for a frame", 1000)
    with pytest.raises(VideoUnavailable):
        for _second in range(100):
            video.add_still(yuv420p(Image.new("RGB", (64, 16)), settings), 1000)
        video.close()
