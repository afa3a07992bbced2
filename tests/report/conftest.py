"""A small hand-made scored corpus: 60 Korean reviews of 2 products over 8 weeks, 3 topics, and their aspects.

Built in: a negative spike (delivery complaints for AP-200 in week 7), a phone number and
an e-mail address (must be masked), a review carrying ``<script>`` (must be escaped),
and empty / duplicate / non-Korean rows (counted in the footer). The aspect mentions follow
the topics (delivery, quality, price) with the review's sentiment as polarity, in the
shopping domain.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

START = pd.Timestamp("2024-03-04")  # a Monday
PHONE = "010-1234-5678"
EMAIL = "buyer@example.com"
XSS = '<script>alert("xss")</script> 필터가 금방 더러워져요 <img src=x onerror=alert(1)>'
INTENTS = ("none", "consider", "intent", "repurchase", "recommend", "avoid")
TOPIC_LABELS = {0: "배송·포장", 1: "품질·성능", 2: "가격·가성비"}

# (week, day, product, topic, sentiment, intent, text, flags)
ROWS: list[tuple[int, int, str, int, str | None, str, str, str]] = [
    (0, 0, "EP-100", 0, "positive", "none", "배송이 하루 만에 와서 좋았어요. 포장도 꼼꼼했습니다.", ""),
    (0, 2, "EP-100", 1, "positive", "recommend", "음질이 정말 깨끗하고 노이즈캔슬링 성능이 좋아요. 친구에게 추천했어요.", ""),
    (0, 4, "EP-100", 2, "positive", "none", "이 가격에 이 정도 음질이면 가성비 최고입니다.", ""),
    (0, 1, "AP-200", 1, "positive", "none", "공기청정 효과가 확실히 느껴져요. 소음도 작아요.", ""),
    (0, 3, "AP-200", 2, "negative", "none", "필터 가격이 너무 비싸요. 유지비가 부담됩니다.", ""),
    (0, 5, "AP-200", 1, "neutral", "consider", "거실용으로 하나 더 살까 고민 중이에요.", ""),
    (1, 0, "EP-100", 1, "negative", "none", "배터리가 금방 닳아서 아쉬워요.", ""),
    (1, 2, "EP-100", 0, "positive", "none", "포장 상태 좋고 배송도 빨랐어요.", ""),
    (1, 5, "EP-100", 2, "positive", "repurchase", "할인할 때 사서 만족해요. 다음에도 여기서 살게요.", ""),
    (1, 1, "AP-200", 1, "positive", "recommend", "필터 교체 알림이 편해요. 부모님께도 추천드렸어요.", ""),
    (1, 3, "AP-200", 0, "negative", "none", f"박스가 찌그러져서 왔어요. 문의는 {EMAIL} 로 답 주세요.", "pii_masked"),
    (1, 6, "AP-200", 2, "positive", "none", "성능 대비 가격은 괜찮은 편입니다.", ""),
    (2, 0, "EP-100", 1, "positive", "none", "착용감이 가볍고 귀가 안 아파요.", ""),
    (2, 3, "EP-100", 2, "neutral", "consider", "비슷한 가격대 제품이랑 비교해 보고 있어요.", ""),
    (2, 6, "EP-100", 0, "positive", "none", "주문 다음 날 바로 도착했어요.", ""),
    (2, 1, "AP-200", 1, "negative", "none", XSS, ""),
    (2, 2, "AP-200", 1, "positive", "none", "미세먼지 수치가 눈에 띄게 내려가요.", ""),
    (2, 4, "AP-200", -1, "positive", "none", "Great purifier, works well", "non_korean"),
    (3, 1, "EP-100", 1, "negative", "avoid", "한쪽 이어폰이 자꾸 끊겨요. 이 제품은 비추합니다.", ""),
    (3, 3, "EP-100", 2, "positive", "none", "가성비 좋은 이어폰 찾는 분께 딱이에요.", ""),
    (3, 5, "EP-100", 1, "positive", "none", "통화 품질도 생각보다 괜찮네요.", ""),
    (3, 0, "AP-200", 1, "positive", "repurchase", "두 번째 구매입니다. 안방에도 놓으려고요.", ""),
    (3, 2, "AP-200", 2, "negative", "none", "필터 값이 본체 가격만큼 나가요.", ""),
    (3, 4, "AP-200", 1, "positive", "none", "공기청정 효과가 확실히 느껴져요. 소음도 작아요.", "duplicate"),
    (4, 0, "EP-100", 1, "positive", "none", "노이즈캔슬링 켜면 지하철에서도 조용해요.", ""),
    (4, 2, "EP-100", 2, "positive", "recommend", "이 가격이면 무조건 추천합니다.", ""),
    (4, 4, "EP-100", -1, None, "none", "...", "empty"),
    (4, 1, "AP-200", 1, "positive", "none", "자동 모드가 똑똑하게 작동해요.", ""),
    (4, 3, "AP-200", 0, "negative", "none", "배송 기사님이 문 앞에 던지고 가셨어요.", ""),
    (4, 5, "AP-200", 2, "positive", "none", "행사 가격으로 잘 샀습니다.", ""),
    (5, 1, "EP-100", 1, "negative", "none", "케이스 힌지가 약해서 금방 헐거워졌어요.", ""),
    (5, 3, "EP-100", 0, "positive", "none", "선물 포장까지 깔끔하게 와서 좋았어요.", ""),
    (5, 5, "EP-100", 2, "neutral", "intent", "다음 달에 하나 더 살 예정이에요.", ""),
    (5, 0, "AP-200", 1, "positive", "none", "필터 교체가 쉬워서 좋아요.", ""),
    (5, 2, "AP-200", 0, "negative", "none", "배송이 일주일 넘게 걸렸어요. 연락도 없었고요.", ""),
    (5, 4, "AP-200", 1, "positive", "none", "침실에 두고 쓰는데 조용해요.", ""),
    # week 7: a delivery-complaint spike for AP-200
    (6, 0, "EP-100", 1, "positive", "none", "음질이 좋아서 출퇴근길이 즐거워요.", ""),
    (6, 2, "EP-100", 2, "positive", "none", "가격 생각하면 아주 만족스러워요.", ""),
    (6, 4, "EP-100", 0, "neutral", "none", "배송은 보통이었어요.", ""),
    (6, 0, "AP-200", 0, "negative", "none", "배송 지연이 너무 심해요. 2주째 안 와요.", ""),
    (6, 1, "AP-200", 0, "negative", "none", "주문한 지 열흘 지났는데 아직 배송 준비중이에요.", ""),
    (6, 1, "AP-200", 0, "negative", "none", f"배송 문의했는데 답이 없네요. {PHONE} 으로 연락 주세요.", "pii_masked"),
    (6, 2, "AP-200", 0, "negative", "none", "택배가 엉뚱한 곳으로 갔어요.", ""),
    (6, 3, "AP-200", 0, "negative", "avoid", "배송 지연 때문에 환불 요청합니다. 다시는 안 사요.", ""),
    (6, 3, "AP-200", 0, "negative", "none", "포장이 뜯긴 채로 도착했어요.", ""),
    (6, 4, "AP-200", 0, "negative", "none", "배송이 늦어서 선물 날짜를 놓쳤어요.", ""),
    (6, 5, "AP-200", 0, "negative", "avoid", "배송 추적이 안 돼요. 고객센터 연결도 안 되고요.", ""),
    (6, 6, "AP-200", 1, "positive", "none", "늦게 왔지만 제품 자체는 좋네요.", ""),
    (7, 0, "EP-100", 1, "positive", "recommend", "업데이트 후 연결이 더 안정적이에요. 추천해요.", ""),
    (7, 1, "EP-100", 2, "positive", "none", "세일가로 샀더니 더 만족스럽네요.", ""),
    (7, 3, "EP-100", 1, "negative", "none", "귀에서 자꾸 빠져요.", ""),
    (7, 4, "EP-100", 0, "positive", "none", "이번엔 배송이 빨랐어요.", ""),
    (7, 0, "AP-200", 0, "negative", "none", "배송은 여전히 느리네요.", ""),
    (7, 1, "AP-200", 1, "positive", "none", "필터 성능은 역시 좋아요.", ""),
    (7, 2, "AP-200", 2, "neutral", "consider", "필터 정기 구독을 할까 고민 중이에요.", ""),
    (7, 4, "AP-200", 1, "positive", "repurchase", "사무실용으로 하나 더 주문했어요.", ""),
    (3, 6, "EP-100", -1, "neutral", "none", "그냥 그래요.", ""),
    (5, 6, "AP-200", -1, "neutral", "none", "보통입니다.", ""),
    (1, 4, "EP-100", 1, "positive", "none", "블루투스 연결이 빠르고 안정적이에요.", ""),
    (2, 5, "AP-200", 2, "neutral", "none", "가격은 평범한 수준이에요.", ""),
]


def _score(i: int, sentiment: str | None) -> float | None:
    if sentiment is None:
        return None
    jitter = 0.05 * (i % 7)
    return {"positive": 0.55 + jitter, "negative": -(0.55 + jitter), "neutral": 0.05 * ((i % 5) - 2)}[sentiment]


def make_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(scored, doc_topics, topics)`` in the shapes of ``nlp score`` and ``nlp topics``."""
    records, doc = [], []
    for i, (week, day, product, topic, sentiment, intent, text, flags) in enumerate(ROWS):
        rid = f"r{i:03d}"
        rec = {
            "id": rid,
            "text": text,
            "product_id": product,
            "created_at": (START + pd.Timedelta(days=7 * week + day, hours=9 + i % 10)).isoformat(),
            "rating": {"positive": 5, "neutral": 3, "negative": 1, None: None}[sentiment],
            "sentiment": sentiment,
            "sentiment_score": _score(i, sentiment),
            "intent": intent,
            "flags": flags,
        }
        for label in INTENTS:
            rec[f"intent_{label}"] = 0.75 if label == intent else 0.05
        records.append(rec)
        if "empty" not in flags:
            doc.append({"id": rid, "topic": topic, "topic_prob": 0.0 if topic < 0 else 0.5 + 0.05 * (i % 9)})
    scored = pd.DataFrame(records)
    doc_topics = pd.DataFrame(doc)
    joined = scored.merge(doc_topics, on="id")
    keywords = {
        0: ["배송", "포장", "지연", "택배", "도착"],
        1: ["음질", "필터", "소음", "성능", "연결"],
        2: ["가격", "가성비", "할인", "필터값", "행사"],
        -1: ["그냥", "보통"],
    }
    topics = []
    for k, g in joined.groupby("topic"):
        k = int(k)
        reps = list(g.sort_values("topic_prob", ascending=False)["id"].head(3))
        # the phone-number and the <script> reviews are representative, so the report shows them
        marker = {0: PHONE, 1: "<script>"}.get(k)
        if marker:
            reps = [scored.loc[scored["text"].str.contains(marker, regex=False), "id"].iloc[0]] + reps[:2]
        row = {
            "topic": k,
            "size": len(g),
            "label": TOPIC_LABELS.get(k, "기타"),
            "keywords": keywords[k],
            "representative_ids": reps,
            "sentiment_mean": g["sentiment_score"].mean(),
            "share_negative": (g["sentiment"] == "negative").mean(),
            "share_positive": (g["sentiment"] == "positive").mean(),
        }
        for label in INTENTS:
            row[f"intent_{label}"] = (g["intent"] == label).mean()
        topics.append(row)
    return scored, doc_topics, pd.DataFrame(topics)


