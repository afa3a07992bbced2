"""Dates and periods: one rule for reading times, bucketing them and judging a period complete, used by every stage."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.periods import (
    AUTO_WEEKLY_MAX_DAYS,
    auto_freq,
    last_complete_period,
    parse_times,
    period_complete,
    period_end,
    period_start,
)

T = pd.Timestamp

# (value, expected wall-clock time in Asia/Seoul; None = NaT)
PARSE_TABLE = [
    ("2024-03-31", T("2024-03-31")),
    ("2024-03-31 20:00", T("2024-03-31 20:00")),  # naive: already Seoul time
    ("2024-03-31T20:00:00Z", T("2024-04-01 05:00")),  # UTC → Seoul (+9)
    ("2024-03-31T20:00:00+00:00", T("2024-04-01 05:00")),
    ("2024-03-31 23:00:00+0000", T("2024-04-01 08:00")),
    ("2024-04-01T09:00:00+09:00", T("2024-04-01 09:00")),
    ("2024-03-31T19:00:00-05:00", T("2024-04-01 09:00")),
    ("2024/03/31 10:00", T("2024-03-31 10:00")),
    ("2024.03.31", T("2024-03-31")),
    ("2024년 3월 31일", T("2024-03-31")),
    ("2024년 3월 31일 오후 3:20", T("2024-03-31 15:20")),
    (" 2024-03-31 ", T("2024-03-31")),
    (20240331, T("2024-03-31")),  # YYYYMMDD integer
    ("20240331", T("2024-03-31")),
    (20240331.0, T("2024-03-31")),  # a float column (CSV with gaps)
    (20240331093000, T("2024-03-31 09:30")),  # YYYYMMDDhhmmss
    (1711915200, T("2024-04-01 05:00")),  # epoch seconds (2024-03-31T20:00Z)
    (1711915200000, T("2024-04-01 05:00")),  # epoch milliseconds
    (dt.date(2024, 3, 31), T("2024-03-31")),
    (dt.datetime(2024, 3, 31, 20, tzinfo=dt.UTC), T("2024-04-01 05:00")),
    (T("2024-03-31 20:00"), T("2024-03-31 20:00")),
    ("not a date", None),
    ("", None),
    (None, None),
    (True, None),
    (12.5, None),
    (20241399, None),  # 8 digits but no such date
    (123, None),
]


@pytest.mark.parametrize(("value", "expected"), PARSE_TABLE)
def test_parse_times_golden(value, expected):
    got = parse_times(pd.Series([value], dtype=object)).iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


def test_a_whole_mixed_column_parses_each_value_by_its_own_rule():
    values = [v for v, _ in PARSE_TABLE]
    got = parse_times(pd.Series(values, dtype=object, index=range(10, 10 + len(values)), name="created_at"))
    assert str(got.dtype) == "datetime64[ns]" and got.name == "created_at" and got.index[0] == 10
    for (value, expected), g in zip(PARSE_TABLE, got, strict=True):
        assert (pd.isna(g) and expected is None) or g == expected, value


def test_other_zones_and_typed_columns():
    aware = pd.Series(pd.to_datetime(["2024-03-31T20:00:00Z"]))
    assert parse_times(aware).iloc[0] == T("2024-04-01 05:00")
    assert parse_times(aware, tz="UTC").iloc[0] == T("2024-03-31 20:00")
    assert parse_times(pd.Series(["2024-03-31T20:00:00Z", "2024-03-31 20:00"]), tz="UTC").tolist() == [T("2024-03-31 20:00")] * 2
    assert parse_times(pd.Series([20240301, 20240302])).tolist() == [T("2024-03-01"), T("2024-03-02")]
    assert parse_times(pd.Series(["2024-03-01", None], dtype="string")).tolist()[0] == T("2024-03-01")
    assert parse_times(pd.Series([True, False])).isna().all()


def test_unreadable_values_are_counted_not_raised(caplog):
    with caplog.at_level("WARNING", logger="nlp.periods"):
        got = parse_times(pd.Series(["2024-03-01", "x", "", None, "y"], name="created_at"))
    assert got.isna().tolist() == [False, True, True, True, True]
    assert "2 of 5 values in 'created_at' could not be read as dates (e.g. 'x')" in caplog.text  # blanks are missing


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=30),
            st.integers(min_value=-(10**15), max_value=10**15),
            st.floats(allow_nan=True, allow_infinity=True),
            st.booleans(),
            st.datetimes(),
            st.dates(),
        ),
        max_size=12,
    )
)
def test_parse_times_never_raises(values):
    got = parse_times(pd.Series(values, dtype=object))
    assert len(got) == len(values) and str(got.dtype) == "datetime64[ns]"


def test_epoch_numbers_past_2262_are_no_dates():
    # epoch seconds / milliseconds after pandas' last nanosecond date overflowed instead of giving NaT
    got = parse_times(pd.Series([9_223_372_037, "9223372037", 9_999_999_999_999, 1_700_000_000], dtype=object))
    assert got.isna().tolist() == [True, True, True, False]


def test_digit_like_symbols_are_no_dates():
    # str.isdigit() is true for these, float() cannot read them
    got = parse_times(pd.Series(["²", "①", "20240301"], dtype=object))
    assert got.isna().tolist() == [True, True, False] and str(got.iloc[2].date()) == "2024-03-01"


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("D", ["2024-03-31", "2024-04-01", "2024-04-01"]),
        ("W", ["2024-03-25", "2024-04-01", "2024-04-01"]),  # Monday starts; 2024-03-31 is a Sunday
        ("M", ["2024-03-01", "2024-04-01", "2024-04-01"]),
        ("Q", ["2024-01-01", "2024-04-01", "2024-04-01"]),
    ],
)
def test_period_start(freq, expected):
    raw = pd.Series(["2024-03-31 23:59", "2024-03-31T15:00:00Z", 20240401], dtype=object)
    assert period_start(raw, freq).dt.strftime("%Y-%m-%d").tolist() == expected
    with pytest.raises(ValueError, match="freq must be one of"):
        period_start(raw, "Y")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "freq", "data_end", "complete"),
    [
        ("2024-03-01", "M", "2024-03-31", True),  # data reach the last day (any time on it)
        ("2024-03-01", "M", "2024-03-31 00:00", True),
        ("2024-03-01", "M", "2024-03-30 23:59", False),  # data stop a day short: partial
        ("2024-03-01", "M", "2024-05-02", True),
        ("2024-04-01", "M", "2024-03-31", False),  # after the data end
        ("2024-03-25", "W", "2024-03-31", True),  # the Sunday
        ("2024-03-25", "W", "2024-03-30", False),
        ("2024-03-31", "D", "2024-03-31 08:00", True),
        ("2024-01-01", "Q", "2024-03-31", True),
        ("2024-01-01", "Q", "2024-03-17", False),
    ],
)
def test_period_complete(start, freq, data_end, complete):
    assert period_complete(T(start), freq, data_end) is complete
    assert period_complete(pd.Series([T(start)]), freq, T(data_end)).tolist() == [complete]


def test_period_complete_without_data_and_period_end():
    assert period_complete(T("2024-03-01"), "M", None) is False
    assert period_complete(pd.Series([T("2024-03-01")]), "M", pd.NaT).tolist() == [False]
    assert period_end(T("2024-01-31"), "D") == T("2024-02-01")
    assert period_end(pd.Series([T("2024-01-01"), T("2024-02-01")]), "M").tolist() == [T("2024-02-01"), T("2024-03-01")]


@pytest.mark.parametrize(
    ("last", "freq", "expect"),
    [("2015-08-27", "M", "2015-07-01"), ("2015-08-31 10:00", "M", "2015-08-01"), ("2015-08-30", "W", "2015-08-24")],
)
def test_last_complete_period(last, freq, expect):
    assert last_complete_period(parse_times(pd.Series(["2015-01-01", last])), freq) == T(expect)


def test_auto_freq_has_one_threshold():
    start = T("2024-01-01")
    at = pd.Series([start, start + pd.Timedelta(days=AUTO_WEEKLY_MAX_DAYS)])
    past = pd.Series([start, start + pd.Timedelta(days=AUTO_WEEKLY_MAX_DAYS + 1)])
    assert auto_freq(at) == "W" and auto_freq(past) == "M"
    assert auto_freq(pd.Series([], dtype=object)) == "W"


def test_run_uses_the_same_auto_threshold():
    from nlp.pipeline import _auto_freq

    start = T("2024-01-01")
    for days in (AUTO_WEEKLY_MAX_DAYS, AUTO_WEEKLY_MAX_DAYS + 1):
        times = pd.Series([str(start.date()), str((start + pd.Timedelta(days=days)).date())])
        assert _auto_freq(times) == auto_freq(times)


# --------------------------------------------------------------------------- the stages agree

# Values that used to land in different periods depending on the stage. Product "P", one topic.
# (created_at, Seoul date it stands for)
AGREEMENT_ROWS = [
    ("2024-03-31T20:00:00Z", "2024-04-01"),  # UTC evening = Seoul morning of 1 April
    ("2024-03-31T14:59:59Z", "2024-03-31"),  # one second before midnight in Seoul
    ("2024-03-31T15:00:00Z", "2024-04-01"),  # midnight in Seoul
    (20240301, "2024-03-01"),  # YYYYMMDD integer
    (20240331, "2024-03-31"),
    ("2024-03-15 10:00", "2024-03-15"),  # naive: Seoul time
    ("2024-04-02T09:00:00+09:00", "2024-04-02"),
    (dt.date(2024, 3, 20), "2024-03-20"),
]


def _agreement_frames():
    n = len(AGREEMENT_ROWS)
    ids = [f"r{i}" for i in range(n)]
    scored = pd.DataFrame(
        {
            "id": ids,
            "text": ["배송이 빨라요"] * n,
            "product_id": "P",
            "created_at": pd.Series([v for v, _ in AGREEMENT_ROWS], dtype=object),  # naive, aware, ints: one column
            "sentiment": ["positive", "negative"] * (n // 2),
            "sentiment_score": [0.5, -0.5] * (n // 2),
            "intent": "none",
            "flags": "",
        }
    )
    doc_topics = pd.DataFrame({"id": ids, "topic": 0, "topic_prob": 0.9})
    topics = pd.DataFrame(
        {"topic": [0], "size": [n], "label": ["배송"], "keywords": [["배송"]], "representative_ids": [ids[:2]]}
    )
    return scored, doc_topics, topics


def _expected_counts(freq: str) -> dict[pd.Timestamp, int]:
    days = pd.Series(pd.to_datetime([d for _, d in AGREEMENT_ROWS]))
    return period_start(days, freq).value_counts().sort_index().to_dict()


@pytest.mark.parametrize("freq", ["W", "M"])
def test_topics_trends_and_report_put_each_review_in_the_same_period(freq):
    from nlp.report import build_report
    from nlp.topics.summary import topics_by_period
    from nlp.trends import build_features

    scored, doc_topics, topics = _agreement_frames()
    expected = _expected_counts(freq)

    rows = scored.merge(doc_topics, on="id")
    by_period = topics_by_period(rows, "created_at", freq)
    assert by_period.groupby("period")["n"].sum().to_dict() == expected

    features = build_features(scored, freq)
    nonempty = features[features["n_reviews"] > 0]
    assert dict(zip(nonempty["ds"], nonempty["n_reviews"], strict=True)) == expected

    html = build_report(scored, doc_topics, topics, freq=freq)
    label = (lambda p: f"{p.year}년 {p.month}월") if freq == "M" else (lambda p: f"{p:%Y-%m-%d}~{p + pd.Timedelta(days=6):%m-%d} 주")
    shown = {p: int(n) for p in expected for n in re.findall(rf"{re.escape(label(p))}: 리뷰 (\d+)건", html)[:1]}
    assert shown == expected

    # and they agree on which periods are complete: data end on Tuesday 2 April
    last = max(expected)
    complete = dict(zip(by_period["period"], by_period["period_complete"].astype(bool), strict=True))
    assert complete == {p: p != last for p in expected}
    assert features.set_index("ds")["period_complete"].to_dict() == {ds: ds != last for ds in features["ds"]}
    assert "집계 중인 부분 기간" in html  # the report marks its last period as partial
