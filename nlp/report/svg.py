"""Static inline SVG charts for the report: no scripts, no external resources.

Every function returns an ``<svg>`` element as a string, ready to be embedded in HTML.
All text that reaches the SVG (labels, series names, tooltips) is escaped here, so callers
may pass user data (product ids, topic labels) as they are. Charts scale with their
container (``viewBox`` + ``width="100%"``) and inherit the page's font, so Korean labels
render with the page's CJK font stack.

Example:
    >>> svg = sparkline([0.1, 0.3, None, 0.2])
    >>> svg.startswith("<svg") and "<script" not in svg
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Series", "bar_line_chart", "line_chart", "sparkline", "stacked_bar", "nice_ticks", "COLORS"]

COLORS = {
    "negative": "#d1495b",
    "neutral": "#b8bec6",
    "positive": "#2a9d8f",
    "line": "#264653",
    "grid": "#e6e8eb",
    "axis": "#6b7280",
    "palette": ("#3d5a80", "#e07a5f", "#2a9d8f", "#9c6ade", "#f2a541", "#5c946e", "#c44569", "#4a6fa5"),
}


@dataclass(frozen=True)
class Series:
    """A named series of values (``None`` for a gap) drawn in one colour."""

    name: str
    values: Sequence[float | None]
    color: str


def _f(x: float) -> str:
    """A coordinate with one decimal: small files, crisp enough at any zoom."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if x == x else "0"


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def nice_ticks(vmax: float, n: int = 4, integer: bool = False) -> list[float]:
    """Round tick values from 0 up to at least ``vmax`` (steps of 1, 2, 2.5 or 5 × 10^k; whole steps for counts).

    Example:
        >>> nice_ticks(37), nice_ticks(2, integer=True)
        ([0, 10, 20, 30, 40], [0, 1, 2])
    """
    if not vmax or vmax <= 0 or _missing(vmax):
        return [0, 1]
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if step >= 1 or integer:
        step = max(1, round(step))
    top = math.ceil(vmax / step - 1e-9) * step
    count = int(round(top / step))
    return [round(i * step, 10) if step < 1 else int(i * step) for i in range(count + 1)]


def _svg_open(width: int, height: int, label: str, css_class: str = "chart") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(label)}</title>"
    )


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> str:
    """Legend entries ``(name, color, kind)`` with kind ``box`` or ``line``, laid out left to right."""
    out = []
    for name, color, kind in items:
        if kind == "line":
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 14)}" y2="{_f(y - 4)}" stroke="{color}" stroke-width="2.5"/>'
            )
        else:
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="2" fill="{color}"/>')
        out.append(f'<text x="{_f(x + 18)}" y="{_f(y)}" class="lg">{escape(name)}</text>')
        # Hangul is roughly square: ~12 px per character at the legend's font size
        x += 18 + 12 * len(name) + 18
    return "".join(out)


def _x_label_step(n: int, plot_width: float, min_px: float = 46) -> int:
    return max(1, math.ceil(n * min_px / plot_width)) if n else 1


