"""Checking evidence files by what they contain, not by what they are called.

An editor uploads a photo or scan of the printed page or the posted board, a PDF of the
e-paper page, or an audio or video clip (a phone recording of the broadcast, a filmed
screen). Each file is read: a picture must open with Pillow as JPEG, PNG or WebP within
the size and pixel limits, a PDF must look like one from its first to its last bytes, a
clip must start like a container we take and ffprobe must find sound or picture lasting
more than zero seconds in it. A picture's EXIF time and place, when it has them, are kept
to be shown beside it; a clip's duration (and picture size) likewise.

Clips are copied to a temporary file in chunks, never read into memory whole.
"""

import datetime
import hashlib
import io
import tempfile
import warnings
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from .dispatch.record import EvidenceItem
from .media_probe import ProbeError, boxes_complete, probe_media, sniff_media
from .models import DeliveryEvidence

MB = 1024 * 1024
PICTURE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


class EvidenceRefused(ValueError):
    """A file that cannot serve as evidence; the message names it and says why."""


def _limit(name: str, default: int) -> int:
    return getattr(settings, "OUTREACH_EVIDENCE", {}).get(name, default)


def _size_refused(name: str, size: int, limit: int):
    return EvidenceRefused(
        _("文件“%(name)s”有 %(size).1f MB，超过上限 %(limit)d MB。")
        % {"name": name, "size": size / MB, "limit": limit // MB}
    )


def evidence_from_upload(name: str, upload) -> EvidenceItem:
    """Check one uploaded file (an uploaded file object, or its bytes) and describe it;
    :class:`EvidenceRefused` says what is wrong."""
    if isinstance(upload, bytes | bytearray):
        content = bytes(upload)
        if sniff_media(content[:64]) is not None:
            return _clip(name, io.BytesIO(content))
        return _document(name, content)
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if head and sniff_media(head) is not None:
        return _clip(name, upload)
    max_bytes = _limit("MAX_BYTES", 20 * MB)
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _size_refused(name, size, max_bytes)
    # Within the picture limit: small enough to check in memory.
    return _document(name, upload.read(max_bytes + 1))


def _document(name: str, content: bytes) -> EvidenceItem:
    max_bytes = _limit("MAX_BYTES", 20 * MB)
    if not content:
        raise EvidenceRefused(_("文件“%(name)s”是空的。") % {"name": name})
    if len(content) > max_bytes:
        raise _size_refused(name, len(content), max_bytes)
    if name.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS:
        raise EvidenceRefused(
            _("文件“%(name)s”的内容不是可识别的录音或录像（与文件名不符）。") % {"name": name}
        )
    digest = hashlib.sha256(content).hexdigest()
    if content.startswith(b"%PDF-"):
        # A file cut short in transfer has no end-of-file marker near its end.
        if b"%%EOF" not in content[-2048:]:
            raise EvidenceRefused(_("PDF 文件“%(name)s”不完整。") % {"name": name})
        return EvidenceItem(
            kind=DeliveryEvidence.Kind.PDF,
            content=content,
            file_format="pdf",
            original_name=name,
            sha256=digest,
        )
    return _picture(name, content, digest)


MEDIA_EXTENSIONS = {
    "mp3", "m4a", "aac", "wav", "ogg", "oga", "opus", "amr", "mp4", "m4v", "mov", "webm",
    "3gp", "3ga",
}  # fmt: skip
# Audio-only files in a video container are served as audio.
AUDIO_FORMAT = {"mp4": "m4a", "mov": "m4a", "3gp": "3ga", "webm": "weba"}
AUDIO_ONLY = {"mp3", "aac", "m4a", "wav", "ogg", "amr"}


def _clip(name: str, source) -> EvidenceItem:
    """An audio or video clip, copied in chunks to a temporary file and probed there."""
    max_video = _limit("MAX_VIDEO_BYTES", 200 * MB)
    max_audio = _limit("MAX_AUDIO_BYTES", 50 * MB)
    container = sniff_media(source.read(64))
    source.seek(0)
    limit = max_audio if container in AUDIO_ONLY else max_video
    digest = hashlib.sha256()
    size = 0
    # Kept open in the returned item until it is stored; closing it removes it.
    spool = tempfile.NamedTemporaryFile(prefix="evidence-", suffix=f".{container}")  # noqa: SIM115
    try:
        chunks = (
            source.chunks() if hasattr(source, "chunks") else iter(lambda: source.read(MB), b"")
        )
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _size_refused(name, size, limit)
            digest.update(chunk)
            spool.write(chunk)
        spool.flush()
        if container in {"mp4", "mov", "3gp", "m4a"} and not boxes_complete(spool.name):
            raise EvidenceRefused(
                _("文件“%(name)s”不完整（可能上传中断），请重新导出或上传。") % {"name": name}
            )
        try:
            info = probe_media(spool.name)
        except ProbeError as error:
            raise EvidenceRefused(
                _("文件“%(name)s”不是可用的录音或录像：%(reason)s")
                % {"name": name, "reason": error}
            ) from None
        if info.duration_seconds > _limit("MAX_CLIP_SECONDS", 6 * 3600):
            raise EvidenceRefused(
                _("文件“%(name)s”的时长超过 %(hours)d 小时，文件可能已损坏。")
                % {"name": name, "hours": _limit("MAX_CLIP_SECONDS", 6 * 3600) // 3600}
            )
        if info.has_video:
            kind, file_format = DeliveryEvidence.Kind.VIDEO, container
            if container in AUDIO_ONLY:
                # Sound with a picture stream in a sound-only container: kept as sound.
                kind = DeliveryEvidence.Kind.AUDIO
        else:
            kind = DeliveryEvidence.Kind.AUDIO
            file_format = AUDIO_FORMAT.get(container, container)
        if kind == DeliveryEvidence.Kind.AUDIO and size > max_audio:
            raise _size_refused(name, size, max_audio)
    except BaseException:
        spool.close()
        raise
    video = kind == DeliveryEvidence.Kind.VIDEO
    return EvidenceItem(
        kind=kind,
        file=spool,
        size=size,
        file_format=file_format,
        original_name=name,
        width=info.width if video else None,
        height=info.height if video else None,
        duration_seconds=info.duration_seconds,
        sha256=digest.hexdigest(),
    )


def _picture(name: str, content: bytes, digest: str) -> EvidenceItem:
    max_pixels = _limit("MAX_PIXELS", 60_000_000)
    refused = _("文件“%(name)s”不是可用的照片（JPEG、PNG、WebP）或 PDF。") % {"name": name}
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, above its own limit; ours is the one that speaks.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                fmt = PICTURE_FORMATS.get(probe.format or "")
                width, height = probe.size
                if fmt is None:
                    raise EvidenceRefused(refused)
                if width * height > max_pixels:
                    raise EvidenceRefused(
                        _("照片“%(name)s”为 %(width)d×%(height)d 像素，超过上限 %(limit)d 万像素。")
                        % {
                            "name": name,
                            "width": width,
                            "height": height,
                            "limit": max_pixels // 10_000,
                        }
                    )
                probe.verify()
            # verify() leaves the image unusable: the metadata is read from a fresh open.
            with Image.open(io.BytesIO(content)) as image:
                exif = image.getexif()
    except EvidenceRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise EvidenceRefused(refused) from None
    return EvidenceItem(
        kind=DeliveryEvidence.Kind.PICTURE,
        content=content,
        file_format=fmt,
        original_name=name,
        width=width,
        height=height,
        sha256=digest,
        taken_at=_taken_at(exif),
        place=_place(exif),
    )


def _taken_at(exif) -> datetime.datetime | None:
    """DateTimeOriginal (else DateTime), which cameras write in local time: read as Beijing
    time unless the picture gives its offset."""
    detail = exif.get_ifd(ExifTags.IFD.Exif)
    text = detail.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = detail.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return datetime.datetime.strptime(
                f"{text.strip()} {offset.strip()}", "%Y:%m:%d %H:%M:%S %z"
            )
        except ValueError:
            pass
    return timezone.make_aware(moment, ZoneInfo(settings.TIME_ZONE))


def _place(exif) -> str:
    """The GPS position as 北纬/南纬 and 东经/西经 with five decimals, or nothing."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude])
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return ""
    north = gps.get(ExifTags.GPS.GPSLatitudeRef, "N") != "S"
    east = gps.get(ExifTags.GPS.GPSLongitudeRef, "E") != "W"
    latitude_side = _("北纬") if north else _("南纬")
    longitude_side = _("东经") if east else _("西经")
    return f"{latitude_side} {latitude:.5f}°，{longitude_side} {longitude:.5f}°"


def _degrees(value) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def evidence_from_url(url: str) -> EvidenceItem:
    """A link as evidence (an e-paper page, a station's programme page)."""
    return EvidenceItem(kind=DeliveryEvidence.Kind.LINK, url=url)
