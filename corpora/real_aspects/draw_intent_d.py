"""Draw chunk D: a fresh development set of real reviews for purchase intent only.

Chunks A and C had chosen the intent statement rules, so they measure them too kindly. D holds
`evaluation-only` reviews of the same seven domains that are in none of A, B, C or the books chunk, drawn
with another seed (half below the top rating, as in ``draw.py``). Only ids and labels are committed;
``--materialise`` rebuilds the texts locally.

    python corpora/real_aspects/draw_intent_d.py                       # writes corpora/real_aspects/intent_d_ids.csv
    python corpora/real_aspects/draw_intent_d.py --materialise D.csv   # + texts and labels (intent_d_labels.csv); keep D.csv outside the repo

The two blind labellings are merged by ``corpora/real_train/merge_intent.py`` (a folder holding ``chunk1_a1.csv`` and
``chunk1_a2.csv``, ``id,intent`` in the order of ``intent_d_ids.csv``):

    python corpora/real_train/merge_intent.py --labels-dir DIR -o corpora/real_aspects/intent_d_labels.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from draw import half_below_top, join_labels

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"
SEED = 20261209
PLAN: dict[str, int] = {
    "delivery": 120,
    "restaurant": 100,
    "grocery": 30,
    "cosmetics_shopping": 120,
    "finance_app": 90,
    "health_app": 80,
    "electronics": 60,
}
TAKEN = ("ids.csv", "intent_c_ids.csv", "books_ids.csv")


def draw(source: Path) -> pd.DataFrame:
    d = pd.read_parquet(source)
    d = d[d["use"] == "evaluation-only"]
    taken = set().union(*[set(pd.read_csv(HERE / f, dtype=str)["id"]) for f in TAKEN])
    d = d[~d["id"].astype(str).isin(taken)]
    parts = [half_below_top(d[d["domain"] == domain], n, SEED) for domain, n in PLAN.items()]
    return pd.concat(parts).sample(frac=1.0, random_state=SEED).assign(chunk="D")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts (+ labels) here (outside the repo)")
    args = ap.parse_args()
    out = draw(args.source)
    out[["id", "domain", "chunk"]].to_csv(HERE / "intent_d_ids.csv", index=False)
    if args.materialise:
        # `nlp evaluate intent --data D.csv` reads text, intent, domain
        table = join_labels(out[["id", "domain", "chunk", "rating", "rating_scale", "text"]], HERE / "intent_d_labels.csv", ["intent"])
        if "intent" in table.columns:
            table = table[table["intent"] != ""]
        table.to_csv(args.materialise, index=False)
    print(out.groupby("domain").size().to_string())


if __name__ == "__main__":
    main()
