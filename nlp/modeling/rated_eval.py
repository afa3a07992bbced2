"""Sentiment measured against customers' own star ratings, per domain and pooled.

Real reviews are the yardstick: ``nlp evaluate sentiment --data PATH`` scores a rated table through exactly the path
``nlp score`` takes (cleaning, PII masking, the same model and precision) and compares the result with labels
derived from the stars. It runs on ``../shared/corpora/real_reviews`` (its ``evaluation-only`` rows by default) and on
any table with a text and a rating or label column.

Labels from stars (the real-reviews datasheet's rule), with r = rating / rating_scale:
positive if r >= 0.8, negative if r <= 0.4, neutral otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.modeling.metrics import expected_calibration_error
from nlp.schema import INTENT_LABELS, SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = ["labels_from_ratings", "rated_report", "evaluate_rated", "evaluate_labelled_intent", "score_like_cli", "id_half", "MIN_NEGATIVES_PER_DOMAIN"]

SENTIMENT = list(SENTIMENT_LABELS)
#: domains with fewer negatives than this get figures but no per-domain target (their negative class is noise)
MIN_NEGATIVES_PER_DOMAIN = 100


def id_half(row_id: str) -> str:
    """``dev`` or ``test``: a fixed half of a rated set by the parity of md5(id), for model selection on real data.

    Example:
        >>> id_half("ygy-000000-1") in ("dev", "test")
        True
    """
    return "dev" if int(hashlib.md5(row_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def labels_from_ratings(rating: pd.Series, scale: pd.Series | float = 5.0) -> pd.Series:
    """Star ratings → negative/neutral/positive (r >= 0.8 positive, r <= 0.4 negative).

    Example:
        >>> labels_from_ratings(pd.Series([1.0, 3.0, 5.0, None])).tolist()
        ['negative', 'neutral', 'positive', None]
    """
    r = pd.to_numeric(rating, errors="coerce") / (pd.to_numeric(scale, errors="coerce") if isinstance(scale, pd.Series) else float(scale))
    out = pd.Series(np.where(r >= 0.8 - 1e-9, "positive", np.where(r <= 0.4 + 1e-9, "negative", "neutral")), index=rating.index, dtype=object)
    return out.where(r.notna(), None)


def _macro_f1(gold: np.ndarray, pred: np.ndarray, labels: list[str]) -> float:
    from sklearn.metrics import f1_score

    present = [lab for lab in labels if (gold == lab).any()]
    return float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)) if len(gold) and present else float("nan")


def _block(gold: np.ndarray, pred3: np.ndarray, score: np.ndarray, probs: np.ndarray) -> dict:
    polar = gold != "neutral"
    # binary: the sign of sentiment_score on 1-2 vs 4-5 stars; an unscored row (filler, empty) counts as a miss
    pred2 = np.where(np.isnan(score), "none", np.where(score >= 0, "positive", "negative"))
    neg_pred, neg_gold = pred3 == "negative", gold == "negative"
    tp = int((neg_pred & neg_gold).sum())
    scored = ~np.isnan(probs).any(axis=1)
    y = np.array([SENTIMENT.index(g) for g in gold])
    return {
        "n": int(len(gold)),
        "n_negative": int(neg_gold.sum()),
        "n_neutral": int((gold == "neutral").sum()),
        "unscored": int((~scored).sum()),
        "binary_macro_f1": _macro_f1(gold[polar], pred2[polar], ["negative", "positive"]),
        "macro_f1_3way": _macro_f1(gold, pred3, SENTIMENT),
        "negative_precision": tp / neg_pred.sum() if neg_pred.any() else float("nan"),
        "negative_recall": tp / neg_gold.sum() if neg_gold.any() else float("nan"),
        "predicted_negative_share": float(neg_pred.mean()) if len(gold) else float("nan"),
        "gold_negative_share": float(neg_gold.mean()) if len(gold) else float("nan"),
        "ece": expected_calibration_error(probs[scored], y[scored]) if scored.any() else float("nan"),
    }


def rated_report(scored: pd.DataFrame, gold: pd.Series, groups: pd.Series | None = None) -> dict:
    """Per-group and pooled figures for a scored table against gold labels.

    Args:
        scored: ``nlp score`` output (``sentiment``, ``sentiment_score``, ``sentiment_<label>``).
        gold: negative/neutral/positive per row (rows with a missing label are left out).
        groups: optional domain per row.

    Returns:
        ``{"pooled": {...}, "by_group": {name: {...}}}``: binary macro-F1 (1-2 vs 4-5 stars, sign of
        ``sentiment_score``), 3-way macro-F1, negative precision/recall, predicted vs gold negative share and ECE.
    """
    keep = gold.notna().to_numpy()
    g = gold.to_numpy()[keep].astype(str)
    pred3 = scored["sentiment"].astype(object).where(scored["sentiment"].notna(), "neutral").to_numpy()[keep].astype(str)
    score = pd.to_numeric(scored["sentiment_score"], errors="coerce").to_numpy(dtype=float)[keep]
    probs = scored[[f"sentiment_{lab}" for lab in SENTIMENT]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)[keep]
    out: dict = {"pooled": _block(g, pred3, score, probs), "by_group": {}}
    if groups is not None:
        gr = groups.to_numpy()[keep]
        for name in sorted(pd.unique(gr).tolist(), key=str):
            m = gr == name
            out["by_group"][str(name)] = _block(g[m], pred3[m], score[m], probs[m])
    return out


def score_like_cli(
    texts: pd.Series,
    model_dir: str | Path | None = None,
    quantize: bool = False,
    recheck: float | None = None,
    backend: str | None = None,
    keep_scored: str | Path | None = None,
    scorer=None,
) -> pd.DataFrame:
    """Score texts through ``nlp score``'s own path (cleaning, PII masking, flags, the same model settings).

    ``scorer``: a loaded :class:`~nlp.scoring.Scorer` to use instead of loading ``model_dir``.
    Returns the scored rows indexed like ``texts``; a row the scorer rejected has missing scores.
    """
    from nlp.io.columns import ColumnMap
    from nlp.io.tables import read_table
    from nlp.scoring.table import score_table

    ids = [f"row{i}" for i in range(len(texts))]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "texts.parquet"
        pd.DataFrame({"id": ids, "text": texts.astype("string").to_numpy()}).to_parquet(src)
        out = Path(keep_scored) if keep_scored else Path(tmp) / "scored.parquet"
        if scorer is not None:
            stats = score_table(src, out, ColumnMap(), scorer=scorer)
        else:
            stats = score_table(src, out, ColumnMap(), model_dir=model_dir, quantize=quantize, recheck=recheck, backend=backend)
        scored = read_table(out)
    if stats.rejected_rows:
        logger.warning("%d rows were rejected by the scorer and are left out", stats.rejected_rows)
    scored = scored.set_index(scored["id"].astype(str)).reindex(ids)
    scored.index = texts.index
    return scored


def evaluate_labelled_intent(
    data: str | Path,
    model_dir: str | Path | None = None,
    text_col: str = "text",
    label_col: str = "intent",
    group_col: str | None = "domain",
    min_support: int = 30,
    quantize: bool = False,
    recheck: float | None = None,
    backend: str | None = None,
    scorer=None,
) -> dict:
    """Purchase intent against a labelled table (e.g. the real-review set built by ``corpora/real_aspects/draw.py``).

    Reports per-label P/R/F1, macro-F1 over all labels present and over the labels with at least ``min_support``
    gold examples (rare labels make a macro average noisy), pooled and per group.
    """
    from nlp.io.tables import read_table
    from nlp.modeling.metrics import classification_report

    df = read_table(data)
    for col in (text_col, label_col):
        if col not in df.columns:
            raise ValueError(f"data: no column {col!r} (columns: {list(df.columns)})")
    df = df[df[label_col].isin(INTENT_LABELS)].reset_index(drop=True)
    scored = score_like_cli(df[text_col], model_dir, quantize=quantize, recheck=recheck, backend=backend, scorer=scorer)
    pred = scored["intent"].astype(object).where(scored["intent"].notna(), "none").astype(str).tolist()
    gold = df[label_col].astype(str).tolist()

    def block(idx: list[int]) -> dict:
        g, p = [gold[i] for i in idx], [pred[i] for i in idx]
        rep = classification_report(g, p, INTENT_LABELS)
        frequent = [lab for lab in INTENT_LABELS if g.count(lab) >= min_support]
        rep["macro_f1_frequent"] = classification_report(g, p, frequent)["macro_f1"] if frequent else float("nan")
        rep["frequent_labels"] = frequent
        return rep

    model = str(model_dir or "default") if scorer is None else "a given scorer"
    res = {"data": str(data), "model": model, "quantized": quantize if scorer is None else scorer.quantized, "min_support": min_support, "pooled": block(list(range(len(df)))), "by_group": {}}
    if group_col and group_col in df.columns:
        for name, g in df.groupby(group_col).groups.items():
            res["by_group"][str(name)] = block(list(g))
    return res


def evaluate_rated(
    data: str | Path,
    model_dir: str | Path | None = None,
    text_col: str = "text",
    rating_col: str = "rating",
    scale_col: str | None = "rating_scale",
    label_col: str | None = "label",
    group_col: str | None = "domain",
    use: str | None = "evaluation-only",
    quantize: bool = False,
    recheck: float | None = None,
    backend: str | None = None,
    keep_scored: str | Path | None = None,
    split: str = "all",
    scorer=None,
) -> dict:
    """Score a rated table the way ``nlp score`` does and compare with its star-derived labels.

    Args:
        data: table with ``text_col`` and a rating (``rating_col``, with ``scale_col`` or a 5-point scale) or a
            ``label_col`` of negative/neutral/positive (used where present, e.g. for binary-labelled rows).
        use: keep only rows whose ``use`` column equals this (the real-reviews set marks its held-out rows
            ``evaluation-only``); ``None`` keeps all rows.
        keep_scored: also write the scored rows here (to re-read them or inspect errors).
        split: ``dev`` or ``test`` keep the rows whose id falls in that half (:func:`id_half`), so choices made on
            dev are reported on test; ``all`` keeps every row.
        scorer: a loaded :class:`~nlp.scoring.Scorer` (e.g. a cascade) instead of ``model_dir`` and its settings.
    """
    from nlp.io.tables import read_table

    df = read_table(data)
    if use is not None and "use" in df.columns:
        df = df[df["use"] == use]
    if split != "all":
        if split not in ("dev", "test") or "id" not in df.columns:
            raise ValueError(f"split must be all, dev or test (dev/test need an 'id' column); got {split!r}")
        df = df[df["id"].astype(str).map(id_half) == split]
    if text_col not in df.columns:
        raise ValueError(f"data: no column {text_col!r} (columns: {list(df.columns)}); pass text_col")
    if label_col and label_col in df.columns:
        gold = df[label_col].where(df[label_col].isin(SENTIMENT), None)
    else:
        gold = pd.Series(None, index=df.index, dtype=object)
    if rating_col in df.columns:
        scale = df[scale_col] if scale_col and scale_col in df.columns else 5.0
        gold = gold.where(gold.notna(), labels_from_ratings(df[rating_col], scale))
    if gold.isna().all():
        raise ValueError(f"data: no usable labels; give a {rating_col!r} column (with {scale_col!r} or 5-point stars) or {label_col!r}")
    df = df.reset_index(drop=True)
    gold = gold.reset_index(drop=True)
    scored = score_like_cli(df[text_col], model_dir, quantize=quantize, recheck=recheck, backend=backend, keep_scored=keep_scored, scorer=scorer)
    res = rated_report(scored, gold, df[group_col] if group_col and group_col in df.columns else None)
    model = str(model_dir or "default") if scorer is None else "a given scorer"
    res.update({"data": str(data), "model": model, "quantized": quantize if scorer is None else scorer.quantized, "rows": int(len(df)), "use": use, "split": split})
    return res
