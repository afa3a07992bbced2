"""`nlp score` on the local engine against `--engine spark` on local[1] and local[2]: docs/s, start-up included.

    python bench/bench_spark.py [--rows 50000] [--masters local[1],local[2]] [--int8] [--chunk-size 5000] [--repeat 1]

Each run is a fresh `nlp score` process on the same Parquet input of N shared reviews (a
seeded sample of ../shared/corpora/nsmc_reviews.parquet), so the wall time includes Python
and JVM start-up, reading, model loading and writing. The engines run in turn (local, then
each master, `--repeat` rounds), and each Spark output is checked against the local one
(same ids and labels, largest probability difference). Prints one JSON line per run and a
summary with the ratios the targets in docs/spark.md are about, plus the machine's load.
The ONNX graphs are exported before the first timed run, so no run pays for the export.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from _common import SHARED, report

ROOT = Path(__file__).resolve().parents[1]


def corpus_path(given: str | None) -> Path:
    if given:
        return Path(given)
    for cand in (SHARED, ROOT.parent / "shared" / "corpora" / "nsmc_reviews.parquet", Path("/work/shared/corpora/nsmc_reviews.parquet")):
        if cand.exists():
            return cand
    sys.exit("nsmc_reviews.parquet not found; pass --corpus PATH")


def reviews(path: Path, n: int, seed: int = 0) -> pd.DataFrame:
    df = pd.read_parquet(path, columns=["review_id", "movie_id", "date", "rating", "review"])
    df = df.sample(n, random_state=seed, replace=n > len(df))
    return pd.DataFrame(
        {
            "id": df["review_id"].astype(str).values,
            "text": df["review"].values,
            "product_id": df["movie_id"].astype(str).values,
            "created_at": pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d").values,
            "rating": df["rating"].values,
        }
    )


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def nlp_score(src: Path, out: Path, extra: list[str]) -> float:
    cmd = [sys.executable, "-m", "nlp.cli.main", "-q", "score", str(src), "-o", str(out), *extra]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr[-3000:]}")
    return dt


def _same(a: pd.Series, b: pd.Series) -> bool:
    return bool((a.isna().to_numpy() == b.isna().to_numpy()).all() and (a.dropna().astype(str).to_numpy() == b.dropna().astype(str).to_numpy()).all())


def compare(local: Path, spark: Path) -> dict:
    a, b = pd.read_parquet(local), pd.read_parquet(spark)
    probs = [c for c in a.columns if c.startswith(("sentiment_", "intent_")) and a[c].dtype.kind == "f"]
    diff = max((float(np.nanmax(np.abs(a[c].to_numpy(float) - b[c].to_numpy(float)), initial=0)) for c in probs), default=0.0)
    return {
        "same_rows": len(a) == len(b),
        "same_ids": len(a) == len(b) and _same(a["id"], b["id"]),
        "same_labels": len(a) == len(b) and all(_same(a[c], b[c]) for c in ("sentiment", "intent", "flags")),
        "max_prob_diff": diff,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--corpus", default=None, help="nsmc_reviews.parquet (default: ../shared/corpora/)")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--chunk-size", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=1, help="rounds of (local, each master)")
    ap.add_argument("--skip-local", action="store_true")
    args = ap.parse_args()
    masters = [m for m in args.masters.split(",") if m]
    extra = ["--chunk-size", str(args.chunk_size)] + (["--int8"] if args.int8 else [])
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "reviews.parquet"
        reviews(corpus_path(args.corpus), args.rows).to_parquet(src)
        warm = tmp / "warm.parquet"
        reviews(corpus_path(args.corpus), 50).to_parquet(warm)
        nlp_score(warm, tmp / "warm-out.parquet", extra)  # ONNX export (once per model) outside the timings
        times: dict[str, list[float]] = {"local": []} | {m: [] for m in masters}
        checks = {}
        for r in range(args.repeat):
            if not args.skip_local:
                la = load_avg()
                dt = nlp_score(src, tmp / "local.parquet", extra)
                times["local"].append(dt)
                report("spark_bench_run", engine="local", round=r, rows=args.rows, seconds=dt, docs_per_s=args.rows / dt, load_before=la, load_after=load_avg())
            for m in masters:
                la = load_avg()
                out = tmp / f"spark-{m.replace('[', '').replace(']', '').replace(',', '_')}.parquet"
                dt = nlp_score(src, out, extra + ["--engine", "spark", "--spark-master", m])
                times[m].append(dt)
                report("spark_bench_run", engine="spark", master=m, round=r, rows=args.rows, seconds=dt, docs_per_s=args.rows / dt, load_before=la, load_after=load_avg())
                if not args.skip_local:
                    checks[m] = compare(tmp / "local.parquet", out)
    best = {k: min(v) for k, v in times.items() if v}
    summary = {
        "date": started,
        "commit": commit(),
        "rows": args.rows,
        "int8": args.int8,
        "chunk_size": args.chunk_size,
        "cpus": os.cpu_count(),
        "seconds_best": best,
        "docs_per_s_best": {k: round(args.rows / v, 1) for k, v in best.items()},
        "checks": checks,
    }
    if "local" in best:
        summary["time_vs_local"] = {m: round(best[m] / best["local"], 3) for m in masters if m in best}
    if "local[1]" in best and "local[2]" in best:
        summary["local2_vs_local1_speedup"] = round(best["local[1]"] / best["local[2]"], 3)
    print(json.dumps({"bench": "spark_summary", **summary}, ensure_ascii=False))


if __name__ == "__main__":
    main()
