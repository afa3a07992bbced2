"""Build the trends-backtest input from the NSMC film corpus: one row per review of the chosen films.

Films are products; the rows get the project's input column names (``id``, ``text``,
``product_id``, ``created_at``, ``rating``). Only films with their WHOLE review history are
chosen: the crawl kept each film's 100 latest reviews, so films with 100 are cut at the
start (see ``../shared/corpora/README.md``); films with 30-99 reviews are complete.

Two uses:

* real figures: write the input, score it, then backtest::

    python bench/make_film_scored.py -o films_input.parquet
    nlp score films_input.parquet -o films_scored.parquet
    nlp evaluate trends films_scored.parquet --freq M --horizons 1,2,3 -o films_backtest.json

* development only: ``--standin`` adds score columns computed WITHOUT the scorer, so the
  backtest can be exercised before a model exists. They are NOT text signals:
  ``sentiment``/``sentiment_score`` come from the star rating, and ``intent`` from a few
  keyword rules. Every such row carries the flag ``standin_scores``. Never report them as
  the scorer's results.

Example:
    >>> reviews = load_reviews()  # doctest: +SKIP
    >>> films = select_films(reviews, min_reviews=30, max_reviews=99)  # doctest: +SKIP
    >>> table = films_input_table(reviews, films)  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.schema import INTENT_LABELS

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "nsmc_reviews.parquet"
STANDIN_FLAG = "standin_scores"


def load_reviews(path: str | Path = CORPUS) -> pd.DataFrame:
    """The NSMC review table (``review_id``, ``movie_id``, ``date``, ``rating``, ``review``)."""
    return pd.read_parquet(path)


def select_films(
    reviews: pd.DataFrame,
    *,
    min_reviews: int = 30,
    max_reviews: int = 99,
    min_span_months: int = 12,
    first_after: str | None = None,
    n_films: int | None = None,
    seed: int = 0,
) -> list[int]:
    """Films with a complete history (``<= max_reviews`` < 100) and enough reviews and months.

    Args:
        reviews: the corpus.
        min_reviews: fewest reviews.
        max_reviews: most reviews; keep below 100 (the crawl's cap) for complete histories.
        min_span_months: fewest calendar months between the first and last review.
        first_after: only films whose first review is on or after this date.
        n_films: a random sample of this many (seeded), for quick runs.
    """
    if max_reviews >= 100:
        print("warning: films with 100 reviews have truncated histories (crawl cap)", file=sys.stderr)
    dates = pd.to_datetime(reviews["date"])
    per = reviews.assign(_d=dates).groupby("movie_id").agg(n=("review_id", "size"), first=("_d", "min"), last=("_d", "max"))
    span = (per["last"].dt.year - per["first"].dt.year) * 12 + (per["last"].dt.month - per["first"].dt.month)
    ok = (per["n"] >= min_reviews) & (per["n"] <= max_reviews) & (span >= min_span_months)
    if first_after:
        ok &= per["first"] >= pd.Timestamp(first_after)
    films = sorted(per.index[ok].tolist())
    if n_films is not None and n_films < len(films):
        films = sorted(np.random.default_rng(seed).choice(films, size=n_films, replace=False).tolist())
    return [int(f) for f in films]


def films_input_table(reviews: pd.DataFrame, films: list[int]) -> pd.DataFrame:
    """The chosen films' reviews with the project's input column names."""
    sub = reviews[reviews["movie_id"].isin(films)].sort_values(["movie_id", "date", "review_id"])
    return pd.DataFrame(
        {
            "id": sub["review_id"].astype(str).to_numpy(),
            "text": sub["review"].astype(str).to_numpy(),
            "product_id": sub["movie_id"].astype(str).to_numpy(),
            "created_at": pd.to_datetime(sub["date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "rating": sub["rating"].astype(int).to_numpy(),
        }
    )


# keyword rules in the spirit of guidelines/purchase_intent.md, first match wins in its priority order
_STANDIN_INTENT_RULES: list[tuple[str, re.Pattern]] = [
    ("avoid", re.compile(r"비추|보지\s*마|돈\s*아깝|시간\s*아깝|보지\s*말")),
    ("repurchase", re.compile(r"[두세]\s*번|또\s*보|다시\s*봐|다시\s*보|재관람|[2-9]\s*번째")),
    ("intent", re.compile(r"보러\s*갈|예매|봐야\s*겠|볼\s*거")),
    ("recommend", re.compile(r"강추|추천|꼭\s*보|보세요")),
    ("consider", re.compile(r"보고\s*싶|궁금|기대")),
]


def add_standin_scores(table: pd.DataFrame) -> pd.DataFrame:
    """STAND-IN score columns for development only (rating-derived sentiment, keyword intent).

    ``sentiment_score = (rating - 5.5) / 4.5``; ``sentiment`` is positive for 9-10,
    negative for 1-4, neutral otherwise (NSMC's split); ``intent`` from the keyword rules
    above with one-hot ``intent_<label>``; ``flags = standin_scores``.
    """
    out = table.copy()
    r = out["rating"].astype(float)
    out["sentiment"] = np.where(r >= 9, "positive", np.where(r <= 4, "negative", "neutral"))
    out["sentiment_score"] = ((r - 5.5) / 4.5).round(4)
    intents = []
    for text in out["text"].astype(str):
        label = "none"
        for lab, pat in _STANDIN_INTENT_RULES:
            if pat.search(text):
                label = lab
                break
        intents.append(label)
    out["intent"] = intents
    for lab in INTENT_LABELS:
        out[f"intent_{lab}"] = (out["intent"] == lab).astype(float)
    out["flags"] = STANDIN_FLAG
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="output table (.parquet/.csv/.jsonl)")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--min-reviews", type=int, default=30)
    ap.add_argument("--max-reviews", type=int, default=99)
    ap.add_argument("--min-span-months", type=int, default=12)
    ap.add_argument("--first-after", default=None, help="only films first reviewed on/after this date")
    ap.add_argument("--n-films", type=int, default=None, help="random sample of films (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--standin", action="store_true", help="add STAND-IN score columns (rating/keyword derived; dev only)")
    args = ap.parse_args(argv)

    from nlp.io.tables import write_table

    reviews = load_reviews(args.corpus)
    films = select_films(
        reviews,
        min_reviews=args.min_reviews,
        max_reviews=args.max_reviews,
        min_span_months=args.min_span_months,
        first_after=args.first_after,
        n_films=args.n_films,
        seed=args.seed,
    )
    table = films_input_table(reviews, films)
    if args.standin:
        table = add_standin_scores(table)
    write_table(table, args.output)
    print(
        f"{len(films)} films ({args.min_reviews}-{args.max_reviews} reviews, >= {args.min_span_months} months between first and last review"
        f"{', first review >= ' + args.first_after if args.first_after else ''}), {len(table)} reviews → {args.output}"
        + (" [STAND-IN scores: rating/keyword derived, dev only]" if args.standin else ""),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
