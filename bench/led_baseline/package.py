"""The export package of a screen: frames, animations, manifest, playlists and 说明.txt.

:func:`build_package` streams everything into a ZIP: each frame is rendered, encoded and
written before the next one, and the loop GIF is written frame by frame, so memory stays at a
few frames whatever the length of the loop.
"""

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from PIL import GifImagePlugin, Image

from media_schedule.channels.led.versions import LedVersion
from media_schedule.channels.pictures import FocalPoint, PictureError

from .render import FULL, ScreenSpec, render_item
from .typesetting import MissingGlyphsError

MANIFEST_SCHEMA = "led-manifest"
MANIFEST_SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schema") / f"manifest-{MANIFEST_SCHEMA_VERSION}.schema.json"
# Large walls get a scaled-down GIF (their native loop is in the PNGs and the MP4): a GIF
# frame cannot hold more than 256 colours anyway, so the GIF is a preview there.
GIF_MAX_PIXELS = 640 * 360
FFMPEG_TIMEOUT = 900

ProgressCallback = Callable[[int, str], None]


@dataclass
class PackageItem:
    """One entry of the loop as the package builder sees it."""

    key: str
    title: str
    version: LedVersion
    placement_id: int | None = None
    page_id: int | None = None
    # Opens the picture only when the item is rendered, so one picture is in memory at a time.
    picture: Callable[[], Image.Image | None] | None = None
    focal: FocalPoint | None = None


