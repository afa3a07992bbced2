"""Keyword rules for purchase intent: the baseline that ``nlp evaluate intent`` compares against,
and the labelling functions that turn the 645k shared reviews into a silver training set.

Rules follow ``guidelines/purchase_intent.md``: each label has cue patterns, and when
several fire the first in the order avoid, repurchase, intent, recommend, consider wins;
no cue means ``none``. Rules never label the gold set (it is labelled by reading).

Example:
    >>> rule_label("재구매 의사 있어요 강추")
    'repurchase'
    >>> rule_label("사이즈 추천 부탁드려요")
    'consider'
"""

from __future__ import annotations

import re

__all__ = ["RULES", "rule_label", "rule_labels", "PRECEDENCE"]

PRECEDENCE = ["avoid", "repurchase", "intent", "recommend", "consider"]

RULES: dict[str, re.Pattern] = {
    "avoid": re.compile(
        r"비추|사지\s?마|보지\s?마|가지\s?마|먹지\s?마|하지\s?마세|환불|반품|다시는\s?안|두\s?번\s?다시|돈\s?아깝|시간\s?아깝|돈\s?버|"
        r"재구매\s?(의사\s?)?(없|안|x)|재방문\s?(의사\s?)?(없|안|x)|거르세|걸러|절대\s?(사지|보지|가지|안)|삭제했|탈퇴했|해지했"
    ),
    "repurchase": re.compile(
        r"재구매|재방문|재관람|재주문|또\s?(샀|살|사요|사러|주문|구매|시켜|시킬|보러|봤|볼|갈게|갈래|가고|방문|왔)|"
        r"두\s?번째|세\s?번째|\d{1,4}\s?번째\s?(구매|관람|방문|주문)|\d{1,4}\s?번\s?(봤|째)|쟁여|다시\s?(봐도|봤|볼|보러|살|샀|주문|갈|방문|찾)|"
        r"두\s?번\s?봤|몇\s?번을?\s?봐|회차|정착"
    ),
    "intent": re.compile(
        r"사야겠|사야지|살\s?거예요|살\s?거임|살\s?예정|주문하려|주문할\s?(게|예정|거)|구매하려|구매할\s?(예정|게|거)|예매했|예매\s?완료|"
        r"보러\s?갈|보러갑|볼\s?예정|장바구니|질렀|결제\s?(했|완료)|예약했|예약\s?완료|가려고|갈\s?예정|봐야겠|봐야지|사러\s?(갑|갈)|깔아\s?봐야|설치해\s?봐야"
    ),
    "recommend": re.compile(
        r"(?<!안\s)(?<!안)추천(?!\s?(좀|부탁|해\s?주|해줄|받))|강추|꼭\s?(보세요|사세요|가\s?보세요|드셔|써\s?보세요|해\s?보세요|봐)|"
        r"보세요|사세요|드세요|가보세요|써보세요|선물용으로\s?(좋|딱)|믿고\s?(보는|사는|먹는)"
    ),
    "consider": re.compile(
        r"살까|볼까|갈까|고민|사고\s?싶|보고\s?싶|가\s?보고\s?싶|먹어\s?보고\s?싶|써\s?보고\s?싶|궁금|어디서\s?(팔|사|구매)|얼마(예요|인가요|에요|죠)|"
        r"재입고|입고\s?(언제|되나)|추천\s?(좀|부탁|해\s?주)|기대(된|돼|중|하고\s?있)|알려\s?주세요|할인\s?(언제|하나요)"
    ),
}


def rule_label(text: str) -> str:
    """The first label in precedence order whose cue fires, else ``none``."""
    t = text or ""
    for label in PRECEDENCE:
        if RULES[label].search(t):
            return label
    return "none"


def rule_labels(texts) -> list[str]:
    return [rule_label(t) for t in texts]
