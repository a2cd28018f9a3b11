"""Opening pictures safely and fitting them to a screen around their focal point."""

import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
# Far above any screen; a bigger picture is refused before its pixels are decoded.
MAX_PICTURE_PIXELS = 40_000_000


class PictureError(ValueError):
    """A picture that cannot be used, worded for an editor."""


@dataclass(frozen=True)
class FocalPoint:
    """The part of a picture that must stay visible, in the picture's pixels."""

    x: int
    y: int
    width: int = 0
    height: int = 0


def open_picture(source: BinaryIO, *, max_pixels: int = MAX_PICTURE_PIXELS) -> Image.Image:
    """Decode a PNG, JPEG, WebP or GIF (its first frame) into RGB, refusing bombs.

    Pillow only warns below twice its pixel limit; here both the warning and anything over
    ``max_pixels`` are errors, checked from the header before the pixels are decoded.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > max_pixels:
                raise PictureError(
                    _("图片像素过多（%(w)d×%(h)d），超过 %(limit)d 万像素的上限，已拒绝。")
                    % {"w": width, "h": height, "limit": max_pixels // 10_000}
                )
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise PictureError(_("图片像素过多，疑似“解压炸弹”，已拒绝。")) from None
        except UnidentifiedImageError:
            raise PictureError(_("无法识别的图片格式：只接受 PNG、JPEG、WebP、GIF。")) from None
        except (OSError, SyntaxError) as error:
            raise PictureError(
                _("图片文件已损坏，无法读取：%(error)s") % {"error": error}
            ) from None
    # In place: a photo from a camera is tens of megabytes, a copy of it costs as much again.
    ImageOps.exif_transpose(image, in_place=True)
    return image if image.mode == "RGB" else image.convert("RGB")


def crop_box(
    size: tuple[int, int], target: tuple[int, int], focal: FocalPoint | None
) -> tuple[int, int, int, int]:
    """The largest box of the target's aspect ratio inside ``size``, centred on the focal
    point (the picture's centre without one) and moved back inside the picture's edges."""
    width, height = size
    target_w, target_h = target
    if width * target_h > height * target_w:
        box_h, box_w = height, max(1, round(height * target_w / target_h))
    else:
        box_w, box_h = width, max(1, round(width * target_h / target_w))
    centre_x = focal.x + focal.width / 2 if focal else width / 2
    centre_y = focal.y + focal.height / 2 if focal else height / 2
    left = min(max(0, round(centre_x - box_w / 2)), width - box_w)
    top = min(max(0, round(centre_y - box_h / 2)), height - box_h)
    return left, top, left + box_w, top + box_h


def fit_picture(
    image: Image.Image,
    target: tuple[int, int],
    *,
    mode: str = "crop",
    focal: FocalPoint | None = None,
    background: tuple[int, int, int] = (0, 0, 0),
) -> Image.Image:
    """Scale an RGB picture to ``target``: ``crop`` fills it around the focal point,
    ``fit`` shows the whole picture with bars."""
    if mode == "crop":
        # Resizing from a box reads the pixels in place: no cropped copy of a large photo.
        return image.resize(
            target, Image.Resampling.LANCZOS, box=crop_box(image.size, target, focal)
        )
    canvas = Image.new("RGB", target, background)
    shown = ImageOps.contain(image, target, Image.Resampling.LANCZOS)
    canvas.paste(shown, ((target[0] - shown.width) // 2, (target[1] - shown.height) // 2))
    return canvas
