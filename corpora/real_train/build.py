"""Extract the real set's training-allowed rows (KoBEST SentiNeg, CC-BY-SA-4.0; Laftel Play-store reviews, MIT)
from ../shared/corpora/real_reviews into a local table for training. Nothing else of that file may train.

    python corpora/real_train/build.py -o runs/real_train.csv

Columns: id, text, label (negative/neutral/positive by the datasheet's star rule; KoBEST's given binary label),
domain, licence. The texts are not committed here; see DATASHEET.md for attribution.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    d = pd.read_parquet(args.source)
    d = d[d["use"] == "training-allowed"]
    out = d[["id", "text", "label", "domain", "licence"]]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.output, index=False)
    print(out.groupby(["domain", "label"]).size().to_string())


if __name__ == "__main__":
    main()
