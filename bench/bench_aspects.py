"""What aspects add to scoring: ``nlp score --int8`` time on N reviews against the aspect stage on its output.

The aspect stage is what ``nlp score --aspects`` runs after scoring, with the same loaded scorer:
read the scored table, normalise, the character prefilter, Kiwi on the candidates, seed matching,
rules, one batched scorer call for the clauses the rules leave open (single-clause reviews reuse
their review score), and writing the aspect table. Scoring and aspects are timed alternately in one
process and the medians reported, with the ratio aspects / scoring (target: at most 0.30).

    python bench/bench_aspects.py --rows 10000 --repeat 3 [--domain film|auto|...] [--source nsmc|real] [--fp32] [--shared DIR]
    python bench/bench_aspects.py --rows 10000 --repeat 4 --domain auto --char-margin 0.5,none   # two settings, alternated

``--source nsmc`` (default) is the shared NSMC film reviews that ``bench/bench_score.py`` times;
``--source real`` is the shared real-review set (all domains, for timing only).
``--char-margin A,B`` times the stage with each ``char_margin`` (``none``: every open clause encoded) in
turn after each scoring run, and reports each setting's median ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import _common
import numpy as np
import pandas as pd
from _common import peak_rss_mb, report, shared_reviews


def real_reviews(n: int, seed: int = 2) -> pd.DataFrame:
    path = _common.SHARED.parent / "real_reviews" / "real_reviews.parquet"
    df = pd.read_parquet(path, columns=["id", "text", "product", "domain", "date"])
    df = df.sample(n, random_state=seed, replace=n > len(df))
    return pd.DataFrame({"id": df["id"].astype(str).values, "text": df["text"].values, "product_id": (df["domain"] + ":" + df["product"].fillna("")).values,
                         "created_at": df["date"].values})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--domain", default="film")
    ap.add_argument("--source", choices=["nsmc", "real"], default="nsmc")
    ap.add_argument("--fp32", action="store_true", help="time the fp32 scorer instead of --int8")
    ap.add_argument("--score-all", action="store_true", help="score every mention's clause (not only those the rules leave open)")
    ap.add_argument("--char-margin", default=None, help="comma-separated char_margin settings to alternate (a number or none; default: the extractor's)")
    ap.add_argument("--shared", type=Path, default=None, help="the shared corpora folder (default: ../shared/corpora beside the repository)")
    args = ap.parse_args()
    if args.shared:
        _common.SHARED = args.shared / "nsmc_reviews.parquet"
    from nlp.aspects import aspects_table
    from nlp.scoring import Scorer, score_table

    df = shared_reviews(args.rows, seed=2) if args.source == "nsmc" else real_reviews(args.rows)
    scorer = Scorer.load(None, quantize=not args.fp32)
    scorer.predict(["워밍업 한 줄"])
    margins = [None if m.strip().lower() == "none" else float(m) for m in args.char_margin.split(",")] if args.char_margin else ["default"]
    score_s: list[float] = []
    aspect_s: dict = {m: [] for m in margins}
    stats = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        df.to_parquet(src)
        scored = Path(tmp) / "scored.parquet"
        for k in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            score_table(src, scored, scorer=scorer, show_progress_bar=False)
            score_s.append(time.perf_counter() - t0)
            for m in margins if k % 2 == 0 else margins[::-1]:
                kw = {} if m == "default" else {"char_margin": m}
                t0 = time.perf_counter()
                stats[m] = aspects_table(scored, Path(tmp) / "aspects.parquet", domain=args.domain, scorer=scorer, score_all=args.score_all, **kw)
                aspect_s[m].append(time.perf_counter() - t0)
            if k == 0:  # the first run also compiles the taxonomy and creates Kiwi: not part of the steady cost
                first = (score_s.pop(), {m: aspect_s[m].pop() for m in margins})
    for m in margins:
        e = stats[m].extract
        ratios = [a / s for a, s in zip(aspect_s[m], score_s)]
        report(
            "aspects", rows=len(df), source=args.source, domain=args.domain, int8=not args.fp32, score_all=args.score_all, char_margin=m,
            score_s=float(np.median(score_s)), aspects_s=float(np.median(aspect_s[m])), ratio=float(np.median(ratios)),
            runs=[{"score_s": round(s, 2), "aspects_s": round(a, 2)} for s, a in zip(score_s, aspect_s[m])], first_run={"score_s": round(first[0], 2), "aspects_s": round(first[1][m], 2)},
            analysed=e.analysed, with_aspects=e.with_aspects, aspect_rows=e.rows, clauses_scored=e.clauses_scored, domains=e.domains, peak_rss_mb=peak_rss_mb(),
        )

if __name__ == "__main__":
    main()