@dataclass
class PackageResult:
    manifest: dict[str, Any]
    frame_count: int
    duration_ms: int
    timings: dict[str, float] = field(default_factory=dict)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gif_scale(spec: ScreenSpec) -> int:
    """The integer factor the loop GIF is reduced by (1 for every LED module screen)."""
    scale = 1
    while (spec.width // scale) * (spec.height // scale) > GIF_MAX_PIXELS:
        scale += 1
    return scale


class GifStream:
    """Writes an animated GIF one frame at a time with Pillow's GIF encoder.

    Identical consecutive frames are merged (their durations added), as Pillow's own
    writer does, but only one frame is held at a time.
    """

    def __init__(self, fp: BinaryIO, *, shared_palette: bool):
        self.fp = fp
        self.shared_palette = shared_palette
        self.pending: Image.Image | None = None
        self.pending_bytes = b""
        self.pending_ms = 0
        self.started = False
        self.frames_written = 0
        self.durations: list[int] = []

    def add(self, image: Image.Image, duration_ms: int) -> None:
        data = image.tobytes()
        if self.pending is not None and data == self.pending_bytes:
            self.pending_ms += duration_ms
            return
        self._flush()
        self.pending, self.pending_bytes, self.pending_ms = image, data, duration_ms

    def _flush(self) -> None:
        if self.pending is None:
            return
        frame = self.pending
        # 8-bit codes, not interlaced; also clears settings left by an earlier PNG save.
        frame.encoderconfig = (8, 0)
        if not self.started:
            header, _used = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": 1})
            self.fp.write(b"".join(header))
            self.started = True
        params = {"duration": self.pending_ms}
        if not self.shared_palette:
            params["include_color_table"] = True
        self.fp.write(b"".join(GifImagePlugin.getdata(frame, **params)))
        self.frames_written += 1
        self.durations.append(self.pending_ms)
        self.pending = None

    def close(self) -> None:
        self._flush()
        self.fp.write(b";")


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    # Level 3 is within a few per cent of the smallest file and much faster at 1920×1080.
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _gif_frame(image: Image.Image, spec: ScreenSpec, scale: int) -> Image.Image:
    if scale > 1:
        image = image.resize((spec.width // scale, spec.height // scale), Image.Resampling.BOX)
    if image.mode == "RGB":
        return image.quantize(colors=255, method=Image.Quantize.FASTOCTREE)
    return image


def _ffmpeg_concat_list(entries: list[tuple[str, int]]) -> str:
    lines = ["ffconcat version 1.0"]
    for path, duration_ms in entries:
        lines.append(f"file '{path}'")
        lines.append(f"duration {duration_ms / 1000:.3f}")
    # The concat demuxer ignores the last duration unless the last file is listed again.
    lines.append(f"file '{entries[-1][0]}'")
    return "\n".join(lines) + "\n"


def make_mp4(frame_dir: Path, entries: list[tuple[str, int]], out_path: Path) -> bool:
    """Encode the loop as H.264 MP4 with each frame held for its own duration.

    The video keeps variable frame timing, so a still held for eight seconds is one frame,
    not two hundred. Returns ``False`` (and the package goes without MP4) when ffmpeg is
    not installed.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None or not entries:
        return False
    listing = frame_dir / "concat.txt"
    listing.write_text(_ffmpeg_concat_list(entries), encoding="utf-8")
    command = [
        ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0",
        "-i", str(listing), "-fps_mode", "vfr",
        "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2,format=yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-tune", "stillimage",
        "-movflags", "+faststart", str(out_path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return True


def _time_text(ms: int) -> str:
    seconds = ms / 1000
    return f"{seconds:g}"


def m3u_playlist(entries: list[dict[str, Any]], title: str) -> str:
    """An extended M3U (UTF-8) listing each still or animation with its duration."""
    lines = ["#EXTM3U", "#EXTENC:UTF-8", f"#PLAYLIST:{title}"]
    for entry in entries:
        seconds = max(1, round(entry["duration_ms"] / 1000))
        lines.append(f"#EXTINF:{seconds},{entry['title']}")
        lines.append(entry["file"])
    return "\n".join(lines) + "\n"


def xspf_playlist(entries: list[dict[str, Any]], title: str) -> str:
    """An XSPF playlist; ``duration`` is in milliseconds as the format defines."""
    tracks = "".join(
        "    <track>\n"
        f"      <location>{escape(entry['file'])}</location>\n"
        f"      <title>{escape(entry['title'])}</title>\n"
        f"      <duration>{entry['duration_ms']}</duration>\n"
        "    </track>\n"
        for entry in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<playlist version="1" xmlns="http://xspf.org/ns/0/">\n'
        f"  <title>{escape(title)}</title>\n"
        f"  <trackList>\n{tracks}  </trackList>\n"
        "</playlist>\n"
    )


def readme_text(manifest: dict[str, Any]) -> str:
    """说明.txt: how an operator loads the package into the screen's controller."""
    screen = manifest["screen"]
    package = manifest["package"]
    mp4 = any(f["path"] == "loop.mp4" for f in manifest["files"])
    hours = screen["operating_hours"]
    kind = "插播节目" if manifest["kind"] == "insertion" else "轮播节目"
    lines = [
        f"户外显示屏节目包说明（{kind}）",
        "",
        f"显示屏：{screen['name']}",
        f"安装位置：{screen['location'] or '未填写'}",
        f"分辨率：{screen['width']}×{screen['height']} 像素，{screen['colour_mode_label']}",
        f"控制卡：{screen['controller']['vendor'] or '未填写'} {screen['controller']['model']}",
        f"开屏时间：每日 {hours['opens']}—{hours['closes']}",
        f"节目包版本：第 {package['version']} 版，生成于 {package['created_display']}",
        f"节目条数：{manifest['loop']['item_count']} 条，"
        f"一轮时长约 {round(manifest['loop']['duration_ms'] / 1000)} 秒。",
        "",
        "一、包内文件",
        "  frames/        每一帧画面（PNG，按屏幕实际像素制作，不要缩放）",
        "  items/         需要滚动显示的条目的动画（GIF）",
        "  loop.gif       整轮节目的动画（GIF）",
    ]
    if mp4:
        lines.append("  loop.mp4       整轮节目的视频（H.264）")
    lines += [
        "  playlist.m3u   带时长的播放列表（M3U）",
        "  playlist.xspf  带时长的播放列表（XSPF）",
        "  manifest.json  节目清单：条目、时长、播放日期与时段、优先级、文件校验值",
        "",
        "二、用U盘更新",
        "  1. 把整个压缩包解压到U盘根目录下的一个新文件夹。",
        "  2. 在控制卡的编辑软件中新建节目，屏幕尺寸设为上面的分辨率。",
        ("  3. 控制卡支持视频时导入 loop.mp4；只支持图片时" if mp4 else "  3. ")
        + "按 playlist.m3u 的顺序导入 frames/ 中的图片和 items/ 中的动画，"
        "并按列表中的时长设置每项的停留时间。",
        "  4. 按 manifest.json 中每条的播放日期（valid_from、valid_until）和时段（day_parts）"
        "设置播放计划；没有时段的条目在开屏时间内播放。",
        "  5. 优先级高的条目在有效时间内优先播放，紧急通知（优先级 9）播出时暂停其他条目。",
        "",
        "三、网络拉取",
        "  控制器可定时请求本屏的拉取地址（见系统后台），请求头带 If-None-Match 时，"
        "内容未变化会返回 304，无需重新写入。每次拉取都会留下记录，作为本屏已接收节目的凭证。",
        "",
        "四、核对",
        "  manifest.json 列出了每个文件的 SHA-256 校验值，可用 sha256sum 核对文件是否完整。",
        "  只有画面内容变化时才会生成新版本，同一版本无需重复写入控制卡。",
    ]
    return "\r\n".join(lines) + "\r\n"


def build_package(
    out: BinaryIO,
    *,
    spec: ScreenSpec,
    items: list[PackageItem],
    header: dict[str, Any],
    kind: str = "loop",
    progress: ProgressCallback | None = None,
    with_mp4: bool = True,
) -> PackageResult:
    """Render every item for the screen and write the ZIP package to ``out``.

    ``header`` carries the ``screen`` and ``package`` parts of the manifest (and, for an
    insertion, its ``insertion`` window). ``progress(percent, message)`` is called as the
    work advances. Raises the renderer's errors (e.g. missing glyphs) before anything of a
    half-built package can be used.
    """
    report = progress or (lambda percent, message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    files: list[dict[str, Any]] = []
    manifest_items: list[dict[str, Any]] = []
    playlist_entries: list[dict[str, Any]] = []
    mp4_entries: list[tuple[str, int]] = []
    scale = gif_scale(spec)
    # Single- and dual-colour frames share one fixed palette; full-colour frames carry their own.
    shared = spec.colour_mode != FULL
    want_mp4 = with_mp4 and shutil.which("ffmpeg") is not None
    frame_total = 0
    duration_total = 0
    skipped: list[dict[str, str]] = []

    workdir = Path(tempfile.mkdtemp(prefix="led-package-"))
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            def add(path: str, data: bytes, media_type: str, role: str, compress: bool) -> str:
                digest = sha256_bytes(data)
                archive.writestr(
                    path,
                    data,
                    compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED,
                )
                files.append(
                    {
                        "path": path,
                        "media_type": media_type,
                        "role": role,
                        "bytes": len(data),
                        "sha256": digest,
                    }
                )
                return digest

            gif_path = workdir / "loop.gif"
            with gif_path.open("wb") as gif_file:
                gif = GifStream(gif_file, shared_palette=shared)
                for number, item in enumerate(items, start=1):
                    report(
                        int(70 * (number - 1) / max(1, len(items))),
                        _("正在生成第 %(number)d/%(total)d 条")
                        % {"number": number, "total": len(items)},
                    )
                    notes: list[str] = []
                    try:
                        picture = item.picture() if item.picture else None
                    except PictureError as error:
                        # One broken picture must not keep the whole loop off the screen.
                        picture = None
                        notes.append(str(error))
                    try:
                        rendered = render_item(
                            item.version, spec, picture=picture, focal=item.focal
                        )
                    except (MissingGlyphsError, ValueError) as error:
                        skipped.append({"key": item.key, "title": item.title, "reason": str(error)})
                        continue
                    del picture
                    segments_json = []
                    for seg_no, segment in enumerate(rendered.segments, start=1):
                        frames_json = []
                        item_gif = None
                        if segment.kind == "scroll":
                            item_gif_path = f"items/{number:03d}-{seg_no}.gif"
                            item_gif_buffer = BytesIO()
                            item_gif = GifStream(item_gif_buffer, shared_palette=shared)
                        for frame_no, frame in enumerate(segment.frames, start=1):
                            path = f"frames/{number:03d}/{seg_no}-{frame_no:04d}.png"
                            data = _png(frame.image)
                            digest = add(path, data, "image/png", "frame", False)
                            frames_json.append(
                                {"file": path, "duration_ms": frame.duration_ms, "sha256": digest}
                            )
                            if want_mp4:
                                frame_file = workdir / path.replace("/", "_")
                                frame_file.write_bytes(data)
                                mp4_entries.append((str(frame_file), frame.duration_ms))
                            gif.add(_gif_frame(frame.image, spec, scale), frame.duration_ms)
                            if item_gif is not None:
                                item_gif.add(_gif_frame(frame.image, spec, 1), frame.duration_ms)
                        if item_gif is not None:
                            item_gif.close()
                            add(
                                item_gif_path,
                                item_gif_buffer.getvalue(),
                                "image/gif",
                                "segment_animation",
                                False,
                            )
                            playlist_file = item_gif_path
                        else:
                            playlist_file = frames_json[0]["file"]
                        segments_json.append(
                            {
                                "kind": segment.kind,
                                "duration_ms": segment.duration_ms,
                                "animation": item_gif_path if item_gif is not None else None,
                                "frames": frames_json,
                            }
                        )
                        playlist_entries.append(
                            {
                                "file": playlist_file,
                                "duration_ms": segment.duration_ms,
                                "title": item.title,
                            }
                        )
                        frame_total += len(segment.frames)
                    duration_total += rendered.duration_ms
                    version = item.version
                    manifest_items.append(
                        {
                            "key": item.key,
                            "position": number,
                            "title": item.title,
                            "placement_id": item.placement_id,
                            "page_id": item.page_id,
                            "lines": list(version.lines),
                            "layout": {
                                "font": rendered.layout.face.name,
                                "font_px": rendered.layout.face.size,
                                "lines": list(rendered.layout.lines),
                                "scrolling": rendered.layout.scrolling,
                            },
                            "priority": version.priority,
                            "urgent": version.urgent,
                            "valid_from": version.valid_from.isoformat()
                            if version.valid_from
                            else None,
                            "valid_until": version.valid_until.isoformat()
                            if version.valid_until
                            else None,
                            "day_parts": [part.as_json() for part in version.day_parts],
                            "duration_ms": rendered.duration_ms,
                            "segments": segments_json,
                            "warnings": [*notes, *rendered.warnings],
                        }
                    )
                gif.close()
            timings["render"] = time.perf_counter() - started

            report(72, _("正在写入动画"))
            if gif.frames_written:
                add("loop.gif", gif_path.read_bytes(), "image/gif", "loop_animation", False)

            mp4_started = time.perf_counter()
            if want_mp4:
                report(80, _("正在编码视频"))
                mp4_path = workdir / "loop.mp4"
                if make_mp4(workdir, mp4_entries, mp4_path):
                    add("loop.mp4", mp4_path.read_bytes(), "video/mp4", "loop_video", False)
            timings["mp4"] = time.perf_counter() - mp4_started

            report(95, _("正在写入清单"))
            title = f"{header['screen']['name']} 第{header['package']['version']}版"
            add(
                "playlist.m3u",
                m3u_playlist(playlist_entries, title).encode(),
                "audio/x-mpegurl",
                "playlist",
                True,
            )
            add(
                "playlist.xspf",
                xspf_playlist(playlist_entries, title).encode(),
                "application/xspf+xml",
                "playlist",
                True,
            )
            manifest = {
                "schema": MANIFEST_SCHEMA,
                "schema_version": MANIFEST_SCHEMA_VERSION,
                "kind": kind,
                **header,
                "loop": {
                    "item_count": len(manifest_items),
                    "frame_count": frame_total,
                    "duration_ms": duration_total,
                    "gif": {
                        "file": "loop.gif",
                        "width": spec.width // scale,
                        "height": spec.height // scale,
                        "frame_count": gif.frames_written,
                    }
                    if gif.frames_written
                    else None,
                },
                "items": manifest_items,
                "skipped": skipped,
                "files": files,
            }
            readme = readme_text(manifest)
            add("说明.txt", readme.encode("utf-8-sig"), "text/plain; charset=utf-8", "readme", True)
            manifest_bytes = manifest_json(manifest)
            archive.writestr("manifest.json", manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    report(100, _("完成"))
    return PackageResult(manifest, frame_total, duration_total, timings)


def manifest_json(manifest: dict[str, Any]) -> bytes:
    """The manifest as stored and served: UTF-8 JSON, keys in a stable order."""
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
