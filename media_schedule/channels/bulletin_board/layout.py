"""The poster on one board, in millimetres: a red header band with a gold rule, the title,
the picture beside (横版) or above (竖版) the body text, and a red footer band.

The layout is computed once, as rectangles, lines of text and a picture at exact positions,
and both renderers only draw it: the PDF and the PNG preview show the same lines.

Sizes are chosen largest first: the title at the largest size that keeps it within two lines,
the body at the largest size that fits the space left, never below the board's minimum
readable sizes (``Board.min_title_mm`` and ``Board.min_body_mm``). Text that does not fit at
the minimum is cut with an ellipsis and reported by :class:`Fit` for validation to explain.
"""

import dataclasses
import math
from dataclasses import dataclass, field

from PIL import Image

from media_schedule.channels.pictures import FocalPoint, crop_box

from .board import PORTRAIT, Board
from .typesetting import NO_LINE_START, Line, advance, break_lines, units

RED = "#C0161D"
GOLD = "#E6B34A"
HEADER_INK = "#FBE3A0"
FOOTER_INK = "#FFF3D6"
TITLE_INK = "#A8141B"
BODY_INK = "#222222"
PAPER = "#FFFBF2"

TITLE_MAX_LINES = 2
TITLE_LEADING = 1.25
BODY_LEADING = 1.6
PARAGRAPH_GAP = 0.5  # ems between paragraphs
INDENT = 2.0  # 首行缩进两字
# Lines longer than this many characters are hard to follow standing up: wider text areas are
# set in columns.
MAX_MEASURE = 40
COLUMN_GAP = 2.0  # ems
MIN_COLUMN_LINES = 4
# A body of at most this many lines, each a paragraph of its own and with no picture beside
# it, is a slogan: its lines are centred under the title.
SLOGAN_LINES = 3
SIZE_STEP = 0.94
# Pictures more extreme than these shapes are cropped (around the focal point) to them.
PICTURE_ASPECTS = (0.66, 1.8)
PICTURE_SHARE = 0.42
# Ideographs fill an em box from 0.88 em above the baseline to 0.12 em below it.
IDEOGRAPH_ASCENT = 0.88
ELLIPSIS = "…"
# A text this many times what the room holds at the minimum size (even in half-width Latin
# letters) cannot fit at any size: it is set once, at the minimum, to count its lines.
_HOPELESS = 4
# Punctuation and space dropped before an ellipsis ("，…" reads as a typo).
_BEFORE_ELLIPSIS = "".join(NO_LINE_START) + "\u3000 "


@dataclass(frozen=True)
class Rect:
    """A filled rectangle (the paper, the bands and rules), in millimetres from the top left."""

    x: float
    y: float
    w: float
    h: float
    colour: str


@dataclass(frozen=True)
class Text:
    """One line of text: ``x`` is where it starts, ``baseline`` where its glyphs stand,
    ``spacing`` the extra millimetres after each unit, a character or a Latin word
    (justification)."""

    x: float
    baseline: float
    text: str
    size: float
    role: str
    colour: str
    spacing: float = 0.0


@dataclass(frozen=True)
class Photo:
    """The picture, already cropped to the shape of its box, and where it is printed."""

    x: float
    y: float
    w: float
    h: float
    image: Image.Image = field(compare=False, repr=False)


@dataclass(frozen=True)
class PosterContent:
    """What goes on the poster, each text already cleaned (see ``typesetting.clean``)."""

    title: str
    paragraphs: tuple[str, ...] = ()
    header: str = ""
    subheader: str = ""
    footer: str = ""


@dataclass(frozen=True)
class Fit:
    """How a text needs and has room for lines at the board's minimum size for it."""

    needed_lines: int
    available_lines: int
    per_line: int
    size: float

    @property
    def fits(self) -> bool:
        return self.needed_lines <= self.available_lines

    @property
    def capacity(self) -> int:
        """About how many characters the room holds (full lines of ideographs)."""
        return self.available_lines * self.per_line


@dataclass
class Poster:
    """The laid-out poster: what to draw, and how each text fitted."""

    board: Board
    elements: list = field(default_factory=list)
    fits: dict[str, Fit] = field(default_factory=dict)

    @property
    def photo(self) -> Photo | None:
        return next((e for e in self.elements if isinstance(e, Photo)), None)


