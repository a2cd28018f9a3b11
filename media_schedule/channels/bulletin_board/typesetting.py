"""Faces, glyph coverage and Chinese line breaking for posters, measured in ems.

The PDF (WeasyPrint, through fontconfig) and the PNG (Pillow) draw the same faces: each is
looked up by family and weight with ``fc-match``, the way WeasyPrint finds it, so that the
widths measured here are the widths printed. Lines are broken here and not by the browser
engine, so both renderers put the same characters on the same lines.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from PIL import ImageFont

from ..fonts import fc_match

# Characters that may not begin a line (closing punctuation) or end one (opening punctuation):
# the 避头尾 rules of GB/T 15834 as typesetters apply them.
NO_LINE_START = frozenset("，。！？、；：）》」』】〕〉”’…—～·%,.!?;:)]}>")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{<")
# Latin words and numbers stay whole; every other character is a break unit of its own.
_UNITS = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)
# Pillow measures at this size; advances are kept in ems (advance / size).
_MEASURE_PX = 1000
_NOTO_DIR = Path("/usr/share/fonts/opentype/noto")


class FontMissingError(Exception):
    """A face the poster needs is not installed (fonts-noto-cjk provides all of them)."""


@dataclass(frozen=True)
class Face:
    """One face of a poster: the CSS family and weight, and the file fontconfig maps them to.

    ``ascent`` and ``descent`` (in ems) are the face's line metrics, which place a line's
    baseline inside a CSS line box the way the PDF renderer does.
    """

    family: str
    weight: int
    path: str
    index: int
    ascent: float
    descent: float

    def pillow(self, size: float) -> ImageFont.FreeTypeFont:
        """The face at ``size`` pixels for drawing."""
        return _pillow_font(self.path, self.index, size)


# role: (family, weight, fontconfig style, Debian file used when fc-match is not installed)
FACES = {
    "header": ("Noto Serif CJK SC", 700, "Bold", "NotoSerifCJK-Bold.ttc"),
    "title": ("Noto Sans CJK SC", 700, "Bold", "NotoSansCJK-Bold.ttc"),
    "body": ("Noto Sans CJK SC", 400, "Regular", "NotoSansCJK-Regular.ttc"),
}


@functools.cache
def face(role: str) -> Face:
    """The face for ``role`` (header, title, body); :class:`FontMissingError` names a missing
    family instead of letting either renderer fall back to a face without Chinese glyphs."""
    family, weight, style, debian_file = FACES[role]
    found = fc_match(family, style)
    if found is None:
        # Noto's collections hold the JP, KR, SC, TC and HK faces in that order: 2 is SC.
        path = _NOTO_DIR / debian_file
        found = (str(path), 2) if path.is_file() else None
    if found is None:
        raise FontMissingError(
            _("未找到中文字体 %(family)s，请安装 fonts-noto-cjk。") % {"family": family}
        )
    path, index = found
    metrics = _pillow_font(path, index, _MEASURE_PX).getmetrics()
    return Face(family, weight, path, index, metrics[0] / _MEASURE_PX, metrics[1] / _MEASURE_PX)


@functools.lru_cache(maxsize=64)
def _pillow_font(path: str, index: int, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


@functools.cache
def _coverage(path: str, index: int) -> frozenset[int]:
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str, role: str) -> list[str]:
    """Distinct characters of ``text`` that the ``role`` face has no glyph for, in order."""
    chosen = face(role)
    covered = _coverage(chosen.path, chosen.index)
    return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) not in covered]


def clean(text: str) -> str:
    """``text`` as one paragraph to set: NFC, runs of white space as one space, and control
    or invisible format characters dropped (they draw nothing or a box)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"}
    )
    return re.sub(r" +", " ", text).strip()


@functools.lru_cache(maxsize=65536)
def advance(role: str, unit: str) -> float:
    """The width of ``unit`` in the ``role`` face, in ems."""
    chosen = face(role)
    return _pillow_font(chosen.path, chosen.index, _MEASURE_PX).getlength(unit) / _MEASURE_PX


@dataclass(frozen=True)
class Line:
    """One set line: its text, natural width and indent (ems), and whether it ends its
    paragraph (the last line is not justified)."""

    text: str
    width: float
    indent: float = 0.0
    last: bool = False


def units(text: str) -> list[str]:
    """The break units of ``text``: Latin words and numbers whole, every other character
    (white space runs included) on its own. Justification spaces lines between units."""
    return _UNITS.findall(text)


def _units(text: str, role: str, measure: float) -> list[str]:
    found = []
    for unit in units(text):
        if len(unit) > 1 and not unit.isspace() and advance(role, unit) > measure:
            # A word longer than a whole line is broken between letters rather than overflow.
            found.extend(unit)
        else:
            found.append(" " if unit.isspace() else unit)
    return found


def break_lines(text: str, role: str, measure: float, *, indent: float = 0.0) -> list[Line]:
    """``text`` (one paragraph) broken into lines of at most ``measure`` ems, the first line
    indented by ``indent`` ems.

    No line begins with closing punctuation or ends with opening punctuation: the character
    before such a mark moves down with it (推出). A last line holding a single character
    takes one more from the line above, so no character stands alone.
    """
    lines: list[list[str]] = []
    current: list[str] = []
    width = 0.0
    room = measure - indent
    for unit in _units(text, role, measure):
        if unit == " " and not current:
            continue
        size = advance(role, unit)
        if width + size <= room + 1e-6 or not current:
            current.append(unit)
            width += size
            continue
        if unit == " ":
            lines.append(current)
            current, width, room = [], 0.0, measure
            continue
        carried = _carry(current, unit)
        while current and current[-1] == " ":
            current.pop()
        lines.append(current)
        current = [*carried, unit]
        width = sum(advance(role, u) for u in current)
        room = measure
    while current and current[-1] == " ":
        current.pop()
    if current:
        lines.append(current)
    _keep_company(lines)
    return [
        Line(
            "".join(line),
            sum(advance(role, u) for u in line),
            indent if number == 0 else 0.0,
            number == len(lines) - 1,
        )
        for number, line in enumerate(lines)
    ]


def _carry(current: list[str], unit: str) -> list[str]:
    """Units to take from the end of ``current`` down to the next line so that ``unit`` does
    not begin it with closing punctuation and ``current`` does not end with an opening mark.
    Takes nothing when that would empty the line (a line of punctuation only)."""
    take = 0
    if unit[0] in NO_LINE_START:
        # Carry back to the first unit that may open a line, so the mark stays with its word.
        take = 1
        while take < len(current) and current[-take][0] in NO_LINE_START:
            take += 1
    while take < len(current) and current[-take - 1][-1] in NO_LINE_END:
        take += 1
    if take >= len(current):
        return []
    carried = current[len(current) - take :] if take else []
    del current[len(current) - take :]
    return carried


def _keep_company(lines: list[list[str]]) -> None:
    if len(lines) < 2:
        return
    last, above = lines[-1], lines[-2]
    alone = [u for u in last if u != " " and u[0] not in NO_LINE_START]
    if len(alone) > 1 or len(above) < 3:
        return
    moving = above[-1]
    if moving == " " or moving[0] in NO_LINE_START or above[-2][-1] in NO_LINE_END:
        return
    last.insert(0, above.pop())
