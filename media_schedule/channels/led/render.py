"""Rendering an LED version to frames at a screen's exact pixel size.

Single-colour screens get two pixel values (dark, lit) drawn without anti-aliasing; dual-colour
screens a four-entry palette (dark, red, green, yellow = red + green); full-colour screens RGB.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from ..pictures import FocalPoint, fit_picture
from .typesetting import Layout, fit
from .versions import LedVersion

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


@dataclass(frozen=True)
class Scroll:
    """A scroll as one strip: the screen shows ``strip[x : x + width]`` with ``x`` starting
    at 0 and moving ``step_px`` to the right every ``frame_ms`` (the text moves left), for
    ``frame_count`` frames. The strip begins and ends with a blank screen's width."""

    strip: Image.Image
    width: int
    step_px: int
    frame_ms: int
    frame_count: int

    def frame(self, number: int) -> Image.Image:
        left = number * self.step_px
        return self.strip.crop((left, 0, left + self.width, self.strip.height))

    @property
    def speed_px_per_second(self) -> float:
        return self.step_px * 1000 / self.frame_ms


@dataclass
class Segment:
    """A run of frames shown as one unit: a still page, a scroll, or a picture.

    A scroll holds its strip, not its frames: ``frames`` cuts them from it when asked, and
    :meth:`iter_frames` one at a time. A picture on a one-colour screen keeps the fitted
    colour picture (``original``) and the conversion chosen for it (``method``)."""

    kind: str
    stills: list[Frame] = field(default_factory=list)
    scroll: Scroll | None = None
    original: Image.Image | None = None
    method: str = ""

    def iter_frames(self):
        if self.scroll is None:
            yield from self.stills
            return
        for number in range(self.scroll.frame_count):
            yield Frame(self.scroll.frame(number), self.scroll.frame_ms)

    @property
    def frames(self) -> list[Frame]:
        return list(self.iter_frames())

    @property
    def frame_count(self) -> int:
        return self.scroll.frame_count if self.scroll else len(self.stills)

    @property
    def duration_ms(self) -> int:
        if self.scroll is not None:
            return self.scroll.frame_count * self.scroll.frame_ms
        return sum(frame.duration_ms for frame in self.stills)


@dataclass
class RenderedItem:
    layout: Layout
    segments: list[Segment]
    warnings: list[str] = field(default_factory=list)
    # The warnings (also in ``warnings``) that are about the picture, not the text.
    picture_warnings: list[str] = field(default_factory=list)

    @property
    def frames(self) -> list[Frame]:
        return [frame for segment in self.segments for frame in segment.iter_frames()]

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


THRESHOLD, ORDERED, DIFFUSION = "threshold", "ordered", "diffusion"
METHOD_LABELS = {
    THRESHOLD: gettext_lazy("对比度拉伸后二值化"),
    ORDERED: gettext_lazy("有序抖动"),
    DIFFUSION: gettext_lazy("误差扩散抖动"),
}
# Above this legibility loss a one-colour picture is not expected to read (see legibility_loss).
ILLEGIBLE_LOSS = 0.16
# A picture that needs dithering (a photo, not flat shapes) turns into a field of dots no one
# recognises on fewer rows than this: a 64×16 module holds 1,024 diodes.
MIN_DOTTED_PICTURE_ROWS = 32
# A plain threshold keeps edges crisp and a logo's shapes whole: it is kept whenever it loses
# at most this much more than the best dither (which only wins on soft anti-aliased edges).
THRESHOLD_PREFERENCE = 0.02
_BAYER_4 = (0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5)


def _otsu(grey: Image.Image) -> int:
    """The threshold that best separates the grey levels into two classes (Otsu, 1979)."""
    histogram = grey.histogram()
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    best, best_level, below, below_sum = -1.0, 128, 0, 0.0
    for level in range(256):
        below += histogram[level]
        below_sum += level * histogram[level]
        above = total - below
        if below == 0 or above == 0:
            continue
        mean_below = below_sum / below
        mean_above = (weighted - below_sum) / above
        spread = below * above * (mean_below - mean_above) ** 2
        if spread > best:
            best, best_level = spread, level
    return best_level