def lay_out(
    content: PosterContent,
    board: Board,
    picture: Image.Image | None = None,
    focal: FocalPoint | None = None,
) -> Poster:
    """Lay ``content`` out on ``board`` with an optional RGB ``picture``."""
    width, height = board.width_mm, board.height_mm
    short = min(width, height)
    header_h, rule, footer_h, pad = 0.13 * short, 0.012 * short, 0.065 * short, 0.045 * short
    poster = Poster(board)
    poster.elements += [
        Rect(0, 0, width, height, PAPER),
        Rect(0, 0, width, header_h, RED),
        Rect(0, header_h, width, rule, GOLD),
        Rect(0, height - footer_h - rule, width, rule, GOLD),
        Rect(0, height - footer_h, width, footer_h, RED),
    ]
    _band(poster, content, header_h, footer_h, pad)
    top = header_h + rule + pad
    box = (pad, top, width - 2 * pad, height - footer_h - rule - pad - top)
    body = _content(poster, content, box, picture, focal)
    poster.elements += body
    return poster


def _band(poster: Poster, content: PosterContent, header_h: float, footer_h: float, pad: float):
    """The header (left), the column name (right) and the footer line (centred)."""
    width, height = poster.board.width_mm, poster.board.height_mm
    room = width - 2 * pad
    if content.subheader:
        size, fit, text = _one_line(content.subheader, "header", 0.3 * header_h, room / 3)
        poster.fits["subheader"] = fit
        text_w = _width(text, "header") * size
        poster.elements.append(
            Text(
                width - pad - text_w, _centred(header_h / 2, size), text, size, "header", HEADER_INK
            )
        )
        room -= text_w + 0.5 * header_h
    if content.header:
        size, fit, text = _one_line(content.header, "header", 0.5 * header_h, room)
        poster.fits["header"] = fit
        poster.elements.append(
            Text(pad, _centred(header_h / 2, size), text, size, "header", HEADER_INK)
        )
    if content.footer:
        size, fit, text = _one_line(content.footer, "body", 0.4 * footer_h, width - 2 * pad)
        poster.fits["footer"] = fit
        text_w = _width(text, "body") * size
        poster.elements.append(
            Text(
                (width - text_w) / 2,
                _centred(height - footer_h / 2, size),
                text,
                size,
                "body",
                FOOTER_INK,
            )
        )


def _one_line(text: str, role: str, size: float, room: float) -> tuple[float, Fit, str]:
    """A band's text on one line: shrunk to at most 60 % of ``size`` to fit, then cut."""
    smallest = 0.6 * size
    natural = _width(text, role)
    fitted = max(smallest, min(size, room / natural)) if natural else size
    fit = Fit(math.ceil(natural * smallest / room - 1e-6), 1, int(room / smallest), smallest)
    if natural * fitted > room:
        text = _cut(text, role, room / fitted)
    return fitted, fit, text


def _content(poster, content, box, picture, focal) -> list:
    x, y, width, height = box
    elements: list = []
    title_h = title_size = 0.0
    has_body = bool(content.paragraphs) or picture is not None
    if content.title:
        title_size, title_lines = _title(poster, content.title, width, height, alone=not has_body)
        for number, line in enumerate(title_lines):
            line_top = y + number * TITLE_LEADING * title_size
            elements.append(
                Text(
                    x + (width - line.width * title_size) / 2,
                    line_top + _baseline(TITLE_LEADING, title_size),
                    line.text,
                    title_size,
                    "title",
                    TITLE_INK,
                )
            )
        title_h = len(title_lines) * TITLE_LEADING * title_size
    if title_h and has_body:
        # A short red rule under the title, as on printed 专栏 pages.
        rule_w, rule_h = 0.2 * width, max(0.6, 0.06 * title_size)
        elements.append(
            Rect(x + (width - rule_w) / 2, y + title_h + 0.3 * title_size, rule_w, rule_h, RED)
        )
        title_h += 0.3 * title_size + rule_h + 0.5 * title_size
    used = title_h
    if has_body:
        body, body_h = _body(
            poster,
            content.paragraphs,
            picture,
            focal,
            title_size,
            (x, y + title_h, width, height - title_h),
        )
        elements += body
        used += body_h
    # The block sits a little above the middle of the free space (the optical centre).
    shift = max(0.0, (height - used) * 0.4)
    return [_moved(element, shift) for element in elements]


def _title(
    poster: Poster, title: str, width: float, height: float, *, alone: bool
) -> tuple[float, list[Line]]:
    """The title's size and lines; a title ``alone`` on the poster (a slogan) may be twice
    as large."""
    board = poster.board
    smallest = board.min_title_mm
    scale = 2 if alone else 1
    short = min(board.width_mm, board.height_mm)
    largest = max(smallest, scale * min(0.09 * short, 0.2 * height))
    if len(title) > _HOPELESS * TITLE_MAX_LINES * width / smallest:
        largest = smallest
    for size in _sizes(largest, smallest):
        lines = break_lines(title, "title", width / size)
        if len(lines) <= TITLE_MAX_LINES:
            poster.fits["title"] = Fit(len(lines), TITLE_MAX_LINES, int(width / smallest), smallest)
            return size, _balanced(title, lines, width / size)
    poster.fits["title"] = Fit(len(lines), TITLE_MAX_LINES, int(width / smallest), smallest)
    return smallest, _clip(lines, TITLE_MAX_LINES, "title", width / smallest)


