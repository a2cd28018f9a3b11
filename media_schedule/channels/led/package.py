"""The export package of a screen: stills, scroll strips, animations, the loop video,
manifest, playlists and 说明.txt.

:func:`build_package` streams everything into a ZIP: each still is rendered, encoded and
written before the next one; a scroll is stored as one strip image plus its speed, and its
frames are cut from the strip only for the GIFs and the video, one at a time, so memory
stays at a few frames whatever the length of the loop. The video (loop.mp4) is always made:
a package without it is never written.
"""

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from PIL import GifImagePlugin, Image

from ..pictures import FocalPoint, PictureError, open_picture
from .render import FULL, ScreenSpec, Scroll, layout_item, render_item
from .typesetting import MissingGlyphsError
from .versions import LedVersion
from .video import VideoEncoder, scroll_yuv420p, video_settings, yuv420p

MANIFEST_SCHEMA = "led-manifest"
MANIFEST_SCHEMA_VERSION = 2
SCHEMA_DIR = Path(__file__).with_name("schema")
SCHEMA_PATH = SCHEMA_DIR / f"manifest-{MANIFEST_SCHEMA_VERSION}.schema.json"
# Large walls get a scaled-down GIF (their native loop is in the PNGs and the MP4): a GIF
# frame cannot hold more than 256 colours anyway, so the GIF is a preview there.
GIF_MAX_PIXELS = 640 * 360
# Encoded GIF frames kept for reuse (the loop GIF and a scroll's own GIF, a slogan placed
# more than once), keyed by a digest of their pixels: a whole scroll of a module screen fits.
GIF_CACHE_BYTES = 8 * 1024 * 1024
# Text pages and scroll strips drawn once per build, with their encodings (PNG, video
# frames), up to this many bytes: a slogan placed several times in the loop is drawn and
# encoded once. Nothing is evicted, so a loop longer than the budget never thrashes.
DRAWN_CACHE_BYTES = 64 * 1024 * 1024
ProgressCallback = Callable[[int, str], None]


@dataclass
class PackageItem:
    """One entry of the loop as the package builder sees it."""

    key: str
    title: str
    version: LedVersion
    placement_id: int | None = None
    page_id: int | None = None
    # Opens the picture's file (a context manager giving a binary file) only when the item
    # is rendered, so one picture is in memory at a time.
    picture: Callable[[], AbstractContextManager[BinaryIO]] | None = None
    focal: FocalPoint | None = None


@dataclass
class PackageResult:
    manifest: dict[str, Any]
    frame_count: int
    duration_ms: int
    timings: dict[str, float] = field(default_factory=dict)
    # The build process's peak resident memory, where the build ran in one of its own.
    peak_rss_mb: float | None = None


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

    def __init__(self, fp: BinaryIO, *, shared_palette: bool, cache: dict | None = None):
        self.fp = fp
        # Encoded frames shared with another stream getting the same frames (the loop GIF
        # and a scroll's own GIF), so each frame is LZW-encoded once.
        self.cache = cache
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
        key = (hashlib.sha256(self.pending_bytes).digest(), self.pending_ms, self.shared_palette)
        data = self.cache.get(key) if self.cache is not None else None
        if data is None:
            params = {"duration": self.pending_ms}
            if not self.shared_palette:
                params["include_color_table"] = True
            data = b"".join(GifImagePlugin.getdata(frame, **params))
            if self.cache is not None:
                self.cache.store(key, data)
        self.fp.write(data)
        self.frames_written += 1
        self.durations.append(self.pending_ms)
        self.pending = None

    def close(self) -> None:
        self._flush()
        self.fp.write(b";")


class GifCache(dict):
    """Encoded GIF frames by (pixels, duration, palette), oldest dropped past the budget."""

    def __init__(self, budget: int = GIF_CACHE_BYTES):
        super().__init__()
        self.budget = budget
        self.used = 0

    def store(self, key: tuple, data: bytes) -> None:
        self[key] = data
        self.used += len(key[0]) + len(data)
        while self.used > self.budget and self:
            old_key = next(iter(self))
            self.used -= len(old_key[0]) + len(self.pop(old_key))


