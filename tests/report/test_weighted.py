"""The report from aggregated rows (what a distributed engine sends the driver) equals the report from one row per review."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import make_aspects, synth_aspects, synth_reviews

from nlp.io.columns import ColumnMap
from nlp.report.build import build_from, resolve_options
from nlp.report.data import (
    assemble,
    mention_sums,
    prepare,
    review_sums,
    weighted_mentions,
    weighted_rows,
)
from nlp.report.examples import FrameExamples, Pick, RecordedExamples, apply_pick
from nlp.trends import build_features

WHEN = dt.datetime(2026, 1, 1, 9, 0)


def _both(scored, doc_topics, topics, aspects, trends=None, **options):
    opts = resolve_options(None, {"generated_at": WHEN, **options})
    data = prepare(scored, doc_topics, topics, trends, aspects, ColumnMap(), freq=opts.freq, tz=opts.tz, domain=opts.domain)
    one = build_from(data, opts)
    rows, intents = weighted_rows(
        review_sums(data.rows), has_product=data.has_products, intent_columns=[], has_intent="intent" in scored.columns
    )
    rows["period"] = data.periods.assign(rows["created_at"])
    mentions = None
    if data.aspects is not None:
        mentions = weighted_mentions(mention_sums(data.aspects))
        mentions["period"] = data.periods.assign(mentions["created_at"])
    grouped = assemble(rows, intents, mentions, data.topics, data.trends, data.periods, opts.domain, FrameExamples(data.rows, data.aspects))
    return one, build_from(grouped, opts), len(data.rows), len(rows)


def test_grouped_rows_give_the_same_report(frames):
    scored, doc_topics, topics = frames
    one, grouped, _, _ = _both(scored, doc_topics, topics, make_aspects(scored, doc_topics), model="m")
    assert one.findings_json() == grouped.findings_json()
    assert one.html == grouped.html


def test_many_reviews_per_group_give_the_same_findings():
    # identical reviews per product and day: groups of several reviews, and findings to state
    months = [f"2024-{m:02d}" for m in range(1, 8)]
    spec = {p: [(m, 120, neg * (4 if m == "2024-06" and p == "H3" else 1)) for m in months] for p, neg in (("H1", 6), ("H2", 18), ("H3", 8))}
    scored = synth_reviews(spec)
    aspects = synth_aspects(scored, {"H1": {"noise": (40, 5, 5)}, "H2": {"noise": (10, 5, 40), "staff": (30, 0, 3)}, "H3": {"noise": (30, 5, 10)}})
    # a distributed run has a trends table (the anomaly flags); without one the report runs the rule on single rows
    trends = build_features(scored, "M")
    assert trends[[c for c in trends.columns if c.startswith("anomaly_")]].any().any()
    one, grouped, n_rows, n_groups = _both(scored, None, None, aspects, trends, freq="M")
    assert n_groups < n_rows / 2  # the test is about groups, not single rows
    assert one.findings, "the data should give findings"
    assert one.findings_json() == grouped.findings_json()
    assert one.html == grouped.html


def test_recorded_picks_are_answered_on_a_second_pass(frames):
    scored, doc_topics, topics = frames
    opts = resolve_options(None, {"generated_at": WHEN})
    data = prepare(scored, doc_topics, topics, None, make_aspects(scored, doc_topics), ColumnMap(), freq="auto", tz=opts.tz)
    full = FrameExamples(data.rows, data.aspects)
    local = build_from(data, opts)
    recorded = RecordedExamples({"reviews": list(data.rows.columns), "aspects": list(data.aspects.columns)})
    data.examples = recorded
    first = build_from(data, opts)
    assert recorded.asked and not any(f.evidence for f in first.findings)  # nothing quoted yet, everything asked for
    data.examples = RecordedExamples(recorded.columns, {p: full.get(p) for p in recorded.asked})
    assert build_from(data, opts).html == local.html


def test_picks_order_clean_rows_first_then_by_table_order():
    rows = pd.DataFrame(
        {
            "_row": [0, 1, 2, 3],
            "id": ["a", "b", "c", "d"],
            "sentiment_score": [-0.9, -0.9, -0.2, -0.95],
            "created_at": pd.to_datetime(["2024-01-01"] * 4),
            "flags": ["", "", "", "duplicate"],
        }
    )
    got = apply_pick(rows, Pick("reviews", (), "negative", 3))["id"].tolist()
    assert got == ["a", "b", "c"]  # the duplicate is last though most negative; a tie keeps table order
    assert apply_pick(rows, Pick("reviews", (("id", "in", ("c", "a")),), "listed", 5))["id"].tolist() == ["c", "a"]


def test_praise_from_a_low_rating_is_quoted_last_and_complaints_keep_their_order():
    rows = pd.DataFrame(
        {
            "_row": [0, 1, 2, 3],
            "id": ["a", "b", "c", "d"],
            "rating": [1.0, 5.0, None, 4.0],
            "score": [0.95, 0.6, 0.7, -0.9],
        }
    )
    praise = apply_pick(rows, Pick("aspects", (("score", ">=", 0.0),), "clause_positive", 3))
    assert praise["id"].tolist() == ["c", "b", "a"]  # the 1-star praise last; no rating is no low rating
    assert "_against" not in praise.columns
    complaints = apply_pick(rows.assign(score=[-0.5, -0.9, -0.1, -0.7]), Pick("aspects", (), "clause_negative", 4))
    assert complaints["id"].tolist() == ["b", "d", "a", "c"]  # by strength alone, whatever the rating
    assert apply_pick(rows.drop(columns="rating"), Pick("aspects", (), "clause_positive", 4))["id"].tolist() == ["a", "c", "b", "d"]
