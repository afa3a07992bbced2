"""Merge two annotators' purchase-intent labels of real training-allowed reviews into ``intent_labels.csv``.

The ids-only counterpart of ``corpora/intent_gold/merge_double_labels.py``: the texts stay in ../shared.

    python corpora/real_train/merge_intent.py --labels-dir DIR [--labels-dir DIR2 ...] [-o corpora/real_train/intent_labels.csv]

Each DIR holds ``chunk{k}_a1.csv`` and ``chunk{k}_a2.csv`` (``id,intent``), two independent annotators per chunk.
Writes ``id,annotator_1,annotator_2,intent`` (``intent`` empty where they disagree: those rows are left out
of training, not adjudicated) and prints Cohen's kappa per chunk and overall.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from nlp.schema import INTENT_LABELS

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels-dir", type=Path, action="append", required=True)
    ap.add_argument("-o", "--output", type=Path, default=HERE / "intent_labels.csv")
    args = ap.parse_args()
    parts = []
    for a1 in [f for d in args.labels_dir for f in sorted(d.glob("chunk*_a1.csv"))]:
        a2 = a1.with_name(a1.name.replace("_a1", "_a2"))
        x, y = pd.read_csv(a1, dtype=str), pd.read_csv(a2, dtype=str)
        if x["id"].tolist() != y["id"].tolist():
            raise ValueError(f"{a1} and {a2} do not label the same ids in the same order")
        for f, d in ((a1, x), (a2, y)):
            bad = sorted(set(d["intent"].str.strip()) - set(INTENT_LABELS))
            if bad:
                raise ValueError(f"{f}: labels outside the guideline {bad}")
        m = pd.DataFrame({"id": x["id"], "annotator_1": x["intent"].str.strip(), "annotator_2": y["intent"].str.strip()})
        print(f"{a1.parent.name}/{a1.stem[:-3]}: {len(m)} rows, kappa {cohen_kappa_score(m['annotator_1'], m['annotator_2']):.3f}, agreement {(m['annotator_1'] == m['annotator_2']).mean():.3f}")
        parts.append(m)
    m = pd.concat(parts, ignore_index=True)
    m["intent"] = m["annotator_1"].where(m["annotator_1"] == m["annotator_2"], "")
    print(f"all: {len(m)} rows, kappa {cohen_kappa_score(m['annotator_1'], m['annotator_2']):.3f}; agreed {(m['intent'] != '').sum()}")
    print(m.loc[m["intent"] != "", "intent"].value_counts().to_string())
    m.to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