def _balanced(title: str, lines: list[Line], measure: float) -> list[Line]:
    """The title's lines made about even: the narrowest measure that needs no more lines
    (a two-line title of 15 and 4 characters reads as a mistake)."""
    if len(lines) < 2:
        return lines
    narrower = measure
    while narrower > measure / 2:
        narrower -= 0.5
        candidate = break_lines(title, "title", narrower)
        if len(candidate) > len(lines):
            break
        lines = candidate
    return lines


def _body(poster, paragraphs, picture, focal, title_size, box) -> tuple[list, float]:
    """The picture and the body text in ``box``; returns them and the height they take."""
    board = poster.board
    x, y, width, height = box
    short = min(board.width_mm, board.height_mm)
    gutter = 0.03 * short
    portrait = board.orientation == PORTRAIT
    elements: list = []
    text_x, text_y, text_w, text_h = x, y, width, height
    photo_h = 0.0
    if picture is not None:
        share = PICTURE_SHARE if paragraphs else 1.0
        room = (width, height * share) if portrait else (width * share, height)
        photo = _photo(picture, focal, room)
        if portrait:
            photo = dataclasses.replace(photo, x=x + (width - photo.w) / 2, y=y)
            text_y, text_h = y + photo.h + gutter, height - photo.h - gutter
            photo_h = photo.h + (gutter if paragraphs else 0)
        else:
            photo = dataclasses.replace(
                photo, x=x if paragraphs else x + (width - photo.w) / 2, y=y
            )
            text_x, text_w = x + photo.w + gutter, width - photo.w - gutter
            photo_h = photo.h
        elements.append(photo)
    if not paragraphs:
        return elements, photo_h
    smallest = board.min_body_mm
    # Short texts are set larger, up to half the title's size (four times the minimum
    # without a title).
    largest = max(smallest, 0.5 * title_size if title_size else 4 * smallest)
    if sum(map(len, paragraphs)) > _HOPELESS * text_w * text_h / (BODY_LEADING * smallest**2):
        largest = smallest
    columns = None
    for size in _sizes(largest, smallest):
        columns = _flow(paragraphs, size, text_w, text_h)
        if columns is not None:
            break
    else:
        size = smallest
    lines_at_min, per_line, available, column_count = _room(paragraphs, smallest, text_w, text_h)
    poster.fits["body"] = Fit(len(lines_at_min), available, per_line, smallest)
    if columns is None:
        columns = _clipped_flow(lines_at_min, available, column_count)
    measure = _measure(size, text_w)[1]
    leading = BODY_LEADING * size
    lines = [entry for column in columns for entry in column]
    slogan = picture is None and len(lines) <= SLOGAN_LINES and all(s for _l, s in lines)
    if picture is None:
        # Fewer columns than there is room for are centred, not left at the left edge.
        used = len(columns) * measure + (len(columns) - 1) * COLUMN_GAP * size
        text_x += (text_w - used) / 2
    text_used = 0.0
    for number, column in enumerate(columns):
        column_x = text_x + number * (measure + COLUMN_GAP * size)
        top = text_y
        for index, (line, starts) in enumerate(column):
            if starts and index:
                top += PARAGRAPH_GAP * size
            line_x = column_x + line.indent * size
            if slogan:
                line_x = column_x + (measure - line.width * size) / 2
            elements.append(
                Text(
                    line_x,
                    top + _baseline(BODY_LEADING, size),
                    line.text,
                    size,
                    "body",
                    BODY_INK,
                    _spacing(line, size, measure),
                )
            )
            top += leading
        text_used = max(text_used, top - text_y)
    if portrait:
        return elements, photo_h + text_used
    return elements, max(photo_h, text_used)


def _photo(picture: Image.Image, focal: FocalPoint | None, room: tuple[float, float]) -> Photo:
    """The picture cropped to a sensible shape around its focal point and scaled into
    ``room`` (millimetres), keeping its proportions."""
    aspect = picture.width / picture.height
    low, high = PICTURE_ASPECTS
    if not low <= aspect <= high:
        aspect = min(max(aspect, low), high)
        target = (round(aspect * 1000), 1000)
        picture = picture.crop(crop_box(picture.size, target, focal))
    width = min(room[0], room[1] * aspect)
    return Photo(0, 0, width, width / aspect, picture)


def _measure(size: float, width: float) -> tuple[int, float]:
    """How many columns of at most ``MAX_MEASURE`` characters fill ``width`` at ``size``,
    and the width of each."""
    gap = COLUMN_GAP * size
    count = max(1, math.ceil((width + gap) / (MAX_MEASURE * size + gap)))
    return count, (width - (count - 1) * gap) / count


