"""The CX report: one self-contained, offline HTML file from scored rows, topics and trends.

Example:
    >>> from nlp.report import write_report
    >>> write_report("report.html", "scored.parquet", "topics/")  # doctest: +SKIP
    PosixPath('report.html')
"""

from __future__ import annotations

from nlp.report.build import ReportOptions, build_report, write_report

__all__ = ["ReportOptions", "build_report", "write_report"]
