"""The inline SVG chart helpers."""

from __future__ import annotations

import re

import pytest

from nlp.report import svg


@pytest.mark.parametrize(
    ("vmax", "expected"),
    [(37, [0, 10, 20, 30, 40]), (4, [0, 1, 2, 3, 4]), (9, [0, 2, 4, 6, 8, 10]), (0, [0, 1]), (0.8, [0, 0.2, 0.4, 0.6, 0.8])],
)
def test_nice_ticks(vmax, expected):
    ticks = svg.nice_ticks(vmax)
    assert ticks == expected
    assert ticks[-1] >= vmax


def test_bar_line_chart_escapes_and_draws():
    out = svg.bar_line_chart(
        ["<a>", "b"],
        [svg.Series("부정 <script>", [1, None], "#d00"), svg.Series("긍정", [2, 3], "#0a0")],
        svg.Series("평균", [0.5, None], "#000"),
        bar_tooltips=["<img src=x>", "ok"],
        title='제목 "x"',
    )
    assert out.startswith("<svg") and out.endswith("</svg>")
    assert "<script" not in out and "<img" not in out and "<a>" not in out
    assert "&lt;script&gt;" in out and "&lt;a&gt;" in out
    assert out.count("<rect") == 3 + 2  # 3 bar segments + 2 legend boxes
    assert "http" not in out  # inline SVG in HTML needs no xmlns


def test_line_chart_breaks_at_gaps():
    out = svg.line_chart(["1", "2", "3", "4"], [svg.Series("A", [0.1, None, 0.2, 0.3], "#333")])
    assert out.count("<polyline") == 2


def test_stacked_bar_and_sparkline():
    bar = svg.stacked_bar([("부정", 0.25, "#d00"), ("중립", float("nan"), "#999"), ("긍정", 0.75, "#0a0")], label="<x>")
    assert bar.count("<rect") == 2 and "&lt;x&gt;" in bar and "부정 25%" in bar
    assert svg.sparkline([None, None]).count("<polyline") == 0
    assert svg.sparkline([1, 3, 2]).count("<circle") == 1


def test_y_axis_fits_the_data():
    """Sentiment between 0.5 and 1 gets an axis around it, not −1..+1 (a flat line at the top)."""
    ticks = svg.fit_range([0.52, 0.74, 0.98], include_zero=False)
    assert ticks[0] >= 0.4 and ticks[-1] <= 1.0 and ticks[-1] >= 0.98
    out = svg.line_chart(["1", "2", "3"], [svg.Series("A", [0.52, 0.74, 0.98], "#333")], y_format=lambda v: f"{v:.1f}")
    labels = [float(v) for v in re.findall(r'text-anchor="end">(-?[\d.]+)</text>', out)]
    assert labels and min(labels) >= 0.4 and max(labels) <= 1.0


def _legend_boxes(out: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)" y="[\d.]+" class="lg">([^<]*)</text>', out)]


@pytest.mark.parametrize("chart", ["line", "bar"])
def test_legends_wrap_and_are_never_cut(chart):
    names = [f"서울 강남 비즈니스 호텔 {i}호점 (리뉴얼)" for i in range(8)]
    width = 600
    if chart == "line":
        out = svg.line_chart(["1", "2"], [svg.Series(n, [0.1, 0.2], "#333") for n in names], width=width)
    else:
        out = svg.bar_line_chart(["1", "2"], [svg.Series(n, [1, 2], "#333") for n in names], width=width)
    boxes = _legend_boxes(out)
    assert len(boxes) == len(names)
    assert all(x + svg.text_width(text) <= width for x, text in boxes)  # every entry ends inside the chart
    assert len({round(float(y)) for y in re.findall(r'y="([\d.]+)" class="lg"', out)}) > 1  # on several rows
    assert all(f"<title>{n}</title>" in out for n in names)  # full names kept for the tooltip


def test_small_multiple_shares_the_given_axis_and_marks_the_partial_period():
    out = svg.small_multiple(["1월", "2월", "3월"], [0.1, 0.2, 0.9], reference=[0.2, 0.2, 0.2], ticks=[0, 0.25, 0.5], partial_last=True)
    assert ">50%<" in out and ">100%<" not in out  # the grid's shared axis, not this panel's own
    assert 'fill="#fff"' in out  # the partial last point is hollow
    assert "stroke-dasharray" in out  # its segment and the reference are dashed
