"""Draw chunk C: a further development set of real reviews for purchase intent only.

Chunks A and B (``draw.py``) have chosen and measured many candidates; C is a fresh development set of
`evaluation-only` reviews of the same seven domains, none of them in A or B, drawn with another seed (half below
the top rating, as in ``draw.py``). Only ids and labels are committed; ``--materialise`` rebuilds the texts locally.

    python corpora/real_aspects/draw_intent_c.py                       # writes corpora/real_aspects/intent_c_ids.csv
    python corpora/real_aspects/draw_intent_c.py --materialise C.csv   # + texts and labels (intent_c_labels.csv); keep C.csv outside the repo

The two blind labellings are merged by ``corpora/real_train/merge_intent.py`` (a folder holding ``chunk1_a1.csv`` and
``chunk1_a2.csv``, ``id,intent`` in the order of ``intent_c_ids.csv``):

    python corpora/real_train/merge_intent.py --labels-dir DIR -o corpora/real_aspects/intent_c_labels.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from draw import half_below_top, join_labels

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"
SEED = 20261207
PLAN: dict[str, int] = {
    "delivery": 140,
    "restaurant": 110,
    "grocery": 30,
    "cosmetics_shopping": 140,
    "finance_app": 110,
    "health_app": 100,
    "electronics": 70,
}


def draw(source: Path) -> pd.DataFrame:
    d = pd.read_parquet(source)
    d = d[d["use"] == "evaluation-only"]
    taken = set(pd.read_csv(HERE / "ids.csv", dtype=str)["id"])
    d = d[~d["id"].astype(str).isin(taken)]
    parts = []
    for domain, n in PLAN.items():
        parts.append(half_below_top(d[d["domain"] == domain], n, SEED))
    out = pd.concat(parts).sample(frac=1.0, random_state=SEED)
    return out.assign(chunk="C")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts (+ labels) here (outside the repo)")
    args = ap.parse_args()
    out = draw(args.source)
    out[["id", "domain", "chunk"]].to_csv(HERE / "intent_c_ids.csv", index=False)
    if args.materialise:
        # `nlp evaluate intent --data C.csv` reads text, intent, domain
        table = join_labels(out[["id", "domain", "chunk", "rating", "rating_scale", "text"]], HERE / "intent_c_labels.csv", ["intent"])
        if "intent" in table.columns:
            table = table[table["intent"] != ""]
        table.to_csv(args.materialise, index=False)
    print(out.groupby("domain").size().to_string())


if __name__ == "__main__":
    main()
