"""The CX report: one self-contained, offline HTML file and its ``findings.json``.

The report is built around **aspects** (what customers praise and complain about, per
product; ``nlp aspects``) and states only **findings that hold**: each meets a minimum
volume, passes a test with a 95% interval and links to the reviews behind it
(:mod:`nlp.report.findings`, ``docs/report.md``). Topics (``nlp topics``) are the secondary
"what else people talk about" section; trends (``nlp trends``) give the anomaly flags, or
the same rule runs on the report's rows.

The work is split by concern: :mod:`~nlp.report.data` (inputs and periods),
:mod:`~nlp.report.alerts` (the anomaly rule's flags), :mod:`~nlp.report.findings` (tests
and ranking), :mod:`~nlp.report.summary`, :mod:`~nlp.report.aspect_views`,
:mod:`~nlp.report.topic_views` and :mod:`~nlp.report.charts` (what each section shows), and
:mod:`~nlp.report.render` (HTML under a strict Content-Security-Policy).

Example:
    >>> from nlp.report import write_report
    >>> write_report("out/report.html", "out/scored.parquet", "out/topics", aspects="out/aspects.parquet")  # doctest: +SKIP
    PosixPath('out/report.html')
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.io.atomic import atomic_write_text
from nlp.io.columns import ColumnMap
from nlp.io.lock import locks_output
from nlp.io.tables import InputError, read_table
from nlp.report import aspect_views, charts, render, summary, topic_views
from nlp.report.alerts import anomaly_flags, anomaly_rule
from nlp.report.data import ReportData, prepare, total, wcount
from nlp.report.findings import ALERT_KINDS, Finding, Unconfirmed, find, findings_json
from nlp.report.labels import ANOMALY_KO, FINDING_KO, FLAG_KO, intent_names
from nlp.report.options import FindingRules, ReportOptions
from nlp.schema import FINDINGS_FILE, load_topic_tables

logger = logging.getLogger(__name__)

__all__ = ["ReportOptions", "FindingRules", "Report", "build_report", "build", "build_from", "write_report"]

MAX_CHART_PERIODS = 36
"""Periods the time charts show (the latest); findings use every complete period."""


class Report:
    """A built report: its HTML and its findings (``findings.json``).

    Attributes:
        html: the document.
        findings: every finding and confirmed alert, ranked.
        unconfirmed: the anomaly rule's flags that are not stated, with the reason.
        meta: what ``findings.json`` records beside the findings (rules, periods, counts).
    """

    def __init__(self, html: str, findings: list[Finding], unconfirmed: list[Unconfirmed], meta: dict) -> None:
        self.html = html
        self.findings = findings
        self.unconfirmed = unconfirmed
        self.meta = meta

    def findings_json(self) -> str:
        """The content of ``findings.json``."""
        return findings_json(self.findings, **self.meta)


def resolve_options(options: ReportOptions | None, overrides: dict[str, Any]) -> ReportOptions:
    opts = options or ReportOptions()
    if overrides:
        unknown = set(overrides) - set(ReportOptions.__dataclass_fields__)
        if unknown:
            raise TypeError(
                f"unknown report options {sorted(unknown)}; valid options: {sorted(ReportOptions.__dataclass_fields__)}"
            )
        opts = ReportOptions(**{**opts.__dict__, **overrides})
    return opts


def _finding_view(f: Finding) -> dict:
    return {
        **asdict(f),
        "anchor": f.anchor,
        "concern": f.concern,
        "kind_ko": FINDING_KO.get(f.kind, f.kind),
        "badge": ", ".join(ANOMALY_KO.get(k, k) for k in f.anomaly) or FINDING_KO.get(f.kind, f.kind),
    }


def _meta(data: ReportData, opts: ReportOptions, counts: dict, source: str) -> dict:
    periods = data.periods
    return {
        "rules": asdict(opts.rules),
        "anomaly_rule": {**asdict(anomaly_rule(opts)), "source": source},
        "periods": None
        if periods is None
        else {
            "freq": periods.freq,
            "first": f"{periods.starts[0]:%Y-%m-%d}",
            "last": f"{periods.starts[-1]:%Y-%m-%d}",
            "data_end": f"{periods.data_end:%Y-%m-%d}",
            "last_complete": None if periods.last_complete is None else periods.code(periods.starts[periods.last_complete]),
            "partial_last": periods.code(periods.starts[-1]) if periods.partial_last else None,
        },
        "tests": counts,
        "n_reviews": int(total(data.rows)),
        "n_aspect_mentions": None if data.aspects is None else int(total(data.aspects)),
    }


def build(
    scored: pd.DataFrame,
    doc_topics: pd.DataFrame | None = None,
    topics: pd.DataFrame | None = None,
    trends: pd.DataFrame | None = None,
    *,
    aspects: pd.DataFrame | None = None,
    columns: ColumnMap | None = None,
    options: ReportOptions | None = None,
    **option_overrides: Any,
) -> Report:
    """The report and its findings (see :func:`build_report` for the arguments)."""
    opts = resolve_options(options, option_overrides)
    data = prepare(
        scored, doc_topics, topics, trends, aspects, columns or ColumnMap(), freq=opts.freq, tz=opts.tz, domain=opts.domain
    )
    return build_from(data, opts)


def build_from(data: ReportData, opts: ReportOptions) -> Report:
    """The report from prepared (possibly aggregated) data: what :func:`build` does after reading its inputs.

    A distributed engine calls this with its own aggregates and a
    :class:`~nlp.report.examples.RecordedExamples` (``nlp.engines.spark_report``).
    """
    rules = opts.rules
    names = intent_names(data.domain_set)
    t_rows = topic_views.topic_rows(data, rules)
    topic_labels = {r["topic"]: r["label"] for r in t_rows}

    flags, source = anomaly_flags(data, opts)
    findings, unconfirmed, counts = find(data, flags, rules, topic_labels, opts.n_examples)
    views = [_finding_view(f) for f in findings]
    top = [v for v in views if v["kind"] != "volume_spike"]
    top_findings = {
        "worse": [v for v in top if v["concern"]][: opts.max_findings],
        "better": [v for v in top if not v["concern"]][: max(3, opts.max_findings // 2)],
    }

    products = data.products
    detail = products[: opts.max_products]
    asp = aspect_views.aspect_summary(data)
    product_rows = summary.product_table(data, rules, asp, topic_labels, set(detail))
    anchors = {p: f"product-{i}" for i, p in enumerate(detail)}
    for r in product_rows:
        r["anchor"] = anchors.get(r["product"], "")

    chart_ctx = None
    if data.periods is not None:
        starts = charts.shown_periods(data, MAX_CHART_PERIODS)
        panel_products, n_quiet, n_thin = charts.panel_products(data, starts, opts.max_products, opts.min_volume) if len(products) > 1 else ([], 0, 0)
        chart_ctx = {
            "overview": charts.overview_chart(data, starts, opts.min_volume),
            "panels": charts.product_panels(data, panel_products, starts, opts.min_volume)["panels"] if panel_products else [],
            "n_shown": len(starts),
            "n_periods": len(data.periods.starts),
            "n_quiet": n_quiet,
            "n_thin": n_thin,
        }

    d = data.rows
    flag_words = d[["flags", "_w"]].assign(flags=d["flags"].astype("string").fillna("").str.split("|")).explode("flags")
    flag_counts = flag_words[flag_words["flags"] != ""].groupby("flags")["_w"].sum()
    flag_counts = flag_counts.sort_values(ascending=False, kind="stable")
    periods = data.periods
    context = {
        "title": opts.title,
        "headline": summary.headline(data, rules),
        "top_findings": top_findings,
        "findings": views,
        "counts": counts,
        "rules": rules,
        "rule": anomaly_rule(opts),
        "min_volume": opts.min_volume,
        "max_products": opts.max_products,
        "has_aspects": data.aspects is not None,
        "has_topics": data.topics is not None,
        "matrices": aspect_views.matrices(data, asp, findings, rules, opts.max_products),
        "product_cards": aspect_views.product_cards(data, asp, detail, findings, rules, opts.n_examples)
        if data.has_products or asp is not None
        else [],
        "high_rating": aspect_views.high_rating_complaints(data),
        "charts": chart_ctx,
        "alerts": sorted(
            (v for v in views if v["kind"] in ALERT_KINDS), key=lambda v: (v["period_start"], v["strength"]), reverse=True
        ),
        "unconfirmed": [
            {**asdict(u), "kind_ko": ANOMALY_KO.get(u.kind, u.kind)}
            for u in sorted(unconfirmed, key=lambda u: u.period, reverse=True)
        ],
        "anomaly_source": source,
        "products": product_rows,
        "show_domain": len(data.domain_set) > 1,
        "n_products": len(products),
        "period_name": periods.name_ko if periods else "",
        "last_period": periods.long_label(periods.starts[-1]) if periods else "",
        "topic_rows": t_rows,
        "cards": topic_views.topic_cards(data, t_rows, opts.max_topics, opts.n_examples, names),
        "intent_cols": [(lab, names.get(lab, lab)) for lab in data.intents if lab != "none"],
        "footer": {
            "version": _version(),
            "generated_at": (opts.generated_at or _dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
            "model": opts.model,
            "n_rows": int(total(d)),
            "n_topic_rows": int(wcount(d, "topic")) if data.topics is not None or d["topic"].notna().any() else None,
            "n_outliers": int(total(d[d["topic"] == -1])),
            "n_aspects": None if data.aspects is None else int(total(data.aspects)),
            "n_aspect_reviews": None if data.aspects is None else int(total(d[d["_has_aspect"]])),
            "n_no_date": int(total(d[d["created_at"].isna()])),
            "n_trend_rows": None if data.trends is None else len(data.trends),
            "flags": {FLAG_KO.get(f, f): int(n) for f, n in flag_counts.items()},
            "source": opts.source,
        },
    }
    return Report(render.render(context), findings, unconfirmed, _meta(data, opts, counts, source))


def build_report(
    scored: pd.DataFrame,
    doc_topics: pd.DataFrame | None = None,
    topics: pd.DataFrame | None = None,
    trends: pd.DataFrame | None = None,
    *,
    aspects: pd.DataFrame | None = None,
    columns: ColumnMap | None = None,
    options: ReportOptions | None = None,
    **option_overrides: Any,
) -> str:
    """The CX report as one self-contained HTML string (no external resources, a strict CSP).

    Args:
        scored: the output of ``nlp score`` (``id``, ``text``, ``sentiment``, ``sentiment_score``,
            ``intent``, ``flags`` ...; product, time and rating columns used when present).
        doc_topics: ``id``, ``topic`` (−1 = outlier), ``topic_prob``; ``None`` without topics.
        topics: ``topic``, ``size``, ``label``, ``keywords``, ``representative_ids`` ...; ``None`` without topics.
        trends: the optional long feature table of ``nlp trends`` (``unique_id``, ``ds``, ``anomaly_*`` ...).
        aspects: the aspect mentions of ``nlp aspects`` (``id``, ``aspect``, ``aspect_label``,
            ``polarity``, ``score``, ``evidence``, ``domain`` ...), joined to ``scored`` by id.
        columns: names of the text/id/product/time/rating columns in ``scored`` (and of the id in ``aspects``).
        options: a :class:`ReportOptions`; keyword arguments (``freq="M"``, ``model="..."``) override its fields.

    Returns:
        The HTML document.

    Raises:
        InputError: a required column is missing, or the ids of the tables do not match.

    Example:
        >>> html = build_report(scored, doc_topics, topics, aspects=aspects, model="ko-sentiment v1")  # doctest: +SKIP
        >>> "제품 × 측면" in html  # doctest: +SKIP
        True
    """
    return build(scored, doc_topics, topics, trends, aspects=aspects, columns=columns, options=options, **option_overrides).html


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("nlp-insight")
    except Exception:  # not installed (running from a source tree)
        return "dev"


def _read(obj: pd.DataFrame | str | os.PathLike, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    p = Path(obj)
    if not p.exists():
        raise InputError(f"{what} file {p} does not exist; check the path")
    return read_table(p)


@locks_output("output")
def write_report(
    output: str | os.PathLike,
    scored: pd.DataFrame | str | os.PathLike,
    topics: str | os.PathLike | tuple[pd.DataFrame, pd.DataFrame] | None = None,
    trends: pd.DataFrame | str | os.PathLike | None = None,
    *,
    aspects: pd.DataFrame | str | os.PathLike | None = None,
    columns: ColumnMap | None = None,
    options: ReportOptions | None = None,
    **option_overrides: Any,
) -> Path:
    """Build the report from files (or frames) and write it, and ``findings.json`` beside it, atomically.

    Args:
        output: the ``.html`` file to write; ``findings.json`` goes into the same directory.
        scored: the scored table (a path in any supported format, or a frame).
        topics: the ``nlp topics`` output directory, ``(doc_topics, topics)`` frames, or ``None``.
        trends: the optional trends table (path or frame).
        aspects: the optional aspect table of ``nlp aspects`` (path or frame).
        columns: column names in ``scored``.
        options: report options; keyword arguments override its fields.

    Returns:
        The path of the report.

    Example:
        >>> write_report("out/report.html", "out/scored.parquet", "out/topics", aspects="out/aspects.parquet")  # doctest: +SKIP
        PosixPath('out/report.html')
    """
    out = Path(output)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML file: name the output *.html (got {out.name})")
    if topics is None:
        doc_topics, topic_table = None, None
    else:
        doc_topics, topic_table = topics if isinstance(topics, tuple) else load_topic_tables(topics)
    frame = _read(scored, "scored")
    trend_frame = _read(trends, "trends") if trends is not None else None
    aspect_frame = _read(aspects, "aspects") if aspects is not None else None
    source = {"scored": str(scored) if not isinstance(scored, pd.DataFrame) else "(frame)"}
    for name, value in (("topics", topics), ("trends", trends), ("aspects", aspects)):
        if value is not None and not isinstance(value, (pd.DataFrame, tuple)):
            source[name] = str(value)
    opts = options or ReportOptions()
    if not opts.source:
        option_overrides.setdefault("source", source)
    report = build(
        frame, doc_topics, topic_table, trend_frame, aspects=aspect_frame, columns=columns, options=opts, **option_overrides
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out.parent / FINDINGS_FILE, report.findings_json())
    atomic_write_text(out, report.html)
    logger.info(
        "report: %d rows, %d findings, %d KB → %s (+ %s)",
        len(frame),
        len(report.findings),
        len(report.html.encode("utf-8")) // 1024,
        out,
        FINDINGS_FILE,
    )
    return out
