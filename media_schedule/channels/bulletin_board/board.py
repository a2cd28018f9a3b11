"""A bulletin board's physical size, read from ``Outlet.config``, and how large its type must be.

Legibility rule. People stand back from a board far enough to take it in whole, so the
reading distance grows with the board: about 2 to 2.5 m for the common 2250 × 1050 mm
municipal board, where body text reads well down to a character size (字高, the em of the
face) of 12 mm and the title, which must catch the eye from further away, 30 mm (2.5 times).
Other boards scale from that one by their size, taken as the geometric mean of the sides
(√(W × H)) rather than the longer side, so that a long low strip, read while walking along
it, is not given type for reading from its full length away; body text never goes below
5 mm, the smallest that reads from a step back on a small board. How many characters a
poster may carry follows from these sizes and the board's area, so a small board takes a
shorter text than a large one.
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

DEFAULT_WIDTH_MM = 2250
DEFAULT_HEIGHT_MM = 1050
MIN_SIZE_MM = 200
# A PDF page may be at most 200 inches (5080 mm) a side; longer boards are made of panels,
# each configured at its own size, with the number of panels in ``board_count``.
MAX_SIZE_MM = 5000
MAX_BOARD_COUNT = 100

LANDSCAPE = "landscape"
PORTRAIT = "portrait"

# The common municipal board is read with 12 mm body text; others scale by √(W × H).
REFERENCE_BOARD_MM = (DEFAULT_WIDTH_MM, DEFAULT_HEIGHT_MM)
REFERENCE_BODY_MM = 12.0
MIN_BODY_MM = 5.0
TITLE_TO_BODY = 2.5


class InvalidBoard(ValueError):
    """The outlet's configuration does not describe a board that can be printed for."""


def orientation_of(width_mm: float, height_mm: float) -> str:
    """横版 when the board is at least as wide as it is high, else 竖版."""
    return LANDSCAPE if width_mm >= height_mm else PORTRAIT


def size_error(label: str, value) -> str | None:
    """Why ``value`` is not a usable board side in millimetres, or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _("%(label)s须为整数毫米数") % {"label": label}
    if not MIN_SIZE_MM <= value <= MAX_SIZE_MM:
        return _("%(label)s须在 %(min)d～%(max)d 毫米之间（现为 %(value)s 毫米）") % {
            "label": label,
            "min": MIN_SIZE_MM,
            "max": MAX_SIZE_MM,
            "value": value,
        }
    return None


def orientation_error(orientation: str | None, width_mm: float, height_mm: float) -> str | None:
    """Why ``orientation`` contradicts the size (a square board may be either), or ``None``."""
    if orientation == PORTRAIT and width_mm > height_mm:
        return _("所选版式为竖版，但宽度 %(w)s 毫米大于高度 %(h)s 毫米，请核对尺寸或版式") % {
            "w": width_mm,
            "h": height_mm,
        }
    if orientation == LANDSCAPE and width_mm < height_mm:
        return _("所选版式为横版，但宽度 %(w)s 毫米小于高度 %(h)s 毫米，请核对尺寸或版式") % {
            "w": width_mm,
            "h": height_mm,
        }
    return None


@dataclass(frozen=True)
class Board:
    """One bulletin board: its printable area in millimetres, where it stands, how many."""

    width_mm: float = DEFAULT_WIDTH_MM
    height_mm: float = DEFAULT_HEIGHT_MM
    location: str = ""
    count: int | None = None

    @classmethod
    def from_config(cls, config: dict | None) -> "Board":
        """The board an outlet's config describes; missing sizes take the common
        2250 × 1050 mm. Raises :class:`InvalidBoard` naming what is wrong."""
        config = config or {}
        width = config.get("width_mm", DEFAULT_WIDTH_MM)
        height = config.get("height_mm", DEFAULT_HEIGHT_MM)
        errors = [
            error
            for error in (size_error(_("宽度"), width), size_error(_("高度"), height))
            if error
        ]
        if not errors and (error := orientation_error(config.get("orientation"), width, height)):
            errors.append(error)
        if errors:
            raise InvalidBoard("；".join(errors))
        count = config.get("board_count")
        return cls(
            width_mm=width,
            height_mm=height,
            location=str(config.get("location") or ""),
            count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        )

    @property
    def orientation(self) -> str:
        return orientation_of(self.width_mm, self.height_mm)

    @property
    def min_body_mm(self) -> float:
        """The smallest body character size (字高) readable on this board; see the module."""
        scale = math.sqrt(
            self.width_mm * self.height_mm / (REFERENCE_BOARD_MM[0] * REFERENCE_BOARD_MM[1])
        )
        return max(MIN_BODY_MM, REFERENCE_BODY_MM * scale)

    @property
    def min_title_mm(self) -> float:
        """The smallest title character size on this board; see the module."""
        return self.min_body_mm * TITLE_TO_BODY

    def describe(self) -> str:
        """The board in words for an editor: size, orientation, location, number of panels."""
        parts = [
            _("%(w)s × %(h)s 毫米") % {"w": _number(self.width_mm), "h": _number(self.height_mm)},
            _("横版") if self.orientation == LANDSCAPE else _("竖版"),
        ]
        if self.location:
            parts.append(self.location)
        if self.count and self.count > 1:
            parts.append(_("共 %(count)d 块") % {"count": self.count})
        return " · ".join(parts)


def _number(value: float) -> str:
    return f"{value:g}"
