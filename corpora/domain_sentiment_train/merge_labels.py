"""Merge two blind sentiment labellings of written texts: Cohen's kappa and the agreed rows.

Rows where the two labellers agree become training rows (that label); the rest are listed as
disagreements and left out. Texts that repeat an earlier text are dropped (the first is kept).

    python corpora/domain_sentiment_train/merge_labels.py corpora/domain_sentiment_train/d_candidates.csv \\
        corpora/domain_sentiment_train/d_labels_a.csv corpora/domain_sentiment_train/d_labels_b.csv \\
        -o corpora/domain_sentiment_train/domain_sentiment_train_d.csv --disagreements corpora/domain_sentiment_train/d_disagreements.csv
"""

from __future__ import annotations

import argparse

import pandas as pd
from sklearn.metrics import cohen_kappa_score

LABELS = ["negative", "neutral", "positive"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("candidates", help="id, domain, text, written_label")
    ap.add_argument("labels_a", help="id, label")
    ap.add_argument("labels_b", help="id, label")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--disagreements", required=True)
    a = ap.parse_args()

    cand = pd.read_csv(a.candidates, dtype=str)
    la = pd.read_csv(a.labels_a, dtype=str).rename(columns={"label": "label_a"})
    lb = pd.read_csv(a.labels_b, dtype=str).rename(columns={"label": "label_b"})
    for name, t in (("A", la), ("B", lb)):
        bad = sorted(set(t.iloc[:, 1]) - set(LABELS))
        if set(t["id"]) != set(cand["id"]) or bad or t["id"].duplicated().any():
            raise SystemExit(f"labeller {name}: ids differ from the candidates or bad labels {bad}")
    m = cand.merge(la, on="id").merge(lb, on="id")
    repeated = m["text"].str.replace(r"\s+", "", regex=True).duplicated()
    print(f"{int(repeated.sum())} texts repeat an earlier one and are dropped")
    m = m[~repeated]
    agree = m["label_a"] == m["label_b"]
    print(f"{len(m)} texts, raw agreement {agree.mean():.3f}, Cohen's kappa {cohen_kappa_score(m['label_a'], m['label_b']):.3f}")
    print(f"  agreed label = the writer's on {(m[agree]['label_a'] == m[agree]['written_label']).mean():.3f} of agreed rows")
    print(pd.crosstab(m["label_a"], m["label_b"]).reindex(index=LABELS, columns=LABELS, fill_value=0).to_string())
    ok = m[agree].assign(label=lambda d: d["label_a"])
    ok[["id", "domain", "text", "label"]].to_csv(a.out, index=False)
    m[~agree][["id", "domain", "text", "written_label", "label_a", "label_b"]].to_csv(a.disagreements, index=False)
    print(f"agreed rows -> {a.out}: {ok['label'].value_counts().reindex(LABELS, fill_value=0).to_dict()}")
    print(f"{int((~agree).sum())} disagreements -> {a.disagreements} (left out)")


if __name__ == "__main__":
    main()
