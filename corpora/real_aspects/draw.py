"""Draw the review ids of the real aspect + intent evaluation set from ../shared/corpora/real_reviews.

Only ids are written: the texts of `evaluation-only` rows are never committed. The draw is seeded and
deterministic, so re-running it on the same parquet gives the same ids (and `materialise` rebuilds the
texts locally for labelling or evaluation).

    python corpora/real_aspects/draw.py                 # writes corpora/real_aspects/ids.csv
    python corpora/real_aspects/draw.py --materialise OUT.csv   # ids + texts (+ labels.csv when present); keep OUT outside the repo
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"
SEED = 20261206

# real_reviews domain -> (taxonomy domain, reviews drawn). Books have no aspect taxonomy and are left out;
# the two training-allowed domains (app = Laftel, shopping = KoBEST) are left out so the set stays held out.
PLAN: dict[str, tuple[str, int]] = {
    "delivery": ("food", 320),
    "restaurant": ("food", 260),
    "grocery": ("food", 60),
    "cosmetics_shopping": ("cosmetics", 320),
    "finance_app": ("app", 260),
    "health_app": ("app", 220),
    "electronics": ("shopping", 160),
}


def half_below_top(g: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of ``g``: half from reviews below the scale's top rating (complaints and mixed reviews are rare), the rest uniform.

    Shared by the later draws (``draw_intent_c.py``, ``draw_books.py``).
    """
    low = g[g["rating"] < g["rating_scale"].astype(float)]
    a = low.sample(min(n // 2, len(low)), random_state=seed)
    b = g.drop(a.index).sample(n - len(a), random_state=seed)
    return pd.concat([a, b])


def join_labels(table: pd.DataFrame, labels: Path, cols: list[str]) -> pd.DataFrame:
    """``table`` with the committed labels' ``cols`` joined by id, when the labels file exists."""
    if not labels.exists():
        return table
    lab = pd.read_csv(labels, keep_default_na=False, dtype=str)[["id", *cols]]
    return table.merge(lab, on="id", how="left", validate="1:1")


def draw(source: Path) -> pd.DataFrame:
    """Per domain of :data:`PLAN`, :func:`half_below_top`; domains interleaved, then alternately chunk A and B."""
    d = pd.read_parquet(source)
    d = d[d["use"] == "evaluation-only"]
    parts = []
    for domain, (tax, n) in PLAN.items():
        part = half_below_top(d[d["domain"] == domain], n, SEED).assign(taxonomy=tax)
        parts.append(part)
    out = pd.concat(parts).sample(frac=1.0, random_state=SEED)  # interleave domains
    out["chunk"] = (pd.RangeIndex(len(out)) % 2).map({0: "A", 1: "B"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts here (outside the repo)")
    args = ap.parse_args()
    out = draw(args.source)
    out[["id", "domain", "taxonomy", "chunk"]].to_csv(HERE / "ids.csv", index=False)
    if args.materialise:
        cols = ["id", "domain", "taxonomy", "chunk", "rating", "rating_scale", "product", "date", "text"]
        # the adjudicated labels, joined by id: the evaluation table for `nlp evaluate aspects|intent --data`
        table = join_labels(out[cols], HERE / "labels.csv", ["aspects", "intent", "status"])
        table.to_csv(args.materialise, index=False)
    print(out.groupby(["taxonomy", "domain"]).size().to_string())


if __name__ == "__main__":
    main()
