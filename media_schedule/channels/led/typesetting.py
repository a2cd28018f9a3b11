"""Fonts, glyph coverage, Chinese line breaking and fitting text to a screen.

The face follows the line height: at 16 px an outline face smears and spills past the line,
so small lines use GNU Unifont at its native 16 px (and its exact 2× at 32 px on single- and
dual-colour screens), drawn without anti-aliasing; larger lines use Noto Sans CJK SC.
"""

import functools
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import ImageFont

from publicity.fonts import find_dot_matrix_font, find_outline_font

# Costs of a line break: after punctuation or a space it is free (see PAUSE), between two
# words cheap, inside a word dear; a last line of one or two characters costs more than any
# imbalance of line lengths.
BETWEEN_WORDS = 12.0
INSIDE_WORD = 1000.0
ORPHAN = 400.0
# Punctuation after which a reader pauses anyway.
PAUSE = frozenset("，。！？、；：…—,.!?;:")
# Words of the trade jieba's general dictionary does not hold whole.
DOMAIN_WORDS = ("双拥", "拥军优属", "拥政爱民", "双拥模范城", "国防教育", "退役军人", "优抚政策")
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


@functools.lru_cache(maxsize=65536)
def _unit_width(font: ImageFont.FreeTypeFont, unit: str) -> float:
    # Summed unit widths: CJK faces do not kern, and this keeps breaking quick.
    return font.getlength(unit)


class _Frequencies(dict):
    """jieba's word frequencies read from :func:`_frequency_file` a word at a time.

    jieba only asks whether a fragment of the text at hand is a word (or a word's prefix)
    and how frequent it is, so a few dozen look-ups per slogan replace loading its whole
    dictionary (about a second and 65 MB in every process that sets text). Words added at
    run time (:data:`DOMAIN_WORDS`) live in the dict itself and take precedence."""

    def __init__(self, path: Path):
        super().__init__()
        self._db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._seen: dict[str, int | None] = {}

    def _stored(self, word: str) -> int | None:
        if word not in self._seen:
            with self._lock:
                row = self._db.execute("SELECT n FROM f WHERE w = ?", (word,)).fetchone()
            self._seen[word] = row[0] if row else None
        return self._seen[word]

    def total(self) -> int:
        with self._lock:
            return self._db.execute("SELECT n FROM total").fetchone()[0]

    def __contains__(self, word) -> bool:
        return dict.__contains__(self, word) or self._stored(word) is not None

    def __getitem__(self, word):
        if dict.__contains__(self, word):
            return dict.__getitem__(self, word)
        value = self._stored(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word, default=None):
        if dict.__contains__(self, word):
            return dict.__getitem__(self, word)
        value = self._stored(word)
        return default if value is None else value


def _frequency_file(jieba) -> Path:
    """jieba's dictionary as an SQLite table (word, frequency; prefixes at 0, as jieba keeps
    them), built once per installation and dictionary in the system's own ``var/cache``
    (not a shared temporary folder, where another user could put a file of that name)."""
    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    stamp = f"{jieba.__version__}-{stat.st_size}-{int(stat.st_mtime)}"
    folder = Path(settings.VAR_DIR) / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"led-jieba-{stamp}.sqlite3"
    if path.exists():
        return path
    with source.open("rb") as handle:
        frequencies, total = jieba.Tokenizer.gen_pfdict(handle)
    building = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    db = sqlite3.connect(building)
    try:
        db.execute("CREATE TABLE f (w TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE total (n INTEGER NOT NULL)")
        db.executemany("INSERT INTO f VALUES (?, ?)", frequencies.items())
        db.execute("INSERT INTO total VALUES (?)", (total,))
        db.commit()
    finally:
        db.close()
    os.replace(building, path)
    return path


