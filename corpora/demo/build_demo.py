"""Build the demo corpus from the shared NSMC crawl (CC0): 24 films × their 100 most recent reviews.

Films are picked for trends: 100 reviews (the crawl's cap) spread over 90–540 days, so
weekly and monthly series have substance; then a fixed-seed sample of 24 of them.

    python corpora/demo/build_demo.py ../shared/corpora/nsmc_reviews.parquet corpora/demo/demo_reviews.csv
"""

from __future__ import annotations

import sys

import pandas as pd


def build(src: str, dst: str, n_films: int = 24, seed: int = 7) -> pd.DataFrame:
    df = pd.read_parquet(src)
    g = df.groupby("movie_id")["date"].agg(["count", "min", "max"])
    g["span"] = (pd.to_datetime(g["max"]) - pd.to_datetime(g["min"])).dt.days
    ok = g[(g["count"] == 100) & g["span"].between(90, 540) & (pd.to_datetime(g["max"]) >= "2010-01-01")]
    films = ok.sample(n_films, random_state=seed).index
    out = df[df["movie_id"].isin(films)].sort_values(["movie_id", "date", "review_id"])
    out = pd.DataFrame(
        {
            "id": "nsmc-" + out["review_id"].astype(str),
            "text": out["review"],
            "product_id": "film-" + out["movie_id"].astype(str),
            "created_at": pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d"),
            "rating": out["rating"].astype(int),
            "channel": "review",
        }
    )
    out.to_csv(dst, index=False)
    return out


if __name__ == "__main__":
    d = build(sys.argv[1], sys.argv[2])
    print(len(d), "reviews of", d["product_id"].nunique(), "films", d["created_at"].min(), "..", d["created_at"].max())
