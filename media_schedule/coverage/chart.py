"""The coverage heat map as server-rendered SVG: media down, buckets across, each square
shaded by what was delivered, outlined red where a target is short."""

from xml.sax.saxutils import escape

from django.utils.translation import gettext

from .matrix import Matrix

CELL = 26
GAP = 3
LEFT = 96
TOP = 84
# Room on the right for the last rotated label and the legend.
RIGHT = 130


def _shade(value: int, highest: int) -> str:
    if value == 0:
        return "#f1f1f1"
    # From a pale to a deep green: more delivered, darker.
    share = value / highest if highest else 1
    lightness = 88 - int(share * 58)
    return f"hsl(152, 55%, {lightness}%)"


def heatmap_svg(matrix: Matrix) -> str:
    """The matrix as one ``<svg>`` element (text escaped), with a title per square."""
    columns = len(matrix.buckets)
    width = LEFT + columns * (CELL + GAP) + RIGHT
    height = TOP + len(matrix.rows) * (CELL + GAP) + 30
    highest = matrix.max_delivered
    label_every = max(1, columns // 14)
    title = escape(gettext("宣传覆盖热力图"))
    below_target = escape(gettext("红框：低于宣传目标"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-heatmap" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Noto Sans CJK SC, sans-serif" font-size="11">',
        f"<title>{title}</title>",
    ]
    for position, bucket in enumerate(matrix.buckets):
        if position % label_every == 0:
            x = LEFT + position * (CELL + GAP) + CELL / 2
            parts.append(
                f'<text x="{x}" y="{TOP - 8}" transform="rotate(-35 {x} {TOP - 8})" '
                f'text-anchor="start" fill="#333">{escape(bucket.label)}</text>'
            )
    for line, row in enumerate(matrix.rows):
        y = TOP + line * (CELL + GAP)
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + CELL * 0.68}" text-anchor="end" '
            f'fill="#222">{escape(row.label)}</text>'
        )
        for position, cell in enumerate(row.cells):
            x = LEFT + position * (CELL + GAP)
            stroke = ' stroke="#cd2026" stroke-width="2.5"' if cell.is_gap else ""
            tip = gettext(
                "%(medium)s %(bucket)s：已播 %(delivered)d，待播 %(planned)d，未完成 %(missed)d"
            ) % {
                "medium": row.label,
                "bucket": cell.bucket.label,
                "delivered": cell.delivered,
                "planned": cell.planned,
                "missed": cell.missed,
            }
            if cell.is_gap:
                tip += gettext("，低于目标还差 %(n)d") % {"n": cell.missing}
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="3" '
                f'fill="{_shade(cell.delivered, highest)}"{stroke}>'
                f"<title>{escape(tip)}</title></rect>"
            )
            if cell.delivered:
                colour = "#fff" if highest and cell.delivered / highest > 0.5 else "#1d3b2a"
                parts.append(
                    f'<text x="{x + CELL / 2}" y="{y + CELL * 0.66}" text-anchor="middle" '
                    f'fill="{colour}" font-size="10">{cell.delivered}</text>'
                )
    legend_y = TOP + len(matrix.rows) * (CELL + GAP) + 16
    parts.append(
        f'<rect x="{LEFT}" y="{legend_y - 10}" width="12" height="12" fill="#fff" '
        f'stroke="#cd2026" stroke-width="2.5"/>'
        f'<text x="{LEFT + 18}" y="{legend_y}" fill="#333">'
        f"{below_target}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
