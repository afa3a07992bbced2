from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from nlp.io.columns import ColumnMap
from nlp.io.tables import InputError
from nlp.trends import INTENT_LABELS, build_features, parse_times, prepare_rows, robust_zscore, trailing_window
from tests.trends.conftest import INTENTS, make_scored


def _period_start(ts: pd.Timestamp, freq: str) -> pd.Timestamp:
    d = ts.normalize()
    if freq == "D":
        return d
    if freq == "W":
        return d - pd.Timedelta(days=d.weekday())
    return d.replace(day=1)


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_counts_and_means_agree_exactly_with_a_recomputation(scored, freq):
    f = build_features(scored, freq)
    acc: dict = defaultdict(lambda: defaultdict(float))
    for r in scored.itertuples():
        key = (r.product_id, _period_start(pd.Timestamp(r.created_at), freq))
        a = acc[key]
        a["n"] += 1
        a["score"] += r.sentiment_score
        a["neg"] += r.sentiment == "negative"
        a["pos"] += r.sentiment == "positive"
        a["rating"] += r.rating
        for lab in INTENTS:
            a[lab] += r.intent == lab
    got = f.set_index(["unique_id", "ds"])
    nonzero = got[got["n_reviews"] > 0]
    assert len(nonzero) == len(acc)
    for (uid, ds), a in acc.items():
        row = got.loc[(uid, ds)]
        assert row["n_reviews"] == a["n"]
        assert row["n_scored"] == a["n"]
        assert row["sentiment_mean"] == a["score"] / a["n"]
        assert row["share_negative"] == a["neg"] / a["n"]
        assert row["share_positive"] == a["pos"] / a["n"]
        assert row["rating_mean"] == a["rating"] / a["n"]
        for lab in INTENTS:
            assert row[f"intent_{lab}_rate"] == a[lab] / a["n"]
        assert row["net_advocacy"] == a["recommend"] / a["n"] - a["avoid"] / a["n"]
    assert int(f["n_reviews"].sum()) == len(scored)


def test_every_period_of_the_active_span_is_present_with_zero_counts():
    df = make_scored(n=6, products=("A",))
    df["created_at"] = ["2024-01-03", "2024-01-20", "2024-04-02", "2024-04-03", "2024-06-30", "2024-06-01"]
    f = build_features(df, "M")
    assert f["ds"].tolist() == list(pd.date_range("2024-01-01", "2024-06-01", freq="MS"))
    assert f["n_reviews"].tolist() == [2, 0, 0, 2, 0, 2]
    empty = f[f["n_reviews"] == 0]
    assert empty[["sentiment_mean", "share_negative", "intent_none_rate", "net_advocacy", "rating_mean"]].isna().all().all()
    assert (empty["n_scored"] == 0).all()


def test_each_product_has_its_own_span_and_extend_to_pads_the_end():
    df = make_scored(n=4, products=("A",))
    df["product_id"] = ["A", "A", "B", "B"]
    df["created_at"] = ["2024-01-05", "2024-03-05", "2024-02-05", "2024-02-06"]
    f = build_features(df, "M")
    assert f.groupby("unique_id")["ds"].agg(["min", "max", "size"]).to_dict("index") == {
        "A": {"min": pd.Timestamp("2024-01-01"), "max": pd.Timestamp("2024-03-01"), "size": 3},
        "B": {"min": pd.Timestamp("2024-02-01"), "max": pd.Timestamp("2024-02-01"), "size": 1},
    }
    g = build_features(df, "M", extend_to="2024-05-17")
    assert g.groupby("unique_id")["ds"].max().tolist() == [pd.Timestamp("2024-05-01")] * 2
    assert g.loc[g["ds"] > "2024-03-01", "n_reviews"].eq(0).all()


