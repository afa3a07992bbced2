"""Tokenisation throughput (docs/s) on shared reviews, and peak memory of `nlp tokenize` on a large file.

    python bench/bench_tokenize.py --rows 100000
    python bench/bench_tokenize.py --file-rows 1000000    # streams a 1M-row CSV through tokenize_table
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import kiwi_docs_per_s, peak_rss_mb, report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--file-rows", type=int, default=0, help="also stream a CSV of this many rows through `nlp tokenize`")
    args = ap.parse_args()
    df = shared_reviews(args.rows)
    texts = df["text"].tolist()
    report("kiwi_tokenize", rows=len(texts), docs_per_s=kiwi_docs_per_s(texts), peak_rss_mb=peak_rss_mb())
    if args.file_rows:
        from nlp.text.table import tokenize_table

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "big.csv"
            with open(src, "w", encoding="utf-8") as fh:
                big = shared_reviews(min(args.file_rows, 200_000), seed=1)
                fh.write(big.head(0).to_csv(index=False))
                written = 0
                while written < args.file_rows:
                    part = big.head(args.file_rows - written).copy()
                    part["id"] = [f"{written + i}" for i in range(len(part))]
                    fh.write(part.to_csv(index=False, header=False))
                    written += len(part)
            t0 = time.perf_counter()
            stats = tokenize_table(src, Path(tmp) / "out.parquet", content_words=False, show_progress_bar=False)
            dt = time.perf_counter() - t0
            report("nlp_tokenize_file", rows=stats.output_rows, seconds=dt, docs_per_s=stats.output_rows / dt, peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
