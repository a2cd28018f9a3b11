"""Cover pictures for demo content, drawn with Pillow so the demo needs no downloads."""

import io
import random

from PIL import Image, ImageDraw

from publicity.fonts import load_outline_font

PALETTES = [
    ((178, 34, 34), (232, 106, 51)),
    ((153, 27, 27), (212, 160, 23)),
    ((30, 82, 54), (120, 160, 80)),
    ((28, 64, 120), (90, 140, 200)),
    ((120, 40, 40), (200, 120, 60)),
]


def draw_cover(title: str, seed: int, size: tuple[int, int] = (1200, 675)) -> bytes:
    """Return a JPEG with a gradient, a star motif and the title in a CJK face."""
    rng = random.Random(seed)
    top, bottom = PALETTES[seed % len(PALETTES)]
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = tuple(int(top[i] * (1 - t) + bottom[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    for _ in range(6):
        cx, cy, r = rng.randint(0, width), rng.randint(0, height), rng.randint(40, 160)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 230, 160), width=3)
    _star(draw, (width * 0.15, height * 0.3), 70, (255, 215, 0))
    font = load_outline_font(64)
    if font is not None:
        text = title if len(title) <= 14 else title[:13] + "…"
        draw.text((width * 0.08, height * 0.62), text, font=font, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _star(draw: ImageDraw.ImageDraw, centre, radius, colour) -> None:
    import math

    cx, cy = centre
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.38
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy - r * math.sin(angle)))
    draw.polygon(points, fill=colour)