def bar_line_chart(
    labels: Sequence[str],
    stacks: Sequence[Series],
    line: Series | None = None,
    *,
    line_range: tuple[float, float] = (-1.0, 1.0),
    width: int = 880,
    height: int = 280,
    title: str = "",
    bar_tooltips: Sequence[str] | None = None,
    left_axis: str = "",
    right_axis: str = "",
    line_format: Callable[[float], str] = lambda v: f"{v:+.1f}",
) -> str:
    """Stacked bars (e.g. review counts by sentiment) with an optional line on a second axis.

    Args:
        labels: one x label per period.
        stacks: bar segments, bottom first; values are counts (``None`` = 0).
        line: a series drawn over the bars against the right axis.
        line_range: the right axis range.
        width: viewBox width in px.
        height: viewBox height in px.
        title: accessible name and tooltip of the chart.
        bar_tooltips: one hover text per bar.
        left_axis: caption of the left axis.
        right_axis: caption of the right axis.
        line_format: tick label format of the right axis.

    Returns:
        An ``<svg>`` string.

    Example:
        >>> s = bar_line_chart(["1월", "2월"], [Series("긍정", [3, 4], "#2a9d8f")], Series("평균", [0.2, 0.5], "#000"))
        >>> s.count("<rect") >= 2
        True
    """
    n = len(labels)
    ml, mr, mt, mb = 46, 46 if line is not None else 14, 40, 30
    pw, ph = width - ml - mr, height - mt - mb
    out = [_svg_open(width, height, title)]
    legend = [(s.name, s.color, "box") for s in stacks] + ([(line.name, line.color, "line")] if line is not None else [])
    out.append(_legend(legend, ml, 16))
    if left_axis:
        out.append(f'<text x="{ml - 6}" y="{mt - 10}" class="ax" text-anchor="end">{escape(left_axis)}</text>')
    if right_axis and line is not None:
        out.append(f'<text x="{width - mr + 6}" y="{mt - 10}" class="ax">{escape(right_axis)}</text>')
    totals = [sum(0 if _missing(s.values[i]) else float(s.values[i]) for s in stacks) for i in range(n)]
    ticks = nice_ticks(max(totals, default=0), integer=True)
    top = ticks[-1] or 1

    def y_left(v: float) -> float:
        return mt + ph - ph * v / top

    lo, hi = line_range

    def y_right(v: float) -> float:
        return mt + ph - ph * (v - lo) / ((hi - lo) or 1)

    for t in ticks:
        y = y_left(t)
        out.append(f'<line x1="{ml}" y1="{_f(y)}" x2="{ml + pw}" y2="{_f(y)}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{ml - 6}" y="{_f(y + 4)}" class="ax" text-anchor="end">{t:g}</text>')
    if line is not None:
        for k in range(5):
            v = lo + (hi - lo) * k / 4
            out.append(f'<text x="{width - mr + 6}" y="{_f(y_right(v) + 4)}" class="ax">{escape(line_format(v))}</text>')
        if lo < 0 < hi:
            y0 = y_right(0)
            out.append(
                f'<line x1="{ml}" y1="{_f(y0)}" x2="{ml + pw}" y2="{_f(y0)}" stroke="{COLORS["axis"]}" stroke-dasharray="3 3" stroke-width="0.8"/>'
            )
    band = pw / max(n, 1)
    bw = min(band * 0.7, 48)
    step = _x_label_step(n, pw)
    for i in range(n):
        x = ml + band * i + (band - bw) / 2
        base = 0.0
        group = [f'<g class="bar"><title>{escape(bar_tooltips[i])}</title>' if bar_tooltips else "<g>"]
        for s in stacks:
            v = 0.0 if _missing(s.values[i]) else float(s.values[i])
            if v > 0:
                y1, y0 = y_left(base + v), y_left(base)
                group.append(f'<rect x="{_f(x)}" y="{_f(y1)}" width="{_f(bw)}" height="{_f(y0 - y1)}" fill="{s.color}"/>')
            base += v
        group.append("</g>")
        out.append("".join(group))
        if i % step == 0 or i == n - 1 and (n - 1) % step >= step / 2:
            out.append(
                f'<text x="{_f(ml + band * (i + 0.5))}" y="{height - 10}" class="ax" text-anchor="middle">{escape(labels[i])}</text>'
            )
    if line is not None:
        out.append(_polyline([ml + band * (i + 0.5) for i in range(n)], line.values, y_right, line.color, dots=True))
    out.append(f'<line x1="{ml}" y1="{mt + ph}" x2="{ml + pw}" y2="{mt + ph}" stroke="{COLORS["axis"]}"/>')
    out.append("</svg>")
    return "".join(out)


