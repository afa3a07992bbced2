"""``nlp evaluate aspects``: aspect mentions and their polarity against a labelled set, beside a baseline.

Gold: a CSV ``id,aspects[,intent]`` with ``aspects`` as ``key:pol`` pairs joined by ``;`` (pol is
``+``, ``-`` or ``0``; empty = no aspect), one line per labelled review, and the texts joined by
id from another table (``id``, ``text`` and the row's domain, e.g. ``taxonomy`` as written by
``corpora/real_aspects/draw.py --materialise``).

Measured, per gold file:

* **detection**: precision, recall and F1 of (review, aspect) pairs, per aspect and micro-averaged;
* **polarity**: macro-F1 over +, - and 0 on the pairs both found (and accuracy);
* **joint**: micro-F1 of (review, aspect, polarity) triples;
* the same on **mixed reviews** (gold holds both a + and a - aspect), where a review-level
  sentiment cannot be right for every aspect;
* the **baseline** beside it: an aspect is found when one of its seed terms occurs in the text as
  written (a predicate without its final 다: 빠르다 → "빠르"), and every mention gets the review's
  sentiment from the scorer;
* with two or more gold files, the annotators' agreement (joint F1 of one against the other).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.aspects.matcher import _TAG

logger = logging.getLogger(__name__)

__all__ = ["parse_gold", "read_gold", "score_predictions", "baseline_predictions", "evaluate_aspects", "auto_domain_accuracy", "POLARITY_SIGNS"]

POLARITY_SIGNS = {"positive": "+", "negative": "-", "neutral": "0"}
_PAIR = re.compile(r"^([a-z][a-z0-9_]*):([+\-0])$")


def parse_gold(cell: object) -> dict[str, str]:
    """``"taste:+;price:-"`` → ``{"taste": "+", "price": "-"}``; empty → ``{}``.

    Example:
        >>> parse_gold("taste:0;delivery:+")
        {'taste': '0', 'delivery': '+'}
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return {}
    out: dict[str, str] = {}
    for part in str(cell).split(";"):
        part = part.strip()
        if not part:
            continue
        m = _PAIR.match(part)
        if not m:
            raise ValueError(f"gold aspect {part!r} is not key:pol with pol one of + - 0 (e.g. taste:+;delivery:-)")
        out[m.group(1)] = m.group(2)
    return out


