"""A local Spark session for the engine tests (skipped where pyspark or Java 17+ is missing), and test tables."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def spark():
    """``local[2,4]``: two cores, and four attempts per task (a killed worker's task is retried)."""
    reason = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "pyspark is not installed: pip install 'nlp-insight[spark]'"
    if reason is None:
        from nlp.engines.spark import java_version

        v = java_version()
        if v is None or v < 17:
            reason = f"Java 17+ is needed for Spark (found {'none' if v is None else v}): apt-get install -y default-jre-headless"
    if reason:
        if os.environ.get("NLP_REQUIRE_SPARK"):
            pytest.fail(f"NLP_REQUIRE_SPARK is set but {reason}")
        pytest.skip(reason)
    # Spark's Python workers import this checkout (and tests.engines._faults)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    from nlp.engines.spark import session

    s = session("local[2,4]")
    yield s
    s.stop()


WORDS = ["배송", "빨라요", "좋아요", "재구매", "할게요", "사이즈", "작아요", "반품", "했어요", "가성비", "최고", "강추", "조식", "맛있음",
         "그냥", "그래요", "별로", "비추", "환불", "문의", "포장", "꼼꼼", "색상", "예뻐요", "ㅋㅋㅋ", "ㅠㅠ", "!!", "😊", "#내돈내산"]


def review_rows(n: int, seed: int = 0) -> list[tuple[str, str, str, str]]:
    """``n`` (id, text, product_id, created_at) rows with everything the flags react to.

    Exact and near duplicates far apart (across chunks), empty and symbol-only texts, personal
    data, English, texts longer than the tiny model reads, missing and repeated ids, commas,
    quotes and line breaks inside texts.
    """
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        k = rng.randint(1, 12) if i % 37 else 60  # some texts longer than the tiny model's 32 tokens
        text = " ".join(rng.choice(WORDS) for _ in range(k))
        if i % 97 == 5:
            text = rows[rng.randrange(len(rows))][1] if rows else text  # exact repeat of an earlier row
        if i % 89 == 7 and rows:
            text = rows[0][1].replace(" ", "") + "!!!"  # near repeat of the first row
        if i % 113 == 3:
            text = ""
        if i % 131 == 9:
            text = "... !!"
        if i % 71 == 11:
            text += " 연락은 010-1234-5678 로"
        if i % 83 == 13:
            text = "Great product, fast shipping"
        if i % 59 == 17:
            text += ', 쉼표 "인용" 포함'
        if i % 173 == 19:
            text += "\n둘째 줄"
        rid = "" if i % 41 == 0 else str(i if i % 67 else i - 1)  # missing ids (derived), repeated ids
        rows.append((rid, text, f"p{i % 7}", f"2026-0{1 + i % 3}-{1 + i % 28:02d}"))
    return rows


def write_csv(path: Path, rows, bad: bool = True, encoding: str = "utf-8") -> Path:
    """A CSV of ``rows``; with ``bad``, lines the reader must reject (too many fields) or pad (too few)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "text", "product_id", "created_at"])
    for i, r in enumerate(rows):
        w.writerow(r)
        if bad and i in (150, 700):
            buf.write("x,too,many,fields,here\n")
        if bad and i == 420:
            buf.write("999,짧은 줄\n")
    path.write_bytes(buf.getvalue().encode(encoding))
    return path
