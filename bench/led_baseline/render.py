"""Rendering an LED version to frames at a screen's exact pixel size.

Single-colour screens get two pixel values (dark, lit) drawn without anti-aliasing; dual-colour
screens a four-entry palette (dark, red, green, yellow = red + green); full-colour screens RGB.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageOps

from media_schedule.channels.led.versions import LedVersion
from media_schedule.channels.pictures import FocalPoint, fit_picture

from .typesetting import Layout, fit

SINGLE, DUAL, FULL = "single", "dual", "full"
SCROLL_FRAME_MS = 50
# Diode colours for previews and palettes.
LED_RGB = {
    "red": (255, 32, 16),
    "green": (32, 230, 64),
    "amber": (255, 176, 0),
    "white": (255, 255, 255),
    "yellow": (255, 220, 0),
}
DUAL_PALETTE = [(0, 0, 0), LED_RGB["red"], LED_RGB["green"], LED_RGB["yellow"]]
DUAL_INDEX = {"red": 1, "green": 2, "yellow": 3, "white": 3}


@dataclass(frozen=True)
class ScreenSpec:
    """The geometry and colour mode of a screen, apart from the database row."""

    width: int
    height: int
    colour_mode: str = SINGLE
    led_colour: str = "red"

    @classmethod
    def of(cls, screen) -> "ScreenSpec":
        return cls(screen.width, screen.height, screen.colour_mode, screen.led_colour)

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def palette(self) -> list[tuple[int, int, int]]:
        if self.colour_mode == SINGLE:
            return [(0, 0, 0), LED_RGB.get(self.led_colour, LED_RGB["red"])]
        return DUAL_PALETTE


@dataclass
class Frame:
    image: Image.Image
    duration_ms: int


@dataclass
class Segment:
    """A run of frames shown as one unit: a still page, a scroll, or a picture."""

    kind: str
    frames: list[Frame]

    @property
    def duration_ms(self) -> int:
        return sum(frame.duration_ms for frame in self.frames)


@dataclass
class RenderedItem:
    layout: Layout
    segments: list[Segment]
    warnings: list[str] = field(default_factory=list)

    @property
    def frames(self) -> list[Frame]:
        return [frame for segment in self.segments for frame in segment.frames]

    @property
    def duration_ms(self) -> int:
        return sum(segment.duration_ms for segment in self.segments)


def _with_palette(mask: Image.Image, spec: ScreenSpec, index: int) -> Image.Image:
    """A P image whose lit pixels (mask 255) take palette ``index``."""
    image = mask.point(lambda value: index if value >= 128 else 0)
    image = image.convert("P") if image.mode != "P" else image
    flat = [channel for colour in spec.palette() for channel in colour]
    image.putpalette(flat)
    return image


def _draw_lines(canvas_size, layout: Layout, origin_x: int | None, spec, colour):
    """Draw the layout's lines on a new canvas; centred unless ``origin_x`` is given."""
    width, height = canvas_size
    face = layout.face
    font = face.load()
    antialias = spec.colour_mode == FULL and face.antialias
    mode = "RGB" if antialias else "L"
    canvas = Image.new(mode, canvas_size, 0)
    draw = ImageDraw.Draw(canvas)
    draw.fontmode = "L" if antialias else "1"
    fill = LED_RGB[colour] if antialias else 255
    top = (height - layout.block_height) // 2
    for number, line in enumerate(layout.lines):
        line_top = top + number * (face.line_height + face.gap)
        x = origin_x if origin_x is not None else (width - int(font.getlength(line))) // 2
        draw.text((x, line_top + face.baseline), line, font=font, fill=fill, anchor="ls")
    return canvas


def _finish(canvas: Image.Image, spec: ScreenSpec, colour: str) -> Image.Image:
    """Turn a drawn canvas into the screen's pixel format."""
    if spec.colour_mode == FULL:
        if canvas.mode == "RGB":
            return canvas
        lit = Image.new("RGB", canvas.size, LED_RGB[colour])
        out = Image.new("RGB", canvas.size, (0, 0, 0))
        out.paste(lit, mask=canvas.point(lambda value: 255 if value >= 128 else 0))
        return out
    index = 1 if spec.colour_mode == SINGLE else DUAL_INDEX[colour]
    return _with_palette(canvas, spec, index)


