"""Do the aspect rows' offsets point at their clause in the input text as written?

    python bench/aspect_offsets.py [--rows 4000] [--seed 5]

Runs the rules-only aspect stage (``--domain auto``) on a seeded sample of ../shared's real reviews and
counts the rows whose ``text[start:end]``, normalised, equals the ``evidence`` clause (spaces ignored at
the ends). Prints the share and a few misses. Nothing is written.
"""

from __future__ import annotations

import argparse

from _common import report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/corpora/real_reviews/real_reviews.parquet")
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    import pandas as pd

    from nlp.aspects.extract import AspectExtractor
    from nlp.text.normalize import normalize

    df = pd.read_parquet(args.data, columns=["id", "text", "product"]).sample(args.rows, random_state=args.seed)
    rows = AspectExtractor(domain="auto", rules_only=True).fit().transform(df)
    raw = dict(zip(df["id"].astype(str), df["text"]))
    misses = []
    for r in rows.itertuples():
        span = raw[str(r.id)][r.start : r.end]
        if " ".join(normalize([span])[0].split()) != " ".join(r.evidence.split()):
            misses.append({"evidence": r.evidence[:40], "span": span[:40]})
    report("aspect-offsets", reviews=len(df), rows=len(rows), exact_rows=len(rows) - len(misses), exact_pct=f"{100 * (1 - len(misses) / max(1, len(rows))):.2f}%", misses=misses[:5])


if __name__ == "__main__":
    main()
