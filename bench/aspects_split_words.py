"""One-word seed terms that Kiwi splits when it reads them alone, and whether each still matches in a sentence.

    python bench/aspects_split_words.py [--taxonomy FILE]

A one-word term that Kiwi reads alone as several pieces spelling the word (비밀번호 → 비밀 + 번호) is
compiled from those pieces, while in a sentence Kiwi often reads the word whole. Each such term is
put into two plain sentences ("이건 비밀번호입니다", "비밀번호 샀어요") and matched; Kiwi's reading
depends on the words around, so a term counts as missed when either sentence misses it. Before the
matcher also looked for such words as written (the matcher of commit fd14fee), 32 of the 93
built-in ones were missed; after, none.
"""

from __future__ import annotations

import argparse
import json


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--taxonomy", default=None, help="a taxonomy file applied on top of the built-in one")
    args = ap.parse_args()
    from nlp.aspects.clauses import analyse
    from nlp.aspects.matcher import SeedIndex
    from nlp.aspects.taxonomy import Taxonomy

    index = SeedIndex(Taxonomy.load(args.taxonomy))
    split, missed = 0, []
    seen = set()
    for seed in index.seeds:
        parts = seed.term.rstrip("*").split()
        key = (seed.domain, seed.aspect, seed.term)
        if key in seen or len(parts) != 1 or "/" in seed.term or parts[0].endswith("다") or len(seed.lemmas) < 2 or "".join(seed.lemmas) != parts[0].lower():
            continue
        seen.add(key)
        split += 1
        for frame in (f"이건 {parts[0]}입니다", f"{parts[0]} 샀어요"):
            if not any(m.seed.term == seed.term and m.aspect == seed.aspect for m in index.find(analyse(frame), [seed.domain])):
                missed.append(f"{seed.domain}.{seed.aspect}:{seed.term}")
                break
    print(json.dumps({"split_when_alone": split, "missed_in_a_sentence": len(missed), "missed": missed}, ensure_ascii=False))


if __name__ == "__main__":
    main()