ASPECT_OF_TOPIC = {0: ("delivery", "배송"), 1: ("quality", "품질"), 2: ("price", "가격")}


def make_aspects(scored: pd.DataFrame, doc_topics: pd.DataFrame, domain: str = "shopping") -> pd.DataFrame:
    """Aspect rows in the shape of ``nlp aspects``: one mention per review with a topic, polarity = its sentiment."""
    j = scored.merge(doc_topics, on="id")
    j = j[(j["topic"] >= 0) & j["sentiment"].notna()]
    aspect = j["topic"].map(lambda k: ASPECT_OF_TOPIC[int(k)][0])
    return pd.DataFrame(
        {
            "id": j["id"],
            "product_id": j["product_id"],
            "created_at": j["created_at"],
            "aspect": aspect,
            "aspect_label": j["topic"].map(lambda k: ASPECT_OF_TOPIC[int(k)][1]),
            "polarity": j["sentiment"],
            "score": j["sentiment_score"],
            "evidence": j["text"].str.split(".").str[0],
            "start": 0,
            "end": j["text"].str.split(".").str[0].str.len(),
            "domain": domain,
            "mentions": 1,
            "terms": aspect,
        }
    ).reset_index(drop=True)


@pytest.fixture
def aspects(frames) -> pd.DataFrame:
    """The fixture's aspect mentions (fresh per test)."""
    scored, doc_topics, _ = frames
    return make_aspects(scored, doc_topics)


