"""Golden checks on the report built from the hand-made fixture (conftest.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from nlp.io.columns import ColumnMap
from nlp.io.tables import InputError
from nlp.report import FindingRules, ReportOptions, build_report, write_report
from nlp.schema import load_topic_tables

LABELS = {0: "배송·포장", 1: "품질·성능", 2: "가격·가성비"}  # as in conftest.py


def _text(html: str) -> str:
    """The visible text, roughly: tags dropped, whitespace squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    "heading", ["요약", "제품 × 측면", "제품별 강점·불만", "높은 평점, 그러나 불만", "감성 추이", "토픽", "토픽 상세", "급증 알림", "제품 비교", "주요 발견"]
)
def test_korean_headings(report_html, heading):
    assert re.search(rf"<h[23][^>]*>{heading}\s*<small>", report_html), heading


def test_document_basics(report_html):
    assert report_html.startswith("<!DOCTYPE html>")
    assert '<html lang="ko">' in report_html
    assert '<meta charset="utf-8">' in report_html
    assert "'Noto Sans CJK KR', 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic'" in report_html
    assert "Content-Security-Policy" in report_html and "default-src 'none'" in report_html
    assert "'unsafe-inline'" not in report_html


@pytest.mark.parametrize("label", list(LABELS.values()))
def test_topic_labels_link_to_their_cards(report_html, label):
    assert f">{label}</a>" in report_html
    topic = {v: k for k, v in LABELS.items()}[label]
    assert f'id="topic-{topic}"' in report_html
    assert f'href="#topic-{topic}"' in report_html


def test_headline_figures(report_html, frames):
    scored = frames[0]
    text = _text(report_html)
    n = len(scored)
    pos = (scored["sentiment"] == "positive").sum() / scored["sentiment"].notna().sum()
    assert f"리뷰 수 reviews {n}" in text
    assert f"{100 * pos:.0f}%" in text
    assert "2024-03-04 ~ 2024-04-26" in text  # period covered
    assert "8개 주" in text  # weekly for an 8-week span
    recommend = (scored["intent"] == "recommend").mean() - (scored["intent"] == "avoid").mean()
    assert f"{100 * recommend:+.0f}%p".replace("-", "−") in text


def test_pii_is_masked(report_html, facts):
    assert facts.phone not in report_html
    assert facts.phone.replace("-", "") not in report_html
    assert facts.email not in report_html
    assert "[전화번호]" in report_html  # the phone review is representative of the delivery topic
    assert "[이메일]" in report_html or "박스가 찌그러져서" not in report_html


def test_user_text_is_escaped(report_html):
    # the page's own script is the only one (allowed by its hash, see test_csp.py); the review's stays text
    assert report_html.lower().count("<script") == 1
    assert "<img" not in report_html.lower()
    assert "&lt;script&gt;" in report_html


def test_malicious_labels_and_products_are_escaped(frames):
    scored, doc_topics, topics = frames
    scored["product_id"] = scored["product_id"].replace({"EP-100": '"><script>alert(1)</script>'})
    topics.loc[topics["topic"] == 1, "label"] = "<b onmouseover=alert(1)>품질</b>"
    topics.loc[topics["topic"] == 2, "keywords"] = pd.Series(
        [["<svg onload=alert(1)>", "가격"]], index=topics.index[topics["topic"] == 2]
    )
    html = build_report(scored, doc_topics, topics)
    assert html.lower().count("<script") == 1  # the page's own
    assert "<b onmouseover" not in html and "<svg onload" not in html
    assert "&lt;b onmouseover=alert(1)&gt;" in html


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_no_external_resources(report_html):
    tags = _tags(report_html)
    refs = [
        v or "" for _, attrs in tags for k, v in attrs.items() if k in ("src", "href", "action", "xlink:href", "srcset", "poster")
    ]
    assert refs, "the report should link to its own sections"
    assert all(r.startswith("#") for r in refs), [r for r in refs if not r.startswith("#")]
    assert not [t for t, _ in tags if t in ("link", "iframe", "object", "embed", "img", "base", "form")]
    scripts = [attrs for t, attrs in tags if t == "script"]
    assert scripts == [{}], scripts  # one inline script, no src
    assert not [k for _, attrs in tags for k in attrs if k.startswith("on")]  # no event handlers
    assert not re.search(r"url\(|@import", report_html, flags=re.I)
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", report_html, flags=re.I)


def _alerts(html: str) -> str:
    start = html.index('id="alerts"')
    end = html.index('id="products"') if 'id="products"' in html else html.index('id="topics"')
    return _text(html[start:end])


