"""Fonts, glyph coverage, Chinese line breaking and fitting text to a screen.

The face follows the line height: at 16 px an outline face smears and spills past the line,
so small lines use GNU Unifont at its native 16 px (and its exact 2× at 32 px on single- and
dual-colour screens), drawn without anti-aliasing; larger lines use Noto Sans CJK SC.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import ImageFont

from publicity.fonts import find_dot_matrix_font, find_outline_font

# Characters that may not begin a line (closing punctuation) or end one (opening punctuation).
NO_LINE_START = frozenset("，。！？、；：）》」』】〕〉”’…—～·%,.!?;:)]}>")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{<")
# A code point no CJK face maps: whatever it draws is the face's .notdef glyph.
_NOTDEF_PROBE = "\U0010fffd"
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)

DOT_MATRIX = "dot_matrix"
OUTLINE = "outline"


class FontMissingError(Exception):
    """No CJK font is installed: the set-up command installs fonts-noto-cjk and fonts-unifont."""


class MissingGlyphsError(ValueError):
    """The text holds characters the screen's font cannot draw; ``characters`` names them."""

    def __init__(self, characters: list[str], font_name: str):
        self.characters = characters
        self.font_name = font_name
        listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in characters)
        super().__init__(
            _("字体 %(font)s 缺少以下字符，无法显示：%(chars)s。请改用常用字或删去这些字符。")
            % {"font": font_name, "chars": listed}
        )


@dataclass(frozen=True)
class Face:
    """A font at one pixel size, with where to put the baseline inside a line box."""

    kind: str
    path: str
    index: int
    size: int
    line_height: int
    baseline: int
    gap: int

    @property
    def name(self) -> str:
        return "GNU Unifont" if self.kind == DOT_MATRIX else "Noto Sans CJK SC"

    @property
    def antialias(self) -> bool:
        return self.kind == OUTLINE

    def load(self) -> ImageFont.FreeTypeFont:
        return _load(self.path, self.index, self.size)


@functools.lru_cache(maxsize=256)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _outline_index(path: str) -> int:
    # Noto's .ttc holds JP, KR, SC, TC and HK faces; index 2 is Simplified Chinese.
    return 2 if "NotoSansCJK" in path or "NotoSerifCJK" in path else 0


def dot_matrix_face(scale: int = 1) -> Face:
    path = find_dot_matrix_font()
    if path is None:
        raise FontMissingError(_("未找到点阵字体 GNU Unifont，请安装 fonts-unifont。"))
    # Unifont's ascent is 14 of 16: the baseline sits two dots above the cell's bottom.
    return Face(DOT_MATRIX, path, 0, 16 * scale, 16 * scale, 14 * scale, 0)


def outline_face(size: int) -> Face:
    path = find_outline_font()
    if path is None:
        raise FontMissingError(_("未找到中文字体 Noto Sans CJK，请安装 fonts-noto-cjk。"))
    # CJK faces draw ideographs in an em box from 0.88 em above the baseline to 0.12 below.
    return Face(OUTLINE, path, _outline_index(path), size, size, round(size * 0.88), size // 6)


def candidate_faces(height: int, *, full_colour: bool) -> list[Face]:
    """Faces a screen of ``height`` px may use, largest line first."""
    faces = []
    smallest_outline = 24 if full_colour else 40
    size = height
    while size >= smallest_outline:
        faces.append(outline_face(size))
        size = min(size - 2, int(size * 0.92))
    if not full_colour and height >= 32:
        faces.append(dot_matrix_face(2))
    faces.append(dot_matrix_face(1))
    return sorted(faces, key=lambda face: -face.line_height)


@functools.lru_cache(maxsize=4096)
def _has_glyph(path: str, index: int, char: str) -> bool:
    if char.isspace():
        return True
    font = _load(path, index, 16)
    probe = font.getmask(_NOTDEF_PROBE, mode="1")
    mask = font.getmask(char, mode="1")
    if mask.size != probe.size or font.getbbox(char) != font.getbbox(_NOTDEF_PROBE):
        return True
    return bytes(mask) != bytes(probe)


def missing_glyphs(text: str, face: Face) -> list[str]:
    """Distinct characters of ``text`` that ``face`` would draw as its .notdef box."""
    seen = dict.fromkeys(text)
    return [c for c in seen if not _has_glyph(face.path, face.index, c)]


def clean_text(text: str) -> str:
    """Normalise a slogan: NFC, single spaces; control characters are refused."""
    text = unicodedata.normalize("NFC", text)
    bad = sorted(
        {c for c in text if unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} and not c.isspace()}
    )
    if bad:
        listed = "、".join(f"U+{ord(c):04X}" for c in bad)
        raise ValueError(_("标语含有不可显示的控制字符：%(chars)s。") % {"chars": listed})
    return re.sub(r"\s+", " ", text).strip()


def _tokens(text: str) -> list[str]:
    # Latin words and numbers stay whole; every other character is its own break unit.
    return _LATIN_RUN.findall(text)


