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

__all__ = [
    "Series",
    "bar_line_chart",
    "line_chart",
    "small_multiple",
    "sparkline",
    "stacked_bar",
    "nice_ticks",
    "fit_range",
    "text_width",
    "COLORS",
]

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


def text_width(text: str, size: float = 12) -> float:
    """Rough rendered width of ``text`` in px: Hangul and other wide characters are about square, Latin about half."""
    return sum(size if ord(ch) >= 0x1100 else 0.6 * size for ch in text)


def _short(name: str, max_px: float, size: float = 12) -> str:
    """``name`` cut with an ellipsis to fit ``max_px`` (the full name stays in the element's title)."""
    if text_width(name, size) <= max_px:
        return name
    out = ""
    for ch in name:
        if text_width(out + ch + "…", size) > max_px:
            break
        out += ch
    return out + "…"


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float, max_width: float = 10_000) -> tuple[str, float]:
    """Legend entries ``(name, color, kind)`` (kind ``box`` or ``line``), wrapped to ``max_width``.

    Returns the markup and the height used, so the chart can move its plot down and no entry
    is ever cut at the edge; a name too long for a whole row is shortened, its full text in a title.
    """
    out = []
    x0, row_h = x, 18
    for name, color, kind in items:
        label = _short(name, max(max_width - 18, 40))
        w = 18 + text_width(label) + 18
        if x > x0 and x + w - 18 > x0 + max_width:
            x, y = x0, y + row_h
        out.append(f"<g><title>{escape(name)}</title>")
        if kind == "line":
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 14)}" y2="{_f(y - 4)}" stroke="{color}" stroke-width="2.5"/>'
            )
        elif kind == "dash":
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y - 4)}" x2="{_f(x + 14)}" y2="{_f(y - 4)}" stroke="{color}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        else:
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="2" fill="{color}"/>')
        out.append(f'<text x="{_f(x + 18)}" y="{_f(y)}" class="lg">{escape(label)}</text></g>')
        x += w
    return "".join(out), y


def fit_range(values: Sequence[float | None], *, include_zero: bool = True, n: int = 4) -> list[float]:
    """Nice ticks spanning the values (from 0 when ``include_zero``), so a chart fills its height with its data.

    Example:
        >>> fit_range([0.52, 0.61, 0.9], include_zero=False)
        [0.5, 0.6, 0.7, 0.8, 0.9]
        >>> fit_range([0.04, 0.12])
        [0.0, 0.05, 0.1, 0.15]
    """
    vals = [float(v) for v in values if not _missing(v)]
    if not vals:
        return [0, 1]
    lo, hi = min(vals), max(vals)
    if include_zero:
        lo = min(lo, 0.0)
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 0.1
        lo, hi = (lo - pad if not include_zero or lo < 0 else lo), hi + pad
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    count = int(round((stop - start) / step))
    ticks = [round(start + i * step, 10) for i in range(count + 1)]
    return [int(t) if float(t).is_integer() and step >= 1 else t for t in ticks] if ticks else [0, 1]


def _x_label_step(n: int, plot_width: float, min_px: float = 46) -> int:
    return max(1, math.ceil(n * min_px / plot_width)) if n else 1


