"""The CX report: one self-contained, offline HTML file and ``findings.json``, built around aspects.

Example:
    >>> from nlp.report import write_report
    >>> write_report("report.html", "scored.parquet", "topics/", aspects="aspects.parquet")  # doctest: +SKIP
    PosixPath('report.html')
"""

from __future__ import annotations

from nlp.report.build import Report, build, build_report, write_report
from nlp.report.findings import Finding
from nlp.report.options import FindingRules, ReportOptions

__all__ = ["ReportOptions", "FindingRules", "Finding", "Report", "build", "build_report", "write_report"]