def _picture_frame(picture: Image.Image, spec: ScreenSpec, mode: str, focal) -> Image.Image:
    fitted = fit_picture(picture, spec.size, mode=mode, focal=focal)
    if spec.colour_mode == FULL:
        return fitted
    if spec.colour_mode == SINGLE:
        # Dithering turns a photo into speckle at LED pitch; a stretched threshold keeps shapes.
        grey = ImageOps.autocontrast(fitted.convert("L"), cutoff=2)
        return _with_palette(grey, spec, 1)
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette([c for colour in DUAL_PALETTE for c in colour] * 64)
    return fitted.quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)


def picture_warning(picture: Image.Image, spec: ScreenSpec) -> str | None:
    """A warning when the picture has fewer pixels than the screen it must fill."""
    if picture.width < spec.width or picture.height < spec.height:
        return _("图片分辨率（%(pw)d×%(ph)d）低于屏幕（%(w)d×%(h)d），放大后会模糊。") % {
            "pw": picture.width,
            "ph": picture.height,
            "w": spec.width,
            "h": spec.height,
        }
    return None


def scroll_step(layout: Layout) -> int:
    """Pixels moved per frame: about two and a half characters a second at any size."""
    return max(1, layout.face.line_height // 8)


def render_item(
    version: LedVersion,
    spec: ScreenSpec,
    *,
    picture: Image.Image | None = None,
    focal: FocalPoint | None = None,
) -> RenderedItem:
    """Every frame of one version on one screen, with the warnings an editor should see.

    Raises :class:`~media_schedule.channels.led.typesetting.MissingGlyphsError` when a character has
    no glyph in the fonts the screen can use.
    """
    full = spec.colour_mode == FULL
    # Large full-colour walls get a margin; LED modules use every dot up to the edge.
    margin = round(min(spec.size) * 0.05) if full else 0
    layout = fit(
        list(version.lines), spec.width - 2 * margin, spec.height - 2 * margin, full_colour=full
    )
    warnings: list[str] = []
    segments: list[Segment] = []
    dwell_ms = version.dwell_seconds * 1000
    if layout.scrolling:
        step = scroll_step(layout)
        strip_size = (layout.text_width + 2 * spec.width, spec.height)
        strip = _finish(
            _draw_lines(strip_size, layout, spec.width, spec, version.colour), spec, version.colour
        )
        count = (layout.text_width + spec.width) // step + 1
        frames = [
            Frame(strip.crop((k * step, 0, k * step + spec.width, spec.height)), SCROLL_FRAME_MS)
            for k in range(count)
        ]
        segments.append(Segment("scroll", frames))
        warnings.append(
            _("文字在该屏上一屏放不下，将以 %(size)d 像素字号滚动显示，每遍约 %(seconds).0f 秒。")
            % {"size": layout.face.size, "seconds": count * SCROLL_FRAME_MS / 1000}
        )
    else:
        canvas = _draw_lines(spec.size, layout, None, spec, version.colour)
        segments.append(Segment("text", [Frame(_finish(canvas, spec, version.colour), dwell_ms)]))
    if picture is not None:
        warning = picture_warning(picture, spec)
        if warning:
            warnings.append(warning)
        image = _picture_frame(picture, spec, version.picture_fit, focal)
        segments.append(Segment("picture", [Frame(image, dwell_ms)]))
    return RenderedItem(layout, segments, warnings)


def dot_matrix_preview(frame: Image.Image, spec: ScreenSpec, scale: int = 6) -> Image.Image:
    """The frame magnified with each pixel drawn as a round diode on a dark board."""
    rgb = frame.convert("RGB")
    width, height = rgb.size
    board = Image.new("RGB", (width * scale, height * scale), (18, 18, 18))
    draw = ImageDraw.Draw(board)
    unlit = (42, 38, 38)
    pixels = rgb.load()
    inset = max(1, scale // 6)
    for y in range(height):
        for x in range(width):
            colour = pixels[x, y]
            if colour == (0, 0, 0):
                colour = unlit
            draw.ellipse(
                (
                    x * scale + inset,
                    y * scale + inset,
                    (x + 1) * scale - inset - 1,
                    (y + 1) * scale - inset - 1,
                ),
                fill=colour,
            )
    return board
