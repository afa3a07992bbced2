"""``nlp evaluate aspect-stars``: aspect scores against the customers' own aspect stars.

Some platforms let customers rate aspects apart from the overall stars: taste, quantity and
delivery in delivery apps (맛 / 양 / 배달), durability, price and design for furniture. Where a table
holds such columns, they are a label nobody had to write: a review whose taste star is 1–2 should
get a lower taste score from ``nlp aspects`` than one whose taste star is 5.

For each aspect key mapped to a star column (``taste=맛``), over the reviews whose star is low
(≤ ``low``, default 2) or high (≥ ``high``, default 5):

* **auc_mentioned**: the ROC AUC with which the review's aspect ``score`` (positive − negative
  probability of the clause behind it; one row per review × aspect) separates high from low, over
  the reviews that mention the aspect;
* **coverage**: the share of those rated reviews that mention it at all;
* **auc_all**: the same AUC over every rated review, a review that does not mention the aspect
  scoring 0 (no opinion found), so it measures finding the aspect as well as judging it.

The key ``any`` compares the mean score over all of a review's aspects with a column, e.g. the
overall stars (``any=rating``), for tables without aspect stars. Star cells that are not numbers
(a crawler's "별점X", blanks) leave the review out of that key and are counted (``unrated``).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["맛있어요 최고", "맛이 없어요", "너무 맛있네요", "맛없고 짜요"], "맛": [5, 1, 5, "별점X"]})
    >>> r = evaluate_aspect_stars(df, {"taste": "맛"}, domain="food", rules_only=True)
    >>> r["pooled"]["taste"]["auc_mentioned"], r["pooled"]["taste"]["unrated"]
    (1.0, 1)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["parse_star_columns", "star_auc", "evaluate_aspect_stars", "ANY"]

ANY = "any"
"""The key that compares a review's mean score over all its aspects with a column (e.g. the overall stars)."""


def parse_star_columns(specs: Sequence[str]) -> dict[str, str]:
    """``["taste=맛", "quantity=양"]`` (or one ``"taste=맛,quantity=양"``) → ``{"taste": "맛", "quantity": "양"}``.

    Example:
        >>> parse_star_columns(["taste=맛,quantity=양", "any=rating"])
        {'taste': '맛', 'quantity': '양', 'any': 'rating'}
    """
    out: dict[str, str] = {}
    for spec in specs:
        for part in str(spec).split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, col = part.partition("=")
            if not sep or not key.strip() or not col.strip():
                raise ValueError(f"star column {part!r} is not KEY=COLUMN (e.g. taste=맛, delivery=배달, or any=rating for the overall stars)")
            out[key.strip()] = col.strip()
    if not out:
        raise ValueError("no star column given; pass KEY=COLUMN, e.g. --stars taste=맛,quantity=양,delivery=배달")
    return out


def star_auc(scores: Sequence[float], stars: Sequence[float], low: float = 2.0, high: float = 5.0) -> dict:
    """ROC AUC with which ``scores`` separate high stars (≥ ``high``) from low ones (≤ ``low``); others are left out.

    Ties count half (Mann–Whitney). ``auc`` is ``None`` when either side is empty.

    Example:
        >>> star_auc([0.9, -0.8, 0.1, 0.5], [5, 1, 2, 3])
        {'auc': 1.0, 'low': 2, 'high': 1}
    """
    from scipy.stats import rankdata

    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(stars, dtype=np.float64)
    lo, hi = y <= low, y >= high
    n_lo, n_hi = int(lo.sum()), int(hi.sum())
    if not n_lo or not n_hi:
        return {"auc": None, "low": n_lo, "high": n_hi}
    keep = lo | hi
    r = rankdata(s[keep])
    pos = hi[keep]
    auc = (r[pos].sum() - n_hi * (n_hi + 1) / 2) / (n_hi * n_lo)
    return {"auc": round(float(auc), 4), "low": n_lo, "high": n_hi}


def _key_block(review_scores: Mapping[int, float], stars: pd.Series, low: float, high: float) -> dict:
    """Figures of one key over the rows of ``stars`` (index = row number); ``review_scores``: row → aspect score."""
    num = pd.to_numeric(stars, errors="coerce")
    unrated = int(num.isna().sum())
    rated = num.dropna()
    rated = rated[(rated <= low) | (rated >= high)]
    rows = rated.index.to_numpy()
    mentioned = np.array([r in review_scores for r in rows], dtype=bool)
    vals = rated.to_numpy(dtype=np.float64)
    sc = np.array([review_scores.get(r, 0.0) for r in rows], dtype=np.float64)
    m = star_auc(sc[mentioned], vals[mentioned], low, high)
    a = star_auc(sc, vals, low, high)
    n_lo, n_hi = int((vals <= low).sum()), int((vals >= high).sum())
    return {
        "low": n_lo,
        "high": n_hi,
        "unrated": unrated,
        "mentioned_low": m["low"],
        "mentioned_high": m["high"],
        "coverage": round(float(mentioned.mean()), 4) if len(rows) else None,
        "auc_mentioned": m["auc"],
        "auc_all": a["auc"],
    }


