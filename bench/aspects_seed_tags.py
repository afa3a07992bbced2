"""Which parts of speech do the seeds' matches carry on real reviews?

A seed is matched on Kiwi lemmas, so a noun seed also matches a bound noun or a determiner
written the same way (줄 "queue" and the 줄 of "맛있을 줄 몰랐다"; 새 "new" and a seed Kiwi read as 새).
This script reads every text of the shared real-review set with Kiwi, finds the seeds of all
built-in domains, and counts per seed how many matches start on a bound noun (NNB), a numeral
(NR) or a determiner (MM). A seed with many such matches is a candidate for a tag (``줄/NNG``)
or a rewrite; numeric units (원, 인분) are meant to match bound nouns. Seeds matched as written
(one-word nouns Kiwi splits, such as 제형 → 저 + 형) are left out: their pieces' tags say nothing.

    python bench/aspects_seed_tags.py [--top 20] [--shared DIR]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from _common import real_review_texts, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=20, help="seeds to list, most such matches first")
    ap.add_argument("--shared", type=Path, default=None, help="the shared corpora folder (default: ../shared/corpora beside the repository)")
    args = ap.parse_args()
    from nlp.aspects.clauses import analyse_many
    from nlp.aspects.matcher import SeedIndex
    from nlp.aspects.taxonomy import Taxonomy

    index = SeedIndex(Taxonomy.builtin())
    texts = real_review_texts(args.shared)
    odd: Counter = Counter()
    total: Counter = Counter()
    for k in range(0, len(texts), 2_000):
        for doc in analyse_many(texts[k : k + 2_000]):
            for m in index.find(doc, index.domains):
                key = f"{m.domain}.{m.aspect} {m.seed.term}"
                total[key] += 1
                tag = doc.tokens[m.positions[0]].tag
                if tag in ("NNB", "NR", "MM") and not m.seed.literal:
                    odd[(key, tag)] += 1
    rows = [{"seed": key, "tag": tag, "matches": n, "of": total[key]} for (key, tag), n in odd.most_common(args.top)]
    report("aspects_seed_tags", texts=len(texts), seeds=rows)


if __name__ == "__main__":
    main()