def test_weeks_start_on_monday_and_ds_is_a_timestamp():
    df = make_scored(n=2, products=("A",))
    df["created_at"] = ["2024-01-07 23:59", "2024-01-08 00:00"]  # a Sunday, then a Monday
    f = build_features(df, "W")
    assert f["ds"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert f["n_reviews"].tolist() == [1, 1]
    assert str(f["ds"].dtype) == "datetime64[ns]" and str(f["unique_id"].dtype).startswith("string")


def test_rows_without_product_or_date_are_rejected_with_reasons(scored):
    df = scored.copy()
    df.loc[3, "product_id"] = None
    df.loc[5, "created_at"] = "not a date"
    df.loc[7, "created_at"] = None
    df.loc[9, "product_id"] = "  "
    p = prepare_rows(df)
    assert len(p.frame) + len(p.rejects) == len(df)
    reasons = {r.id: r.reason for r in p.rejects}
    assert reasons == {
        "r3": "missing product (column 'product_id')",
        "r5": "unparseable date 'not a date' (column 'created_at')",
        "r7": "missing date (column 'created_at')",
        "r9": "missing product (column 'product_id')",
    }
    assert [r.row for r in p.rejects] == [3, 5, 7, 9]
    assert build_features(df, "W")["n_reviews"].sum() == len(df) - 4


@pytest.mark.parametrize("role,option", [("product_id", "--product-col"), ("created_at", "--time-col")])
def test_missing_product_or_time_column_names_the_column_and_option(scored, role, option):
    with pytest.raises(InputError) as exc:
        build_features(scored.drop(columns=[role]), "W")
    assert repr(role) in str(exc.value) and option in str(exc.value)


def test_column_mapping_and_missing_score_columns(scored):
    df = scored.rename(columns={"product_id": "sku", "created_at": "when"})
    f = build_features(df, "M", columns=ColumnMap(product="sku", time="when"))
    assert f["n_reviews"].sum() == len(df)
    with pytest.raises(InputError, match="nlp score"):
        build_features(scored.drop(columns=["intent"]), "M")


def test_exclude_flags_leaves_rows_out(scored):
    df = scored.copy()
    df.loc[:9, "flags"] = "duplicate|pii_masked"
    p = prepare_rows(df, config=None)
    assert len(p.frame) == len(df)
    f = build_features(df, "M", exclude_flags=["duplicate"])
    assert f["n_reviews"].sum() == len(df) - 10


def test_null_scores_count_as_reviews_but_not_in_means():
    df = make_scored(n=3, products=("A",))
    df["created_at"] = "2024-01-02"
    df["sentiment_score"] = [0.5, None, 0.25]
    df["sentiment"] = ["positive", None, "positive"]
    df["intent"] = ["recommend", None, "none"]
    f = build_features(df, "M")
    row = f.iloc[0]
    assert row["n_reviews"] == 3 and row["n_scored"] == 2
    assert row["sentiment_mean"] == 0.375 and row["share_positive"] == 1.0
    assert row["intent_recommend_rate"] == 0.5 and row["net_advocacy"] == 0.5


def test_sentiment_ewm_is_the_volume_weighted_exponential_average(scored):
    f = build_features(scored, "W", ewm_halflife=2.0)
    d = 0.5 ** (1 / 2.0)
    for _, g in f.groupby("unique_id"):
        num = den = 0.0
        for r in g.itertuples():
            s = 0.0 if math.isnan(r.sentiment_mean) else r.sentiment_mean * r.n_scored
            num = d * num + s
            den = d * den + r.n_scored
            assert r.sentiment_ewm == pytest.approx(num / den, rel=1e-12)


def test_robust_zscore_uses_only_the_trailing_window():
    x = pd.Series([1.0, 2, 3, 4, 100, 5])
    by = pd.Series(["a"] * 6)
    past = trailing_window(x, by, 3)
    assert past[4].tolist() == [4.0, 3.0, 2.0]  # row 4 looks at rows 3, 2, 1: not at itself
    z = robust_zscore(x, by, window=3, min_periods=3, floor=0.5)
    # row 4: median(2,3,4) = 3, MAD = 1 -> scale 1.4826
    assert z[4] == pytest.approx((100 - 3) / 1.4826)
    # row 5: median(3,4,100) = 4, MAD = 1
    assert z[5] == pytest.approx((5 - 4) / 1.4826)
    assert z[:3].isna().all()
    # groups never see each other
    z2 = robust_zscore(pd.Series([0.0, 0, 0, 9, 9, 9]), pd.Series(list("aaabbb")), window=2, min_periods=1, floor=1)
    assert z2.tolist()[3] != z2.tolist()[3]  # first of group b: NaN
    assert z2.tolist()[4] == 0.0


def test_flat_history_uses_the_floor_and_flags_a_volume_spike():
    rows = []
    for week, n in enumerate([2, 2, 2, 2, 2, 2, 12]):
        for i in range(n):
            rows.append({"created_at": pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=week), "id": f"{week}-{i}"})
    df = pd.DataFrame(rows).assign(product_id="A", sentiment="neutral", sentiment_score=0.0, intent="none")
    # the data cover the last week to its Sunday: a complete period, so it can be flagged
    f = build_features(df, "W", min_volume=5, window=6, min_periods=3, data_end="2024-02-18")
    assert f["volume_z"].iloc[-1] == 10.0  # (12 - 2) / floor 1
    assert f["anomaly_volume_spike"].tolist() == [False] * 6 + [True]
    assert f["period_complete"].all()
    # data that stop on the last week's Monday leave it partial: same z, never flagged
    partial = build_features(df, "W", min_volume=5, window=6, min_periods=3)
    assert partial["volume_z"].iloc[-1] == 10.0
    assert partial["period_complete"].tolist() == [True] * 6 + [False]
    assert not partial["anomaly_volume_spike"].any()


