"""Finding CJK fonts on this machine (Debian's fonts-noto-cjk and fonts-unifont)."""

import functools
import shutil
import subprocess
from pathlib import Path

OUTLINE_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
DOT_MATRIX_CANDIDATES = [
    "/usr/share/fonts/opentype/unifont/unifont.otf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
]


@functools.cache
def find_outline_font() -> str | None:
    """Path of an outline CJK face, or ``None`` when the machine has none."""
    return _first_existing(OUTLINE_CANDIDATES) or _fc_match(":lang=zh:style=Regular")


@functools.cache
def find_dot_matrix_font() -> str | None:
    """Path of GNU Unifont (16×16 dot matrix per CJK character), or ``None``."""
    return _first_existing(DOT_MATRIX_CANDIDATES) or _fc_match("Unifont")


def _first_existing(paths: list[str]) -> str | None:
    return next((path for path in paths if Path(path).is_file()), None)


def _fc_match(pattern: str) -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = result.stdout.strip()
    if path and Path(path).is_file() and ("CJK" in path or "unifont" in path.lower()):
        return path
    return None


def load_outline_font(size: int):
    """An outline CJK ``ImageFont`` at ``size`` px, preferring the Simplified Chinese face.

    Noto's .ttc holds JP, KR, SC, TC and HK faces; index 2 is SC, whose glyph forms are
    the ones mainland readers expect.
    """
    from PIL import ImageFont

    path = find_outline_font()
    if path is None:
        return None
    index = 2 if path.endswith("NotoSansCJK-Regular.ttc") or "NotoSansCJK" in path else 0
    return ImageFont.truetype(path, size, index=index)
