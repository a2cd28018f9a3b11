"""TV clips: an upload is accepted by what it contains (MP4/MOV, MPEG-TS, Matroska/WebM),
never by its name, and probed with ffprobe for duration, picture size and codec."""

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import Clip

MAX_CLIP_BYTES = 500 * 1024 * 1024
MAX_CLIP_SECONDS = 30 * 60
PROBE_TIMEOUT = 30


class ClipError(Exception):
    """An upload that is not a usable clip, worded for the editor."""


@dataclass(frozen=True)
class Probe:
    duration_seconds: Decimal
    width: int | None
    height: int | None
    video_codec: str


def sniff_container(head: bytes) -> str | None:
    """The container a file's first bytes show, or ``None`` when they show none we take."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47:
        return "ts"
    return None


def probe(path: str) -> Probe:
    """Duration, size and codec of the video stream of ``path`` as ffprobe reads them;
    :class:`ClipError` when ffprobe is missing, cannot read it, or finds no picture."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise ClipError(_("服务器未安装 ffprobe，无法检查短片；请改填短片链接。"))
    try:
        result = subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                path,
            ],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ClipError(_("检查短片超时，文件可能已损坏。")) from None
    if result.returncode != 0:
        raise ClipError(_("无法读取该视频文件，文件可能已损坏。"))
    try:
        info = json.loads(result.stdout)
        video = next(s for s in info.get("streams", []) if s.get("codec_type") == "video")
        duration = Decimal(str(info["format"].get("duration") or video.get("duration") or "0"))
    except (ValueError, KeyError, StopIteration, ArithmeticError):
        raise ClipError(_("文件中没有可播出的画面。")) from None
    if not (0 < duration <= MAX_CLIP_SECONDS):
        raise ClipError(_("短片时长须在 0 到 %(max)d 秒之间。") % {"max": MAX_CLIP_SECONDS})
    return Probe(
        duration_seconds=duration.quantize(Decimal("0.01")),
        width=video.get("width"),
        height=video.get("height"),
        video_codec=str(video.get("codec_name") or "")[:40],
    )


def clip_store(*, upload, user=None) -> Clip:
    """Check an uploaded clip by its content, probe it and store it (the same file uploaded
    twice is stored once)."""
    if upload.size > MAX_CLIP_BYTES:
        raise ClipError(_("短片超过 500 MB。"))
    head = upload.read(512)
    upload.seek(0)
    container = sniff_container(head)
    if container is None:
        raise ClipError(_("只接受 MP4、MOV、MPEG-TS、MKV 或 WebM 视频文件。"))
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=f".{container}") as temporary:
        for chunk in upload.chunks():
            digest.update(chunk)
            temporary.write(chunk)
        temporary.flush()
        existing = Clip.objects.filter(sha256=digest.hexdigest()).first()
        if existing is not None:
            return existing
        probed = probe(temporary.name)
        temporary.seek(0)
        clip = Clip(
            original_name=str(upload.name)[:255],
            container=container,
            sha256=digest.hexdigest(),
            size=upload.size,
            duration_seconds=probed.duration_seconds,
            width=probed.width,
            height=probed.height,
            video_codec=probed.video_codec,
            uploaded_by=user,
        )
        clip.file.save("clip", ContentFile(temporary.read()), save=False)
    clip.save()
    return clip