@pytest.fixture(scope="session")
def facts() -> SimpleNamespace:
    """What the fixture contains, for the tests to check against."""
    return SimpleNamespace(phone=PHONE, email=EMAIL, xss=XSS, start=START, topic_labels=dict(TOPIC_LABELS))


@pytest.fixture(scope="session")
def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return make_frames()


@pytest.fixture
def frames(_frames) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fresh copies per test, so a test may modify them."""
    return copy.deepcopy(_frames)


@pytest.fixture(scope="session")
def report_html(_frames) -> str:
    """The fixture's report, built once per run."""
    from nlp.report import build_report

    scored, doc_topics, topics = _frames
    return build_report(
        scored.copy(),
        doc_topics.copy(),
        topics.copy(),
        aspects=make_aspects(scored, doc_topics),
        model="test-sentiment v0",
        generated_at=pd.Timestamp("2024-05-01 12:00").to_pydatetime(),
    )


@pytest.fixture
def files(tmp_path: Path, frames) -> dict[str, Path]:
    """The fixture written the way the pipeline writes it: scored.parquet, aspects.parquet and a topics directory."""
    scored, doc_topics, topics = frames
    topics_dir = tmp_path / "topics"
    topics_dir.mkdir()
    scored.to_parquet(tmp_path / "scored.parquet", index=False)
    make_aspects(scored, doc_topics).to_parquet(tmp_path / "aspects.parquet", index=False)
    doc_topics.to_parquet(topics_dir / "doc_topics.parquet", index=False)
    topics.to_parquet(topics_dir / "topics.parquet", index=False)
    return {"scored": tmp_path / "scored.parquet", "aspects": tmp_path / "aspects.parquet", "topics": topics_dir, "dir": tmp_path}