def bar_line_chart(
    labels: Sequence[str],
    stacks: Sequence[Series],
    line: Series | None = None,
    *,
    line_range: tuple[float, float] | None = None,
    width: int = 880,
    height: int = 280,
    title: str = "",
    bar_tooltips: Sequence[str] | None = None,
    left_axis: str = "",
    right_axis: str = "",
    line_format: Callable[[float], str] = lambda v: f"{v:+.1f}",
    partial_last: bool = False,
) -> str:
    """Stacked bars (e.g. review counts by sentiment) with an optional line on a second axis.

    Args:
        labels: one x label per period.
        stacks: bar segments, bottom first; values are counts (``None`` = 0).
        line: a series drawn over the bars against the right axis.
        line_range: the right axis range; by default fitted to the line's values (from 0 when
            they are all positive), so the line uses the chart's height.
        width: viewBox width in px.
        height: viewBox height in px (grows when the legend needs more rows).
        title: accessible name and tooltip of the chart.
        bar_tooltips: one hover text per bar.
        left_axis: caption of the left axis.
        right_axis: caption of the right axis.
        line_format: tick label format of the right axis.
        partial_last: the last period is not over yet: its bar is drawn faded and labelled.

    Returns:
        An ``<svg>`` string.

    Example:
        >>> s = bar_line_chart(["1월", "2월"], [Series("긍정", [3, 4], "#2a9d8f")], Series("평균", [0.2, 0.5], "#000"))
        >>> s.count("<rect") >= 2
        True
    """
    n = len(labels)
    ml, mr, mb = 46, 52 if line is not None else 14, 30
    legend_items = [(s.name, s.color, "box") for s in stacks] + ([(line.name, line.color, "line")] if line is not None else [])
    legend, legend_y = _legend(legend_items, ml, 16, width - ml - mr)
    mt = legend_y + 24
    height = max(height, mt + 160 + mb)
    pw, ph = width - ml - mr, height - mt - mb
    out = [_svg_open(width, height, title), legend]
    if left_axis:
        out.append(f'<text x="{ml - 6}" y="{mt - 10}" class="ax" text-anchor="end">{escape(left_axis)}</text>')
    if right_axis and line is not None:
        out.append(f'<text x="{width - mr + 6}" y="{mt - 10}" class="ax">{escape(right_axis)}</text>')
    totals = [sum(0 if _missing(s.values[i]) else float(s.values[i]) for s in stacks) for i in range(n)]
    ticks = nice_ticks(max(totals, default=0), integer=True)
    top = ticks[-1] or 1

    def y_left(v: float) -> float:
        return mt + ph - ph * v / top

    rticks = list(line_range) if line_range is not None else (fit_range(line.values) if line is not None else [0, 1])
    lo, hi = rticks[0], rticks[-1]
    if line_range is not None:
        rticks = [lo + (hi - lo) * k / 4 for k in range(5)]

    def y_right(v: float) -> float:
        return mt + ph - ph * (min(max(v, lo), hi) - lo) / ((hi - lo) or 1)

    for t in ticks:
        y = y_left(t)
        out.append(f'<line x1="{ml}" y1="{_f(y)}" x2="{ml + pw}" y2="{_f(y)}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{ml - 6}" y="{_f(y + 4)}" class="ax" text-anchor="end">{t:g}</text>')
    if line is not None:
        for v in rticks:
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
        faded = partial_last and i == n - 1
        group = [f'<g class="bar{" partial" if faded else ""}"' + (' opacity="0.4"' if faded else "") + ">"]
        if bar_tooltips:
            group.append(f"<title>{escape(bar_tooltips[i])}</title>")
        for s in stacks:
            v = 0.0 if _missing(s.values[i]) else float(s.values[i])
            if v > 0:
                y1, y0 = y_left(base + v), y_left(base)
                group.append(f'<rect x="{_f(x)}" y="{_f(y1)}" width="{_f(bw)}" height="{_f(y0 - y1)}" fill="{s.color}"/>')
            base += v
        group.append("</g>")
        out.append("".join(group))
        if i % step == 0 or i == n - 1 and (n - 1) % step >= max(step * 0.8, 1):
            out.append(
                f'<text x="{_f(ml + band * (i + 0.5))}" y="{height - 10}" class="ax" text-anchor="middle">{escape(labels[i])}</text>'
            )
    if partial_last and n:
        out.append(f'<text x="{_f(ml + band * (n - 0.5))}" y="{_f(mt + ph - 4)}" class="ax" text-anchor="middle">(부분)</text>')
    if line is not None:
        values = list(line.values)
        xs = [ml + band * (i + 0.5) for i in range(n)]
        if partial_last and n >= 2:
            done = values[:-1] + [None]
            out.append(_polyline(xs, done, y_right, line.color, dots=True))
            if not _missing(values[-1]) and not _missing(values[-2]):
                out.append(
                    f'<polyline points="{_f(xs[-2])},{_f(y_right(float(values[-2])))} {_f(xs[-1])},{_f(y_right(float(values[-1])))}" '
                    f'fill="none" stroke="{line.color}" stroke-width="1.6" stroke-dasharray="4 3"/>'
                )
            if not _missing(values[-1]):
                out.append(
                    f'<circle cx="{_f(xs[-1])}" cy="{_f(y_right(float(values[-1])))}" r="3" fill="#fff" stroke="{line.color}" stroke-width="1.5"/>'
                )
        else:
            out.append(_polyline(xs, values, y_right, line.color, dots=True))
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
    y_range: tuple[float, float] | None = None,
    width: int = 880,
    height: int = 240,
    title: str = "",
    y_format: Callable[[float], str] = lambda v: f"{v:+.1f}",
) -> str:
    """A few lines over the same periods; the y-axis fits the data unless ``y_range`` is given.

    For many series prefer one :func:`small_multiple` each: lines that cross are hard to follow.

    Example:
        >>> "<polyline" in line_chart(["a", "b"], [Series("제품 A", [0.1, 0.4], "#333")])
        True
    """
    n = len(labels)
    ml, mr, mb = 46, 14, 30
    legend, legend_y = _legend([(s.name, s.color, "line") for s in series], ml, 16, width - ml - mr)
    mt = legend_y + 24
    height = max(height, mt + 120 + mb)
    pw, ph = width - ml - mr, height - mt - mb
    if y_range is None:
        ticks = fit_range([v for s in series for v in s.values], include_zero=False)
    else:
        ticks = [y_range[0] + (y_range[1] - y_range[0]) * k / 4 for k in range(5)]
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return mt + ph - ph * (min(max(v, lo), hi) - lo) / ((hi - lo) or 1)

    out = [_svg_open(width, height, title), legend]
    for v in ticks:
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


