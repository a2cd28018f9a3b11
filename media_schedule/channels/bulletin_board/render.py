"""Drawing a laid-out poster: a print-ready PDF (WeasyPrint) and PNG pictures (Pillow).

WeasyPrint 70 writes PDF only. The PNG is drawn by Pillow from the same layout rather than
rasterised from the PDF (``pdftoppm``, ``pdftocairo``): poppler is not a dependency of the
site, and a preview must not vanish on a machine without it. Both renderers place the same
lines at the same positions with the same faces, so what differs is only the rasteriser.
"""

import base64
import io

from django.utils.html import escape
from PIL import Image, ImageDraw

from .layout import Photo, Poster, Rect, Text
from .typesetting import advance, face, units

# Pictures are embedded at up to this resolution at their printed size: a board is read
# from two metres and more, where 150 dpi is already finer than the eye can tell.
PRINT_DPI = 150
MAX_PICTURE_SIDE = 6000
JPEG_QUALITY = 90
MM_PER_INCH = 25.4


def poster_pdf(poster: Poster, *, title: str = "") -> bytes:
    """The poster as a one-page PDF at the board's exact size, with its faces embedded."""
    # Imported when a PDF is made: WeasyPrint takes seconds to import, and every process
    # that starts the app loads this kind's adapter.
    from media_schedule.channels.printing import HTML

    board = poster.board
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>",
        f"@page {{ size: {_mm(board.width_mm)} {_mm(board.height_mm)}; margin: 0 }}",
        "html, body { margin: 0; padding: 0 }",
        f"body {{ position: relative; width: {_mm(board.width_mm)};"
        f" height: {_mm(board.height_mm)}; overflow: hidden }}",
        ".e { position: absolute; margin: 0; padding: 0; white-space: pre }",
        "</style></head><body>",
    ]
    parts += [_html(element) for element in poster.elements]
    parts.append("</body></html>")
    return HTML(string="".join(parts)).write_pdf()


def poster_png(poster: Poster, *, max_width: int, max_height: int | None = None) -> bytes:
    """The poster as a PNG at most ``max_width`` (and ``max_height``) pixels, same aspect."""
    return _encode(poster_image(poster, max_width=max_width, max_height=max_height))


def poster_image(poster: Poster, *, max_width: int, max_height: int | None = None) -> Image.Image:
    """The poster drawn by Pillow at the largest scale within the given pixel size."""
    board = poster.board
    scale = max_width / board.width_mm
    if max_height:
        scale = min(scale, max_height / board.height_mm)
    size = (max(1, round(board.width_mm * scale)), max(1, round(board.height_mm * scale)))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for element in poster.elements:
        if isinstance(element, Rect):
            draw.rectangle(_pixels(element, scale), fill=element.colour)
        elif isinstance(element, Text):
            _draw_text(draw, element, scale)
        elif isinstance(element, Photo):
            left, top, right, bottom = _pixels(element, scale)
            shown = element.image.resize(
                (max(1, right - left), max(1, bottom - top)), Image.Resampling.LANCZOS
            )
            image.paste(shown, (left, top))
    return image


def _draw_text(draw: ImageDraw.ImageDraw, text: Text, scale: float) -> None:
    font = face(text.role).pillow(text.size * scale)
    y = text.baseline * scale
    if not text.spacing:
        draw.text((text.x * scale, y), text.text, font=font, fill=text.colour, anchor="ls")
        return
    # Justified: each unit where the layout's advances and spacing put it, as the PDF's
    # letter spacing (words: a margin) does.
    x = text.x
    for unit in units(text.text):
        draw.text((x * scale, y), unit, font=font, fill=text.colour, anchor="ls")
        x += advance(text.role, unit) * text.size + text.spacing


def _pixels(element, scale: float) -> tuple[int, int, int, int]:
    # Edges rounded on their own, so adjoining rectangles meet without a seam.
    return (
        round(element.x * scale),
        round(element.y * scale),
        round((element.x + element.w) * scale),
        round((element.y + element.h) * scale),
    )


def _html(element) -> str:
    if isinstance(element, Rect):
        return f"<div class='e' style='{_box(element)}; background: {element.colour}'></div>"
    if isinstance(element, Photo):
        return f"<img class='e' style='{_box(element)}' alt='' src='{_jpeg_uri(element)}'>"
    chosen = face(element.role)
    # With a line height of one em, the line box's top is the baseline less the face's own
    # ascent and half the (negative) leading: (1 + ascent - descent) / 2 em.
    top = element.baseline - (1 + chosen.ascent - chosen.descent) / 2 * element.size
    spacing = f"; letter-spacing: {_mm(element.spacing)}" if element.spacing else ""
    return (
        f"<div class='e' style='left: {_mm(element.x)}; top: {_mm(top)};"
        f' font-family: "{chosen.family}"; font-weight: {chosen.weight};'
        f" font-size: {_mm(element.size)}; line-height: {_mm(element.size)};"
        f" color: {element.colour}{spacing}'>{_spaced(element)}</div>"
    )


def _spaced(text: Text) -> str:
    """The line's HTML: with justification, Latin words keep their letters together and
    take the spacing after the word (a margin) instead of after every letter."""
    if not text.spacing:
        return escape(text.text)
    return "".join(
        f"<span style='letter-spacing: 0; margin-right: {_mm(text.spacing)}'>{escape(unit)}</span>"
        if len(unit) > 1
        else escape(unit)
        for unit in units(text.text)
    )


def _box(element) -> str:
    return (
        f"left: {_mm(element.x)}; top: {_mm(element.y)};"
        f" width: {_mm(element.w)}; height: {_mm(element.h)}"
    )


def _mm(value: float) -> str:
    return f"{value:.3f}mm"


def _jpeg_uri(photo: Photo) -> str:
    picture = photo.image
    wanted = round(photo.w / MM_PER_INCH * PRINT_DPI)
    if picture.width > min(wanted, MAX_PICTURE_SIDE):
        width = min(wanted, MAX_PICTURE_SIDE)
        picture = picture.resize(
            (width, max(1, round(width * picture.height / picture.width))),
            Image.Resampling.LANCZOS,
        )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