def _set(paragraphs, size: float, width: float) -> list[tuple[Line, bool]]:
    measure = _measure(size, width)[1] / size
    lines = []
    for paragraph in paragraphs:
        broken = break_lines(paragraph, "body", measure, indent=INDENT)
        lines += [(line, number == 0) for number, line in enumerate(broken)]
    return lines


def _column_height(column, size: float) -> float:
    gaps = sum(1 for index, (_line, starts) in enumerate(column) if starts and index)
    return len(column) * BODY_LEADING * size + gaps * PARAGRAPH_GAP * size


def _flow(paragraphs, size: float, width: float, height: float):
    """The lines in balanced columns at ``size``, or ``None`` when they do not fit."""
    count, measure = _measure(size, width)
    if measure < 4 * size or height < BODY_LEADING * size:
        return None
    lines = _set(paragraphs, size, width)
    most = int(height / (BODY_LEADING * size) + 1e-6)
    # A few lines stay in one column rather than spread one or two to a column.
    fewest = max(math.ceil(len(lines) / count), min(len(lines), MIN_COLUMN_LINES))
    for per_column in range(fewest, most + 1):
        columns = [lines[i : i + per_column] for i in range(0, len(lines), per_column)]
        if len(columns) <= count and all(_column_height(c, size) <= height for c in columns):
            return columns
    return None


def _room(paragraphs, size: float, width: float, height: float):
    """Lines needed, characters per line, lines available and columns at ``size``."""
    count, measure = _measure(size, width)
    per_column = max(0, int(height / (BODY_LEADING * size) + 1e-6))
    if measure < 4 * size:
        per_column = 0
    return _set(paragraphs, size, width), int(measure / size), count * per_column, count


def _clipped_flow(lines, available: int, count: int):
    """As many lines as there is room for, the last one ending in an ellipsis."""
    if available <= 0:
        return []
    shown = lines[:available]
    if len(lines) > available:
        line, starts = shown[-1]
        shown[-1] = (dataclasses.replace(line, text=_ellipsis(line.text), last=True), starts)
    per_column = math.ceil(len(shown) / count)
    return [shown[i : i + per_column] for i in range(0, len(shown), per_column)]


def _clip(lines: list[Line], count: int, role: str, measure: float) -> list[Line]:
    """The first ``count`` lines, the last one ending in an ellipsis."""
    shown = lines[:count]
    text = _cut(shown[-1].text, role, measure)
    shown[-1] = dataclasses.replace(shown[-1], text=text, width=_width(text, role), last=True)
    return shown


def _cut(text: str, role: str, measure: float) -> str:
    """``text`` shortened to end in an ellipsis within ``measure`` ems."""
    room = measure - advance(role, ELLIPSIS)
    kept, width = [], 0.0
    for char in text:
        width += advance(role, char)
        if width > room:
            break
        kept.append(char)
    return "".join(kept).rstrip(_BEFORE_ELLIPSIS) + ELLIPSIS


def _ellipsis(text: str) -> str:
    # A full line: its last character gives way to the ellipsis, so it keeps its measure.
    return text[:-1].rstrip(_BEFORE_ELLIPSIS) + ELLIPSIS


def _spacing(line: Line, size: float, measure: float) -> float:
    """Extra space after each unit (character, or Latin word) that makes a full line flush
    with both edges (the last line of a paragraph stays ragged); none when it would gape."""
    gaps = len(units(line.text)) - 1
    extra = measure - (line.indent + line.width) * size
    if line.last or gaps <= 0 or extra <= 0 or extra / gaps > 0.3 * size:
        return 0.0
    return extra / gaps


def _sizes(largest: float, smallest: float):
    """Sizes from ``largest`` down to ``smallest`` (always tried last) in 6 % steps."""
    size = largest
    while size > smallest:
        yield size
        size *= SIZE_STEP
    yield smallest


def _width(text: str, role: str) -> float:
    return sum(advance(role, char) for char in text)


def _baseline(leading: float, size: float) -> float:
    """Where the baseline sits below the top of a line box ``leading`` ems high: the ideograph
    em box is centred in the line."""
    return (leading - 1) / 2 * size + IDEOGRAPH_ASCENT * size


def _centred(middle: float, size: float) -> float:
    """The baseline that centres ideographs of ``size`` on ``middle``."""
    return middle + (IDEOGRAPH_ASCENT - 0.5) * size


def _moved(element, shift: float):
    if not shift:
        return element
    if isinstance(element, Text):
        return dataclasses.replace(element, baseline=element.baseline + shift)
    return dataclasses.replace(element, y=element.y + shift)
