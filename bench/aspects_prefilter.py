"""Is the character test before Kiwi sound, and what does it let through?

The aspect stage skips Kiwi for a review when :meth:`nlp.aspects.matcher.SeedIndex.may_match`
says no seed can occur in it. That test must never hide a review where Kiwi would find a seed.
This script reads every text of the shared real-review set and a seeded sample of NSMC film
reviews (normalised as the stage normalises them), runs Kiwi and the seed matcher on all of
them, and reports:

* ``misses``: texts with a match that the test would have skipped (must be 0);
* ``passed``: texts the test lets through, for all domains with cue words (``--domain auto``)
  and per domain;
* ``test_s``: the time of the test alone over all texts.

    python bench/aspects_prefilter.py [--nsmc 30000] [--shared DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import real_review_texts, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nsmc", type=int, default=30_000, help="NSMC reviews to add to the real set (seeded sample)")
    ap.add_argument("--shared", type=Path, default=None, help="the shared corpora folder (default: ../shared/corpora beside the repository)")
    args = ap.parse_args()
    from nlp.aspects.clauses import analyse_many
    from nlp.aspects.matcher import SeedIndex
    from nlp.aspects.taxonomy import Taxonomy

    index = SeedIndex(Taxonomy.builtin())
    texts = real_review_texts(args.shared, nsmc=args.nsmc)
    t0 = time.perf_counter()
    passed = [index.may_match(t, index.domains, True) for t in texts]
    test_s = time.perf_counter() - t0
    per_domain = {d: sum(index.may_match(t, [d]) for t in texts) for d in index.domains}
    misses = 0
    for k in range(0, len(texts), 2_000):
        for j, doc in enumerate(analyse_many(texts[k : k + 2_000])):
            if not passed[k + j] and index.find(doc, index.domains):
                misses += 1
    report("aspects_prefilter", texts=len(texts), misses=misses, passed_auto=sum(passed), passed_per_domain=per_domain, test_s=test_s)


if __name__ == "__main__":
    main()
