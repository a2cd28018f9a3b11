"""The faces the PDF copy is set in, and which characters they cannot draw.

WeasyPrint finds faces through fontconfig by family name; a character the face lacks would
come out as a box or in a stray fallback face, so the copy's validation names such characters
and the PDF refuses to render at all when the face is not installed (never boxes silently).
"""

import functools
from pathlib import Path

from django.utils.translation import gettext as _

from ..fonts import fc_match

BODY_FAMILY = "Noto Serif CJK SC"
HEADING_FAMILY = "Noto Sans CJK SC"
# Debian's fonts-noto-cjk; fontconfig is asked only when the face is elsewhere.
CANDIDATES = {
    BODY_FAMILY: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    HEADING_FAMILY: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}


class PrintFontMissingError(Exception):
    """A face the PDF copy needs is not installed."""

    def __init__(self, family: str):
        self.family = family
        super().__init__(
            _("未找到印刷字体 %(family)s，无法生成 PDF 稿；请安装 fonts-noto-cjk。")
            % {"family": family}
        )


@functools.cache
def font_path(family: str) -> str | None:
    """The file holding ``family``, or ``None`` when the machine lacks it."""
    known = CANDIDATES.get(family)
    if known and Path(known).is_file():
        return known
    found = fc_match(family)
    return found[0] if found else None


def require_fonts() -> None:
    """Raise :class:`PrintFontMissingError` unless every face of the PDF copy is installed."""
    for family in (BODY_FAMILY, HEADING_FAMILY):
        if font_path(family) is None:
            raise PrintFontMissingError(family)


@functools.cache
def _coverage(family: str) -> frozenset[int] | None:
    from fontTools.ttLib import TTCollection, TTFont

    path = font_path(family)
    if path is None:
        return None
    # A .ttc holds the JP, KR, SC, TC and HK faces of Noto CJK; take the one asked for.
    faces = TTCollection(path, lazy=True).fonts if path.endswith(".ttc") else [TTFont(path)]
    face = next((f for f in faces if f["name"].getDebugName(1) == family), faces[0])
    return frozenset(face.getBestCmap())


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` the body face cannot draw, each once, in order of appearance;
    empty when the face is not installed (:func:`require_fonts` reports that)."""
    coverage = _coverage(BODY_FAMILY)
    if coverage is None:
        return []
    missing = (char for char in text if not char.isspace() and ord(char) not in coverage)
    return list(dict.fromkeys(missing))
