"""The aspect stage's own Python work, timed apart from Kiwi and the encoder.

Between Kiwi and the scorer the stage normalises every review, builds each analysed review's
clauses and tokens, and matches the seed terms. This script times those three on the same texts,
Kiwi's analysis done once beforehand and not timed, and prints the best of ``--repeat`` runs:

* ``normalize_s``: :func:`nlp.text.normalize.normalize` on every text;
* ``docs_s``: clauses and tokens from Kiwi's morphemes, for the texts that pass the character test;
* ``find_s``: :meth:`nlp.aspects.matcher.SeedIndex.find` over all built-in domains on those.

The texts: ``--nsmc`` seeded NSMC film reviews and ``--real`` seeded real reviews (all domains).

    python bench/aspects_python_parts.py [--nsmc 10000] [--real 5000] [--repeat 3] [--shared DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common
import pandas as pd
from _common import report, shared_reviews


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsmc", type=int, default=10_000)
    ap.add_argument("--real", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=None, help="the shared corpora folder (default: ../shared/corpora beside the repository)")
    args = ap.parse_args()
    if args.shared:
        _common.SHARED = args.shared / "nsmc_reviews.parquet"
    from kiwipiepy import Match

    from nlp.aspects.clauses import _doc_from_tokens, analyse_many
    from nlp.aspects.extract import AspectExtractor
    from nlp.text.kiwi import get_kiwi
    from nlp.text.normalize import normalize

    raw = shared_reviews(args.nsmc, seed=2)["text"].fillna("").tolist() if args.nsmc else []
    if args.real:
        real = pd.read_parquet(_common.SHARED.parent / "real_reviews" / "real_reviews.parquet", columns=["text"])
        raw += real.sample(args.real, random_state=3, replace=args.real > len(real))["text"].fillna("").tolist()
    index = AspectExtractor().fit().index_
    texts = [t for t in normalize([t for t in raw if index.may_match(t, index.domains, True)]) if t.strip()]
    kiwi = get_kiwi()
    analyse_many(["워밍업"])
    tokens = list(kiwi.tokenize(texts, match_options=Match.ALL | Match.JOIN_NOUN_PREFIX))
    best = {"normalize_s": [], "docs_s": [], "find_s": []}
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        normalize(raw)
        best["normalize_s"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        docs = [_doc_from_tokens(t, toks, frozenset()) for t, toks in zip(texts, tokens)]
        best["docs_s"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for d in docs:
            index.find(d, index.domains)
        best["find_s"].append(time.perf_counter() - t0)
    report("aspects_python_parts", texts=len(raw), analysed=len(texts), **{k: min(v) for k, v in best.items()})


if __name__ == "__main__":
    main()