class DrawnCache(dict):
    """What :func:`~.render.render_item` drew, by (layout, screen, colour), and what the
    package made of it, by the drawing's identity; a new entry is refused once the byte
    budget is spent (the caller then draws or encodes again)."""

    def __init__(self, budget: int = DRAWN_CACHE_BYTES):
        super().__init__()
        self.budget = budget
        self.used = 0
        self.encoded: dict[int, Any] = {}

    def _fits(self, size: int) -> bool:
        if self.used + size > self.budget:
            return False
        self.used += size
        return True

    def __setitem__(self, key, value) -> None:
        image = value.strip if isinstance(value, Scroll) else value
        if self._fits(image.width * image.height * len(image.getbands())):
            super().__setitem__(key, value)

    def encoded_for(self, drawing) -> Any:
        """What :meth:`keep` stored for ``drawing``, or ``None``."""
        entry = self.encoded.get(id(drawing))
        return entry[1] if entry is not None else None

    def may_keep(self, drawing, size: int) -> bool:
        """Whether an encoding of ``size`` bytes of ``drawing`` would be kept. Only drawings
        this cache holds qualify: their ids cannot be reused while it lives."""
        held = any(value is drawing for value in self.values())
        return held and self.used + size <= self.budget

    def keep(self, drawing, value: Any, size: int) -> None:
        if self.may_keep(drawing, size) and self._fits(size):
            self.encoded[id(drawing)] = (drawing, value)

    def encoding(self, drawing, make: Callable[[], Any], size: Callable[[Any], int]):
        """``make()``'s answer for ``drawing``, made once if the drawing is cached."""
        value = self.encoded_for(drawing)
        if value is None:
            value = make()
            self.keep(drawing, value, size(value))
        return value


