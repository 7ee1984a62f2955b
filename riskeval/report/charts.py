"""Hand-written inline SVG charts (no JavaScript, no external files): horizontal bars, grouped and stacked.

Horizontal bars suit long Chinese labels.  Every chart is a standalone ``<svg>`` element with a ``<title>``
(read by screen readers), the values written beside the bars, and a legend when there are several series.

Examples
--------
>>> svg = bar_chart(["高风险", "低风险"], [3, 7], title="等级")
>>> svg.startswith("<svg") and svg.count("<rect") == 2 and "高风险" in svg
True
>>> "a&lt;b" in bar_chart(["a<b"], [1], title="t")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "grouped_bar_chart", "stacked_bar_chart", "LEVEL_COLORS", "STAGE_COLORS"]

LEVEL_COLORS = ("#c62828", "#ef8f00", "#2e7d32")  # high, medium, low
STAGE_COLORS = ("#90a4d4", "#283593")  # before, after measures
PALETTE = ("#283593", "#ef8f00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#8d6e63", "#546e7a")

_FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif\""
_LABEL_W = 200
_VALUE_W = 56
_PAD = 8


def _fmt(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _clip(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}" {_FONT} font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{_PAD}" y="18" font-size="14" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]


def _legend(parts: list[str], names: Sequence[str], colors: Sequence[str], y: int) -> None:
    x = _LABEL_W
    for name, color in zip(names, colors, strict=False):
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" fill="#333">{escape(name)}</text>')
        x += 28 + 13 * len(name)


def _scale(max_value: float, span: int) -> float:
    return span / max_value if max_value > 0 else 0.0


def bar_chart(
    labels: Sequence[str], values: Sequence[float], *, title: str, color: str = PALETTE[0], width: int = 720
) -> str:
    """One horizontal bar per label.

    Parameters
    ----------
    labels, values
        Equal-length sequences.
    title
        Shown above the chart and as its accessible name.
    color
        Bar fill.
    width
        Total width in pixels.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    return grouped_bar_chart(
        labels, [title], [[v] for v in values], title=title, colors=[color], width=width, legend=False
    )


def grouped_bar_chart(
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    title: str,
    colors: Sequence[str] = STAGE_COLORS,
    width: int = 720,
    legend: bool = True,
) -> str:
    """Horizontal grouped bars: for each label, one bar per series (e.g. before and after measures).

    Parameters
    ----------
    labels
        One group per label.
    series
        Series names (legend).
    values
        ``values[i][j]``: label ``i``, series ``j``.
    title, colors, width, legend
        Presentation.

    Returns
    -------
    str
        An ``<svg>`` element.

    Examples
    --------
    >>> svg = grouped_bar_chart(["高", "低"], ["前", "后"], [[2, 1], [5, 6]], title="t")
    >>> svg.count("<rect")  # four bars and two legend swatches
    6
    """
    k = max(1, len(series))
    bar_h = 14 if k > 1 else 18
    group_h = k * bar_h + 8
    top = 30 + (22 if legend and k > 1 else 0)
    height = top + max(1, len(labels)) * group_h + _PAD
    span = width - _LABEL_W - _VALUE_W
    scale = _scale(max((v for row in values for v in row), default=0), span)
    parts = _open(width, height, title)
    if legend and k > 1:
        _legend(parts, series, colors, 44)
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y0 + group_h / 2 + 2:.1f}" text-anchor="end" fill="#222">'
            f"<title>{escape(label)}</title>{escape(_clip(label))}</text>"
        )
        for j, v in enumerate(values[i] if i < len(values) else []):
            w = max(0.0, v * scale)
            y = y0 + j * bar_h
            color = colors[j % len(colors)]
            parts.append(
                f'<rect x="{_LABEL_W}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}">'
                f"<title>{escape(label)} · {escape(series[j] if j < len(series) else '')}: {_fmt(v)}</title></rect>"
            )
            parts.append(f'<text x="{_LABEL_W + w + 4:.1f}" y="{y + bar_h - 4}" fill="#333">{_fmt(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    title: str,
    colors: Sequence[str] = LEVEL_COLORS,
    width: int = 720,
) -> str:
    """Horizontal stacked bars: for each label, its series stacked (e.g. high/medium/low per kind).

    Parameters
    ----------
    labels, series, values
        As for :func:`grouped_bar_chart`.
    title, colors, width
        Presentation.

    Returns
    -------
    str
        An ``<svg>`` element.

    Examples
    --------
    >>> svg = stacked_bar_chart(["工程"], ["高", "中", "低"], [[1, 0, 3]], title="t")
    >>> svg.count('height="16"')  # two non-empty segments (an empty one is not drawn)
    2
    """
    bar_h = 18
    top = 52
    height = top + max(1, len(labels)) * (bar_h + 6) + _PAD
    span = width - _LABEL_W - _VALUE_W
    scale = _scale(max((sum(row) for row in values), default=0), span)
    parts = _open(width, height, title)
    _legend(parts, series, colors, 44)
    for i, label in enumerate(labels):
        y = top + i * (bar_h + 6)
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y + bar_h - 5}" text-anchor="end" fill="#222">'
            f"<title>{escape(label)}</title>{escape(_clip(label))}</text>"
        )
        x = float(_LABEL_W)
        row = values[i] if i < len(values) else []
        for j, v in enumerate(row):
            if v <= 0:
                continue
            w = v * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colors[j % len(colors)]}">'
                f"<title>{escape(label)} · {escape(series[j] if j < len(series) else '')}: {_fmt(v)}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 5}" fill="#333">{_fmt(sum(row))}</text>')
    parts.append("</svg>")
    return "".join(parts)
