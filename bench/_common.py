"""Shared bench helpers: shared reviews, the development sets, peak RSS, and a Kiwi reference timing in the same process."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora" / "nsmc_reviews.parquet"


def shared_reviews(n: int, seed: int = 0) -> pd.DataFrame:
    df = pd.read_parquet(SHARED, columns=["review_id", "movie_id", "date", "rating", "review"])
    df = df.sample(n, random_state=seed, replace=n > len(df))
    return pd.DataFrame(
        {"id": df["review_id"].astype(str).values, "text": df["review"].values, "product_id": df["movie_id"].astype(str).values,
         "created_at": pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d").values, "rating": df["rating"].values}
    )


def table_reviews(path: str, n: int, seed: int = 0, text_col: str = "text") -> pd.DataFrame:
    """``n`` rows (seeded sample) of a table's texts, for timing only: just ``id`` and ``text`` are kept."""
    from nlp.io.tables import read_table

    df = read_table(path)
    df = df[df[text_col].notna()].sample(n, random_state=seed, replace=n > len(df))
    return pd.DataFrame({"id": [f"t{i}" for i in range(len(df))], "text": df[text_col].astype(str).values})


def real_review_texts(corpora: Path | None = None, nsmc: int = 0) -> list[str]:
    """Every text of the shared real-review set (plus ``nsmc`` seeded NSMC reviews), normalised as the aspect stage does.

    ``corpora``: the shared corpora folder (default: ../shared/corpora beside the repository).
    """
    from nlp.text.normalize import normalize

    corpora = corpora or SHARED.parent
    texts = pd.read_parquet(corpora / "real_reviews" / "real_reviews.parquet", columns=["text"])["text"].tolist()
    if nsmc:
        texts += pd.read_parquet(corpora / "nsmc_reviews.parquet", columns=["review"]).sample(nsmc, random_state=5)["review"].tolist()
    return normalize([t for t in texts if isinstance(t, str)])


DOMAIN_SETS = ("domain_sentiment_train.csv", "domain_sentiment_train_b.csv", "domain_sentiment_train_c.csv")


def dev_sets() -> dict[str, tuple[list[str], list[str], str]]:
    """The development sets, as ``name: (normalised texts, gold labels, task)``; never an evaluation set.

    ``domain_dev``: the 25% of ``corpora/domain_sentiment_train`` held out of training (the rows
    ``corpora/domain_sentiment_train/domain_dev.py`` writes); ``intent_dev``: the gold intent dev split.
    """
    from nlp.modeling.sentiment_data import film_split
    from nlp.text.normalize import normalize

    parts = []
    for name in DOMAIN_SETS:  # the three sets the encoder recipe was chosen on; later written sets train the char model only
        p = ROOT / "corpora" / "domain_sentiment_train" / name
        df = pd.read_csv(p).dropna(subset=["text"])
        parts.append(df[film_split(df["id"], 0.25, 13)])
    dd = pd.concat(parts, ignore_index=True)
    gold = pd.read_csv(ROOT / "corpora" / "intent_gold" / "gold.csv")
    gd = gold[gold["split"] == "dev"]
    return {
        "domain_dev": (normalize(dd["text"].astype(str).tolist()), dd["label"].tolist(), "sentiment"),
        "intent_dev": (normalize(gd["text"].astype(str).tolist()), gd["label"].tolist(), "intent"),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kiwi_docs_per_s(texts: list[str]) -> float:
    """Kiwi tokenisation of the same texts, the machine-independent yardstick."""
    from nlp.text.kiwi import KiwiTokenizer
    from nlp.text.normalize import normalize

    tok = KiwiTokenizer()
    tok.tokens(["워밍업"])
    t0 = time.perf_counter()
    for i in range(0, len(texts), 2000):
        tok.tokens(normalize(texts[i : i + 2000]))
    return len(texts) / (time.perf_counter() - t0)


def report(name: str, **fields) -> None:
    fields = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in fields.items()}
    print(json.dumps({"bench": name, **fields}, ensure_ascii=False))
    sys.stdout.flush()
