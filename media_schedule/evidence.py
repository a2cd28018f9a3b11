"""Checking evidence files by what they contain, not by what they are called.

An editor uploads a photo or scan of the printed page or the posted board, or a PDF of the
e-paper page. Each file is read: a picture must open with Pillow as JPEG, PNG or WebP within
the size and pixel limits, a PDF must look like one from its first to its last bytes. A
picture's EXIF time and place, when it has them, are kept to be shown beside it.
"""

import datetime
import hashlib
import io
import warnings
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from .dispatch.record import EvidenceItem
from .models import DeliveryEvidence

MB = 1024 * 1024
PICTURE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


class EvidenceRefused(ValueError):
    """A file that cannot serve as evidence; the message names it and says why."""


def _limit(name: str, default: int) -> int:
    return getattr(settings, "OUTREACH_EVIDENCE", {}).get(name, default)


def evidence_from_upload(name: str, content: bytes) -> EvidenceItem:
    """Check one uploaded file and describe it; :class:`EvidenceRefused` says what is wrong."""
    max_bytes = _limit("MAX_BYTES", 20 * MB)
    if not content:
        raise EvidenceRefused(_("文件“%(name)s”是空的。") % {"name": name})
    if len(content) > max_bytes:
        raise EvidenceRefused(
            _("文件“%(name)s”有 %(size).1f MB，超过上限 %(limit)d MB。")
            % {"name": name, "size": len(content) / MB, "limit": max_bytes // MB}
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
