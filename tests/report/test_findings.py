"""Findings that hold: minimum volumes, tests, complete periods only, one anomaly rule, findings.json.

Every frame here is built in code (conftest.synth_reviews / synth_aspects), so each test
controls exactly how many reviews sit on each side of a comparison.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import synth_aspects, synth_reviews

from nlp.report import FindingRules, build, write_report
from nlp.report.findings import KINDS
from nlp.schema import FINDINGS_FILE
from nlp.trends.features import build_features

MONTHS = [f"2024-{m:02d}" for m in range(1, 9)]


def _kinds(report, kind: str, product: str | None = None) -> list:
    return [f for f in report.findings if f.kind == kind and (product is None or f.product_id == product)]


# --------------------------------------------------------------------------- minimum volume


@pytest.mark.parametrize(("n_bad", "expected"), [(25, 0), (29, 0), (30, 1), (40, 1)])
def test_product_vs_peers_needs_the_minimum_volume(n_bad, expected):
    """A product whose every review is negative is a finding only from 30 reviews on (the default minimum)."""
    scored = synth_reviews({"GOOD": [("2024-01", 300, 30)], "BAD": [("2024-01", n_bad, n_bad)]})
    report = build(scored)
    found = _kinds(report, "negative_vs_peers", "BAD")
    assert len(found) == expected
    if expected:
        f = found[0]
        assert f.direction == "worse" and f.n == n_bad
        assert f.interval[0] > 0 and f.interval[0] <= f.effect <= f.interval[1]


def test_lowering_the_minimum_is_an_option_not_a_loophole():
    """With 10 reviews and min_reviews=10 the comparison is tested, but a small gap still fails the test."""
    scored = synth_reviews({"A": [("2024-01", 300, 30)], "B": [("2024-01", 10, 2)]})  # 20% vs 10%
    assert not _kinds(build(scored, rules=FindingRules(min_reviews=10)), "negative_vs_peers", "B")


@pytest.mark.parametrize(("n_noise", "expected"), [(15, 0), (19, 0), (25, 1)])
def test_aspect_vs_peers_needs_the_minimum_mentions(n_noise, expected):
    scored = synth_reviews({"H1": [("2024-01", 200, 40)], "H2": [("2024-01", 200, 20)]})
    aspects = synth_aspects(scored, {"H1": {"noise": (0, 0, n_noise)}, "H2": {"noise": (90, 5, 5)}})
    report = build(scored, aspects=aspects)
    found = _kinds(report, "aspect_vs_peers", "H1")
    assert len(found) == expected
    if expected:
        f = found[0]
        assert f.aspect == "noise" and f.aspect_label == "소음" and f.direction == "worse"
        assert f.interval[1] < 0  # the 95% interval of the difference of nets excludes 0
        assert f.effect == pytest.approx(-1.0 - (90 - 5) / 100)
        # the evidence is H1's own negative mentions, with their clauses
        h1_negative = set(aspects.loc[(aspects["product_id"] == "H1") & (aspects["polarity"] == "negative"), "id"])
        assert f.evidence_ids and set(f.evidence_ids) <= h1_negative
        assert all(e["text"].startswith("소음 negative") for e in f.evidence)


def test_no_findings_in_noise():
    """20 products drawn from one negative rate: the FDR cut and the minimum effect leave nothing to report."""
    rng = np.random.default_rng(7)
    spec = {f"P{i:02d}": [("2024-01", 100, int(rng.binomial(100, 0.2)))] for i in range(20)}
    report = build(synth_reviews(spec))
    assert report.meta["tests"]["tested"] == 20
    assert report.findings == []


# --------------------------------------------------------------------------- complete periods only


def _spike(last_day: int) -> pd.DataFrame:
    """HOTEL: eight months at 10% negative, then September at 70% negative, its data ending on ``last_day``."""
    spec = {"HOTEL": [(m, 40, 4) for m in MONTHS] + [("2024-09", 40, 28)]}
    scored = synth_reviews(spec, last_day={"2024-09": min(last_day, 28)})
    if last_day > 28:  # one more review on the last day makes the month complete
        extra = scored.iloc[[-1]].assign(id="HOTEL-2024-09-last", created_at=f"2024-09-{last_day}T10:00:00")
        scored = pd.concat([scored, extra], ignore_index=True)
    return scored


def test_no_finding_on_a_partial_period():
    partial = build(_spike(15), freq="M")
    assert partial.meta["periods"]["partial_last"] == "2024-09"
    assert partial.meta["periods"]["last_complete"] == "2024-08"
    assert not [f for f in partial.findings if f.period == "2024-09"]
    # the headline compares the two complete months and names the partial one
    assert "마지막 완결 월(2024년 8월)와 직전 월(2024년 7월)의 비교" in partial.html
    assert "2024년 9월은 2024-09-15까지만 있어 비교하지 않습니다" in partial.html

    complete = build(_spike(30), freq="M")
    spikes = _kinds(complete, "negative_spike", "HOTEL")
    assert [f.period for f in spikes] == ["2024-09"]
    f = spikes[0]
    assert f.alert and f.anomaly == ["negative_spike"]
    assert f.value == pytest.approx(28 / 41) and f.reference == pytest.approx(0.1)
    assert f.interval[0] > 0.4 and f.n == 41 and f.n_reference == 320
    assert f.period_start == "2024-09-01" and f.period_end == "2024-09-30"


def test_aspect_change_uses_the_last_complete_period():
    """All-negative mentions in a partial month are never compared; the complete month before is."""
    scored = _spike(15)
    rows = []
    for month in [*MONTHS, "2024-09"]:
        ids = scored.loc[scored["id"].str.startswith(f"HOTEL-{month}-"), ["id", "created_at"]].head(30)
        negative = month in ("2024-08", "2024-09")
        for _, r in ids.iterrows():
            rows.append({"id": r["id"], "product_id": "HOTEL", "created_at": r["created_at"], "aspect": "noise", "aspect_label": "소음",
                         "polarity": "negative" if negative else "positive", "score": -0.8 if negative else 0.8,
                         "evidence": "방음이 안 돼요" if negative else "조용해요", "domain": "lodging"})  # fmt: skip
    report = build(scored, aspects=pd.DataFrame(rows), freq="M")
    changes = _kinds(report, "aspect_change", "HOTEL")
    assert [(f.period, f.direction) for f in changes] == [("2024-08", "worse")]
    assert changes[0].value == -1.0 and changes[0].reference == 1.0 and changes[0].n == 30 and changes[0].n_reference == 210


# --------------------------------------------------------------------------- one anomaly rule


def test_same_alerts_with_or_without_a_trends_table():
    scored = _spike(30)
    trends = build_features(scored, "M", data_end=pd.to_datetime(scored["created_at"]).max())
    assert trends["anomaly_negative_spike"].any()
    own = build(scored, freq="M")
    read = build(scored, trends=trends)
    assert own.meta["anomaly_rule"]["source"] == "rule" and read.meta["anomaly_rule"]["source"] == "trends"

    def key(report):
        return [(f.kind, f.product_id, f.period, round(f.effect, 6), f.n) for f in report.findings if f.alert]

    assert key(own) == key(read) and key(own)


def test_flags_on_thin_periods_are_listed_not_stated():
    """The rule may flag 5 reviews with 1 negative; the report lists that flag with its reason and states nothing."""
    spec = {"INN": [(m, 6, 0) for m in MONTHS] + [("2024-09", 5, 1)], "BIG": [(m, 80, 8) for m in [*MONTHS, "2024-09"]]}
    scored = synth_reviews(spec, last_day={"2024-09": 28})
    scored = pd.concat([scored, scored.iloc[[-1]].assign(id="BIG-last", created_at="2024-09-30T10:00:00")], ignore_index=True)
    report = build(scored, freq="M")
    flagged = [u for u in report.unconfirmed if u.scope == "INN" and u.kind == "negative_spike"]
    assert flagged and "최소 30건" in flagged[0].reason
    assert not _kinds(report, "negative_spike", "INN")


# --------------------------------------------------------------------------- findings.json


def test_findings_json_schema(tmp_path):
    scored = _spike(30)
    scored = pd.concat([scored, synth_reviews({"CALM": [(m, 60, 3) for m in [*MONTHS, "2024-09"]]})], ignore_index=True)
    aspects = synth_aspects(scored, {"HOTEL": {"noise": (5, 5, 30)}, "CALM": {"noise": (50, 5, 5)}})
    out = write_report(tmp_path / "out" / "report.html", scored, aspects=aspects, freq="M")
    doc = json.loads((out.parent / FINDINGS_FILE).read_text(encoding="utf-8"))
    assert set(doc) >= {"findings", "rules", "anomaly_rule", "periods", "tests"}
    assert doc["rules"]["min_reviews"] == 30 and doc["rules"]["min_mentions"] == 20
    findings = doc["findings"]
    assert {f["kind"] for f in findings} >= {"negative_spike", "aspect_vs_peers", "negative_vs_peers"}
    ids = set(scored["id"])
    for rank, f in enumerate(findings, start=1):
        assert set(f) >= {"kind", "product_id", "aspect", "topic", "period", "effect", "interval", "n", "evidence_ids"}
        assert f["kind"] in KINDS and f["rank"] == rank
        assert isinstance(f["product_id"], str)
        assert (f["aspect"] is not None) == f["kind"].startswith("aspect_")
        assert f["period"] == "all" or f["period"].startswith("2024-")
        lo, hi = f["interval"]
        assert isinstance(f["effect"], float) and lo <= f["effect"] <= hi
        assert f["n"] >= (20 if f["kind"].startswith("aspect_") else 30)
        assert 0 < len(f["evidence_ids"]) <= 10 and set(f["evidence_ids"]) <= ids
        assert f["p_value"] < 0.05 and f["text"]
    assert not (out.parent / (FINDINGS_FILE + ".partial")).exists()


@pytest.mark.parametrize(("surge", "stated"), [(10, False), (25, True)])
def test_an_emerging_topic_needs_enough_reviews_of_it(surge, stated):
    scored = _spike(30)
    month = scored["created_at"].str[:7]
    first_of_month = ~month.duplicated()
    topic = pd.Series(0, index=scored.index)
    topic[first_of_month & (month < "2024-09")] = 1  # one review a month about topic 1 ...
    topic[(month == "2024-09") & (scored.groupby(month).cumcount() < surge)] = 1  # ... then a surge
    doc_topics = pd.DataFrame({"id": scored["id"], "topic": topic, "topic_prob": 0.9})
    topics = pd.DataFrame({"topic": [0, 1], "size": [int((topic == 0).sum()), int((topic == 1).sum())], "label": ["객실", "주차"]})
    report = build(scored, doc_topics, topics, freq="M")
    flagged = [u for u in report.unconfirmed if u.kind == "emerging_topic"]
    found = _kinds(report, "emerging_topic", "HOTEL")
    assert bool(found) == stated
    if stated:
        assert found[0].topic == 1 and found[0].topic_label == "주차" and found[0].n == surge and found[0].period == "2024-09"
        # September's first reviews are its negative ones: a surge of complaints, listed under 주의
        assert found[0].tone == "negative" and found[0].concern
    else:
        assert flagged and "최소 20건" in flagged[0].reason


def test_a_surging_topic_of_praise_is_a_strength(tmp_path):
    """A topic that surges on positive reviews is listed with the strengths, not with the problems."""
    scored = _spike(30)
    month = scored["created_at"].str[:7]
    topic = pd.Series(0, index=scored.index)
    topic[~month.duplicated() & (month < "2024-09")] = 1
    sept = month == "2024-09"
    topic[sept & (scored["sentiment"] == "positive")] = 1  # September's 12 positive reviews (and the extra last one) ...
    topic[sept & (scored["sentiment"] == "negative") & (scored.groupby(month).cumcount() < 10)] = 1  # ... and 10 negative ones
    doc_topics = pd.DataFrame({"id": scored["id"], "topic": topic, "topic_prob": 0.9})
    topics = pd.DataFrame({"topic": [0, 1], "size": [int((topic == 0).sum()), int((topic == 1).sum())], "label": ["객실", "친절"]})
    report = build(scored, doc_topics, topics, freq="M")
    found = _kinds(report, "emerging_topic", "HOTEL")
    assert found and found[0].tone == "positive" and not found[0].concern
    assert "칭찬 위주" in found[0].title
    out = write_report(tmp_path / "report.html", scored, (doc_topics, topics), freq="M")
    html = out.read_text(encoding="utf-8")
    strengths = html.split("<h4>강점")[1].split("</ol>")[0]
    assert found[0].title in strengths
