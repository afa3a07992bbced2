"""Draw chunk C: a further development set of real reviews for purchase intent only.

Chunks A and B (``draw.py``) have chosen and measured many candidates; C is a fresh development set of
`evaluation-only` reviews of the same seven domains, none of them in A or B, drawn with another seed (half below
the top rating, as in ``draw.py``). Only ids and labels are committed; ``--materialise`` rebuilds the texts locally.

    python corpora/real_aspects/draw_intent_c.py                       # writes corpora/real_aspects/intent_c_ids.csv
    python corpora/real_aspects/draw_intent_c.py --materialise C.csv   # + texts and labels (intent_c_labels.csv); keep C.csv outside the repo
    python corpora/real_aspects/draw_intent_c.py --merge L1.csv L2.csv  # two blind labellings (id,label) -> intent_c_labels.csv, with kappa
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

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
        g = d[d["domain"] == domain]
        low = g[g["rating"] < g["rating_scale"].astype(float)]
        a = low.sample(min(n // 2, len(low)), random_state=SEED)
        b = g.drop(a.index).sample(n - len(a), random_state=SEED)
        parts.append(pd.concat([a, b]))
    out = pd.concat(parts).sample(frac=1.0, random_state=SEED)
    return out.assign(chunk="C")


def merge(first: Path, second: Path) -> None:
    """``id, annotator_1, annotator_2, intent``; ``intent`` is empty where the two disagree (left out, not adjudicated)."""
    from sklearn.metrics import cohen_kappa_score

    ids = pd.read_csv(HERE / "intent_c_ids.csv", dtype=str)
    a = pd.read_csv(first, dtype=str).rename(columns={"label": "annotator_1"})
    b = pd.read_csv(second, dtype=str).rename(columns={"label": "annotator_2"})
    m = ids[["id"]].merge(a, on="id", how="left", validate="1:1").merge(b, on="id", how="left", validate="1:1")
    if m[["annotator_1", "annotator_2"]].isna().any().any():
        raise SystemExit("a labelling misses ids of intent_c_ids.csv")
    agree = m["annotator_1"] == m["annotator_2"]
    m["intent"] = m["annotator_1"].where(agree, "")
    m.to_csv(HERE / "intent_c_labels.csv", index=False)
    print(f"{len(m)} reviews, agreement {agree.mean():.3f}, Cohen's kappa {cohen_kappa_score(m['annotator_1'], m['annotator_2']):.3f}; "
          f"agreed {m.loc[agree, 'intent'].value_counts().to_dict()}, {int((~agree).sum())} left out")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts (+ labels) here (outside the repo)")
    ap.add_argument("--merge", type=Path, nargs=2, metavar=("L1", "L2"), help="merge two labellings into intent_c_labels.csv")
    args = ap.parse_args()
    if args.merge:
        merge(*args.merge)
        return
    out = draw(args.source)
    out[["id", "domain", "chunk"]].to_csv(HERE / "intent_c_ids.csv", index=False)
    if args.materialise:
        table = out[["id", "domain", "chunk", "rating", "rating_scale", "text"]]
        labels = HERE / "intent_c_labels.csv"
        if labels.exists():  # `nlp evaluate intent --data C.csv` reads text, intent, domain
            lab = pd.read_csv(labels, keep_default_na=False, dtype=str)[["id", "intent"]]
            table = table.merge(lab, on="id", how="left", validate="1:1")
            table = table[table["intent"] != ""]
        table.to_csv(args.materialise, index=False)
    print(out.groupby("domain").size().to_string())


if __name__ == "__main__":
    main()