def read_gold(path: str | Path) -> dict[str, dict[str, str]]:
    """A gold CSV (``id,aspects[,intent]``) as ``{id: {aspect: pol}}``; lines with an unreadable cell name their line."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "aspects") if c not in df.columns]
    if missing:
        raise ValueError(f"gold file {path} lacks columns {missing}; expected a CSV with header id,aspects[,intent]")
    out: dict[str, dict[str, str]] = {}
    for k, (rid, cell) in enumerate(zip(df["id"], df["aspects"]), start=2):
        try:
            out[str(rid)] = parse_gold(cell)
        except ValueError as exc:
            raise ValueError(f"gold file {path}, line {k}: {exc}") from None
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score_predictions(gold: Mapping[str, Mapping[str, str]], pred: Mapping[str, Mapping[str, str]], ids: Sequence[str] | None = None) -> dict:
    """Detection, polarity and joint figures of ``pred`` against ``gold`` over ``ids`` (default: gold's).

    Example:
        >>> r = score_predictions({"1": {"taste": "+", "price": "-"}}, {"1": {"taste": "+", "delivery": "+"}})
        >>> r["detection"]["micro"]["f1"], r["joint"]["f1"]
        (0.5, 0.5)
    """
    ids = list(gold) if ids is None else list(ids)
    keys = sorted({k for i in ids for k in gold.get(i, {})} | {k for i in ids for k in pred.get(i, {})})
    per: dict[str, list[int]] = {k: [0, 0, 0] for k in keys}
    y_true, y_pred = [], []
    jtp = jfp = jfn = 0
    for i in ids:
        g, p = gold.get(i, {}), pred.get(i, {})
        for k in keys:
            if k in g and k in p:
                per[k][0] += 1
                y_true.append(g[k])
                y_pred.append(p[k])
            elif k in p:
                per[k][1] += 1
            elif k in g:
                per[k][2] += 1
        gt = {(k, v) for k, v in g.items()}
        pt = {(k, v) for k, v in p.items()}
        jtp += len(gt & pt)
        jfp += len(pt - gt)
        jfn += len(gt - pt)
    tot = [sum(v[j] for v in per.values()) for j in range(3)]
    labels = [lab for lab in ("+", "-", "0") if lab in y_true or lab in y_pred]
    per_class = {}
    for lab in labels:
        tp = sum(1 for a, b in zip(y_true, y_pred) if a == lab and b == lab)
        fp = sum(1 for a, b in zip(y_true, y_pred) if a != lab and b == lab)
        fn = sum(1 for a, b in zip(y_true, y_pred) if a == lab and b != lab)
        per_class[lab] = {**_prf(tp, fp, fn), "support": sum(1 for a in y_true if a == lab)}
    macro = float(np.mean([per_class[lab]["f1"] for lab in labels])) if labels else 0.0
    acc = float(np.mean([a == b for a, b in zip(y_true, y_pred)])) if y_true else 0.0
    return {
        "n_reviews": len(ids),
        "n_gold_mentions": tot[0] + tot[2],
        "detection": {"micro": _prf(*tot), "per_aspect": {k: {**_prf(*v), "support": v[0] + v[2]} for k, v in per.items()}},
        "polarity": {"macro_f1": round(macro, 4), "accuracy": round(acc, 4), "n": len(y_true), "per_class": per_class},
        "joint": _prf(jtp, jfp, jfn),
    }


def _surface_terms(term: str) -> str:
    t = _TAG.sub("", term).rstrip("*").strip()  # a part-of-speech tag (싸다/VA) is not written
    return t[:-1] if len(t) >= 2 and t.endswith("다") else t


def baseline_predictions(texts: Sequence[str], domains: Sequence[str], review_sentiment: Sequence[str], taxonomy) -> list[dict[str, str]]:
    """The baseline: seed terms as plain substrings (predicates without 다), the review's sentiment for every mention."""
    table: dict[str, list[tuple[str, list[str]]]] = {}
    for d in set(domains):
        table[d] = [(a.key, [_surface_terms(t).lower() for t, _ in a.seeds()]) for a in taxonomy[d].aspects]
    out = []
    for text, d, sent in zip(texts, domains, review_sentiment):
        low = (text or "").lower()
        pol = POLARITY_SIGNS.get(str(sent), "0")
        out.append({key: pol for key, terms in table[d] if any(t and t in low for t in terms)})
    return out


def auto_domain_accuracy(frame: pd.DataFrame, product_col: str, domain_col: str, index, name_votes: bool = True) -> dict:
    """How often ``--domain auto`` gives a product the domain its reviews are labelled with (products with a match)."""
    from nlp.aspects.clauses import analyse_many
    from nlp.aspects.extract import choose_domains, product_name_votes
    from nlp.text.normalize import normalize

    texts = normalize(frame["text"].fillna("").astype(str).tolist())
    groups = frame[product_col].fillna("").astype(str).tolist()
    found = [index.find(d) for d in analyse_many(texts)]
    named = [g for ms, g in zip(found, groups) if ms and g] if name_votes else []
    extra = product_name_votes(sorted(set(named)), index, index.domains, normalize)
    chosen = choose_domains(
        found + [ms for ms, _ in extra], groups + [g for _, g in extra], index.domains, index.shared, index.needs_cue, index.lemma_domains,
        [False] * len(found) + [True] * len(extra),
    )
    truth = frame.groupby(frame[product_col].fillna("").astype(str))[domain_col].agg(lambda v: v.value_counts().index[0])
    right = sum(1 for g, d in chosen.items() if truth.get(g) == d)
    rows_right = sum(1 for g, d in zip(groups, frame[domain_col]) if chosen.get(g) == d)
    return {"products": len(chosen), "products_right": right, "accuracy": round(right / len(chosen), 4) if chosen else 0.0,
            "rows": len(frame), "rows_right": rows_right, "row_accuracy": round(rows_right / len(frame), 4) if len(frame) else 0.0,
            "wrong": {g: {"chosen": d, "labelled": truth.get(g)} for g, d in chosen.items() if truth.get(g) != d}}


def _mixed(g: Mapping[str, str]) -> bool:
    vals = set(g.values())
    return "+" in vals and "-" in vals


def evaluate_aspects(
    gold: Sequence[str | Path],
    texts: str | Path | pd.DataFrame,
    domain_col: str = "taxonomy",
    domain: str = "auto",
    taxonomy=None,
    scorer=None,
    model_dir: str | Path | None = None,
    quantize: bool = False,
    backend: str | None = None,
    baseline: bool = True,
    chunk: str | None = None,
    product_col: str | None = "product",
    **extractor_kwargs,
) -> dict:
    """Score the extractor (and the baseline) against one or more gold files.

    Args:
        gold: gold CSV files (``id,aspects[,intent]``), e.g. one per annotator.
        texts: the reviews (``id``, ``text`` and ``domain_col``), a file or a frame.
        domain_col: the column naming each review's domain (``taxonomy`` in the real set); ``""`` uses ``domain``.
        domain: the domain for rows without one (``auto``: per product, here the whole set).
        scorer / model_dir / quantize / backend: the scorer, shared by the extractor and the baseline.
        baseline: also score the baseline.
        chunk: keep only the texts whose ``chunk`` column has this value (the real set's A = development, B = test).
        product_col: a product column of the texts: the ``--domain auto`` rule is then scored too, per product
            against the domain its rows are labelled with (left out when the column is absent).
        **extractor_kwargs: options of :class:`~nlp.aspects.extract.AspectExtractor` (threshold, rules_only ...).

    Returns:
        ``{"files": {name: {"systems": {"aspects": ..., "baseline": ...}, "mixed": {...}}}, "agreement": ...}``.
    """
    from nlp.aspects.extract import AspectExtractor
    from nlp.aspects.taxonomy import Taxonomy
    from nlp.io.columns import ColumnMap
    from nlp.io.tables import read_table

    golds = {Path(g).stem: read_gold(g) for g in gold}
    frame = texts if isinstance(texts, pd.DataFrame) else read_table(texts)
    missing = [c for c in ("id", "text") if c not in frame.columns]
    if missing:
        raise ValueError(f"texts table lacks columns {missing}; expected id, text and the domain column ({domain_col!r})")
    frame = frame.assign(id=frame["id"].astype(str))
    if chunk is not None and "chunk" not in frame.columns:
        raise ValueError("chunk= needs a 'chunk' column in the texts table (corpora/real_aspects/draw.py --materialise writes it)")
    labelled = set().union(*[set(g) for g in golds.values()])
    known = set(frame["id"])
    if chunk is not None:
        frame = frame[frame["chunk"].astype(str) == chunk]
        golds = {name: {i: v for i, v in g.items() if i in set(frame["id"])} for name, g in golds.items()}
    frame = frame[frame["id"].isin(labelled)].drop_duplicates("id").reset_index(drop=True)
    lost = {name: len(set(g) - known) for name, g in golds.items()}
    if any(lost.values()):
        logger.warning("gold ids without a text (left out): %s", lost)
    if frame.empty:
        raise ValueError("no gold id has a text in the texts table; check that both come from the same set")
    use_col = domain_col if domain_col and domain_col in frame.columns else None
    if domain_col and use_col is None:
        raise ValueError(f"texts table has no column {domain_col!r}; pass domain_col=NAME (or '' to use domain=)")
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else Taxonomy.load(taxonomy)
    if scorer is None and not extractor_kwargs.get("rules_only"):
        from nlp.scoring.scorer import Scorer

        scorer = Scorer.load(model_dir, quantize=quantize, backend=backend)
    ex = AspectExtractor(domain=domain, taxonomy=tax, scorer=scorer, columns=ColumnMap(), domain_col=use_col, **extractor_kwargs).fit()
    rows = ex.transform(frame[["id", "text"] + ([use_col] if use_col else [])])
    ours: dict[str, dict[str, str]] = {}
    for rid, key, pol in zip(rows["id"].astype(str), rows["aspect"], rows["polarity"]):
        ours.setdefault(rid, {})[key] = POLARITY_SIGNS[pol]
    systems_pred = {"aspects": ours}
    if baseline and scorer is not None:
        probs = scorer.predict(frame["text"].fillna("").astype(str).tolist(), show_progress_bar=False)["sentiment"]
        labels = scorer.labels["sentiment"]
        sent = [labels[j] for j in probs.argmax(axis=1)]
        doms = frame[use_col].tolist() if use_col else [domain] * len(frame)
        if any(d == "auto" for d in doms):
            doms = [rows["domain"].iloc[0] if len(rows) else tax.names[0] if d == "auto" else d for d in doms]
        base = baseline_predictions(frame["text"].fillna("").astype(str).tolist(), doms, sent, tax)
        systems_pred["baseline"] = {rid: b for rid, b in zip(frame["id"], base) if b}
    have = set(frame["id"])
    out: dict = {"n_texts": len(frame), "files": {}, "extract": {"analysed": ex.stats_.analysed, "clauses_scored": ex.stats_.clauses_scored}}
    for name, g in golds.items():
        ids = [i for i in g if i in have]
        mixed = [i for i in ids if _mixed(g[i])]
        out["files"][name] = {
            "n_reviews": len(ids),
            "systems": {s: score_predictions(g, p, ids) for s, p in systems_pred.items()},
            "mixed": {"n_reviews": len(mixed), "systems": {s: score_predictions(g, p, mixed) for s, p in systems_pred.items()}},
        }
    if product_col and product_col in frame.columns and use_col:
        out["auto_domain"] = auto_domain_accuracy(frame, product_col, use_col, ex.index_)
    names = list(golds)
    if len(names) >= 2:
        a, b = golds[names[0]], golds[names[1]]
        both = [i for i in a if i in b]
        out["agreement"] = {"files": names[:2], **{k: v for k, v in score_predictions(a, b, both).items() if k in ("n_reviews", "detection", "polarity", "joint")}}
        out["agreement"]["detection"] = out["agreement"]["detection"]["micro"]
    return out