@functools.lru_cache(maxsize=1)
def _segmenter():
    # Loaded on first use: only when text is set. The dictionary is read a word at a time
    # from an SQLite copy (see _Frequencies); jieba's own loading is the fallback when that
    # copy cannot be made (a read-only temporary directory).
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    try:
        frequencies = _Frequencies(_frequency_file(jieba))
        total = frequencies.total()
    except (OSError, sqlite3.Error):
        tokenizer.initialize()
    else:
        with tokenizer.lock:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word)
    return tokenizer


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a line is built from, and what breaking after it costs."""

    text: str
    cost_after: float


@functools.lru_cache(maxsize=1024)
def _units(text: str) -> tuple[_Unit, ...]:
    """Break units of ``text``: Latin words and numbers stay whole, CJK words are split into
    characters whose inner boundaries cost :data:`INSIDE_WORD`; a boundary after punctuation
    or a space is free and one between two words costs :data:`BETWEEN_WORDS`."""
    units: list[_Unit] = []
    for word in _segmenter().cut(text, HMM=True):
        pieces = _LATIN_RUN.findall(word)
        for number, piece in enumerate(pieces):
            last = number == len(pieces) - 1
            cost = BETWEEN_WORDS if last else INSIDE_WORD
            if piece.isspace() or piece[-1] in PAUSE:
                cost = 0.0
            units.append(_Unit(piece, cost))
    # Cached: fitting tries the same paragraph at every candidate face.
    return tuple(units)


def _line_text(units: list[_Unit]) -> str:
    return "".join(unit.text for unit in units).strip()


def _may_break(units: list[_Unit], at: int) -> bool:
    """Whether a line may end after ``units[at - 1]`` (the Chinese punctuation rules)."""
    before, after = units[at - 1].text, units[at].text
    return after[0] not in NO_LINE_START and before[-1] not in NO_LINE_END


def _orphan(line: str) -> bool:
    # One or two characters left alone (closing punctuation does not keep them company).
    return len(line.rstrip("".join(NO_LINE_START))) <= 2


def break_lines(
    text: str, font: ImageFont.FreeTypeFont, max_width: int, *, strict: bool = False
) -> list[str] | None:
    """Break ``text`` into lines no wider than ``max_width`` px where a reader pauses.

    Among the breaks that give the fewest lines, the chosen one costs least: breaks after
    punctuation are free, between words (segmented with jieba) cheap, inside a word dear;
    lines are balanced (the squared shortfall of every line, the last one included) and a
    last line of one or two characters is penalised. No line starts with closing punctuation
    or ends with opening punctuation. With ``strict`` a break inside a word or an orphaned
    last line is not allowed at all. Returns ``None`` when no break fits.
    """
    units = _units(text)
    if not units:
        return []
    # prefix[i]: width of units[:i]; spaces at either end of a line are dropped and take no room.
    prefix = [0.0]
    for unit in units:
        prefix.append(prefix[-1] + _unit_width(font, unit.text))
    count = len(units)
    # first_solid[i]: the first non-space unit at or after i; last_solid[i]: the last before i.
    first_solid, last_solid = [count] * (count + 1), [-1] * (count + 1)
    for index in range(count - 1, -1, -1):
        first_solid[index] = index if not units[index].text.isspace() else first_solid[index + 1]
    for index in range(1, count + 1):
        previous = index - 1
        last_solid[index] = previous if not units[previous].text.isspace() else last_solid[previous]
    # best[i]: (lines, cost, start of the last line) of the cheapest setting of units[:i].
    best: list[tuple[int, float, int] | None] = [None] * (count + 1)
    best[0] = (0, 0.0, 0)
    for end in range(1, count + 1):
        if end < count and not _may_break(units, end):
            continue
        break_cost = units[end - 1].cost_after if end < count else 0.0
        if strict and break_cost >= INSIDE_WORD:
            continue
        last = last_solid[end]
        for start in range(end - 1, -1, -1):
            first = first_solid[start]
            if first > last:
                continue
            line_width = prefix[last + 1] - prefix[first]
            if line_width > max_width:
                break
            if best[start] is None:
                continue
            lines, cost, _start = best[start]
            shortfall = (max_width - line_width) / max_width
            total = cost + break_cost + 100 * shortfall * shortfall
            if end == count and lines >= 1 and _orphan(_line_text(units[start:end])):
                if strict:
                    continue
                total += ORPHAN
            candidate = (lines + 1, total, start)
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    if best[count] is None:
        return None
    lines: list[str] = []
    end = count
    while end > 0:
        start = best[end][2]
        lines.append(_line_text(units[start:end]))
        end = start
    return lines[::-1]


def _wrap_all(paragraphs: list[str], face: Face, width: int, strict: bool):
    font = face.load()
    lines: list[str] = []
    for paragraph in paragraphs:
        wrapped = break_lines(paragraph, font, width, strict=strict)
        if wrapped is None:
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


def _first_fit(paragraphs, faces, width, height, *, wrap=True, strict=True):
    for face in faces:
        if wrap:
            lines = _wrap_all(paragraphs, face, width, strict)
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
    # First pass: no break inside a word and no one- or two-character last line (a smaller
    # face usually avoids both); the second pass accepts them rather than scrolling.
    for strict in (True, False):
        wrapped = _first_fit(paragraphs, usable, width, height, strict=strict)
        if wrapped is not None:
            # Each slogan on its own line reads better than slightly larger broken lines.
            if whole is not None and whole.face.size * 4 >= wrapped.face.size * 3:
                return whole
            return wrapped
    face = next((f for f in usable if f.line_height <= height), usable[-1])
    line = "　".join(paragraphs)
    return Layout(face, (line,), True, int(face.load().getlength(line)))