def _ordered(grey: Image.Image) -> Image.Image:
    tile = Image.new("L", (4, 4))
    tile.putdata([round((value + 0.5) * 16) for value in _BAYER_4])
    thresholds = Image.new("L", grey.size)
    for top in range(0, grey.height, 4):
        for left in range(0, grey.width, 4):
            thresholds.paste(tile, (left, top))
    return ImageChops.subtract(grey, thresholds).point(lambda value: 255 if value else 0)


def one_colour_candidates(grey: Image.Image) -> dict[str, Image.Image]:
    """The contrast-stretched picture as lit (255) and dark (0) dots, by each method."""
    stretched = ImageOps.autocontrast(grey, cutoff=2)
    level = _otsu(stretched)
    return {
        THRESHOLD: stretched.point(lambda value: 255 if value > level else 0),
        ORDERED: _ordered(stretched),
        DIFFUSION: stretched.convert("1", dither=Image.Dither.FLOYDSTEINBERG).convert("L"),
    }


def legibility_loss(grey: Image.Image, dots: Image.Image) -> float:
    """How much of the picture a passer-by loses on the dots, 0 (nothing) to 1.

    From a few metres the eye blurs neighbouring diodes together: the mean difference
    between the blurred dots and the blurred contrast-stretched picture is what is lost in
    tone and shape. Dither that reads as noise at LED pitch (isolated dots a 3×3 median
    removes) counts half again, since it hides edges that a threshold keeps.
    """
    stretched = ImageOps.autocontrast(grey, cutoff=2)
    blur = ImageFilter.GaussianBlur(1.2)
    tone = ImageStat.Stat(ImageChops.difference(stretched.filter(blur), dots.filter(blur)))
    speckle = ImageStat.Stat(ImageChops.difference(dots, dots.filter(ImageFilter.MedianFilter(3))))
    return tone.mean[0] / 255 + 0.5 * speckle.mean[0] / 255


def _picture_warning(spec: ScreenSpec, method: str, loss: float) -> str | None:
    """The editor's warning when a picture will not read on a module screen, or ``None``."""
    size = {"w": spec.width, "h": spec.height}
    if loss > ILLEGIBLE_LOSS:
        return _(
            "图片在 %(w)d×%(h)d 的单色屏上难以辨认（细节损失 %(loss)d%%），"
            "建议换用轮廓简单、对比强烈的图片，或改用文字。"
        ) % {**size, "loss": round(loss * 100)}
    if method != THRESHOLD and spec.height < MIN_DOTTED_PICTURE_ROWS:
        return (
            _(
                "屏幕只有 %(h)d 行像素，照片在 %(w)d×%(h)d 的屏上只剩一片点阵，难以辨认，"
                "建议换用轮廓简单的大图形，或改用文字。"
            )
            % size
        )
    return None


def one_colour_picture(grey: Image.Image) -> tuple[Image.Image, str, float]:
    """The picture for a one-colour screen: every method tried, the most legible kept.

    Returns the dots (L, 0 or 255), the method and its :func:`legibility_loss`."""
    scored = [
        (legibility_loss(grey, dots), method, dots)
        for method, dots in one_colour_candidates(grey).items()
    ]
    loss, method, dots = min(scored, key=lambda entry: entry[0])
    threshold_loss, _method, threshold_dots = scored[0]
    if threshold_loss <= loss + THRESHOLD_PREFERENCE:
        return threshold_dots, THRESHOLD, threshold_loss
    return dots, method, loss