def test_spike_flagged_by_the_trends_rule_is_stated_only_with_enough_reviews(report_html, frames):
    """The trends rule flags AP-200's week 7; the report states it only when the volume and the test allow."""
    text = _alerts(report_html)
    # by default (30 reviews a side) the flag is listed as not stated, with its reason
    assert "검정을 통과한 급증이 없습니다" in text
    assert "2024-04-15~04-21 주 AP-200 리뷰량 급증 리뷰 9건 (최소 30건)" in text
    # the rule never flags the partial last week (data end on Friday 2024-04-26)
    assert "2024-04-22~04-28" not in text
    # with lower minimums and the rule's own minimum lowered so AP-200's share is judged, the spike is confirmed
    low = build_report(*frames, min_volume=3, rules=FindingRules(min_reviews=5, min_mentions=5))
    low_text = _alerts(low)
    assert "부정 급증 ‘AP-200’: 2024-04-15~04-21 주 부정 급증" in low_text
    assert "2024-04-22~04-28" not in low_text
    finding = low[low.index('id="findings"') :]
    assert "[전화번호]" in finding  # the reviews behind it are shown, masked


def test_topic_change_compares_complete_weeks(frames):
    """The last week is partial (data end on a Friday): the change compares the two complete weeks before it."""
    scored, doc_topics, _ = frames
    j = scored.merge(doc_topics, on="id")
    j["week"] = pd.to_datetime(j["created_at"]).dt.to_period("W-SUN").dt.start_time
    weeks = sorted(j["week"].unique())
    last, prev = weeks[-2], weeks[-3]  # weeks[-1] is partial
    totals = j.groupby("week").size()  # rows with a topic (outliers included), as in trends' topic shares
    share = {w: ((j["week"] == w) & (j["topic"] == 0)).sum() / totals[w] for w in (last, prev)}
    delta = share[last] - share[prev]
    html = build_report(*frames, rules=FindingRules(min_reviews=5))
    topics_section = html[html.index('id="topics"') :]
    assert "2024-04-08~04-14 주 → 2024-04-15~04-21 주" in _text(topics_section)
    assert f"{100 * delta:+.1f}%p".replace("-", "−") in topics_section
    # with the default minimum (30 reviews a side) these weeks are too thin to compare: no arrow
    default = build_report(*frames)
    assert f"{100 * delta:+.1f}%p".replace("-", "−") not in default[default.index('id="topics"') :]


def test_products_compared(report_html):
    products = report_html[report_html.index('id="products"') :]
    assert "EP-100" in products and "AP-200" in products
    assert products.index("AP-200") < products.index("EP-100")  # larger first


def test_footer(report_html):
    about = _text(report_html[report_html.index('id="about"') :])
    assert "nlp-insight" in about
    assert "test-sentiment v0" in about
    assert "리뷰 60행" in about
    for flag in ("중복 1", "빈 텍스트 1", "비한국어 1"):
        assert flag in about


def test_small_for_many_reviews(frames, facts):
    scored, doc_topics, topics = frames
    rng = np.random.default_rng(0)
    big = scored.sample(10_000, replace=True, random_state=0).reset_index(drop=True)
    big["id"] = [f"b{i}" for i in range(len(big))]
    big["created_at"] = (facts.start + pd.to_timedelta(rng.integers(0, 120, len(big)), unit="D")).astype(str)
    big["product_id"] = [f"P-{i % 40:02d}" for i in range(len(big))]
    big_topics = pd.DataFrame({"id": big["id"], "topic": rng.integers(-1, 3, len(big)), "topic_prob": rng.random(len(big))})
    html = build_report(big, big_topics, topics)
    assert len(html.encode("utf-8")) < 2_000_000
    # every product is in the searchable table; the charts show the 12 most reviewed
    products = html[html.index('id="product-table"') :]
    assert products.count('<tr data-search="P-') == 40
    assert "12개 제품 (전체 40개" in html