def test_min_volume_guard_keeps_small_periods_out_of_sentiment_z():
    # weekly: 3 normal periods (5 neutral reviews), 2 tiny all-negative ones (1 review), a normal one, a negative one
    plan = [(5, 0.0)] * 3 + [(1, -1.0)] * 2 + [(5, 0.0), (6, -0.75)]
    rows = []
    for week, (n, s) in enumerate(plan):
        for i in range(n):
            rows.append(
                {"id": f"{week}-{i}", "created_at": pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=week), "sentiment_score": s}
            )
    df = pd.DataFrame(rows).assign(product_id="A", intent="none")
    df["sentiment"] = np.where(df["sentiment_score"] < 0, "negative", "neutral")
    f = build_features(df, "W", min_volume=5, window=4, min_periods=2, data_end="2024-02-18")  # last week complete
    assert f["sentiment_z"].iloc[3:5].isna().all()  # 1 review: below the guard, no score
    assert not f["anomaly_negative_spike"].iloc[3:5].any()
    assert f["sentiment_z"].iloc[5] == 0.0  # baseline = the two normal periods only, not pulled down by the tiny ones
    assert f["sentiment_z"].iloc[6] == pytest.approx(-0.75 / 0.1)  # flat baseline: the floor is the scale
    assert f["negative_z"].iloc[6] == pytest.approx(1.0 / 0.05)
    assert f["anomaly_negative_spike"].tolist() == [False] * 6 + [True]
    # without the guard the tiny periods are scored and drag the baseline: median -0.5, MAD 0.5
    g = build_features(df, "W", min_volume=1, window=4, min_periods=2)
    assert g["sentiment_z"].iloc[5] == pytest.approx(0.5 / (1.4826 * 0.5))
    assert g["sentiment_z"].iloc[3:5].notna().all()


