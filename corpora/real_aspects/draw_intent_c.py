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


def draw_chunk(source: Path, plan: dict[str, int], seed: int, taken_files: tuple[str, ...], chunk: str) -> pd.DataFrame:
    """Per domain of ``plan``, :func:`half_below_top` of the `evaluation-only` reviews in none of ``taken_files``' ids."""
    d = pd.read_parquet(source)
    d = d[d["use"] == "evaluation-only"]
    taken = set().union(*[set(pd.read_csv(HERE / f, dtype=str)["id"]) for f in taken_files])
    d = d[~d["id"].astype(str).isin(taken)]
    parts = [half_below_top(d[d["domain"] == domain], n, seed) for domain, n in plan.items()]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).assign(chunk=chunk)


def draw(source: Path) -> pd.DataFrame:
    return draw_chunk(source, PLAN, SEED, ("ids.csv",), "C")


def main_for(draw_fn, ids_name: str, labels_name: str, doc: str) -> None:
    """The command line of an intent-only chunk: write its ids, and with ``--materialise`` its texts and labels."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts (+ labels) here (outside the repo)")
    args = ap.parse_args()
    out = draw_fn(args.source)
    out[["id", "domain", "chunk"]].to_csv(HERE / ids_name, index=False)
    if args.materialise:
        # `nlp evaluate intent --data X.csv` reads text, intent, domain
        table = join_labels(out[["id", "domain", "chunk", "rating", "rating_scale", "text"]], HERE / labels_name, ["intent"])
        if "intent" in table.columns:
            table = table[table["intent"] != ""]
        table.to_csv(args.materialise, index=False)
    print(out.groupby("domain").size().to_string())


def main() -> None:
    main_for(draw, "intent_c_ids.csv", "intent_c_labels.csv", __doc__)


if __name__ == "__main__":
    main()