def _polyline(
    xs: Sequence[float],
    values: Sequence[float | None],
    y: Callable[[float], float],
    color: str,
    dots: bool = False,
    width: float = 2.2,
) -> str:
    """A line broken at missing values, with optional dots on the points."""
    parts, seg = [], []
    pts = []
    for x, v in zip(xs, values, strict=False):
        if _missing(v):
            if seg:
                parts.append(seg)
            seg = []
            continue
        seg.append((x, y(float(v))))
        pts.append((x, y(float(v))))
    if seg:
        parts.append(seg)
    out = []
    for s in parts:
        d = " ".join(f"{_f(a)},{_f(b)}" for a, b in s)
        out.append(
            f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    if dots:
        out.extend(f'<circle cx="{_f(a)}" cy="{_f(b)}" r="2.6" fill="{color}"/>' for a, b in pts)
    return "".join(out)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_range: tuple[float, float] = (-1.0, 1.0),
    width: int = 880,
    height: int = 240,
    title: str = "",
    y_format: Callable[[float], str] = lambda v: f"{v:+.1f}",
) -> str:
    """Several lines over the same periods (e.g. mean sentiment per product).

    Example:
        >>> "<polyline" in line_chart(["a", "b"], [Series("제품 A", [0.1, 0.4], "#333")])
        True
    """
    n = len(labels)
    ml, mr, mt, mb = 46, 14, 40, 30
    pw, ph = width - ml - mr, height - mt - mb
    lo, hi = y_range

    def y(v: float) -> float:
        return mt + ph - ph * (min(max(v, lo), hi) - lo) / ((hi - lo) or 1)

    out = [_svg_open(width, height, title)]
    out.append(_legend([(s.name, s.color, "line") for s in series], ml, 16))
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{ml}" y1="{_f(y(v))}" x2="{ml + pw}" y2="{_f(y(v))}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{ml - 6}" y="{_f(y(v) + 4)}" class="ax" text-anchor="end">{escape(y_format(v))}</text>')
    band = pw / max(n, 1)
    xs = [ml + band * (i + 0.5) for i in range(n)]
    step = _x_label_step(n, pw)
    for i in range(n):
        if i % step == 0:
            out.append(f'<text x="{_f(xs[i])}" y="{height - 10}" class="ax" text-anchor="middle">{escape(labels[i])}</text>')
    for s in series:
        out.append(f"<g><title>{escape(s.name)}</title>{_polyline(xs, s.values, y, s.color, dots=True)}</g>")
    out.append(f'<line x1="{ml}" y1="{mt + ph}" x2="{ml + pw}" y2="{mt + ph}" stroke="{COLORS["axis"]}"/>')
    out.append("</svg>")
    return "".join(out)


def sparkline(
    values: Sequence[float | None], *, width: int = 120, height: int = 28, color: str = "#3d5a80", label: str = ""
) -> str:
    """A tiny trend line scaled to its own range (the last point marked).

    Example:
        >>> sparkline([1, 2, 3]).count("<circle")
        1
    """
    vals = [None if _missing(v) else float(v) for v in values]
    present = [v for v in vals if v is not None]
    out = [_svg_open(width, height, label or "추이", css_class="spark")]
    if present:
        lo, hi = min(present), max(present)
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        pad = 3
        n = len(vals)
        xs = [pad + (width - 2 * pad) * (i / max(n - 1, 1)) for i in range(n)]

        def y(v: float) -> float:
            return height - pad - (height - 2 * pad) * (v - lo) / (hi - lo)

        out.append(_polyline(xs, vals, y, color, width=1.6))
        last = max(i for i, v in enumerate(vals) if v is not None)
        out.append(f'<circle cx="{_f(xs[last])}" cy="{_f(y(vals[last]))}" r="2.4" fill="{color}"/>')
    out.append("</svg>")
    return "".join(out)


def stacked_bar(parts: Sequence[tuple[str, float, str]], *, width: int = 120, height: int = 12, label: str = "") -> str:
    """A small horizontal 100% bar, e.g. negative / neutral / positive shares.

    Args:
        parts: ``(name, share, color)`` left to right; shares are clipped to [0, 1].
        width: px.
        height: px.
        label: accessible name (the tooltip lists every part).

    Example:
        >>> stacked_bar([("부정", 0.2, "#d00"), ("긍정", 0.8, "#0a0")]).count("<rect")
        2
    """
    tip = " · ".join(f"{name} {share:.0%}" for name, share, _ in parts if not _missing(share))
    out = [_svg_open(width, height, f"{label} {tip}".strip(), css_class="sbar")]
    x = 0.0
    for _name, share, color in parts:
        if _missing(share) or share <= 0:
            continue
        w = width * min(max(share, 0.0), 1.0)
        out.append(f'<rect x="{_f(x)}" y="0" width="{_f(min(w, width - x))}" height="{height}" fill="{color}"/>')
        x += w
    out.append("</svg>")
    return "".join(out)