def _jpeg(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


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
    video = manifest["loop"]["video"]
    hours = screen["operating_hours"]
    kind = "插播节目" if manifest["kind"] == "insertion" else "轮播节目"
    scrolls = any(
        segment["kind"] == "scroll" for item in manifest["items"] for segment in item["segments"]
    )
    padding = (
        f"（屏幕宽或高为奇数，视频为 {video['width']}×{video['height']}，"
        "右侧或下方多出的一列或一行为黑色，导入时按屏幕实际分辨率裁去）"
        if video["padded"]
        else ""
    )
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
        "  loop.mp4       整轮节目的视频，控制卡支持视频时首选",
        "  frames/        静止画面（文字页、图片）的图片（PNG，全彩屏上的照片为 JPG；"
        "按屏幕实际像素制作，不要缩放）",
    ]
    if scrolls:
        lines += [
            "  strips/        滚动文字的长条图（PNG），配合 manifest.json 中的滚动速度和方向使用",
            "  items/         滚动文字的动画（GIF），只支持图片的控制卡导入它",
        ]
    if manifest["loop"]["gif"]:
        lines.append("  loop.gif       整轮节目的动画（GIF）")
    lines += [
        "  playlist.m3u   带时长的播放列表（M3U）",
        "  playlist.xspf  带时长的播放列表（XSPF）",
        "  manifest.json  节目清单：条目、时长、播放日期与时段、优先级、文件校验值",
        "",
        "二、视频参数",
        f"  H.264（Constrained Baseline，级别 {video['level']}），无 B 帧，"
        f"恒定帧率 {video['frame_rate']} 帧/秒，yuv420p，"
        f"画面 {video['width']}×{video['height']} 像素{padding}，"
        f"每条节目都从关键帧开始，关键帧间隔不超过 {video['keyframe_interval_s']} 秒；"
        "视频时长与一轮节目时长相同。",
        "  这是灰度（HDPlayer）、诺瓦（ViPlex）、仰邦等控制卡播放最稳定的格式。",
        "",
        "三、用U盘更新",
        "  1. 把整个压缩包解压到U盘根目录下的一个新文件夹。",
        "  2. 在控制卡的编辑软件中新建节目，屏幕尺寸设为上面的分辨率。",
        "  3. 控制卡支持视频时导入 loop.mp4 即可；只支持图片时按 playlist.m3u 的顺序"
        "导入 frames/ 中的图片和 items/ 中的动画，并按列表中的时长设置每项的停留时间。",
        "  4. 按 manifest.json 中每条的播放日期（valid_from、valid_until）和时段（day_parts）"
        "设置播放计划；没有时段的条目在开屏时间内播放。",
        "  5. 优先级高的条目在有效时间内优先播放，紧急通知（优先级 9）播出时暂停其他条目。",
        "",
        "四、网络拉取与播放回报",
        "  控制器可定时请求本屏的拉取地址（见系统后台），请求头带 If-None-Match 时，"
        "内容未变化会返回 304，无需重新写入。每次拉取都会留下记录，作为本屏已接收节目的凭证。",
        "  控制器或中转程序可把实际播放记录（条目、开始、结束、次数）回报到本屏的播放回报地址；"
        "也可在系统后台上传控制卡导出的播放日志（CSV）。",
        "",
        "五、核对",
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
) -> PackageResult:
    """Render every item for the screen and write the ZIP package to ``out``.

    ``header`` carries the ``screen`` and ``package`` parts of the manifest (and, for an
    insertion, its ``insertion`` window). ``progress(percent, message)`` is called as the
    work advances. Raises the renderer's errors (e.g. missing glyphs) and
    :class:`~.video.VideoUnavailable` before anything of a half-built package can be used.
    """
    report = progress or (lambda percent, message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    files: list[dict[str, Any]] = []
    manifest_items: list[dict[str, Any]] = []
    playlist_entries: list[dict[str, Any]] = []
    scale = gif_scale(spec)
    # Single- and dual-colour frames share one fixed palette; full-colour frames carry their own.
    shared = spec.colour_mode != FULL
    # A full-colour wall plays loop.mp4; a 256-colour GIF of it would only be a poor preview.
    loop_gif = spec.colour_mode != FULL
    frame_total = 0
    duration_total = 0
    skipped: list[dict[str, str]] = []

    # Lay every item out first: whether anything scrolls decides the video's frame rate.
    layouts = {}
    for item in items:
        try:
            layouts[item.key] = layout_item(item.version, spec)
        except (MissingGlyphsError, ValueError) as error:
            skipped.append({"key": item.key, "title": item.title, "reason": str(error)})
    settings = video_settings(spec, scrolls=any(layout.scrolling for layout in layouts.values()))

    workdir = Path(tempfile.mkdtemp(prefix="led-package-"))
    video = None
    try:
        # Started before anything is rendered: a machine that cannot encode fails at once.
        video = VideoEncoder(settings, workdir / "loop.mp4")
        with (
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            contextlib.ExitStack() as stack,
        ):

            def add_file(source: Path, path: str, media_type: str, role: str) -> None:
                # Streamed, not read whole: a wall's video is tens of megabytes.
                digest = hashlib.sha256()
                with source.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                archive.write(source, path, compress_type=zipfile.ZIP_STORED)
                files.append(
                    {
                        "path": path,
                        "media_type": media_type,
                        "role": role,
                        "bytes": source.stat().st_size,
                        "sha256": digest.hexdigest(),
                    }
                )

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
                gif = GifStream(gif_file, shared_palette=shared, cache=GifCache())
                drawn = DrawnCache()
                # Drawable items with their place in the loop; the next one's picture is
                # decoded on another thread while this one is drawn (Pillow decodes
                # without the interpreter lock), two pictures in memory at most.
                drawable = [
                    (number, item)
                    for number, item in enumerate(items, start=1)
                    if item.key in layouts
                ]
                loader = stack.enter_context(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix="led-picture")
                )
                upcoming = loader.submit(_load_picture, drawable[0][1]) if drawable else None
                for index, (number, item) in enumerate(drawable):
                    report(
                        int(85 * (number - 1) / max(1, len(items))),
                        _("正在生成第 %(number)d/%(total)d 条")
                        % {"number": number, "total": len(items)},
                    )
                    loading = upcoming
                    if index + 1 < len(drawable):
                        upcoming = loader.submit(_load_picture, drawable[index + 1][1])
                    notes: list[str] = []
                    try:
                        picture = loading.result()
                    except PictureError as error:
                        # One broken picture must not keep the whole loop off the screen.
                        picture = None
                        notes.append(str(error))
                    del loading
                    rendered = render_item(
                        item.version,
                        spec,
                        picture=picture,
                        focal=item.focal,
                        layout=layouts[item.key],
                        drawn=drawn,
                    )
                    del picture
                    segments_json = []
                    for seg_no, segment in enumerate(rendered.segments, start=1):
                        if segment.scroll is not None:
                            segments_json.append(
                                _write_scroll(
                                    loop_gif,
                                    segment,
                                    f"{number:03d}-{seg_no}",
                                    add,
                                    gif,
                                    video,
                                    spec,
                                    scale,
                                    shared,
                                    drawn,
                                )
                            )
                            playlist_file = segments_json[-1]["animation"]
                        else:
                            frames_json = []
                            # A photo on a full-colour wall is stored as JPEG, as a camera
                            # would; text stays PNG, its edges exact.
                            photo = spec.colour_mode == FULL and segment.kind == "picture"
                            for frame_no, frame in enumerate(segment.stills, start=1):
                                stem = f"frames/{number:03d}/{seg_no}-{frame_no:04d}"
                                if photo:
                                    path = f"{stem}.jpg"
                                    digest = add(
                                        path, _jpeg(frame.image), "image/jpeg", "frame", False
                                    )
                                else:
                                    path = f"{stem}.png"
                                    png, yuv = drawn.encoding(
                                        frame.image,
                                        lambda image=frame.image: (
                                            _png(image),
                                            yuv420p(image, settings),
                                        ),
                                        lambda pair: len(pair[0]) + len(pair[1]),
                                    )
                                    digest = add(path, png, "image/png", "frame", False)
                                frames_json.append(
                                    {
                                        "file": path,
                                        "duration_ms": frame.duration_ms,
                                        "sha256": digest,
                                    }
                                )
                                if loop_gif:
                                    gif.add(_gif_frame(frame.image, spec, scale), frame.duration_ms)
                                video.add_still(
                                    yuv420p(frame.image, settings) if photo else yuv,
                                    frame.duration_ms,
                                )
                            segments_json.append(
                                {
                                    "kind": segment.kind,
                                    "duration_ms": segment.duration_ms,
                                    "animation": None,
                                    "frames": frames_json,
                                    "conversion": segment.method or None,
                                }
                            )
                            playlist_file = frames_json[0]["file"]
                        playlist_entries.append(
                            {
                                "file": playlist_file,
                                "duration_ms": segment.duration_ms,
                                "title": item.title,
                            }
                        )
                        frame_total += segment.frame_count
                    duration_total += rendered.duration_ms
                    manifest_items.append(
                        _manifest_item(
                            item, number, rendered, segments_json, [*notes, *rendered.warnings]
                        )
                    )
                gif.close()
            timings["render"] = time.perf_counter() - started

            report(88, _("正在写入动画"))
            if gif.frames_written:
                add_file(gif_path, "loop.gif", "image/gif", "loop_animation")

            report(92, _("正在编码视频"))
            mp4_started = time.perf_counter()
            video.close()
            add_file(workdir / "loop.mp4", "loop.mp4", "video/mp4", "loop_video")
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
                    "video": {**settings.as_json(), "frame_count": video.frames},
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
        if video is not None:
            video.abort()
        shutil.rmtree(workdir, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    report(100, _("完成"))
    return PackageResult(manifest, frame_total, duration_total, timings)


def _load_picture(item: PackageItem) -> Image.Image | None:
    if item.picture is None:
        return None
    with item.picture() as handle:
        return open_picture(handle)


def _write_scroll(
    loop_gif, segment, name, add, gif, video, spec, scale, shared, drawn
) -> dict[str, Any]:
    """Store a scroll as its strip plus speed and direction, and feed its frames, cut from
    the strip one at a time, to the loop GIF, its own GIF and the video.

    A scroll drawn for an earlier item of the loop (the same slogan placed again) reuses
    what was made for it then, when the cache had room for it: the strip PNG, its GIF, the
    loop GIF's frames and the video frames. Otherwise the frames stream through, one at a
    time, and are not kept."""
    scroll = segment.scroll
    encoded = drawn.encoded_for(scroll)
    if encoded is None:
        frame_pixels = (spec.width // scale) * (spec.height // scale)
        video_bytes = video.settings.frame_bytes
        size = scroll.frame_count * (video_bytes + (frame_pixels if loop_gif else 0))
        keep = drawn.may_keep(scroll, size)
        item_gif_buffer = BytesIO()
        item_gif = GifStream(item_gif_buffer, shared_palette=shared, cache=gif.cache)
        loop_frames, video_frames = [], []
        for frame in segment.iter_frames():
            small = _gif_frame(frame.image, spec, 1)
            if loop_gif:
                big = small if scale == 1 else _gif_frame(frame.image, spec, scale)
                gif.add(big, frame.duration_ms)
                if keep:
                    loop_frames.append(big)
            item_gif.add(small, frame.duration_ms)
        item_gif.close()
        for number, data in enumerate(scroll_yuv420p(scroll, video.settings)):
            video.add_motion(data, first=number == 0)
            if keep:
                video_frames.append(data)
        encoded = {
            "strip": _png(scroll.strip),
            "gif": item_gif_buffer.getvalue(),
            "loop_frames": loop_frames,
            "video": video_frames,
        }
        if keep:
            drawn.keep(scroll, encoded, size + len(encoded["strip"]) + len(encoded["gif"]))
    else:
        for image in encoded["loop_frames"]:
            gif.add(image, scroll.frame_ms)
        for number, data in enumerate(encoded["video"]):
            video.add_motion(data, first=number == 0)
    strip_path = f"strips/{name}.png"
    strip_digest = add(strip_path, encoded["strip"], "image/png", "scroll_strip", False)
    item_gif_path = f"items/{name}.gif"
    add(item_gif_path, encoded["gif"], "image/gif", "segment_animation", False)
    return {
        "kind": "scroll",
        "duration_ms": segment.duration_ms,
        "animation": item_gif_path,
        "frames": [],
        "scroll": {
            "strip": strip_path,
            "sha256": strip_digest,
            "strip_width": scroll.strip.width,
            "strip_height": scroll.strip.height,
            "window_width": scroll.width,
            "direction": "left",
            "start_x": 0,
            "step_px": scroll.step_px,
            "frame_ms": scroll.frame_ms,
            "frame_count": scroll.frame_count,
            "speed_px_per_s": scroll.speed_px_per_second,
        },
    }


def _manifest_item(item, number, rendered, segments_json, warnings) -> dict[str, Any]:
    version = item.version
    return {
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
        "valid_from": version.valid_from.isoformat() if version.valid_from else None,
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "day_parts": [part.as_json() for part in version.day_parts],
        "duration_ms": rendered.duration_ms,
        "segments": segments_json,
        "warnings": warnings,
    }


READABLE_SCHEMA_VERSIONS = (1, 2)


def read_manifest(data: bytes) -> dict[str, Any]:
    """A package's manifest.json, of any schema version this code reads (1 or 2).

    Raises ``ValueError`` for a document that is not an LED manifest or is of a version
    this code does not know, as a controller must refuse it."""
    manifest = json.loads(data)
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        raise ValueError(_("不是户外显示屏节目清单。"))
    if manifest.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        raise ValueError(
            _("不支持的节目清单版本：%(version)s。") % {"version": manifest.get("schema_version")}
        )
    return manifest


def segment_frames(segment: dict[str, Any], read: Callable[[str], bytes]):
    """Every frame of one manifest segment as ``(image, duration_ms)``, one at a time.

    Version 1 lists each frame's PNG; version 2 gives a scroll as its strip, cut here as a
    controller would: frame *k* is the ``window_width`` columns from ``start_x + k·step_px``.
    ``read(path)`` returns the bytes of a file of the package."""
    scroll = segment.get("scroll")
    if scroll is None:
        for frame in segment["frames"]:
            yield Image.open(BytesIO(read(frame["file"]))), frame["duration_ms"]
        return
    strip = Image.open(BytesIO(read(scroll["strip"])))
    strip.load()
    width = scroll["window_width"]
    for number in range(scroll["frame_count"]):
        left = scroll["start_x"] + number * scroll["step_px"]
        yield strip.crop((left, 0, left + width, strip.height)), scroll["frame_ms"]


def manifest_json(manifest: dict[str, Any]) -> bytes:
    """The manifest as stored and served: UTF-8 JSON, keys in a stable order."""
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
