"""The LED version as passers-by see it: each part of the item (a still page of text, a scroll,
a picture) rendered at the outlet's screen's own pixels, as the controller will show it.

Frames go inline as ``data:`` images, so the preview needs no second request and shows the
version being edited, not one already saved. A scroll becomes an animated GIF while that
stays small; otherwise, and on very large walls, one frame stands for it.
"""

import base64
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from PIL import Image

from ..pictures import PictureError
from .models import Screen
from .playlist import picture_focal, picture_load
from .render import FULL, METHOD_LABELS, ScreenSpec, render_item
from .typesetting import FontMissingError, MissingGlyphsError
from .versions import InvalidVersion, parse_version

# Largest scroll animated inline, in pixels over all frames (a 192×32 screen's scroll of a
# long slogan is about 150 frames, a million pixels).
MAX_ANIMATED_PIXELS = 4_000_000
# Small screens are enlarged, pixel for pixel, to about this width so the text can be read.
ENLARGED_WIDTH = 480


def _data_uri(image: Image.Image, fmt: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    mime = {"PNG": "image/png", "GIF": "image/gif", "JPEG": "image/jpeg"}[fmt]
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def _still(image: Image.Image, spec: ScreenSpec) -> str:
    # A photo on a full-colour wall is megabytes as PNG; text stays sharp and small in PNG.
    if spec.colour_mode == FULL and image.mode == "RGB" and spec.width * spec.height > 250_000:
        return _data_uri(image, "JPEG", quality=90)
    return _data_uri(image, "PNG", optimize=True)


def _segment(segment, spec: ScreenSpec) -> dict[str, Any]:
    seconds = f"{segment.duration_ms / 1000:.1f}".removesuffix(".0")
    original = ""
    if segment.kind == "scroll":
        if spec.width * spec.height * segment.frame_count <= MAX_ANIMATED_PIXELS:
            frames = segment.frames
            src = _data_uri(
                frames[0].image,
                "GIF",
                save_all=True,
                append_images=[frame.image for frame in frames[1:]],
                duration=[frame.duration_ms for frame in frames],
                loop=0,
            )
        else:
            src = _still(segment.scroll.frame(segment.frame_count // 3), spec)
        label = _("滚动文字，每遍约 %(seconds)s 秒") % {"seconds": seconds}
    elif segment.kind == "picture":
        src = _still(segment.stills[0].image, spec)
        label = _("图片，停留 %(seconds)s 秒") % {"seconds": seconds}
        if segment.original is not None:
            # The picture as it was, beside what the screen's dots make of it.
            original = _still(segment.original, ScreenSpec(spec.width, spec.height, FULL))
            label = _("图片，停留 %(seconds)s 秒；左为原图，右为%(method)s后的效果") % {
                "seconds": seconds,
                "method": METHOD_LABELS.get(segment.method, segment.method),
            }
    else:
        src = _still(segment.stills[0].image, spec)
        label = _("文字，停留 %(seconds)s 秒") % {"seconds": seconds}
    return {"src": src, "label": label, "original": original}


def render_preview(version: dict[str, Any], *, outlet=None) -> str:
    """Every part of the item on the outlet's screen, as safe HTML; a sentence instead when
    there is no screen or the version cannot be drawn (the reason is among its problems)."""
    screen = Screen.objects.filter(outlet=outlet).first() if outlet is not None else None
    context: dict[str, Any] = {"screen": screen, "segments": [], "note": ""}
    if screen is None:
        context["note"] = _("该渠道没有关联显示屏，无法预览。")
        return render_to_string("media_schedule/channels/led/preview.html", context)
    spec = ScreenSpec.of(screen)
    context["display_width"] = spec.width * max(1, min(8, ENLARGED_WIDTH // spec.width))
    try:
        parsed = parse_version(version)
        try:
            picture = picture_load(parsed.picture_id) if parsed.picture_id else None
        except PictureError as error:
            # The text still shows; the picture's problem is listed with the others.
            picture = None
            context["note"] = str(error)
        focal, _hash = picture_focal(parsed.picture_id)
        rendered = render_item(parsed, spec, picture=picture, focal=focal)
    except (InvalidVersion, MissingGlyphsError, FontMissingError, ValueError) as error:
        context["note"] = _("无法在该屏上显示：%(reason)s") % {"reason": error}
        return render_to_string("media_schedule/channels/led/preview.html", context)
    context["segments"] = [_segment(segment, spec) for segment in rendered.segments]
    return render_to_string("media_schedule/channels/led/preview.html", context)