def test_topic_shares_and_emerging_topic(scored, doc_topics):
    f = build_features(scored, "M", doc_topics=doc_topics, top_topics=2)
    share_cols = [c for c in f.columns if c.startswith("topic_") and c.endswith("_share")]
    sizes = doc_topics[doc_topics["topic"] >= 0]["topic"].value_counts()
    assert share_cols == [f"topic_{k}_share" for k in sorted(sizes.index[:2])]
    merged = scored.merge(doc_topics, on="id")
    merged["ds"] = pd.to_datetime(merged["created_at"]).dt.to_period("M").dt.start_time
    k = int(share_cols[0].split("_")[1])
    expect = merged.groupby(["product_id", "ds"])["topic"].agg(lambda t: (t == k).sum() / len(t))
    got = f.set_index(["unique_id", "ds"])[share_cols[0]].dropna()
    assert got.to_dict() == expect.to_dict()

    # a topic that suddenly takes over one product's month is flagged
    rows = []
    for month in range(6):
        for i in range(10):
            topic = 7 if (month == 5 and i < 8) else i % 2
            rows.append({"id": f"{month}-{i}", "created_at": f"2024-{month + 1:02d}-10", "topic": topic})
    df = pd.DataFrame(rows).assign(product_id="A", sentiment="neutral", sentiment_score=0.0, intent="none")
    kw = dict(doc_topics=df[["id", "topic"]], min_volume=5, window=4, min_periods=3)
    g = build_features(df.drop(columns="topic"), "M", data_end="2024-06-30", **kw)
    assert g["anomaly_emerging_topic"].tolist() == [False] * 5 + [True]
    assert g["emerging_topics"].iloc[-1] == "7"
    # data that stop on 10 June: June is partial and nothing is flagged in it
    cut = build_features(df.drop(columns="topic"), "M", **kw)
    assert not cut["anomaly_emerging_topic"].any() and cut["emerging_topics"].iloc[-1] == ""


def test_without_topics_the_emerging_flag_is_false(scored):
    f = build_features(scored, "M")
    assert "anomaly_emerging_topic" in f.columns and not f["anomaly_emerging_topic"].any()
    assert not [c for c in f.columns if c.startswith("topic_")]


def test_by_topic_series(scored, doc_topics):
    f = build_features(scored, "M", doc_topics=doc_topics, by_topic=True, topic_labels={0: "배송"})
    assert set(f["unique_id"]) == {"topic_0", "topic_1", "topic_2", "topic_3"}
    assert f.loc[f["topic"] == 0, "topic_label"].eq("배송").all()
    merged = scored.merge(doc_topics, on="id")
    assert f["n_reviews"].sum() == (merged["topic"] >= 0).sum()


def test_parse_times_forms():
    import datetime as dt

    got = parse_times(
        pd.Series([dt.date(2015, 8, 27), "2015/08/26 10:00", "2015-08-26T20:00:00Z", 20150801, "", None, "x"], dtype=object)
    )
    assert got.tolist()[:4] == [
        pd.Timestamp("2015-08-27"),
        pd.Timestamp("2015-08-26 10:00"),
        pd.Timestamp("2015-08-27 05:00"),  # UTC converted to Asia/Seoul
        pd.Timestamp("2015-08-01"),
    ]
    assert got.iloc[4:].isna().all()


def test_intent_labels_are_the_scorers():
    from nlp.scoring.scorer import INTENT_LABELS as scorer_labels

    assert INTENT_LABELS is scorer_labels  # both nlp.schema's


def test_period_complete_follows_the_data_not_the_series():
    df = make_scored(n=4, products=("A",))
    df["product_id"] = ["A", "A", "B", "B"]
    df["created_at"] = ["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-17"]  # the data stop on 17 March
    f = build_features(df, "M", extend_to="2024-04-30")
    got = f.set_index(["unique_id", "ds"])["period_complete"]
    # A's last review is in February, but the data run on into March: February is complete for A too
    assert got["A"].to_dict() == {ds: ds < pd.Timestamp("2024-03-01") for ds in got["A"].index}
    assert got["B"].to_dict() == {ds: ds < pd.Timestamp("2024-03-01") for ds in got["B"].index}
    # told that the crawl ran to the end of March, March is complete
    g = build_features(df, "M", data_end="2024-03-31")
    assert g.groupby("unique_id")["period_complete"].all().all()
    # metadata, not a signal: not a default forecasting covariate
    from nlp.trends.export import covariate_columns

    assert "period_complete" not in covariate_columns(f)


def test_bad_settings_fail_early(scored):
    with pytest.raises(ValueError, match="freq"):
        build_features(scored, "Q")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_periods"):
        build_features(scored, "W", window=2, min_periods=3)
    with pytest.raises(ValueError, match="lag"):
        build_features(scored, "W", lag=-1)
