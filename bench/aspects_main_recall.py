"""How often the aspect extractor finds the main aspect of the team-written hotel and shopping reviews.

``corpora/aspects/aspects.csv`` (480 reviews, evaluation only) labels one main aspect per review
in Korean categories; each category is mapped to the keys of the ``lodging`` / ``shopping``
domains that cover it, and a review counts as found when one of those keys is among its rows.
It is the only labelled lodging text in the project, so it checks that domain's seed lists.

    python bench/aspects_main_recall.py [--int8]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from _common import report

HERE = Path(__file__).resolve().parents[1]
MAP = {
    ("hotel", "청결"): {"cleanliness"},
    ("hotel", "서비스/CS"): {"staff", "checkin"},
    ("hotel", "위치"): {"location"},
    ("hotel", "조식/맛"): {"breakfast"},
    ("hotel", "객실/시설"): {"room", "amenities", "noise", "temperature", "parking"},
    ("hotel", "가격"): {"price"},
    ("shopping", "배송"): {"delivery"},
    ("shopping", "가격"): {"price"},
    ("shopping", "품질"): {"quality", "durability"},
    ("shopping", "사이즈/핏"): {"size"},
    ("shopping", "디자인"): {"design"},
    ("shopping", "서비스/CS"): {"service"},
    ("shopping", "포장"): {"packaging"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--int8", action="store_true")
    args = ap.parse_args()
    from nlp.aspects import extract
    from nlp.scoring import Scorer

    df = pd.read_csv(HERE / "corpora" / "aspects" / "aspects.csv", dtype=str)
    df["taxonomy"] = df["domain"].map({"hotel": "lodging", "shopping": "shopping"})
    rows = extract(df, scorer=Scorer.load(None, quantize=args.int8), domain_col="taxonomy")
    found = rows.groupby("id")["aspect"].agg(set)
    res = {}
    for dom, g in df.groupby("domain"):
        hits = [bool(MAP[(dom, a)] & found.get(i, set())) for i, a in zip(g["id"], g["aspect"])]
        per = {a: round(sum(h for h, x in zip(hits, g["aspect"]) if x == a) / int((g["aspect"] == a).sum()), 3) for a in sorted(g["aspect"].unique())}
        res[dom] = {"n": len(g), "main_aspect_found": round(sum(hits) / len(g), 3), "by_aspect": per, "reviews_with_rows": int(g["id"].isin(found.index).sum())}
    report("aspects_main_recall", int8=args.int8, **res)


if __name__ == "__main__":
    main()
