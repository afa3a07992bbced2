"""``nlp evaluate topics --real-aspects FILE``: topics on real reviews against their labelled aspects.

The labelled file is the real aspect set rebuilt locally (``corpora/real_aspects/draw.py
--materialise``: ``id``, ``domain``, ``taxonomy``, ``chunk``, ``text``, ``aspects`` such as
``taste:+;delivery:-``). Its texts are never committed. Per taxonomy (food, app, cosmetics,
shopping), topics are fitted as a user would run ``nlp topics`` on one export: on every review
of the taxonomy's source domains in the context corpus (``../shared/corpora/real_reviews``,
its evaluation-only rows; the labelled reviews are among them), with the product column as
names. Only the labelled reviews of the chosen ``chunk`` (A: development, B: test) are scored:

* **NMI (first aspect)**: between the topic and the first aspect key of each review with at
  least one aspect; the generic group and the outliers count as two more clusters;
* **NMI (single aspect)**: the same over the reviews with exactly one aspect;
* **generic share**: labelled reviews in the generic group, and how many of those have no
  aspect at all (``generic_no_aspect``: the rule's precision against the labels), and the
  share of aspect-less reviews that it catches (``no_aspect_generic``);
* **catch-all share**: the largest topic's share of all the taxonomy's reviews (the context),
  and the **outlier** and **generic** shares there;
* **product NMI**: between topic and product over the context's clustered reviews (lower:
  topics less defined by which product a review is about).

Figures are pooled over taxonomies, weighted by their labelled reviews.

Example:
    >>> report = evaluate_real_aspects("runs/real_aspects.csv", chunk="A")  # doctest: +SKIP
    >>> print(format_real_report(report))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["evaluate_real_aspects", "format_real_report", "DEFAULT_REAL_CONTEXT", "real_topic_scores"]

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REAL_CONTEXT = _ROOT.parent / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"


def _first_aspect(value: Any) -> tuple[str | None, int]:
    if not isinstance(value, str) or not value.strip():
        return None, 0
    keys = [part.split(":", 1)[0].strip() for part in value.split(";") if part.strip()]
    return (keys[0] if keys else None), len(keys)


def real_topic_scores(
    topics: np.ndarray, aspects: pd.Series, generic_topic: int = -2
) -> dict[str, float | int]:
    """NMI and generic-group figures for labelled reviews (``aspects`` as ``key:pol;key:pol``).

    Example:
        >>> r = real_topic_scores(np.array([0, 0, 1, -2]), pd.Series(["taste:+", "taste:-", "price:+", ""]))
        >>> round(r["nmi_first"], 3), r["generic_share"], r["generic_no_aspect"]
        (1.0, 0.25, 1.0)
    """
    from sklearn.metrics import normalized_mutual_info_score

    t = np.asarray(topics)
    first, count = zip(*(_first_aspect(v) for v in aspects)) if len(aspects) else ((), ())
    first_arr = np.array([f if f is not None else "" for f in first], dtype=object)
    count_arr = np.asarray(count, dtype=int)
    has = count_arr >= 1
    single = count_arr == 1
    generic = t == generic_topic
    no_aspect = ~has

    def nmi(mask: np.ndarray) -> float:
        return float(normalized_mutual_info_score(first_arr[mask], t[mask])) if mask.sum() > 1 else float("nan")

    return {
        "n": int(len(t)),
        "n_with_aspect": int(has.sum()),
        "n_single_aspect": int(single.sum()),
        "nmi_first": nmi(has),
        "nmi_single": nmi(single),
        "generic_share": float(generic.mean()) if len(t) else float("nan"),
        "outlier_share": float((t == -1).mean()) if len(t) else float("nan"),
        "generic_no_aspect": float(no_aspect[generic].mean()) if generic.any() else float("nan"),
        "no_aspect_generic": float(generic[no_aspect].mean()) if no_aspect.any() else float("nan"),
    }


def _context_scores(topics: np.ndarray, products: pd.Series, generic_topic: int = -2) -> dict[str, float | int]:
    from sklearn.metrics import normalized_mutual_info_score

    t = np.asarray(topics)
    real = t >= 0
    sizes = pd.Series(t[real]).value_counts()
    out: dict[str, float | int] = {
        "n_context": int(len(t)),
        "n_topics": int(len(sizes)),
        "catch_all_share": float(sizes.iloc[0] / len(t)) if len(sizes) else float("nan"),
        "catch_all_share_clustered": float(sizes.iloc[0] / max(1, int((t != generic_topic).sum()))) if len(sizes) else float("nan"),
        "context_generic_share": float((t == generic_topic).mean()),
        "context_outlier_share": float((t == -1).mean()),
    }
    p = products.fillna("").astype(str).to_numpy()
    keep = real & (p != "")
    out["nmi_product"] = float(normalized_mutual_info_score(p[keep], t[keep])) if keep.sum() > 1 and len(set(p[keep])) > 1 else float("nan")
    return out


def evaluate_real_aspects(
    labelled: str | os.PathLike | pd.DataFrame,
    context: str | os.PathLike | None = DEFAULT_REAL_CONTEXT,
    chunk: str = "A",
    seed: int = 42,
    model_dir: str | os.PathLike | None = None,
    int8: bool = False,
    embedder=None,
    fit_sample: int | None = None,
    taxonomies: list[str] | None = None,
    product_names: bool = True,
    **model_options,
) -> dict[str, Any]:
    """Fit topics per taxonomy on real reviews and score them against the labelled aspects of one chunk.

    Args:
        labelled: the materialised real aspect set (a CSV path or a frame).
        context: the corpus topics are fitted on (the real-review parquet: ``id``, ``text``,
            ``domain``, ``product``, ``use``); ``None`` fits on the labelled reviews alone.
        chunk: ``A`` (development), ``B`` (test) or ``all``.
        seed: UMAP seed.
        model_dir: encoder (default: the base e5).
        int8: the int8 topic encoder.
        embedder: an object with ``encode`` instead of ``model_dir`` (cached embeddings, tests).
        fit_sample: ``topics_table``'s ``fit_sample`` (default: its own).
        taxonomies: only these taxonomies (default: all in the file).
        product_names: give the product column's values to the model as names (as ``nlp topics`` does).
        **model_options: :class:`~nlp.topics.model.TopicModel` options (``generic_group``,
            ``mask_names``, ``n_components`` ...).

    Returns:
        A JSON-friendly dict: settings, per-taxonomy figures and topic labels, and the pooled figures.
    """
    from nlp.text.normalize import normalize
    from nlp.text.pii import mask_pii
    from nlp.topics.embedder import ProjectEmbedder
    from nlp.topics.model import TopicModel
    from nlp.topics.table import FIT_SAMPLE, fit_and_assign

    if chunk not in ("A", "B", "all"):
        raise ValueError(f"chunk must be A (development), B (test) or all, got {chunk!r}")
    lab = labelled.copy() if isinstance(labelled, pd.DataFrame) else pd.read_csv(labelled)
    missing = {"id", "domain", "taxonomy", "chunk", "text", "aspects"} - set(lab.columns)
    if missing:
        raise ValueError(
            f"{labelled if not isinstance(labelled, pd.DataFrame) else 'the labelled table'} lacks column(s) {sorted(missing)}; "
            "expected the file written by `python corpora/real_aspects/draw.py --materialise OUT.csv`"
        )
    ctx = None
    if context is not None:
        if not Path(context).is_file():
            raise FileNotFoundError(f"context corpus {context} not found; pass context=PATH or context=None")
        ctx = pd.read_parquet(context, columns=["id", "text", "domain", "product", "use"])
        ctx = ctx[ctx["use"] == "evaluation-only"]
    emb_model = embedder if embedder is not None else ProjectEmbedder(str(model_dir) if model_dir else None, int8=int8)
    prep = lambda texts: [m for m, _ in mask_pii(normalize([str(t) for t in texts]))]  # noqa: E731
    sample = FIT_SAMPLE if fit_sample is None else fit_sample
    per: dict[str, Any] = {}
    for tax in sorted(taxonomies or lab["taxonomy"].unique()):
        t0 = time.perf_counter()
        rows = lab[lab["taxonomy"] == tax]
        if ctx is not None:
            corpus = ctx[ctx["domain"].isin(set(rows["domain"]))][["id", "text", "product"]]
            extra = rows[~rows["id"].isin(corpus["id"])]
            corpus = pd.concat([corpus, extra[["id", "text"]].assign(product=extra.get("product"))], ignore_index=True)
        else:
            corpus = rows[["id", "text"]].assign(product=rows["product"] if "product" in rows else None).reset_index(drop=True)
        texts = prep(corpus["text"])
        live = np.array([bool(t.strip()) for t in texts])
        names = sorted({str(v) for v in corpus["product"].dropna().unique() if str(v).strip()}) if product_names else []
        model = TopicModel(emb_model, seed=seed, names=names, **model_options)
        idx = np.flatnonzero(live)
        topics = np.full(len(texts), -1, dtype=int)
        topics[idx], _, _ = fit_and_assign(model, [texts[i] for i in idx], None, sample, seed)
        by_id = pd.Series(topics, index=corpus["id"].astype(str).to_numpy())
        scored = rows if chunk == "all" else rows[rows["chunk"] == chunk]
        r: dict[str, Any] = real_topic_scores(by_id.loc[scored["id"].astype(str)].to_numpy(), scored["aspects"])
        r.update(_context_scores(topics, corpus["product"]))
        r["seconds"] = round(time.perf_counter() - t0, 1)
        sizes = pd.Series(topics).value_counts()
        r["topics"] = [
            {"topic": int(k), "size": int(sizes.get(k, 0)), "label": model.labels_.get(int(k), ""), "keywords": model.keywords_.get(int(k), [])[:8]}
            for k in sorted(model.labels_, key=lambda k: -int(sizes.get(k, 0)))
        ]
        per[tax] = r
        logger.info("%s: %d topics, NMI %.3f, generic %.2f, catch-all %.2f (%.0f s)", tax, r["n_topics"], r["nmi_first"], r["generic_share"], r["catch_all_share"], r["seconds"])
    keys = ["nmi_first", "nmi_single", "generic_share", "outlier_share", "generic_no_aspect", "no_aspect_generic",
            "catch_all_share", "catch_all_share_clustered", "context_generic_share", "context_outlier_share", "nmi_product"]
    weights = {tax: r["n"] for tax, r in per.items()}
    pooled = {}
    for k in keys:
        vals = [(per[t][k], w) for t, w in weights.items() if not np.isnan(per[t][k])]
        pooled[k] = float(sum(v * w for v, w in vals) / sum(w for _, w in vals)) if vals else float("nan")
    pooled["n"] = int(sum(weights.values()))
    return {
        "settings": {
            "labelled": str(labelled) if not isinstance(labelled, pd.DataFrame) else "<frame>",
            "context": str(context) if context is not None else None,
            "chunk": chunk,
            "seed": seed,
            "int8": int8,
            "fit_sample": sample,
            "product_names": product_names,
            "model_options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model_options.items()},
        },
        "taxonomies": per,
        "pooled": pooled,
    }


_REAL_ROWS = [
    ("n", "labelled reviews", "{:d}"),
    ("nmi_first", "NMI vs first aspect", "{:.3f}"),
    ("nmi_single", "NMI vs aspect (single-aspect reviews)", "{:.3f}"),
    ("generic_share", "generic group share (labelled)", "{:.3f}"),
    ("generic_no_aspect", "generic group: share without aspect", "{:.3f}"),
    ("no_aspect_generic", "aspect-less reviews put in the generic group", "{:.3f}"),
    ("outlier_share", "outlier share (labelled)", "{:.3f}"),
    ("catch_all_share", "catch-all: largest topic / all reviews", "{:.3f}"),
    ("catch_all_share_clustered", "catch-all: largest topic / clustered reviews", "{:.3f}"),
    ("context_generic_share", "generic group share (all reviews)", "{:.3f}"),
    ("context_outlier_share", "outlier share (all reviews)", "{:.3f}"),
    ("nmi_product", "NMI topic vs product (lower: fewer product topics)", "{:.3f}"),
    ("n_topics", "topics", "{:d}"),
]


def format_real_report(report: Mapping[str, Any]) -> str:
    """One column per taxonomy and the pooled figures (plain text, Markdown-compatible)."""
    taxes = list(report["taxonomies"])
    lines = ["| measure | " + " | ".join(taxes) + " | pooled |", "|---" * (len(taxes) + 2) + "|"]
    for key, name, fmt in _REAL_ROWS:
        cells = []
        for t in taxes + ["pooled"]:
            v = report["pooled"].get(key) if t == "pooled" else report["taxonomies"][t].get(key)
            cells.append("—" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
