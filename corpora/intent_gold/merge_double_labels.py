"""Merge two independent labellings of the same texts: agreement (Cohen's kappa) and the agreed rows.

Rows where the two labellers agree become training rows; the rest are listed as disagreements
and left out (nobody adjudicated them, so no label is claimed for them). Texts that repeat an
earlier candidate (spaces ignored) are dropped first, so no text is counted or trained twice.
``--task sentiment`` merges 3-way sentiment labels into a ``id, domain, text, label`` table
(the written sets of ``corpora/domain_sentiment_train``); the default is purchase intent in the
layout of ``extra_train*.csv``.

    python corpora/intent_gold/merge_double_labels.py corpora/intent_gold/extra2_candidates.csv \\
        corpora/intent_gold/extra2_labels_a.csv corpora/intent_gold/extra2_labels_b.csv \\
        -o corpora/intent_gold/extra_train_2.csv --disagreements corpora/intent_gold/extra2_disagreements.csv
"""

from __future__ import annotations

import argparse

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from nlp.schema import INTENT_LABELS, SENTIMENT_LABELS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("candidates", help="id, text, pick (and rating, movie_id), or id, domain, text (and written_label)")
    ap.add_argument("labels_a", help="id, label")
    ap.add_argument("labels_b", help="id, label")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--disagreements", required=True)
    ap.add_argument("--source", default="nsmc", help="source of the texts (nsmc, team_written); a candidates 'domain' column is kept, else film")
    ap.add_argument("--task", choices=["intent", "sentiment"], default="intent")
    a = ap.parse_args()
    labels = INTENT_LABELS if a.task == "intent" else SENTIMENT_LABELS

    cand = pd.read_csv(a.candidates, dtype=str)
    la = pd.read_csv(a.labels_a, dtype=str).rename(columns={"label": "label_a"})
    lb = pd.read_csv(a.labels_b, dtype=str).rename(columns={"label": "label_b"})
    for name, t in (("A", la), ("B", lb)):
        missing = set(cand["id"]) - set(t["id"])
        extra = set(t["id"]) - set(cand["id"])
        bad = sorted(set(t.iloc[:, 1]) - set(labels))
        if missing or extra or bad or t["id"].duplicated().any():
            raise SystemExit(f"labeller {name}: {len(missing)} ids missing, {len(extra)} unknown, duplicates={t['id'].duplicated().sum()}, bad labels {bad}")
    m = cand.merge(la, on="id").merge(lb, on="id")
    repeated = m["text"].str.replace(r"\s+", "", regex=True).duplicated()
    if repeated.any():
        print(f"{int(repeated.sum())} texts repeat an earlier one and are dropped")
        m = m[~repeated]
    kappa = cohen_kappa_score(m["label_a"], m["label_b"])
    agree = m["label_a"] == m["label_b"]
    print(f"{len(m)} texts, raw agreement {agree.mean():.3f}, Cohen's kappa {kappa:.3f}")
    if "pick" not in m.columns:
        m["pick"] = "domain:" + m["domain"] if "domain" in m.columns else "all"
    for pick, g in m.groupby(m["pick"].str.split(":").str[-1] if "domain" in m.columns else m["pick"].str.split(":").str[0]):
        print(f"  {pick}: n={len(g)}, agreement {(g['label_a'] == g['label_b']).mean():.3f}, kappa {cohen_kappa_score(g['label_a'], g['label_b']):.3f}")
    print(pd.crosstab(m["label_a"], m["label_b"]).reindex(index=labels, columns=labels, fill_value=0).to_string())
    if "written_label" in m.columns:
        print(f"  agreed label = the writer's intended label on {(m[agree]['label_a'] == m[agree]['written_label']).mean():.3f} of agreed rows")
    ok = m[agree].assign(source=a.source, channel="review", label=lambda d: d["label_a"])
    if "domain" not in ok.columns:
        ok["domain"] = "film"
    ok[["id", "source", "domain", "channel", "text", "label", "pick"] if a.task == "intent" else ["id", "domain", "text", "label"]].to_csv(a.out, index=False)
    m[~agree][[c for c in ("id", "rating", "domain", "text", "written_label", "label_a", "label_b", "pick") if c in m.columns]].to_csv(a.disagreements, index=False)
    print(f"agreed rows -> {a.out}: {ok['label'].value_counts().reindex(labels, fill_value=0).to_dict()}")
    print(f"{int((~agree).sum())} disagreements -> {a.disagreements} (left out)")


if __name__ == "__main__":
    main()
