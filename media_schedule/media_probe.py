"""Recognising audio and video files by what they contain: the first bytes say which
container it claims to be, ffprobe says whether it holds a playable stream and how long it
lasts. Shared by manual evidence; nothing here knows about outlets or kinds."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

PROBE_TIMEOUT = 30


class ProbeError(Exception):
    """A file ffprobe cannot read as audio or video, worded for the editor."""


@dataclass(frozen=True)
class MediaInfo:
    duration_seconds: Decimal
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None


def sniff_media(head: bytes) -> str | None:
    """The container the first bytes show (mp4, mov, 3gp, m4a, webm, mp3, wav, ogg, amr),
    or ``None`` when they show no audio or video container we take."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand.startswith(b"3g"):
            return "3gp"
        if brand in (b"M4A ", b"M4B "):
            return "m4a"
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS: sync word, layer 0
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mp3"  # an MPEG audio frame without a tag
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"#!AMR"):
        return "amr"
    return None


def boxes_complete(path: str) -> bool:
    """Whether an MP4/MOV/3GP file's top-level boxes all fit in it: a file cut short in
    transfer declares more than it holds."""
    size = os.path.getsize(path)
    offset = 0
    with open(path, "rb") as handle:
        while offset < size:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                return False
            length = int.from_bytes(header[:4], "big")
            if length == 1:
                if len(header) < 16:
                    return False
                length = int.from_bytes(header[8:16], "big")
            elif length == 0:
                return True  # runs to the end of the file
            if length < 8 or offset + length > size:
                return False
            offset += length
    return True


def probe_media(path: str) -> MediaInfo:
    """Streams and duration of ``path`` as ffprobe reads them; :class:`ProbeError` when
    ffprobe is missing, cannot read the file, or finds no audio or video lasting > 0 s."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise ProbeError(_("服务器未安装 ffprobe，无法检查录音录像；请改填网址。"))
    command = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    try:
        result = subprocess.run(
            [*command, path], capture_output=True, timeout=PROBE_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ProbeError(_("检查文件超时，文件可能已损坏。")) from None
    if result.returncode != 0:
        raise ProbeError(_("无法读取该文件，文件可能已损坏或不完整。"))
    try:
        info = json.loads(result.stdout)
        streams = info.get("streams", [])
        # A cover picture in an MP3 or M4A is a "video" stream of one frame: not a video.
        videos = [
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ]
        audios = [s for s in streams if s.get("codec_type") == "audio"]
        duration = Decimal(str(info.get("format", {}).get("duration") or "0"))
    except (ValueError, AttributeError, ArithmeticError):
        raise ProbeError(_("无法读取该文件，文件可能已损坏或不完整。")) from None
    if not videos and not audios:
        raise ProbeError(_("文件中没有声音或画面。"))
    if not duration.is_finite() or duration <= 0:
        raise ProbeError(_("文件时长为零，可能已损坏或不完整。"))
    video = videos[0] if videos else {}
    return MediaInfo(
        duration_seconds=duration.quantize(Decimal("0.01")),
        has_video=bool(videos),
        has_audio=bool(audios),
        width=video.get("width"),
        height=video.get("height"),
    )
