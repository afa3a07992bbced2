"""Draw the books chunk: real book reviews labelled for aspects (the ``books`` taxonomy) and intent.

The aspect set of ``draw.py`` left books out because there was no books taxonomy. This draws 240
`evaluation-only` book reviews of ../shared/corpora/real_reviews (seeded; half below the top of the
review's rating scale, as in ``draw.py``), split alternately into chunk A (development) and B (test).
Only ids and labels are committed; ``--materialise`` rebuilds the texts locally.

    python corpora/real_aspects/draw_books.py                        # writes corpora/real_aspects/books_ids.csv
    python corpora/real_aspects/draw_books.py --materialise B.csv    # + texts and labels (books_labels.csv); keep B.csv outside the repo

The two blind labellings (``books_A_1.csv``, ``books_A_2.csv``, ``books_B_1.csv``, ``books_B_2.csv``:
``id,aspects,intent``) are merged by ``merge.py --set books``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from draw import half_below_top, join_labels

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"
SEED = 20261208
N = 240


def draw(source: Path) -> pd.DataFrame:
    d = pd.read_parquet(source)
    g = d[(d["use"] == "evaluation-only") & (d["domain"] == "books") & d["text"].fillna("").str.strip().ne("")]
    out = half_below_top(g, N, SEED).sample(frac=1.0, random_state=SEED).assign(taxonomy="books")
    out["chunk"] = (pd.RangeIndex(len(out)) % 2).map({0: "A", 1: "B"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--materialise", type=Path, help="also write ids + texts (+ labels) here (outside the repo)")
    args = ap.parse_args()
    out = draw(args.source)
    out[["id", "domain", "taxonomy", "chunk"]].to_csv(HERE / "books_ids.csv", index=False)
    if args.materialise:
        # `nlp evaluate aspects --gold B.csv --texts B.csv` reads id, text, taxonomy, aspects
        cols = ["id", "domain", "taxonomy", "chunk", "rating", "rating_scale", "product", "date", "text"]
        table = join_labels(out[cols], HERE / "books_labels.csv", ["aspects", "intent", "status"])
        table.to_csv(args.materialise, index=False)
    print(out.groupby("chunk").size().to_string())


if __name__ == "__main__":
    main()
