"""Which domain `--domain auto` gives each product (rules only, no scorer), and how that moved against a saved run.

    python bench/aspects_auto_domains.py --rows 10000 --out /tmp/after.json                 # 10,000 NSMC film reviews
    python bench/aspects_auto_domains.py --rows 10000 --out /tmp/after.json --compare /tmp/before.json
    python bench/aspects_auto_domains.py --source books                                      # every real book review
    python bench/aspects_auto_domains.py --source real                                       # every real review, scored per domain

Run it on two checkouts (e.g. before and after a taxonomy change) and ``--compare`` the second
with the first: it prints the products per domain and the (before, after) moves, "none" for a
product without aspect rows. ``--source books`` reads the real set's book reviews (timing and
domain choice only; nothing is written but product names and domains). ``--source real`` reads the
whole real set and also scores the choice: per source domain, the products whose chosen domain is
the taxonomy that source is labelled with (:data:`REAL_TAXONOMY`, as ``corpora/real_aspects/draw.py``
maps them); a product here is source domain + product name.
"""

from __future__ import annotations

import argparse
import collections
import json

import pandas as pd
from _common import SHARED, shared_reviews

REAL_TAXONOMY = {
    "delivery": "food", "restaurant": "food", "grocery": "food", "cosmetics_shopping": "cosmetics", "finance_app": "app",
    "health_app": "app", "app": "app", "electronics": "shopping", "shopping": "shopping", "books": "books",
}
"""The taxonomy domain each real-set domain is labelled with (the real-aspects draw's mapping, plus books, Laftel and KoBEST)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--source", choices=["nsmc", "books", "real"], default="nsmc")
    ap.add_argument("--out", default=None, help="write product → domain here (JSON)")
    ap.add_argument("--compare", default=None, help="a JSON written by an earlier run: print the moves")
    args = ap.parse_args()
    from nlp.aspects import extract

    if args.source == "nsmc":
        df = shared_reviews(args.rows, seed=2)
    else:
        d = pd.read_parquet(SHARED.parent / "real_reviews" / "real_reviews.parquet", columns=["id", "text", "product", "domain"])
        if args.source == "books":
            d = d[d["domain"] == "books"]
        else:  # a product is its source domain and name (the same name in two sources is two products)
            d = d.assign(product=d["domain"] + "/" + d["product"].fillna(""))
        df = d.rename(columns={"product": "product_id"})[["id", "text", "product_id"]]
    rows = extract(df, rules_only=True)
    per = {str(k): v for k, v in rows.groupby("product_id")["domain"].first().items()}
    out = {"source": args.source, "rows": len(df), "products_with_rows": len(per), "by_domain": dict(collections.Counter(per.values()).most_common())}
    if args.source == "real":
        right: collections.Counter = collections.Counter()
        seen: collections.Counter = collections.Counter()
        for p, dom in per.items():
            src = p.split("/", 1)[0]
            seen[src] += 1
            right[src] += dom == REAL_TAXONOMY[src]
        out["right"] = {s: f"{right[s]}/{seen[s]}" for s in sorted(seen)}
        out["products_right"] = f"{sum(right.values())}/{sum(seen.values())}"
    if args.compare:
        before = json.load(open(args.compare, encoding="utf-8"))
        moves = collections.Counter((before.get(p, "none"), per.get(p, "none")) for p in set(before) | set(per) if before.get(p) != per.get(p))
        out["moves"] = {f"{a} -> {b}": n for (a, b), n in moves.most_common()}
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(per, f, ensure_ascii=False)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
