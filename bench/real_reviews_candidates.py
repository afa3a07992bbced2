"""Candidates for how the scorer reads real reviews, compared on the rows they change.

    python bench/real_reviews_candidates.py windows --split dev --base DEV_SCORED.parquet
    python bench/real_reviews_candidates.py spelling --split dev --base DEV_SCORED.parquet
    python bench/real_reviews_candidates.py splitter --split dev --base DEV_SCORED.parquet

``--base`` is the ``--keep-scored`` output of ``nlp evaluate sentiment --data REAL --split S``
(the real-reviews set, its ``evaluation-only`` rows): every row's scores on the default path. The
script re-scores only the rows a candidate changes (``windows``: the texts longer than one window,
under each rule of :data:`nlp.scoring.scorer.WINDOW_RULES`; ``splitter``: the same texts, cut into
sentences by Kiwi or by rules; ``spelling``: the texts
:func:`nlp.text.spelling.standardize` changes, with the rules off, on the encoder, on all models),
puts them into the base rows, and prints binary and 3-way macro-F1 and negative P/R over the changed
rows and pooled. Nothing is written: evaluation-only rows are read to measure, never kept.
Results and the rules that chose: docs/decisions.md (reading real reviews).
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import report

SENTIMENT = ["negative", "neutral", "positive"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["windows", "splitter", "spelling"])
    ap.add_argument("--data", default="../shared/corpora/real_reviews/real_reviews.parquet")
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--base", required=True, help="nlp evaluate sentiment --keep-scored output for the same --split")
    ap.add_argument("--fp32", action="store_true", help="score the candidates in fp32 (the base should be fp32 too)")
    args = ap.parse_args()
    from nlp.io.tables import read_table
    from nlp.modeling.rated_eval import id_half, labels_from_ratings, rated_report
    from nlp.scoring.scorer import WINDOW_RULES, Scorer
    from nlp.text.pipeline import TextPreparer
    from nlp.text.spelling import standardize

    df = read_table(args.data)
    df = df[df["use"] == "evaluation-only"]
    df = df[df["id"].astype(str).map(id_half) == args.split].reset_index(drop=True)
    gold = df["label"].where(df["label"].isin(SENTIMENT), None)
    gold = gold.where(gold.notna(), labels_from_ratings(df["rating"], df["rating_scale"]))
    base = read_table(args.base)
    if len(base) != len(df):
        raise SystemExit(f"--base has {len(base)} rows; the {args.split} half has {len(df)}: score the same split")
    texts = TextPreparer()(df["text"].tolist()).texts
    scorer = Scorer.load(quantize=not args.fp32)
    if args.what in ("windows", "splitter"):
        windows = scorer.windows(texts)
        rows = [i for i, c in enumerate(windows.counts) if c > 1]
        settings = [("window_rule", rule) for rule in WINDOW_RULES] if args.what == "windows" else [("sentence_splitter", s) for s in ("kiwi", "rules")]
    else:
        rows = [i for i, (a, b) in enumerate(zip(texts, standardize(texts))) if a != b]
        settings = [("spelling", mode) for mode in ("off", "encoder", "all")]
    changed = [texts[i] for i in rows]
    for attr, value in settings:
        setattr(scorer, attr, value)
        p = scorer.predict(changed)["sentiment"]
        scored = base.copy()
        scored.loc[rows, "sentiment"] = np.array(SENTIMENT)[p.argmax(1)]
        scored.loc[rows, "sentiment_score"] = p[:, 2] - p[:, 0]
        for j, lab in enumerate(SENTIMENT):
            scored.loc[rows, f"sentiment_{lab}"] = p[:, j]
        pooled = rated_report(scored, gold)["pooled"]
        sub = rated_report(scored.loc[rows].reset_index(drop=True), gold.loc[rows].reset_index(drop=True))["pooled"]
        keep = ("n", "n_negative", "binary_macro_f1", "macro_f1_3way", "negative_precision", "negative_recall")
        report(args.what, split=args.split, **{attr: value}, changed={k: sub[k] for k in keep}, pooled={k: pooled[k] for k in keep})


if __name__ == "__main__":
    main()
