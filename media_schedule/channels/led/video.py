"""The loop video of an LED package (loop.mp4), encoded in this process with libx264.

Controllers' players (灰度 HDPlayer, 诺瓦 ViPlex, 仰邦) read constant-frame-rate, Constrained
Baseline H.264 without B-frames most reliably, so the video holds exactly as many frames as
the loop lasts. Most of those frames repeat a still: a still is encoded once, as an IDR
picture, and the frames that hold it are "skip" pictures (every macroblock copied from the
picture before), which say nothing about the picture's content. They are taken once per
build from the encoder itself (the calibration), so x264 encodes one picture per still
instead of one per frame, and the stream stays what x264 would write for an unchanging
picture. A scroll's frames are all different and are encoded one by one.
"""

import contextlib
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image

from .render import SCROLL_FRAME_MS, ScreenSpec, Scroll

ENCODER = "libx264"
# The video's constant frame rate: with a scroll, one video frame per scroll step (so the
# video shows exactly the strip's frames); with stills only, one frame a second, which holds
# every whole-second dwell exactly with the fewest frames.
SCROLL_FPS = 1000 // SCROLL_FRAME_MS
STILL_FPS = 1
KEYFRAME_SECONDS = 10
# Frames waiting for the encoder, in bytes: a few seconds of a small screen, two wall frames.
VIDEO_QUEUE_BYTES = 8 * 1024 * 1024
# A picture whose every macroblock is skipped takes a dozen bytes whatever the screen size; a
# calibration picture longer than this carries coded blocks and cannot stand for a repeat.
SKIP_PICTURE_MAX_BYTES = 64
# H.264 levels (Rec. ITU-T H.264 Table A-1): (level, max macroblocks a frame, a second).
# Controllers decode baseline-profile streams up to the level their chip supports; the
# lowest level that holds the stream is written, and never below 3.0, which every
# controller family we know of decodes.
H264_LEVELS = [
    ("3.0", 1620, 40500),
    ("3.1", 3600, 108000),
    ("3.2", 5120, 216000),
    ("4.0", 8192, 245760),
    ("4.2", 8704, 522240),
    ("5.0", 22080, 589824),
    ("5.1", 36864, 983040),
    ("5.2", 36864, 2073600),
]
# AVColorRange / AVColorSpace / AVColorPrimaries / AVColorTransferCharacteristic values.
COLOUR_RANGE_LIMITED = 1
SMPTE170M = 6


class VideoUnavailable(RuntimeError):
    """The loop video cannot be encoded here (no H.264 encoder, or encoding failed)."""


@dataclass(frozen=True)
class VideoSettings:
    """How loop.mp4 is encoded, as the manifest and 说明.txt state it."""

    width: int
    height: int
    fps: int
    level: str
    padded: bool

    @property
    def gop(self) -> int:
        """Frames from one keyframe to the next at most."""
        return self.fps * KEYFRAME_SECONDS

    @property
    def frame_bytes(self) -> int:
        return self.width * self.height * 3 // 2

    def as_json(self) -> dict[str, Any]:
        return {
            "file": "loop.mp4",
            "codec": "h264",
            "profile": "constrained_baseline",
            "level": self.level,
            "pixel_format": "yuv420p",
            "colour": "bt601_limited",
            "frame_rate": self.fps,
            "constant_frame_rate": True,
            "b_frames": 0,
            "keyframe_interval_s": KEYFRAME_SECONDS,
            "width": self.width,
            "height": self.height,
            "padded": self.padded,
        }