@functools.lru_cache(maxsize=65536)
def _unit_width(font: ImageFont.FreeTypeFont, unit: str) -> float:
    return font.getlength(unit)


def break_lines(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str] | None:
    """Wrap ``text`` to ``max_width`` px under the Chinese line-breaking rules.

    No line starts with closing punctuation or ends with opening punctuation; characters are
    carried to the next line to obey that. Returns ``None`` when some unit cannot be placed
    at this width (the caller then tries a smaller face or scrolls).
    """

    def width(units: list[str]) -> float:
        # Summed unit widths: CJK faces do not kern, and this keeps wrapping linear in length.
        return sum(_unit_width(font, unit) for unit in units)

    lines: list[list[str]] = []
    current: list[str] = []
    for token in _tokens(text):
        if not current and token.isspace():
            continue
        if width([*current, token]) <= max_width:
            current.append(token)
            continue
        if token.isspace():
            lines.append(current)
            current = []
            continue
        carried: list[str] = []
        if token[0] in NO_LINE_START:
            # Carry units over until the carried group starts with something that may
            # open a line, so the punctuation stays with the character it belongs to.
            while current:
                carried.insert(0, current.pop())
                if carried[0][0] not in NO_LINE_START:
                    break
        while current and current[-1][-1] in NO_LINE_END:
            carried.insert(0, current.pop())
        while current and current[-1].isspace():
            current.pop()
        if not current:
            return None
        lines.append(current)
        current = [*carried, token]
        if width(current) > max_width:
            return None
    while current and current[-1].isspace():
        current.pop()
    if current:
        lines.append(current)
    return ["".join(line) for line in lines]


def _orphaned(lines: list[str]) -> bool:
    return len(lines) > 1 and len(lines[-1].rstrip("".join(NO_LINE_START))) <= 1


def _wrap_all(paragraphs: list[str], face: Face, width: int, avoid_orphans: bool):
    font = face.load()
    lines: list[str] = []
    for paragraph in paragraphs:
        wrapped = break_lines(paragraph, font, width)
        if wrapped is None:
            return None
        if avoid_orphans and _orphaned(wrapped):
            # Balance the lines: a narrower measure with the same number of lines moves
            # characters down to keep the last one company.
            step = max(1, face.size // 2)
            for narrower in range(width - step, width // 2, -step):
                candidate = break_lines(paragraph, font, narrower)
                if candidate is None or len(candidate) > len(wrapped):
                    return None
                if not _orphaned(candidate):
                    wrapped = candidate
                    break
            else:
                return None
        lines.extend(wrapped)
    return lines or None


@dataclass(frozen=True)
class Layout:
    """How a slogan sits on a screen: the face, the lines, and whether it must scroll."""

    face: Face
    lines: tuple[str, ...]
    scrolling: bool
    text_width: int

    @property
    def block_height(self) -> int:
        count = len(self.lines)
        return count * self.face.line_height + (count - 1) * self.face.gap


def _first_fit(paragraphs, faces, width, height, *, wrap=True, avoid_orphans=True):
    for face in faces:
        if wrap:
            lines = _wrap_all(paragraphs, face, width, avoid_orphans)
        else:
            font = face.load()
            fits = all(font.getlength(p) <= width for p in paragraphs)
            lines = list(paragraphs) if fits else None
        if not lines:
            continue
        needed = len(lines) * face.line_height + (len(lines) - 1) * face.gap
        if needed <= height:
            font = face.load()
            widest = max(int(font.getlength(line)) for line in lines)
            return Layout(face, tuple(lines), False, widest)
    return None


def fit(paragraphs: list[str], width: int, height: int, *, full_colour: bool) -> Layout:
    """The largest face at which every paragraph fits on the screen, wrapped if needed.

    When nothing fits even at the dot-matrix size, the paragraphs are joined into one line
    that scrolls horizontally at the largest face whose line fits the screen's height.
    Raises :class:`MissingGlyphsError` when no usable face has every character.
    """
    if height < 16 or width < 16:
        raise ValueError(_("显示区域小于 16×16 像素，放不下一个汉字。"))
    text = "".join(paragraphs)
    faces = candidate_faces(height, full_colour=full_colour)
    usable = [face for face in faces if not missing_glyphs(text, face)]
    if not usable:
        smallest = faces[-1]
        raise MissingGlyphsError(missing_glyphs(text, smallest), smallest.name)
    whole = _first_fit(paragraphs, usable, width, height, wrap=False)
    # First pass: no wrapped paragraph may leave a single character alone on its last line
    # (a smaller face usually avoids it); second pass accepts one rather than scrolling.
    for avoid_orphans in (True, False):
        wrapped = _first_fit(paragraphs, usable, width, height, avoid_orphans=avoid_orphans)
        if wrapped is not None:
            # Each slogan on its own line reads better than slightly larger broken lines.
            if whole is not None and whole.face.size * 4 >= wrapped.face.size * 3:
                return whole
            return wrapped
    face = next((f for f in usable if f.line_height <= height), usable[-1])
    line = "　".join(paragraphs)
    return Layout(face, (line,), True, int(face.load().getlength(line)))
