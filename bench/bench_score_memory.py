"""Peak memory while scoring a large file: RSS after each chunk, to show it stays flat (cost linear in rows).

Writes a CSV of --file-rows rows (shared reviews repeated), scores the first --score-rows of
them chunk by chunk through `score_table`'s own streaming, and prints RSS every few chunks.

    python bench/bench_score_memory.py --file-rows 1000000 --score-rows 60000 --int8
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import peak_rss_mb, report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file-rows", type=int, default=1_000_000)
    ap.add_argument("--score-rows", type=int, default=60_000)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--model", default=None, help="scorer model directory (default: the shipped one)")
    ap.add_argument("--recheck", type=float, default=None, help="with --int8: the fp32 re-check margin (default: the scorer's; 0: off, as --fast)")
    ap.add_argument("--batch-size", type=int, default=None, help="default: the scorer's")
    args = ap.parse_args()
    import nlp.scoring.table as st
    from nlp.scoring import Scorer

    base = shared_reviews(200_000, seed=4)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.csv"
        with open(src, "w", encoding="utf-8") as fh:
            fh.write("id,text,product_id,created_at,rating\n")
            n = 0
            while n < args.file_rows:
                part = base.head(args.file_rows - n).copy()
                part["id"] = range(n, n + len(part))
                fh.write(part.to_csv(index=False, header=False))
                n += len(part)
        from nlp.scoring.scorer import DEFAULT_BATCH_SIZE

        scorer = Scorer.load(args.model, quantize=args.int8, batch_size=args.batch_size or DEFAULT_BATCH_SIZE, recheck_margin=args.recheck)
        real = st.score_frame
        seen = {"rows": 0, "t0": time.perf_counter()}

        class Enough(Exception):
            pass

        def watched(df, *a, **k):
            if seen["rows"] >= args.score_rows:
                raise Enough
            out = real(df, *a, **k)
            seen["rows"] += len(df)
            if seen["rows"] % 20_000 == 0:
                report("score_memory", rows_scored=seen["rows"], seconds=time.perf_counter() - seen["t0"], peak_rss_mb=peak_rss_mb())
            return out

        st.score_frame = watched
        try:
            st.score_table(src, Path(tmp) / "out.parquet", scorer=scorer, show_progress_bar=False)
        except Enough:
            pass
        report("score_memory_final", model=args.model or "default", int8=args.int8, file_rows=args.file_rows, rows_scored=seen["rows"], docs_per_s=seen["rows"] / (time.perf_counter() - seen["t0"]), peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