# --------------------------------------------------------------------------- synthetic frames built in code


def synth_reviews(spec: dict[str, list[tuple[str, int, int]]], *, last_day: dict[str, int] | None = None, rating: int = 5) -> pd.DataFrame:
    """Scored rows from ``{product: [(month "YYYY-MM", reviews, negative reviews), ...]}``.

    Reviews of a month are spread over its days 1-28 (or 1..``last_day[month]``); negative
    reviews come first. Non-negative reviews are positive. Ids are ``<product>-<month>-<k>``.
    """
    records = []
    for product, months in spec.items():
        for month, n, neg in months:
            start = pd.Timestamp(f"{month}-01")
            days = (last_day or {}).get(month, 28)
            for k in range(n):
                negative = k < neg
                records.append(
                    {
                        "id": f"{product}-{month}-{k}",
                        "text": "방이 너무 시끄러웠어요" if negative else "직원분들이 친절했어요",
                        "product_id": product,
                        "created_at": (start + pd.Timedelta(days=k % days, hours=10)).isoformat(),
                        "rating": 1 if negative else rating,
                        "sentiment": "negative" if negative else "positive",
                        "sentiment_score": -0.8 if negative else 0.8,
                        "intent": "none",
                        "flags": "",
                    }
                )
    return pd.DataFrame(records)


def synth_aspects(
    scored: pd.DataFrame, spec: dict[str, dict[str, tuple[int, int, int]]], domain: str = "lodging"
) -> pd.DataFrame:
    """Aspect rows for the first reviews of each product: ``{product: {aspect: (positive, neutral, negative)}}``.

    Each mention goes to its own review (in id order), so ``sum`` of a product's counts must not
    exceed its reviews; the evidence clause names the aspect and polarity.
    """
    labels = {"noise": "소음", "staff": "직원", "cleanliness": "청결", "breakfast": "조식"}
    rows = []
    for product, aspects in spec.items():
        ids = scored.loc[scored["product_id"] == product]
        for aspect, (pos, neu, neg) in aspects.items():
            for k, (_, r) in enumerate(ids.head(pos + neu + neg).iterrows()):
                polarity = "positive" if k < pos else ("neutral" if k < pos + neu else "negative")
                rows.append(
                    {
                        "id": r["id"],
                        "product_id": product,
                        "created_at": r["created_at"],
                        "aspect": aspect,
                        "aspect_label": labels.get(aspect, aspect),
                        "polarity": polarity,
                        "score": {"positive": 0.8, "neutral": 0.0, "negative": -0.8}[polarity],
                        "evidence": f"{labels.get(aspect, aspect)} {polarity} 문장 {r['id']}",
                        "start": 0,
                        "end": 10,
                        "domain": domain,
                        "mentions": 1,
                        "terms": aspect,
                    }
                )
    return pd.DataFrame(rows)
