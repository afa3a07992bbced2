"""The inline SVG chart helpers."""

from __future__ import annotations

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
