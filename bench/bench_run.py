"""`nlp run` end to end (score → topics → trends → report) on N shared reviews: docs/s per stage and peak RSS.

    python bench/bench_run.py --rows 20000 [--int8] [--fast] [--model DIR] [--backend torch]

``--fast`` is ``nlp run --fast``: the 3-layer student on int8, without the fp32 re-check.
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
    ap.add_argument("--int8", action="store_true", help="the default; kept for older command lines")
    ap.add_argument("--fp32", action="store_true", help="nlp run --fp32")
    ap.add_argument("--model", default=None)
    ap.add_argument("--fast", action="store_true", help="nlp run --fast")
    ap.add_argument("--backend", default=None, help="auto (default), onnx or torch: scoring and the topic embedder")
    args = ap.parse_args()
    from nlp.pipeline import run

    df = shared_reviews(args.rows, seed=3)
    kiwi = kiwi_docs_per_s(df["text"].tolist()[:20_000])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        df.to_parquet(src)
        t0 = time.perf_counter()
        from nlp.scoring.scorer import resolve_fast

        model, int8, recheck = resolve_fast(args.fast, args.model, False if args.fp32 else None)
        res = run(src, Path(tmp) / "out", model_dir=model, quantize=int8, recheck=recheck, backend=args.backend, freq="M")
        dt = time.perf_counter() - t0
    per_stage = {k: round(len(df) / v, 1) for k, v in res.seconds.items() if v > 0}
    report("nlp_run", rows=len(df), int8=int8, fast=args.fast, model=str(model) if model else "default", backend=args.backend or "auto", seconds=dt, docs_per_s=len(df) / dt, stage_seconds=res.seconds,
           stage_docs_per_s=per_stage, kiwi_docs_per_s=kiwi, ratio_to_kiwi=len(df) / dt / kiwi, peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
