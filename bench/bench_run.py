"""`nlp run` end to end (score → topics → trends → report) on N shared reviews: docs/s per stage and peak RSS.

    python bench/bench_run.py --rows 20000 [--int8] [--fast] [--model DIR] [--backend torch] [--real] [--keep DIR]

``--fast`` is ``nlp run --fast``: the 3-layer student on int8, without the fp32 re-check.
``--real`` samples the rows from ../shared/corpora/real_reviews (ten domains of real crawled
reviews, their product and date columns) instead of the NSMC film reviews; ``--keep DIR`` keeps
the run's outputs (the report included) there. Real evaluation-only texts stay on this machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import kiwi_docs_per_s, peak_rss_mb, report, shared_reviews

from nlp.resources import shared_corpora_dir


def real_reviews(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` seeded rows of the shared real reviews, in the columns ``nlp run`` reads by default."""
    df = pd.read_parquet(shared_corpora_dir() / "real_reviews" / "real_reviews.parquet", columns=["id", "text", "product", "date", "rating"])
    df = df.sample(min(n, len(df)), random_state=seed)
    return pd.DataFrame({"id": df["id"].values, "text": df["text"].values, "product_id": df["product"].values, "created_at": df["date"].values, "rating": df["rating"].values})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--int8", action="store_true", help="the default; kept for older command lines")
    ap.add_argument("--fp32", action="store_true", help="nlp run --fp32")
    ap.add_argument("--model", default=None)
    ap.add_argument("--fast", action="store_true", help="nlp run --fast")
    ap.add_argument("--backend", default=None, help="auto (default), onnx or torch: scoring and the topic embedder")
    ap.add_argument("--real", action="store_true", help="real reviews of ten domains (../shared/corpora/real_reviews) instead of NSMC")
    ap.add_argument("--keep", default=None, help="keep the outputs in this directory")
    args = ap.parse_args()
    from nlp.pipeline import run

    df = real_reviews(args.rows, seed=3) if args.real else shared_reviews(args.rows, seed=3)
    kiwi = kiwi_docs_per_s(df["text"].tolist()[:20_000])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        df.to_parquet(src)
        t0 = time.perf_counter()
        from nlp.scoring.scorer import resolve_fast

        model, int8, recheck = resolve_fast(args.fast, args.model, False if args.fp32 else None)
        out = Path(args.keep) if args.keep else Path(tmp) / "out"
        res = run(src, out, model_dir=model, quantize=int8, recheck=recheck, backend=args.backend, freq="M")
        dt = time.perf_counter() - t0
    per_stage = {k: round(len(df) / v, 1) for k, v in res.seconds.items() if v > 0}
    report("nlp_run", corpus="real_reviews" if args.real else "nsmc", rows=len(df), int8=int8, fast=args.fast, model=str(model) if model else "default", backend=args.backend or "auto", seconds=dt, docs_per_s=len(df) / dt, stage_seconds=res.seconds,
           stage_docs_per_s=per_stage, kiwi_docs_per_s=kiwi, ratio_to_kiwi=len(df) / dt / kiwi, peak_rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
