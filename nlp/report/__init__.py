"""The CX report: one self-contained, offline HTML file from scored rows, topics and trends.

Example:
    >>> from nlp.report import write_report
    >>> write_report("report.html", "scored.parquet", "topics/")  # doctest: +SKIP
    PosixPath('report.html')
"""

from __future__ import annotations

from nlp.report.build import DOC_TOPICS_FILE, TOPICS_FILE, ReportOptions, build_report, find_spikes, load_topics, write_report

__all__ = ["DOC_TOPICS_FILE", "TOPICS_FILE", "ReportOptions", "build_report", "find_spikes", "load_topics", "write_report"]