def test_trends_file_drives_alerts(frames):
    scored, doc_topics, topics = frames
    s = scored.assign(ds=pd.to_datetime(scored["created_at"]).dt.to_period("W-SUN").dt.start_time)
    s["neg"] = s["sentiment"] == "negative"
    trends = s.groupby(["product_id", "ds"]).agg(n_reviews=("id", "size"), share_negative=("neg", "mean")).reset_index()
    trends = trends.rename(columns={"product_id": "unique_id"})
    trends["share_positive"] = 0.5
    trends["sentiment_mean"] = 0.1
    trends["volume_z"] = 0.0
    trends["anomaly_negative_spike"] = False
    trends["anomaly_volume_spike"] = False
    pick = (trends["unique_id"] == "EP-100") & (trends["ds"] == pd.Timestamp("2024-03-11"))
    trends.loc[pick, "anomaly_negative_spike"] = True
    trends.loc[pick, "volume_z"] = 2.5
    html = build_report(scored, doc_topics, topics, trends)
    alerts = _alerts(html)
    assert "anomaly_*" in alerts
    # the trends table's flag is read; with 4 reviews that week (3 before it) it is listed, not stated
    assert "2024-03-11~03-17 주 EP-100 부정 급증 리뷰 4건 · 기준 3건 (최소 30건)" in alerts
    assert "2024-04-15~04-21" not in alerts  # the report's own run of the rule is not used when trends are given


def test_monthly_and_column_mapping(frames):
    scored, doc_topics, topics = frames
    renamed = scored.rename(columns={"text": "body", "id": "review_no", "product_id": "sku", "created_at": "date"})
    html = build_report(
        renamed, doc_topics, topics, columns=ColumnMap(text="body", id="review_no", product="sku", time="date"), freq="M"
    )
    assert "2024년 4월" in html
    assert "[전화번호]" in html


def test_without_time_or_product_columns(frames):
    scored, doc_topics, topics = frames
    html = build_report(scored.drop(columns=["created_at", "product_id"]), doc_topics, topics)
    assert 'id="trend"' not in html and 'id="products"' not in html
    assert "검정을 통과한 급증이 없습니다" in html
    assert "배송·포장" in html


def test_missing_columns_are_named(frames):
    scored, doc_topics, topics = frames
    with pytest.raises(InputError, match="--text-col"):
        build_report(scored.drop(columns=["text"]), doc_topics, topics)
    with pytest.raises(InputError, match="nlp score"):
        build_report(scored.drop(columns=["sentiment", "sentiment_score"]), doc_topics, topics)
    with pytest.raises(InputError, match="doc_topics.parquet has no 'topic'"):
        build_report(scored, doc_topics.drop(columns=["topic"]), topics)
    with pytest.raises(InputError, match="none of the 60 scored ids"):
        build_report(scored, doc_topics.assign(id="x" + doc_topics["id"]), topics)


def test_options_are_validated(frames):
    with pytest.raises(ValueError, match="freq='D'"):
        ReportOptions(freq="D")
    with pytest.raises(TypeError, match="unknown report options"):
        build_report(*frames, colour="red")


def test_load_topic_tables_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_topic_tables(tmp_path / "nope")
    (tmp_path / "doc_topics.parquet").write_bytes(b"")
    with pytest.raises(InputError, match=r"has no topics\.parquet .*found: \['doc_topics\.parquet'\]"):
        load_topic_tables(tmp_path)


def test_write_report_from_files(files):
    out = write_report(files["dir"] / "out" / "report.html", files["scored"], files["topics"], model="m1")
    html = out.read_text(encoding="utf-8")
    assert "급증 알림" in html and "m1" in html
    assert not (out.parent / "report.html.partial").exists()
    with pytest.raises(InputError, match=r"\*\.html"):
        write_report(files["dir"] / "report.pdf", files["scored"], files["topics"])


def _weekly_trends(scored: pd.DataFrame) -> pd.DataFrame:
    s = scored.assign(ds=pd.to_datetime(scored["created_at"]).dt.to_period("W-SUN").dt.start_time)
    t = s.groupby(["product_id", "ds"]).size().rename("n_reviews").reset_index().rename(columns={"product_id": "unique_id"})
    for col in ("anomaly_negative_spike", "anomaly_volume_spike", "anomaly_emerging_topic"):
        t[col] = False
    t["emerging_topics"] = ""
    return t


def test_trends_per_topic_series_and_emerging_topics(frames):
    scored, doc_topics, topics = frames
    trends = _weekly_trends(scored)
    extra = pd.DataFrame(
        {
            "unique_id": ["topic_0"],
            "ds": [pd.Timestamp("2024-04-15")],
            "n_reviews": [9],
            "anomaly_negative_spike": [False],
            "anomaly_volume_spike": [False],
            "anomaly_emerging_topic": [True],
            "emerging_topics": ["0"],
        }
    )
    html = build_report(scored, doc_topics, topics, pd.concat([trends, extra], ignore_index=True))
    text = _alerts(html)
    # a per-topic series is named by its topic; 9 reviews are too few to state it
    assert "2024-04-15~04-21 주 토픽 ‘배송·포장’ 토픽 급부상" in text