def evaluate_aspect_stars(
    data: str | Path | pd.DataFrame,
    stars: Mapping[str, str],
    domain: str = "auto",
    taxonomy=None,
    scorer=None,
    model_dir: str | Path | None = None,
    quantize: bool = True,
    backend: str | None = None,
    text_col: str = "text",
    product_col: str = "product_id",
    domain_col: str | None = None,
    by: str | None = None,
    low: float = 2.0,
    high: float = 5.0,
    **extractor_kwargs,
) -> dict:
    """Run the aspect stage on ``data`` and compare each mapped aspect's score with its star column.

    Args:
        data: a table (file or frame) with the text and the star columns.
        stars: aspect key → star column (``{"taste": "맛"}``); the key ``any`` takes a review's mean over all its aspects.
        domain / taxonomy / domain_col: as for ``nlp aspects`` (a key must be an aspect of the domain its rows get).
        scorer / model_dir / quantize / backend: the scorer for clause polarity (int8 by default, as ``nlp aspects``).
        text_col / product_col: the input columns (the product decides ``--domain auto``; absent = one product).
        by: also give the figures per value of this column (e.g. ``domain`` or a platform).
        low / high: the star bounds of the two sides (≤ low against ≥ high).
        **extractor_kwargs: options of :class:`~nlp.aspects.extract.AspectExtractor` (``rules_only`` ...).

    Returns:
        ``{"n_reviews", "pooled": {key: figures}, "by": {value: {key: figures}}, "with_aspects", "stars": ...}``.
    """
    from nlp.aspects.extract import AspectExtractor
    from nlp.aspects.taxonomy import Taxonomy
    from nlp.io.columns import ColumnMap
    from nlp.io.tables import read_table

    if low >= high:
        raise ValueError(f"low ({low}) must be below high ({high})")
    frame = data if isinstance(data, pd.DataFrame) else read_table(data)
    stars = dict(stars)
    need = [text_col] + list(stars.values()) + ([domain_col] if domain_col else []) + ([by] if by else [])
    missing = [c for c in dict.fromkeys(need) if c not in frame.columns]
    if missing:
        raise ValueError(f"the table lacks columns {missing}; it has {list(frame.columns)[:30]}")
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else Taxonomy.load(taxonomy)
    known = set().union(*[set(tax[d].keys) for d in tax.names])
    unknown = [k for k in stars if k != ANY and k not in known]
    if unknown:
        raise ValueError(f"unknown aspect keys {unknown}; use keys of the taxonomy (e.g. taste, quantity, delivery) or {ANY!r}")
    work = pd.DataFrame({"id": np.arange(len(frame)).astype(str), "text": frame[text_col].to_numpy()})
    if product_col in frame.columns:
        work["product_id"] = frame[product_col].to_numpy()
    if domain_col:
        work[domain_col] = frame[domain_col].to_numpy()
    if scorer is None and not extractor_kwargs.get("rules_only"):
        from nlp.scoring.scorer import Scorer

        scorer = Scorer.load(model_dir, quantize=quantize, backend=backend)
    ex = AspectExtractor(domain=domain, taxonomy=tax, scorer=scorer, columns=ColumnMap(), domain_col=domain_col, **extractor_kwargs).fit()
    rows = ex.transform(work)
    per_key: dict[str, dict[int, float]] = {}
    every: dict[int, list[float]] = {}
    for rid, key, score in zip(rows["id"].astype(int), rows["aspect"], rows["score"].astype(float)):
        per_key.setdefault(key, {})[rid] = score
        every.setdefault(rid, []).append(score)
    per_key[ANY] = {r: float(np.mean(v)) for r, v in every.items()}
    frame = frame.reset_index(drop=True)
    out: dict = {"n_reviews": len(frame), "with_aspects": len(every), "stars": stars, "low": low, "high": high, "pooled": {}}
    for key, col in stars.items():
        out["pooled"][key] = {"column": col, **_key_block(per_key.get(key, {}), frame[col], low, high)}
    if by:
        out["by"] = {}
        for val, idx in frame.groupby(by, dropna=False, sort=True).groups.items():
            out["by"][str(val)] = {key: {"column": col, **_key_block(per_key.get(key, {}), frame.loc[idx, col], low, high)} for key, col in stars.items()}
    return out
