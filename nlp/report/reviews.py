"""Reviews and clauses as the report shows them: PII-masked, shortened, with their badges.

Texts are masked with :func:`nlp.text.pii.mask_pii` before anything else, so no cut can
split a phone number and leave half of it readable.
"""

from __future__ import annotations

import pandas as pd

from nlp.report.examples import bad_rows
from nlp.report.fmt import missing, signed
from nlp.report.labels import FLAG_KO, SENTIMENT_KO, intent_names
from nlp.text.pii import mask_pii

__all__ = ["MAX_TEXT", "masked", "review", "clean_first", "sample_reviews", "clause"]

MAX_TEXT = 280
"""Characters of a review shown; the rest is cut (after masking)."""


def masked(text: object, limit: int = MAX_TEXT) -> str:
    """The text with personal data masked, whitespace folded and cut to ``limit`` characters."""
    out, _ = mask_pii("" if missing(text) else str(text))
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def review(
    row: pd.Series, topic_labels: dict[int, str], domains: dict[str, str] | None = None, default_domain: str | None = None
) -> dict:
    """One review for the template: masked text, badges (sentiment, intent, rating, flags), product, date, topic, id."""
    topic = row.get("topic")
    created = row.get("created_at")
    sentiment = row.get("sentiment")
    intent = row.get("intent")
    product = None if missing(row.get("product_id")) else str(row.get("product_id"))
    names = intent_names((domains or {}).get(product, default_domain) if product else default_domain)
    flags = [f for f in str(row.get("flags") or "").split("|") if f and f != "pii_masked"]
    has_topic = not missing(topic) and int(topic) >= 0
    return {
        "id": str(row.get("id")),
        "text": masked(row.get("text")) or "(빈 텍스트)",
        "product": product,
        "date": "" if missing(created) else f"{created:%Y-%m-%d}",
        "sentiment": None if missing(sentiment) else str(sentiment),
        "sentiment_ko": "" if missing(sentiment) else SENTIMENT_KO.get(str(sentiment), str(sentiment)),
        "score": None if missing(row.get("sentiment_score")) else signed(row.get("sentiment_score")),
        "intent_ko": "" if missing(intent) or intent == "none" else names.get(str(intent), str(intent)),
        "rating": None if missing(row.get("rating")) else f"{float(row.get('rating')):g}",
        "topic": topic_labels.get(int(topic)) if has_topic else None,
        "topic_id": int(topic) if has_topic else None,
        "flags": [FLAG_KO.get(f, f) for f in flags],
    }


def clause(row: pd.Series) -> dict:
    """One aspect mention for the template: the masked clause, its polarity, product, date, rating and review id."""
    created = row.get("created_at")
    return {
        "id": str(row.get("id")),
        "text": masked(row.get("evidence"), 200) or masked(row.get("text"), 200),
        "polarity": str(row.get("polarity")),
        "aspect": str(row.get("aspect_label") or row.get("aspect")),
        "product": None if missing(row.get("product_id")) else str(row.get("product_id")),
        "date": "" if missing(created) else f"{created:%Y-%m-%d}",
        "rating": None if missing(row.get("rating")) else f"{float(row.get('rating')):g}",
        "score": None if missing(row.get("score")) else signed(row.get("score")),
    }


def clean_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows a reader can use first: not empty, not a duplicate, not non-Korean (kept last as a fallback)."""
    if "flags" not in rows.columns:
        return rows
    bad = bad_rows(rows["flags"])
    return pd.concat([rows[~bad], rows[bad]])


def sample_reviews(
    rows: pd.DataFrame,
    k: int,
    topic_labels: dict[int, str],
    domains: dict[str, str] | None = None,
    default_domain: str | None = None,
) -> list[dict]:
    """Up to ``k`` of ``rows`` (the answer of a pick, already in its order: :mod:`nlp.report.examples`), repeated texts skipped."""
    if not len(rows) or k <= 0:
        return []
    best = rows.drop_duplicates("text")
    return [review(r, topic_labels, domains, default_domain) for _, r in best.head(k).iterrows()]