def test_daily_trends_give_daily_periods(frames):
    scored, doc_topics, topics = frames
    s = scored.assign(ds=pd.to_datetime(scored["created_at"]).dt.normalize())
    trends = s.groupby(["product_id", "ds"]).size().rename("n_reviews").reset_index().rename(columns={"product_id": "unique_id"})
    trends["anomaly_volume_spike"] = (trends["unique_id"] == "AP-200") & (trends["ds"] == pd.Timestamp("2024-04-16"))
    html = build_report(scored, doc_topics, topics, trends)
    assert "일별 리뷰 수" in html
    assert "2024-04-16 AP-200 리뷰량 급증 리뷰 2건 (최소 30건)" in _alerts(html)


def test_timezone_aware_dates_are_local(frames):
    scored, doc_topics, topics = frames
    first = pd.to_datetime(scored["created_at"]).idxmin()
    scored.loc[first, "created_at"] = "2024-03-03T20:00:00Z"  # Sunday in UTC, Monday 05:00 in Seoul
    html = build_report(scored, doc_topics, topics)
    assert "기간 2024-03-04 ~" in _text(html)
    html_utc = build_report(scored, doc_topics, topics, tz="UTC")
    assert "기간 2024-03-03 ~" in _text(html_utc)


def test_empty_and_dateless_inputs_with_aspects(frames, aspects):
    scored, doc_topics, topics = frames
    empty = build_report(scored.iloc[0:0], aspects=aspects.iloc[0:0])
    assert "리뷰가 없습니다" in empty
    dateless = build_report(scored.drop(columns=["created_at"]), doc_topics, topics, aspects=aspects)
    assert 'id="aspects"' in dateless and 'id="trend"' not in dateless
    assert "기준을 통과한 발견이 없습니다" in dateless


def test_a_volume_spike_alone_is_pointed_to_from_the_key_findings():
    """Volume spikes are listed under alerts, not key findings: the empty key findings say where they are."""
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    rows = [
        {"id": f"r{k}-{j}", "text": "좋아요", "product_id": "P", "created_at": d.strftime("%Y-%m-%d"), "sentiment_label": "positive", "sentiment_score": 0.8}
        for k, d in enumerate(days)
        for j in range(60 if k == 63 else 1)
    ]
    html = build_report(pd.DataFrame(rows))
    summary = _text(html[html.index('id="summary"') : html.index('id="aspects"')])
    assert "기준을 통과한 발견이 없습니다 (검정한 비교 1건): 통과한 1건은 리뷰량 급증으로, 급증 알림 에 있습니다" in summary
    assert "리뷰량 급증" in _alerts(html)


def test_every_builtin_domain_has_a_korean_name():
    """The report names a product's domain in Korean; a new built-in domain must not show its key."""
    from nlp.aspects import BUILTIN_DOMAINS
    from nlp.report.labels import domain_name

    for d in BUILTIN_DOMAINS:
        name = domain_name(d)
        assert name != d and any("가" <= ch <= "힣" for ch in name), d


def test_product_panels_only_where_a_line_can_be_drawn(frames):
    """A product that never reaches the minimum reviews in a period gets no empty panel; the note says how many."""
    scored, doc_topics, topics = frames
    base = pd.Timestamp("2024-03-04")
    rows = []
    for week in range(6):  # BIG: 6 reviews a week; SMALL-1..3: one review in all
        for k in range(6):
            rows.append(("BIG", base + pd.Timedelta(weeks=week, days=k % 5), "positive" if k % 3 else "negative"))
    rows += [(f"SMALL-{i}", base + pd.Timedelta(weeks=i), "positive") for i in range(1, 4)]
    df = pd.DataFrame(rows, columns=["product_id", "created_at", "sentiment"])
    df["id"] = [f"r{i}" for i in range(len(df))]
    df["text"] = "좋아요"
    df["sentiment_score"] = df["sentiment"].map({"positive": 0.8, "negative": -0.8})
    for lab in ("negative", "neutral", "positive"):
        df[f"sentiment_{lab}"] = (df["sentiment"] == lab).astype(float)
    df["created_at"] = df["created_at"].dt.strftime("%Y-%m-%d")
    html = build_report(df)
    panels = re.findall(r'<div class="panel">\s*<h4>([^<]+)</h4>', html)
    assert panels == ["BIG"]
    assert "3개는 리뷰 5건 이상인 주가 없어 선을 그릴 수 없음" in _text(html)
    small = build_report(df[df["product_id"] != "BIG"])
    assert '<div class="panel">' not in small
    assert "제품별 추이는 그리지 않았습니다 (3개 제품)" in _text(small)
