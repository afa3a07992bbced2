"""Write the rows that `--data PATH:...dev_share=S` holds out of training, as an evaluation table.

Model selection for the domain stage reads these (never the out-of-domain test set):

    python corpora/domain_sentiment_train/domain_dev.py corpora/domain_sentiment_train/*.csv --dev-share 0.25 -o runs/domain_dev.csv
    nlp evaluate sentiment --model M --films '' --ood runs/domain_dev.csv
"""

from __future__ import annotations

import argparse

import pandas as pd

from nlp.io.tables import read_table
from nlp.modeling.sentiment_data import film_split


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--dev-share", type=float, default=0.25)
    ap.add_argument("--product-col", default="id")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    parts = []
    for p in args.paths:
        df = read_table(p).dropna(subset=["text"])
        parts.append(df[film_split(df[args.product_col], args.dev_share, args.seed)][["text", "label", "domain"]])
    out = pd.concat(parts, ignore_index=True)
    out.to_csv(args.output, index=False)
    print(f"{len(out)} held-out rows -> {args.output}: {out['label'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
