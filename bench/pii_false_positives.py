"""False-positive rate of PII masking on real reviews that hold no personal data.

The real-review set (``../shared/corpora/real_reviews``) was already cleaned of phone numbers,
e-mails and URLs by its makers (they became ``<PHONE>``, ``<EMAIL>``, ``<URL>``), so every
span :mod:`nlp.text.pii` masks in it is a likely false positive: a date, a price, an order
number read as personal data. Texts, store names and ids go through the same functions the
product uses (``mask_pii`` for texts, ``pseudonymize_pii`` for the other columns).

    python bench/pii_false_positives.py                     # 10,000 rows, seed 0: one JSON line
    python bench/pii_false_positives.py --show-examples     # also every masked span, in context, on stderr
    python bench/pii_false_positives.py --path ../shared/corpora/nsmc_reviews.parquet --text-col review --rows 0 --show-examples
        # film reviews that were NOT cleaned: a hit there may be real personal data; read each one

``candidates`` counts the rows the matcher looked at all (9+ digits, an ``@``, a link marker):
with none of those a row cannot be masked, so a small count means the rate says little.

The review texts are evaluation-only: the examples go to the terminal, never into a file of
this repository (figures only in docs/privacy.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from _common import report

from nlp.text.pii import _may_hold_pii, find_pii, pseudonymize_pii

REAL_REVIEWS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "real_reviews" / "real_reviews.parquet"
DATASET_TAGS = ("<PHONE>", "<EMAIL>", "<URL>", "<HANDLE>")


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000, help="seeded sample size (0: every row)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--path", type=Path, default=REAL_REVIEWS)
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--show-examples", action="store_true", help="print every masked span with 30 characters around it (stderr)")
    args = ap.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path} not found: the real-review set lives in ../shared/corpora/real_reviews beside the repository")
    df = pd.read_parquet(args.path)
    df = df[df[args.text_col].notna()]
    sample = df.sample(min(args.rows, len(df)), random_state=args.seed) if args.rows else df
    texts = sample[args.text_col].astype(str)
    ids = sample["id"] if "id" in sample.columns else pd.Series(range(len(sample)), index=sample.index)

    t0 = time.perf_counter()
    found = [find_pii(t) for t in texts]
    seconds = time.perf_counter() - t0
    rows_hit = sum(bool(f) for f in found)
    kinds = Counter(m.kind for f in found for m in f)
    by_domain = Counter(d for d, f in zip(sample["domain"], found) if f) if "domain" in sample.columns else Counter()
    key = b"bench"
    key_cols = [c for c in ("id", "product") if c in sample.columns]
    other_cols = {c: sum(pseudonymize_pii(v, key=key)[1] for v in sample[c].dropna().astype(str)) for c in key_cols}

    if args.show_examples:
        for rid, text, f in zip(ids, texts, found):
            for m in f:
                ctx = text[max(0, m.start - 30) : m.end + 30].replace("\n", " ")
                print(f"{rid}\t{m.kind}\t{text[m.start : m.end]!r}\t…{ctx}…", file=sys.stderr)

    report(
        "pii_false_positives",
        rows=len(sample),
        seed=args.seed,
        candidates=int(texts.map(_may_hold_pii).sum()),
        rows_masked=rows_hit,
        fp_pct=100 * rows_hit / len(sample),
        fp_pct_95_upper=(300 / len(sample)) if rows_hit == 0 else None,  # rule of three when nothing was masked
        spans=dict(kinds),
        rows_masked_by_domain=dict(by_domain),
        other_columns_masked=other_cols,
        dataset_tags_in_sample={t: int(texts.str.contains(t, regex=False).sum()) for t in DATASET_TAGS},
        docs_per_s=len(sample) / seconds,
        commit=_commit(),
    )


if __name__ == "__main__":
    main()