def small_multiple(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    lows: Sequence[float | None] | None = None,
    highs: Sequence[float | None] | None = None,
    reference: Sequence[float | None] | None = None,
    ticks: Sequence[float] | None = None,
    partial_last: bool = False,
    tooltips: Sequence[str] | None = None,
    color: str = "#3d5a80",
    width: int = 320,
    height: int = 150,
    title: str = "",
    y_format: Callable[[float], str] = lambda v: f"{100 * v:.0f}%",
) -> str:
    """One small panel of a grid of panels: a series with its interval band and a dashed reference line.

    Every panel of a grid gets the same ``ticks`` (see :func:`fit_range`) so panels compare
    at a glance; the name of each panel is written in the page above it (never cut in the SVG).

    Args:
        labels: one x label per period (the first and last are drawn).
        values: the series (``None`` where too few reviews: a gap).
        lows: lower ends of the 95% interval per period (drawn as a band).
        highs: upper ends.
        reference: a comparison series (e.g. all products), dashed grey.
        ticks: y ticks (default: fitted to ``values`` and ``reference``).
        partial_last: the last period is not over yet: its point is hollow and its segment dashed.
        tooltips: one hover text per period.
        color: the series colour.
        width: viewBox width.
        height: viewBox height.
        title: accessible name.
        y_format: tick labels.

    Example:
        >>> svg = small_multiple(["1월", "2월", "3월"], [0.1, None, 0.3], lows=[0.05, None, 0.2], highs=[0.2, None, 0.4])
        >>> svg.count("<polygon"), svg.count("<circle")  # a band and a point on each side of the gap
        (2, 2)
    """
    n = len(labels)
    ml, mr, mt, mb = 38, 8, 8, 20
    pw, ph = width - ml - mr, height - mt - mb
    ticks = list(ticks) if ticks is not None else fit_range(list(values) + list(reference or []))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return mt + ph - ph * (min(max(v, lo), hi) - lo) / ((hi - lo) or 1)

    band = pw / max(n, 1)
    xs = [ml + band * (i + 0.5) for i in range(n)]
    out = [_svg_open(width, height, title, css_class="chart small")]
    for t in ticks:
        out.append(f'<line x1="{ml}" y1="{_f(y(t))}" x2="{ml + pw}" y2="{_f(y(t))}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{ml - 4}" y="{_f(y(t) + 4)}" class="ax" text-anchor="end">{escape(y_format(t))}</text>')
    if lows is not None and highs is not None:
        run: list[int] = []
        runs = []
        for i in range(n):
            if _missing(values[i]) or _missing(lows[i]) or _missing(highs[i]):
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(i)
        if run:
            runs.append(run)
        for r in runs:
            half = band * 0.35 if len(r) == 1 else 0
            top = [(xs[i] - half, y(float(highs[i]))) for i in r] + ([(xs[r[0]] + half, y(float(highs[r[0]])))] if half else [])
            bottom = [(xs[i] + half, y(float(lows[i]))) for i in reversed(r)] + (
                [(xs[r[0]] - half, y(float(lows[r[0]])))] if half else []
            )
            pts = " ".join(f"{_f(a)},{_f(b)}" for a, b in top + bottom)
            out.append(f'<polygon points="{pts}" fill="{color}" fill-opacity="0.15" stroke="none"/>')
    if reference is not None:
        out.append(
            _polyline(xs, reference, y, COLORS["axis"], width=1.2).replace("<polyline ", '<polyline stroke-dasharray="4 3" ')
        )
    vals = list(values)
    if partial_last and n:
        out.append(_polyline(xs, vals[:-1] + [None], y, color, dots=True, width=1.8))
        if not _missing(vals[-1]):
            if n >= 2 and not _missing(vals[-2]):
                out.append(
                    f'<polyline points="{_f(xs[-2])},{_f(y(float(vals[-2])))} {_f(xs[-1])},{_f(y(float(vals[-1])))}" fill="none" '
                    f'stroke="{color}" stroke-width="1.4" stroke-dasharray="3 3"/>'
                )
            out.append(
                f'<circle cx="{_f(xs[-1])}" cy="{_f(y(float(vals[-1])))}" r="2.6" fill="#fff" stroke="{color}" stroke-width="1.4"/>'
            )
    else:
        out.append(_polyline(xs, vals, y, color, dots=True, width=1.8))
    if tooltips:
        for i in range(n):
            out.append(
                f'<rect x="{_f(ml + band * i)}" y="{mt}" width="{_f(band)}" height="{ph}" fill="transparent"><title>{escape(tooltips[i])}</title></rect>'
            )
    if n:
        out.append(f'<text x="{_f(xs[0])}" y="{height - 5}" class="ax" text-anchor="start">{escape(labels[0])}</text>')
        if n > 1:
            out.append(f'<text x="{_f(xs[-1])}" y="{height - 5}" class="ax" text-anchor="end">{escape(labels[-1])}</text>')
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
