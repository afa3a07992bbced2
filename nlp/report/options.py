"""What the report shows and the rules its findings must meet: :class:`ReportOptions`, :class:`FindingRules`."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

from nlp.periods import DEFAULT_TZ

__all__ = ["FindingRules", "ReportOptions", "Freq"]

Freq = Literal["auto", "W", "M"]


@dataclass(frozen=True)
class FindingRules:
    """The evidence a finding or alert needs before the report states it (``docs/report.md``).

    Attributes:
        min_reviews: fewest reviews on *each* side of a comparison of review shares (a
            product against the other products, a period against its baseline) and for a
            volume alert.
        min_mentions: fewest aspect mentions on each side of an aspect comparison (and fewest
            reviews of a topic in a period for an emerging-topic alert); matrix cells with fewer
            mentions are greyed and never coloured.
        fdr: false discovery rate of the Benjamini-Hochberg cut over all the tests of one
            report (0.05: of the findings kept, about 5% or fewer are expected to be chance).
        min_share_effect: smallest difference of two review shares worth a finding (0.05 = 5
            percentage points), however small the p-value.
        min_net_effect: smallest difference of two aspect net sentiments (in [-2, 2]).
        min_rate_ratio: smallest ratio of a period's review rate to its baseline for a volume alert.
        baseline_periods: complete periods before a period that form its baseline (pooled);
            the anomaly rule's trailing window.

    Example:
        >>> FindingRules().min_reviews
        30
    """

    min_reviews: int = 30
    min_mentions: int = 20
    fdr: float = 0.05
    min_share_effect: float = 0.05
    min_net_effect: float = 0.10
    min_rate_ratio: float = 1.5
    baseline_periods: int = 8

    def __post_init__(self) -> None:
        for name in ("min_reviews", "min_mentions", "baseline_periods"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0 < self.fdr < 1:
            raise ValueError(f"fdr must be between 0 and 1 (e.g. 0.05), got {self.fdr!r}")
        for name in ("min_share_effect", "min_net_effect"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}")
        if not self.min_rate_ratio >= 1:
            raise ValueError(f"min_rate_ratio must be >= 1, got {self.min_rate_ratio!r}")


@dataclass
class ReportOptions:
    """What the report shows and how; validated on creation.

    Attributes:
        freq: period of the time charts and period findings: ``W`` weekly, ``M`` monthly,
            ``auto`` from the span (:func:`nlp.periods.auto_freq`: weekly up to about six
            months) or from the trends table's ``ds`` spacing.
        max_topics: topics that get a detail card (largest first).
        n_examples: reviews (or clauses) shown per topic card, finding and alert.
        min_volume: the anomaly rule's minimum volume (reviews in a period before it can be
            flagged), when the flags are computed from the rows (no trends table); also the
            fewest reviews a period needs to be drawn in the per-product charts.
        max_products: products shown in detail (aspect matrix, product cards, charts), the
            most reviewed first; every product is in the searchable tables.
        max_findings: findings listed at the top of the report (all are in ``findings.json``).
        domain: the review domain (``lodging``, ``food``, ``shopping`` ...) for display names
            such as 재방문 / 재구매; by default each product's domain from the aspect table.
        rules: the evidence findings and alerts need (:class:`FindingRules`).
        title: the report title.
        model: a note on the model that scored the rows, shown in the footer.
        generated_at: timestamp in the footer (default: now); fixed in tests.
        tz: time zone periods are counted in (:mod:`nlp.periods`): timestamps with an offset
            are converted to it, naive ones taken as its wall-clock time, as in ``nlp trends``.
        source: input paths shown in the footer.
    """

    freq: Freq = "auto"
    max_topics: int = 8
    n_examples: int = 3
    min_volume: int = 5
    max_products: int = 12
    max_findings: int = 8
    domain: str | None = None
    rules: FindingRules = field(default_factory=FindingRules)
    title: str = "고객 리뷰 인사이트 리포트"
    model: str | None = None
    generated_at: _dt.datetime | None = None
    source: dict[str, str] = field(default_factory=dict)
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.freq not in ("auto", "W", "M"):
            raise ValueError(f"freq={self.freq!r} is not supported; use 'auto', 'W' (weekly) or 'M' (monthly)")
        for name in ("max_topics", "n_examples", "min_volume", "max_products", "max_findings"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.rules, FindingRules):
            raise TypeError(f"rules must be a FindingRules, got {type(self.rules).__name__}")
