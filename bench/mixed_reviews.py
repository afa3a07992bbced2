"""Can aspect polarities fix the review label of mixed reviews? Candidates on one half of the real reviews.

    nlp evaluate sentiment --data ../shared/corpora/real_reviews/real_reviews.parquet --int8 --split dev --keep-scored dev_scored.parquet
    python bench/mixed_reviews.py --split dev --scored dev_scored.parquet [--json out.json]

A *mixed* review has at least one positive and one negative aspect row (``nlp aspects``, the
domain chosen per product). Candidates change labels only (``sentiment_score``, so binary
macro-F1, is untouched):

* ``C0`` the review's own label (control);
* ``C1`` a mixed review is ``neutral``;
* ``C2`` a mixed review takes the majority of its aspect rows' polarities (a tie: ``neutral``).

Prints 3-way macro-F1 pooled and on the mixed reviews, with the stars' labels as gold (as
``nlp evaluate sentiment --data``). The rows are the evaluation-only rows of the chosen half; their
texts stay on this machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.io.columns import ColumnMap
from nlp.io.tables import read_table
from nlp.modeling.rated_eval import SENTIMENT, id_half, labels_from_ratings, rated_report
from nlp.resources import shared_corpora_dir


def half(data: Path, split: str) -> tuple[pd.DataFrame, pd.Series]:
    """The rows and gold labels ``nlp evaluate sentiment --data --split`` uses, in its order."""
    df = read_table(data)
    df = df[df["use"] == "evaluation-only"]
    df = df[df["id"].astype(str).map(id_half) == split]
    gold = df["label"].where(df["label"].isin(SENTIMENT), None)
    gold = gold.where(gold.notna(), labels_from_ratings(df["rating"], df["rating_scale"]))
    return df.reset_index(drop=True), gold.reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "test"], required=True)
    ap.add_argument("--scored", required=True, help="the --keep-scored output of nlp evaluate sentiment on the same half")
    ap.add_argument("--data", default=str(shared_corpora_dir() / "real_reviews" / "real_reviews.parquet"))
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    df, gold = half(Path(args.data), args.split)
    scored = read_table(args.scored)
    ids = [f"row{i}" for i in range(len(df))]
    scored = scored.set_index(scored["id"].astype(str)).reindex(ids).reset_index(drop=True)
    frame = scored.assign(product_id=df["product"].astype("string").to_numpy())

    from nlp.aspects.extract import AspectExtractor

    rows = AspectExtractor(domain="auto", quantize=True, columns=ColumnMap()).fit().transform(frame)
    per = rows.groupby("id")["polarity"].agg(pos=lambda p: int((p == "positive").sum()), neg=lambda p: int((p == "negative").sum()))
    pos = per["pos"].reindex(ids, fill_value=0).to_numpy()
    neg = per["neg"].reindex(ids, fill_value=0).to_numpy()
    mixed = (pos > 0) & (neg > 0)
    own = scored["sentiment"].astype(object)
    candidates = {
        "C0": own,
        "C1": own.where(~mixed, "neutral"),
        "C2": own.where(~mixed, pd.Series(np.where(pos > neg, "positive", np.where(neg > pos, "negative", "neutral")))),
    }
    scored_rows = scored["sentiment"].notna().to_numpy()
    out = {"split": args.split, "rows": int(len(df)), "mixed_reviews": int(mixed.sum()), "mixed_gold": pd.Series(gold[mixed]).value_counts().to_dict(), "candidates": {}}
    for name, labels in candidates.items():
        s = scored.assign(sentiment=pd.Series(labels).where(scored_rows, None))
        pooled = rated_report(s, gold)["pooled"]
        on_mixed = rated_report(s[mixed].reset_index(drop=True), gold[mixed].reset_index(drop=True))["pooled"]
        out["candidates"][name] = {
            "pooled_3way": round(pooled["macro_f1_3way"], 4),
            "pooled_binary": round(pooled["binary_macro_f1"], 4),
            "mixed_3way": round(on_mixed["macro_f1_3way"], 4),
            "mixed_accuracy": round(float((pd.Series(labels)[mixed].to_numpy() == gold[mixed].to_numpy()).mean()), 4) if mixed.any() else float("nan"),
        }
    print(json.dumps(out, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
