"""Korean display names: sentiment, flags, alerts, domains, and intent labels that follow the domain.

The intent labels are the scorer's (``nlp.schema.INTENT_LABELS``); only their names change
with the domain: a guest returns to a hotel and a diner to a restaurant (재방문), a user keeps
using an app (재이용), a viewer watches a film again (재관람), a shopper buys again (재구매).

Example:
    >>> intent_names("lodging")["repurchase"], intent_names("shopping")["repurchase"]
    ('재방문', '재구매')
    >>> intent_names(["food", "shopping"])["repurchase"], intent_names("app")["intent"]
    ('재구매·재방문', '이용 의향')
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "INTENT_KO",
    "REVISIT_DOMAINS",
    "DOMAIN_INTENT_KO",
    "SENTIMENT_KO",
    "FLAG_KO",
    "ANOMALY_KO",
    "DOMAIN_KO",
    "intent_names",
    "domain_name",
    "FINDING_KO",
]

INTENT_KO = {
    "none": "없음",
    "consider": "고려",
    "intent": "구매 의향",
    "repurchase": "재구매",
    "recommend": "추천",
    "avoid": "회피",
}
"""Intent names for goods (the default)."""

REVISIT_DOMAINS = frozenset({"lodging", "food"})
"""Domains where coming back is a visit (재방문), not a purchase."""

DOMAIN_INTENT_KO = {
    "lodging": {"repurchase": "재방문", "intent": "방문 의향"},
    "food": {"repurchase": "재방문", "intent": "방문 의향"},
    "app": {"repurchase": "재이용", "intent": "이용 의향"},
    "film": {"repurchase": "재관람", "intent": "관람 의향"},
}
"""Intent names where the purchase is a visit, a use or a viewing (the guideline: for apps, using or
keeping the app is the purchase; for films, watching); other domains keep :data:`INTENT_KO`."""

SENTIMENT_KO = {"negative": "부정", "neutral": "중립", "positive": "긍정"}
FLAG_KO = {
    "empty": "빈 텍스트",
    "duplicate": "중복",
    "duplicate_id": "중복 ID",
    "non_korean": "비한국어",
    "truncated": "잘림",
    "pii_masked": "개인정보 마스킹",
    "decode_error": "인코딩 오류",
}
ANOMALY_KO = {
    "negative_spike": "부정 급증",
    "volume_spike": "리뷰량 급증",
    "emerging_topic": "토픽 급부상",
    "sentiment_drop": "감성 하락",
}
DOMAIN_KO = {
    "shopping": "쇼핑",
    "cosmetics": "화장품",
    "lodging": "숙박",
    "food": "음식",
    "app": "앱",
    "film": "영화",
    "books": "도서",
}


def domain_name(domain: str | None) -> str:
    """The Korean name of a domain (its key when it has none).

    Example:
        >>> domain_name("lodging"), domain_name("books"), domain_name("pets"), domain_name(None)
        ('숙박', '도서', 'pets', '')
    """
    return "" if not domain else DOMAIN_KO.get(domain, domain)


def intent_names(domains: str | Iterable[str] | None = None) -> dict[str, str]:
    """Intent label → display name for one domain, or for a mix of domains.

    Args:
        domains: a domain key, several (a report over products of different domains), or
            ``None`` when unknown (the goods names).

    Returns:
        A mapping for every intent label. With domains of different names mixed, the names
        are joined (``재구매·재방문``; three or more: ``재구매·재방문 등``).
    """
    if domains is None:
        doms: set[str] = set()
    elif isinstance(domains, str):
        doms = {domains}
    else:
        doms = {d for d in domains if d}
    names = dict(INTENT_KO)
    for label in ("repurchase", "intent"):
        # the goods name first, then the others in a fixed order; more than two read "A·B 등"
        own = [DOMAIN_INTENT_KO[d][label] for d in ("lodging", "food", "app", "film") if d in doms]
        found = ([INTENT_KO[label]] if not doms or doms - DOMAIN_INTENT_KO.keys() else []) + own
        distinct = list(dict.fromkeys(found))
        names[label] = "·".join(distinct) if len(distinct) <= 2 else "·".join(distinct[:2]) + " 등"
    return names


FINDING_KO = {
    "aspect_vs_peers": "측면 비교",
    "aspect_change": "측면 변화",
    "negative_vs_peers": "부정 비율 비교",
    "negative_spike": "부정 급증",
    "emerging_topic": "토픽 급부상",
    "volume_spike": "리뷰량 급증",
}
"""Badges of the finding kinds."""
