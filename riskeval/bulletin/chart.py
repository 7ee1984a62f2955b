"""The 12-month trend chart, drawn by hand: inline SVG for HTML, a PNG (pure Python, ``pypng``) for Word.

Stacked columns per month: matters newly assessed by level (high, medium, low, out of scope), the
month's number of escalations written above each column. Matplotlib and Pillow are not used; the PNG
carries no text (Word shows the title as a caption and the figures in the table below it).

Examples
--------
>>> from riskeval.bulletin.model import TrendPoint
>>> pts = [TrendPoint(month="2026-10", high=1, low=3), TrendPoint(month="2026-11", medium=2, escalated=1)]
>>> svg = trend_svg(pts, {"high": "高", "medium": "中", "low": "低", "out_of_scope": "外"}, "趋势")
>>> svg.startswith("<svg") and svg.count('class="bar"') == 3 and "趋势" in svg
True
>>> trend_png(pts)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from html import escape

from .model import TrendPoint

__all__ = ["SERIES", "trend_png", "trend_svg"]

SERIES = (("high", "#c62828"), ("medium", "#ef8f00"), ("low", "#2e7d32"), ("out_of_scope", "#9e9e9e"))
_FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif\""


def _peak(points: Sequence[TrendPoint]) -> int:
    return max([p.assessed for p in points] + [1])


def trend_svg(points: Sequence[TrendPoint], names: Mapping[str, str], title: str, escalated_name: str = "↑") -> str:
    """An inline SVG of stacked columns; ``names`` labels the series (by level key)."""
    col, gap, left, top, plot_h = 40, 14, 36, 48, 180
    width = left + len(points) * (col + gap) + 20
    height = top + plot_h + 40
    scale = plot_h / _peak(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}" {_FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="16" font-size="14" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    x = 8
    for key, color in SERIES:
        label = names.get(key, key)
        parts.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="35" fill="#333">{escape(label)}</text>')
        x += 24 + 12 * len(label)
    parts.append(f'<text x="{x}" y="35" fill="#6a1b9a">{escape(escalated_name)}</text>')
    base = top + plot_h
    parts.append(f'<line x1="{left - 4}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#888"/>')
    for i, p in enumerate(points):
        cx = left + i * (col + gap)
        y = float(base)
        for key, color in SERIES:
            value = getattr(p, key)
            if value <= 0:
                continue
            h = value * scale
            y -= h
            parts.append(
                f'<rect class="bar" x="{cx}" y="{y:.1f}" width="{col}" height="{h:.1f}" fill="{color}">'
                f"<title>{escape(p.month)} {escape(names.get(key, key))} {value}</title></rect>"
            )
        parts.append(f'<text x="{cx + col / 2}" y="{y - 4:.1f}" text-anchor="middle" fill="#222">{p.assessed}</text>')
        if p.escalated:
            parts.append(
                f'<text x="{cx + col / 2}" y="{y - 17:.1f}" text-anchor="middle" fill="#6a1b9a" '
                f'font-weight="bold">↑{p.escalated}</text>'
            )
        parts.append(f'<text x="{cx + col / 2}" y="{base + 16}" text-anchor="middle" fill="#333">{escape(p.month[2:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def trend_png(points: Sequence[TrendPoint], width: int = 720, height: int = 260) -> bytes:
    """A PNG of the same stacked columns (no text), with a small purple mark per escalation."""
    import png  # pypng, pure Python

    pixels = [[255] * (width * 3) for _ in range(height)]

    def fill(x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        for y in range(max(0, y0), min(height, y1)):
            row = pixels[y]
            for x in range(max(0, x0), min(width, x1)):
                row[3 * x : 3 * x + 3] = color

    n = max(len(points), 1)
    slot = (width - 20) // n
    col = max(4, int(slot * 0.7))
    base, plot_h = height - 12, height - 40
    scale = plot_h / _peak(points)
    fill(8, base, width - 8, base + 2, (136, 136, 136))
    for i, p in enumerate(points):
        x0 = 14 + i * slot
        y = float(base)
        for key, color in SERIES:
            value = getattr(p, key)
            if value <= 0:
                continue
            top = y - value * scale
            fill(x0, round(top), x0 + col, round(y), _rgb(color))
            y = top
        for k in range(min(p.escalated, 6)):  # escalations: purple marks above the column
            fill(x0 + 2 + k * 8, round(y) - 9, x0 + 8 + k * 8, round(y) - 3, (106, 27, 154))
    out = io.BytesIO()
    png.Writer(width, height, greyscale=False).write(out, pixels)
    return out.getvalue()
