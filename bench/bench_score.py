"""Scoring throughput (sentiment + intent, end to end through `score_table`) and peak memory.

Prints docs/s for the fp32 and int8 paths and, as a machine-independent figure, the ratio
to Kiwi's tokenisation docs/s measured in the same process on the same texts.

    python bench/bench_score.py --rows 20000 [--model DIR] [--int8] [--threads 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import kiwi_docs_per_s, peak_rss_mb, report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--sentiment-only", action="store_true", help="drop the intent head and its blend, to measure what intent costs")
    args = ap.parse_args()
    from nlp.scoring import Scorer, score_table

    df = shared_reviews(args.rows, seed=2)
    kiwi = kiwi_docs_per_s(df["text"].tolist())
    scorer = Scorer.load(args.model, quantize=args.int8, threads=args.threads, batch_size=args.batch_size, backend=args.backend)
    if args.sentiment_only:
        del scorer.model.heads["intent"]
        for d in (scorer.tasks, scorer.sparse, scorer.blends, scorer.model.config.tasks):
            d.pop("intent", None)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        df.to_parquet(src)
        t0 = time.perf_counter()
        stats = score_table(src, Path(tmp) / "out.parquet", scorer=scorer, show_progress_bar=False)
        dt = time.perf_counter() - t0
    rate = stats.output_rows / dt
    report("score", rows=stats.output_rows, int8=args.int8, backend=scorer.backend, tasks=list(scorer.tasks), seconds=dt, docs_per_s=rate, kiwi_docs_per_s=kiwi, ratio_to_kiwi=rate / kiwi, peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
