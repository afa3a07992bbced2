"""Agreement between the two annotators, and the merged labels (ids + labels only, never texts).

    python corpora/real_aspects/merge.py LABEL_DIR            # κ figures; writes disagreements.csv
    python corpora/real_aspects/merge.py LABEL_DIR --adjudicated ADJ.csv   # + labels.csv (the evaluation set)
    python corpora/real_aspects/merge.py LABEL_DIR --set books [--adjudicated ADJ.csv]   # the books chunk (draw_books.py)

LABEL_DIR holds A_1.csv, A_2.csv, B_1.csv, B_2.csv (``id,aspects,intent``; aspects ``key:pol;...``, pol + - 0); with
``--set books`` the files and outputs carry a ``books_`` prefix (``books_ids.csv`` → ``books_labels.csv``).
Agreement is measured per (review, aspect key of its taxonomy): detection κ over present/absent, polarity κ on the
pairs both annotators marked, and intent κ per review. Where they disagree on an aspect's presence or polarity, or on
intent, the adjudicated file (``id,aspects,intent`` for those reviews only) decides; a review it leaves out keeps only
what both annotators agreed on and is marked ``adjudicated = false``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
POL = {"+": "positive", "-": "negative", "0": "neutral"}
TAXONOMY_KEYS = {
    "food": ["taste", "quantity", "delivery", "price", "packaging", "hygiene", "service", "waiting", "ambience"],
    "cosmetics": ["moisture", "soothing", "irritation", "texture", "scent", "effect", "price", "delivery", "packaging", "design"],
    "app": ["bugs", "speed", "usability", "update", "support", "login", "fees", "ads"],
    "shopping": ["quality", "price", "delivery", "packaging", "design", "size", "durability", "usability", "service"],
    "books": ["content", "writing", "translation", "usefulness", "length", "print", "design", "delivery", "packaging", "price"],
}


def parse_aspects(cell: str) -> dict[str, str]:
    """``"taste:+;delivery:-"`` → ``{"taste": "+", "delivery": "-"}``."""
    out: dict[str, str] = {}
    for part in str(cell or "").split(";"):
        part = part.strip()
        if part:
            key, pol = part.rsplit(":", 1)
            out[key.strip()] = pol.strip()
    return out


def format_aspects(d: dict[str, str]) -> str:
    return ";".join(f"{k}:{v}" for k, v in d.items())


def load(label_dir: Path, prefix: str = "") -> pd.DataFrame:
    ids = pd.read_csv(HERE / f"{prefix}ids.csv", keep_default_na=False)
    rows = []
    for chunk in ("A", "B"):
        a = pd.read_csv(label_dir / f"{prefix}{chunk}_1.csv", keep_default_na=False, dtype=str)
        b = pd.read_csv(label_dir / f"{prefix}{chunk}_2.csv", keep_default_na=False, dtype=str)
        m = a.merge(b, on="id", suffixes=("_1", "_2"), validate="1:1")
        rows.append(m)
    m = pd.concat(rows).merge(ids, on="id", validate="1:1")
    if len(m) != len(ids):
        sys.exit(f"{len(ids) - len(m)} ids of {prefix}ids.csv have no labels from both annotators")
    return m


def agreement(m: pd.DataFrame) -> dict:
    det1, det2, pol1, pol2 = [], [], [], []
    for r in m.itertuples():
        a1, a2 = parse_aspects(r.aspects_1), parse_aspects(r.aspects_2)
        for key in TAXONOMY_KEYS[r.taxonomy]:
            det1.append(key in a1)
            det2.append(key in a2)
            if key in a1 and key in a2:
                pol1.append(a1[key])
                pol2.append(a2[key])
    return {
        "reviews": len(m),
        "detection_kappa": cohen_kappa_score(det1, det2),
        "detection_pairs": len(det1),
        "polarity_kappa": cohen_kappa_score(pol1, pol2),
        "polarity_pairs": len(pol1),
        "polarity_agreement": sum(x == y for x, y in zip(pol1, pol2)) / len(pol1),
        "intent_kappa": cohen_kappa_score(m["intent_1"], m["intent_2"]),
        "reviews_full_agreement": int(((m["intent_1"] == m["intent_2"]) & (m["aspects_1"].map(parse_aspects) == m["aspects_2"].map(parse_aspects))).sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("label_dir", type=Path)
    ap.add_argument("--adjudicated", type=Path)
    ap.add_argument("--set", choices=["main", "books"], default="main", help="the main set (ids.csv) or the books chunk (books_ids.csv)")
    args = ap.parse_args()
    prefix = "" if args.set == "main" else f"{args.set}_"
    m = load(args.label_dir, prefix)
    for chunk, g in [("all", m), *m.groupby("chunk")]:
        print(chunk, {k: round(v, 3) if isinstance(v, float) else v for k, v in agreement(g).items()})
    dis = m[(m["intent_1"] != m["intent_2"]) | (m["aspects_1"].map(parse_aspects) != m["aspects_2"].map(parse_aspects))]
    dis[["id", "taxonomy", "aspects_1", "aspects_2", "intent_1", "intent_2"]].to_csv(HERE / f"{prefix}disagreements.csv", index=False)
    print(f"{len(dis)} reviews with a disagreement → {HERE / f'{prefix}disagreements.csv'}")
    adj = pd.read_csv(args.adjudicated, keep_default_na=False, dtype=str).set_index("id") if args.adjudicated else None
    out = []
    for r in m.itertuples():
        a1, a2 = parse_aspects(r.aspects_1), parse_aspects(r.aspects_2)
        if a1 == a2 and r.intent_1 == r.intent_2:
            out.append((r.id, r.domain, r.taxonomy, r.chunk, format_aspects(a1), r.intent_1, "agreed"))
        elif adj is not None and r.id in adj.index:
            out.append((r.id, r.domain, r.taxonomy, r.chunk, format_aspects(parse_aspects(adj.at[r.id, "aspects"])), adj.at[r.id, "intent"], "adjudicated"))
        else:
            both = {k: v for k, v in a1.items() if a2.get(k) == v}
            out.append((r.id, r.domain, r.taxonomy, r.chunk, format_aspects(both), r.intent_1 if r.intent_1 == r.intent_2 else "", "partial"))
    labels = pd.DataFrame(out, columns=["id", "domain", "taxonomy", "chunk", "aspects", "intent", "status"])
    if args.adjudicated or prefix:  # the books chunk keeps agreed labels even before any adjudication
        labels.to_csv(HERE / f"{prefix}labels.csv", index=False)
        print(labels["status"].value_counts().to_string())


if __name__ == "__main__":
    main()