def _picture_segment(
    picture: Image.Image, spec: ScreenSpec, mode: str, focal, dwell_ms: int
) -> tuple[Segment, str | None]:
    fitted = fit_picture(picture, spec.size, mode=mode, focal=focal)
    if spec.colour_mode == FULL:
        return Segment("picture", [Frame(fitted, dwell_ms)]), None
    if spec.colour_mode == SINGLE:
        dots, method, loss = one_colour_picture(fitted.convert("L"))
        warning = _picture_warning(spec, method, loss)
        image = _with_palette(dots, spec, 1)
        segment = Segment("picture", [Frame(image, dwell_ms)], original=fitted, method=method)
        return segment, warning
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette([c for colour in DUAL_PALETTE for c in colour] * 64)
    image = fitted.quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)
    warning = _picture_warning(spec, DIFFUSION, 0.0)
    segment = Segment("picture", [Frame(image, dwell_ms)], original=fitted, method=DIFFUSION)
    return segment, warning


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


def layout_item(version: LedVersion, spec: ScreenSpec) -> Layout:
    """How the version's text sits on the screen (face, lines, whether it scrolls).

    Raises :class:`~media_schedule.channels.led.typesetting.MissingGlyphsError` when a
    character has no glyph in the fonts the screen can use.
    """
    full = spec.colour_mode == FULL
    # Large full-colour walls get a margin; LED modules use every dot up to the edge.
    margin = round(min(spec.size) * 0.05) if full else 0
    return fit(
        list(version.lines), spec.width - 2 * margin, spec.height - 2 * margin, full_colour=full
    )


def render_item(
    version: LedVersion,
    spec: ScreenSpec,
    *,
    picture: Image.Image | None = None,
    focal: FocalPoint | None = None,
    layout: Layout | None = None,
    drawn: dict | None = None,
) -> RenderedItem:
    """Every segment of one version on one screen, with the warnings an editor should see.

    ``layout`` is :func:`layout_item`'s answer when the caller has it already. ``drawn``,
    when given, maps ``(layout, spec, colour)`` to the text page or scroll strip already drawn
    for it, so that a slogan placed several times in one loop is drawn once (the caller
    bounds it: a key it refuses to store is simply drawn again next time). Raises
    :class:`~media_schedule.channels.led.typesetting.MissingGlyphsError` when a character
    has no glyph in the fonts the screen can use.
    """
    layout = layout or layout_item(version, spec)
    warnings: list[str] = []
    segments: list[Segment] = []
    dwell_ms = version.dwell_seconds * 1000
    key = (layout, spec, version.colour)
    known = drawn.get(key) if drawn is not None else None
    if layout.scrolling:
        if known is None:
            step = scroll_step(layout)
            strip_size = (layout.text_width + 2 * spec.width, spec.height)
            strip = _finish(
                _draw_lines(strip_size, layout, spec.width, spec, version.colour),
                spec,
                version.colour,
            )
            count = (layout.text_width + spec.width) // step + 1
            known = Scroll(strip, spec.width, step, SCROLL_FRAME_MS, count)
            if drawn is not None:
                drawn[key] = known
        scroll = known
        count = scroll.frame_count
        segments.append(Segment("scroll", scroll=scroll))
        warnings.append(
            _("文字在该屏上一屏放不下，将以 %(size)d 像素字号滚动显示，每遍约 %(seconds).0f 秒。")
            % {"size": layout.face.size, "seconds": count * SCROLL_FRAME_MS / 1000}
        )
    else:
        if known is None:
            canvas = _draw_lines(spec.size, layout, None, spec, version.colour)
            known = _finish(canvas, spec, version.colour)
            if drawn is not None:
                drawn[key] = known
        segments.append(Segment("text", [Frame(known, dwell_ms)]))
    about_picture: list[str] = []
    if picture is not None:
        segment, legibility = _picture_segment(picture, spec, version.picture_fit, focal, dwell_ms)
        about_picture = [w for w in (picture_warning(picture, spec), legibility) if w]
        segments.append(segment)
    return RenderedItem(layout, segments, [*warnings, *about_picture], about_picture)


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
