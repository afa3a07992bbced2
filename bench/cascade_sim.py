"""What a cascade would give: the fast student on every review, the default model only on its close calls.

Reads two ``--keep-scored`` outputs of ``nlp evaluate sentiment --data TABLE --split S`` on the same rows
(the student, e.g. ``--model models/sentiment-e5s3 --int8 --recheck 0``, and the default model,
``--int8``), and for each margin t replaces the student's output by the default model's on the rows
where the student's top two sentiment probabilities are closer than t (``--trigger gap``) or
|P(positive) - P(negative)| is below t (``--trigger score``). Prints, per t, the share of rows
the default model would read and the pooled figures of ``nlp evaluate sentiment`` (binary and 3-way
macro-F1, negative precision and recall). Sentiment only: intent, which the same forward pass gives,
is not simulated.

    python bench/cascade_sim.py --data ../shared/corpora/real_reviews/real_reviews.parquet --split dev \\
        --student S.parquet --teacher T.parquet [--margins 0,0.1,0.2,...]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _common import report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--use", default="evaluation-only")
    ap.add_argument("--student", required=True)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--margins", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,1.01")
    ap.add_argument("--trigger", choices=["gap", "score"], default="gap",
                    help="gap: the student's top two probabilities closer than t; score: |P(positive) - P(negative)| below t")
    args = ap.parse_args()
    from nlp.io.tables import read_table
    from nlp.modeling.rated_eval import id_half, labels_from_ratings, rated_report

    df = read_table(args.data)
    if args.use and "use" in df.columns:
        df = df[df["use"] == args.use]
    if args.split != "all":
        df = df[df["id"].astype(str).map(id_half) == args.split]
    df = df.reset_index(drop=True)
    gold = df["label"].where(df["label"].isin(["negative", "neutral", "positive"]), None) if "label" in df.columns else pd.Series(None, index=df.index, dtype=object)
    scale = df["rating_scale"] if "rating_scale" in df.columns else 5.0
    gold = gold.where(gold.notna(), labels_from_ratings(df["rating"], scale))
    s, t = pd.read_parquet(args.student), pd.read_parquet(args.teacher)
    if len(s) != len(df) or len(t) != len(df):
        raise SystemExit(f"scored files have {len(s)} / {len(t)} rows for {len(df)} rows of data")
    cols = ["sentiment", "sentiment_score", "sentiment_negative", "sentiment_neutral", "sentiment_positive"]
    p = s[["sentiment_negative", "sentiment_neutral", "sentiment_positive"]].to_numpy(dtype=float)
    top2 = np.sort(p, axis=1)[:, -2:]
    gap = top2[:, 1] - top2[:, 0] if args.trigger == "gap" else np.abs(p[:, 2] - p[:, 0])
    margin = np.where(np.isnan(p).any(axis=1), np.inf, gap)
    for m in (float(x) for x in args.margins.split(",")):
        close = margin < m
        mixed = s[cols].copy()
        mixed.loc[close, cols] = t.loc[close, cols].to_numpy()
        r = rated_report(mixed, gold)["pooled"]
        report("cascade", trigger=args.trigger, margin=m, default_share=float(close.mean()), binary=r["binary_macro_f1"], three_way=r["macro_f1_3way"],
               neg_p=r["negative_precision"], neg_r=r["negative_recall"])


if __name__ == "__main__":
    main()