def h264_level(width: int, height: int, fps: int) -> str:
    """The lowest H.264 level (from 3.0 up) that holds ``width``×``height`` at ``fps``."""
    macroblocks = ((width + 15) // 16) * ((height + 15) // 16)
    for level, per_frame, per_second in H264_LEVELS:
        if macroblocks <= per_frame and macroblocks * fps <= per_second:
            return level
    return H264_LEVELS[-1][0]


def video_settings(spec: ScreenSpec, *, scrolls: bool) -> VideoSettings:
    """Frame rate, level and size of the loop video for the screen ``spec``.

    yuv420p needs even dimensions: an odd width or height gets one dark column or row on the
    right or at the bottom (``padded``), never a scaled picture."""
    width, height = spec.width, spec.height
    even_width, even_height = width + width % 2, height + height % 2
    fps = SCROLL_FPS if scrolls else STILL_FPS
    return VideoSettings(
        even_width,
        even_height,
        fps,
        h264_level(even_width, even_height, fps),
        (even_width, even_height) != (width, height),
    )


_LIMITED_LUMA = [16 + round(value * 219 / 255) for value in range(256)]
_LIMITED_CHROMA = [16 + round(value * 224 / 255) for value in range(256)]


def yuv420p(image: Image.Image, settings: VideoSettings) -> bytes:
    """One frame as planar 4:2:0 BT.601 limited-range bytes, padded to the video size.

    Converted here once per distinct picture, so a still held for many video frames costs
    one conversion."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if rgb.size != (settings.width, settings.height):
        canvas = Image.new("RGB", (settings.width, settings.height))
        canvas.paste(rgb, (0, 0))
        rgb = canvas
    luma, blue, red = rgb.convert("YCbCr").split()
    # reduce(2) averages each 2×2 block, as a BOX resize to half size does, but faster.
    return b"".join(
        [
            luma.point(_LIMITED_LUMA).tobytes(),
            blue.reduce(2).point(_LIMITED_CHROMA).tobytes(),
            red.reduce(2).point(_LIMITED_CHROMA).tobytes(),
        ]
    )


def scroll_yuv420p(scroll: Scroll, settings: VideoSettings):
    """The video frames of a scroll, cut from its strip converted once.

    Luma is cut column for column; chroma, half as wide, from the strip's chroma at even
    offsets or from that of the strip shifted by one column at odd ones, so each frame is
    what converting it alone would give. Screens of odd size take the frame-by-frame way
    (their padding column must stay dark)."""
    if settings.padded:
        for number in range(scroll.frame_count):
            yield yuv420p(scroll.frame(number), settings)
        return
    rgb = scroll.strip.convert("RGB")
    luma, blue, red = rgb.convert("YCbCr").split()
    luma = luma.point(_LIMITED_LUMA)
    height, half_height = rgb.height, rgb.height // 2

    def halved(plane: Image.Image, shift: int) -> Image.Image:
        plane = plane.crop((shift, 0, shift + (plane.width - shift) // 2 * 2, height))
        return plane.reduce(2).point(_LIMITED_CHROMA)

    chroma = {shift: (halved(blue, shift), halved(red, shift)) for shift in (0, 1)}
    width, half_width = settings.width, settings.width // 2
    for number in range(scroll.frame_count):
        left = number * scroll.step_px
        shift = left % 2
        blue_half, red_half = chroma[shift]
        origin = (left - shift) // 2
        box = (origin, 0, origin + half_width, half_height)
        yield b"".join(
            [
                luma.crop((left, 0, left + width, height)).tobytes(),
                blue_half.crop(box).tobytes(),
                red_half.crop(box).tobytes(),
            ]
        )


def gop_lengths(frames: int, gop: int) -> list[int]:
    """How a still of ``frames`` frames is cut into keyframe groups of at most ``gop``.

    No group but a one-frame still is a lone keyframe: two keyframes in a row that are the
    same picture would repeat its IDR identifier, which the standard forbids."""
    lengths = [gop] * (frames // gop)
    if frames % gop:
        lengths.append(frames % gop)
    if len(lengths) > 1 and lengths[-1] == 1:
        lengths[-2:] = [lengths[-2] - 1, 2]
    return lengths


def _encoder_missing(error: BaseException) -> VideoUnavailable:
    return VideoUnavailable(
        _(
            "无法生成视频 loop.mp4：本机缺少 H.264 编码器 %(encoder)s（%(detail)s）。"
            "请运行 scripts/start（会自动安装 PyAV）后重新导出。"
        )
        % {"encoder": ENCODER, "detail": error}
    )


class VideoEncoder:
    """Encodes the loop video frame by frame into an MP4 file.

    :meth:`add_still` holds a picture for a duration, :meth:`add_motion` adds one frame of
    a scroll; each rounds on the running total, so that no rounding accumulates over the
    loop. A writer thread encodes and writes, so rendering goes on meanwhile (x264 runs
    without the interpreter lock). Raises :class:`VideoUnavailable` when the encoder is
    missing or fails.
    """

    def __init__(self, settings: VideoSettings, out_path: Path):
        self.settings = settings
        self.frames = 0
        self.elapsed_ms = 0
        self._error: BaseException | None = None
        self._time_base = Fraction(1, settings.fps)
        try:
            # Imported here: its libraries take some 26 MB, which only a process that
            # encodes (the package builder) should carry.
            import av
        except ImportError as error:
            raise _encoder_missing(error) from error
        self._av = av
        try:
            self._container = av.open(
                str(out_path), "w", format="mp4", options={"movflags": "+faststart"}
            )
            self._stream = self._container.add_stream(ENCODER, rate=settings.fps)
            self._configure(self._stream)
            self._skips = self._calibrate()
        except (av.FFmpegError, ValueError, OSError) as error:
            raise _encoder_missing(error) from error
        self._queue: queue.Queue = queue.Queue(
            maxsize=max(2, VIDEO_QUEUE_BYTES // settings.frame_bytes)
        )
        self._writer = threading.Thread(target=self._write, name="led-video", daemon=True)
        self._writer.start()

    def _configure(self, stream) -> None:
        settings = self.settings
        stream.width, stream.height, stream.pix_fmt = settings.width, settings.height, "yuv420p"
        context = stream.codec_context
        context.color_range = COLOUR_RANGE_LIMITED
        context.colorspace = context.color_primaries = context.color_trc = SMPTE170M
        stream.options = {
            "preset": "ultrafast",
            # No frame is held back: each picture's packet comes out of the call that
            # encodes it, which places skip pictures and repeated keyframes exactly.
            "tune": "zerolatency",
            "profile": "baseline",
            "level": settings.level,
            "bf": "0",
            "g": str(settings.gop),
            "crf": "16",
            "forced-idr": "1",
            "threads": "1",
        }
        self._encoded = 0

    def _planar_frame(self, data: bytes):
        """A frame for the encoder holding ``data`` (see :func:`yuv420p`), plane by plane and,
        where the encoder's rows are padded for alignment, row by row."""
        frame = self._av.VideoFrame(self.settings.width, self.settings.height, "yuv420p")
        offset = 0
        for plane in frame.planes:
            target = memoryview(plane)
            size = plane.width * plane.height
            if plane.line_size == plane.width:
                target[:size] = data[offset : offset + size]
            else:
                for row in range(plane.height):
                    start = offset + row * plane.width
                    target[row * plane.line_size : row * plane.line_size + plane.width] = data[
                        start : start + plane.width
                    ]
            offset += size
        return frame

    def _encode(self, data: bytes, keyframe: bool) -> tuple[bytes, bool]:
        """The coded picture of ``data`` and whether the encoder made it a keyframe."""
        frame = self._planar_frame(data)
        frame.pts = self._encoded
        self._encoded += 1
        if keyframe:
            frame.pict_type = self._av.video.frame.PictureType.I
        packets = self._stream.encode(frame)
        if len(packets) != 1:
            raise VideoUnavailable(_("视频编码器没有按帧输出。"))
        return bytes(packets[0]), packets[0].is_keyframe

    def _calibrate(self) -> list[bytes] | None:
        """The skip pictures for the positions 1 … gop−1 after a keyframe, taken from
        encoding a dark picture repeated; ``None`` (every frame encoded) if the encoder
        coded anything in them."""
        dark = yuv420p(Image.new("RGB", (1, 1)), self.settings)
        self._encode(dark, keyframe=True)
        skips = [self._encode(dark, keyframe=False) for _number in range(self.settings.gop - 1)]
        if any(keyframe or len(skip) > SKIP_PICTURE_MAX_BYTES for skip, keyframe in skips):
            return None
        return [skip for skip, _keyframe in skips]

    def add_still(self, data: bytes, duration_ms: int) -> None:
        """Hold the frame ``data`` (see :func:`yuv420p`) for ``duration_ms``."""
        count = self._advance(duration_ms)
        if count:
            self._put(("still", data, count))

    def add_motion(self, data: bytes, first: bool) -> None:
        """One frame of a scroll, lasting one video frame; ``first`` starts it on a keyframe."""
        self.elapsed_ms += 1000 // self.settings.fps
        self.frames += 1
        self._put(("motion", data, first))

    def _advance(self, duration_ms: int) -> int:
        self.elapsed_ms += duration_ms
        target = round(self.elapsed_ms * self.settings.fps / 1000)
        count = max(0, target - self.frames)
        self.frames += count
        return count

    def _put(self, job) -> None:
        if self._error is not None:
            self._fail()
        self._queue.put(job)

    def _write(self) -> None:
        position = 0
        while (job := self._queue.get()) is not None:
            if self._error is not None:
                continue  # keep taking jobs so that the renderer never blocks on a dead writer
            try:
                position = self._write_job(job, position)
            except Exception as error:
                # Whatever stops the writer reaches the renderer at its next call, never a
                # thread that died silently while the renderer waits on a full queue.
                self._error = error

    def _write_job(self, job, position: int) -> int:
        kind, data, value = job
        if kind == "motion":
            self._mux(*self._encode(data, keyframe=value), position)
            return position + 1
        if self._skips is None:
            for offset in range(value):
                self._mux(*self._encode(data, keyframe=offset == 0), position + offset)
            return position + value
        # One encoding of the still opens every group it spans: groups are never adjacent
        # lone keyframes (see gop_lengths).
        keyframe, _flag = self._encode(data, keyframe=True)
        for length in gop_lengths(value, self.settings.gop):
            self._mux(keyframe, True, position)
            for offset in range(1, length):
                self._mux(self._skips[offset - 1], False, position + offset)
            position += length
        return position

    def _mux(self, data: bytes, keyframe: bool, position: int) -> None:
        packet = self._av.Packet(data)
        packet.pts = packet.dts = position
        packet.duration = 1
        packet.time_base = self._time_base
        packet.is_keyframe = keyframe
        packet.stream = self._stream
        self._container.mux(packet)

    def _stop_writer(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()

    def _fail(self):
        self.abort()
        raise VideoUnavailable(
            _("视频 loop.mp4 编码失败：%(detail)s") % {"detail": self._error}
        ) from self._error

    def close(self) -> None:
        """Finish the file; raises :class:`VideoUnavailable` unless every frame was written."""
        self._stop_writer()
        if self._error is None and self.frames == 0:
            self._error = VideoUnavailable(_("节目没有时长。"))
        if self._error is None:
            try:
                self._container.close()
            except (self._av.FFmpegError, OSError) as error:
                self._error = error
        if self._error is not None:
            self._fail()

    def abort(self) -> None:
        """Stop writing (a build that failed half-way); the file is left unfinished."""
        self._stop_writer()
        with contextlib.suppress(self._av.FFmpegError, OSError):
            self._container.close()
