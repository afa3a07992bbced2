"""Extract the real set's training-allowed rows (KoBEST SentiNeg, CC-BY-SA-4.0; Laftel Play-store reviews, MIT)
from ../shared/corpora/real_reviews into a local table for training. Nothing else of that file may train.

    python corpora/real_train/build.py -o runs/real_train.csv
    python corpora/real_train/build.py -o runs/real_train.csv --intent-extra runs/gold_laftel/extra_train_5_laftel.csv

Columns: id, text, label (negative/neutral/positive by the datasheet's star rule; KoBEST's given binary label),
domain, licence. The texts are not committed here; see DATASHEET.md for attribution.

``--intent-extra FILE`` also writes the reviews whose two intent labels agree (``intent_labels.csv``, or the files
given with ``--intent-labels``, e.g. both it and ``intent_labels_kobest.csv``)
in the layout of ``corpora/intent_gold/extra_train*.csv``, for a copy of that folder to train on.
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
    ap.add_argument("--intent-extra", type=Path, help="also write the agreed intent labels as an extra_train file")
    ap.add_argument("--intent-labels", type=Path, action="append", help="label files for --intent-extra (default: intent_labels.csv, the Laftel labels the shipped model uses)")
    args = ap.parse_args()
    d = pd.read_parquet(args.source)
    d = d[d["use"] == "training-allowed"]
    out = d[["id", "text", "label", "domain", "licence"]]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.output, index=False)
    print(out.groupby(["domain", "label"]).size().to_string())
    if args.intent_extra:
        files = args.intent_labels or [HERE / "intent_labels.csv"]
        labels = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
        labels = labels[labels["intent"] != ""]
        rows = labels.merge(d[["id", "text", "domain"]], on="id", how="inner")
        if len(rows) != len(labels):
            raise SystemExit(f"{len(labels) - len(rows)} labelled ids are not in {args.source}")
        source = rows["id"].str.split("-").str[0].map({"laftel": "laftel", "sneg": "kobest"})
        extra = pd.DataFrame({"id": rows["id"], "source": source, "domain": rows["domain"], "channel": "review", "text": rows["text"], "label": rows["intent"]})
        args.intent_extra.parent.mkdir(parents=True, exist_ok=True)
        extra.to_csv(args.intent_extra, index=False)
        print(f"{len(extra)} agreed intent labels -> {args.intent_extra}")


if __name__ == "__main__":
    main()
