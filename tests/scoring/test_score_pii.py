"""`nlp score` masks personal data in every column it writes, flags those rows, and keeps ids unique."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.scoring.table import score_table

ROWS = [
    ("tel-010-2222-3333", "배송 빨라요 ０１０－７７７７－８８８８ 로 연락", "p1", "a"),
    ("tel-010-2222-3334", "좋아요 010-6666-\u200b9999", "me@example.com", None),
    ("3", "재구매 의사 있어요", "p1", "연락처 010 - 3131 - 4141"),
    ("4", "가격 29,900원, 2024.03.01 주문, 3개", "p2", "주문번호 2024030112345678"),
]


@pytest.fixture
def pii_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_PII_KEY", "test")
    p = tmp_path / "in.csv"
    pd.DataFrame(ROWS, columns=["id", "text", "product_id", "note"]).to_csv(p, index=False)
    return p


def test_every_written_column_is_masked(tmp_path, pii_csv, tiny_scorer):
    out = score_table(pii_csv, tmp_path / "out.parquet", scorer=tiny_scorer).output
    df = pd.read_parquet(out)
    assert df["text"].tolist()[:2] == ["배송 빨라요 [전화번호] 로 연락", "좋아요 [전화번호]"]
    assert df["id"].is_unique and df["id"].iloc[0].startswith("tel-[phone:") and df["id"].iloc[2:].tolist() == ["3", "4"]
    assert df["product_id"].tolist()[0] == "p1" and df["product_id"].iloc[1].startswith("[email:")
    assert df["note"].iloc[2].startswith("연락처 [phone:")
    assert [("pii_masked" in f) for f in df["flags"]] == [True, True, True, False]
    # numbers that are not personal data survive
    assert df.iloc[3][["text", "note"]].tolist() == [ROWS[3][1], ROWS[3][3]]
    flat = df.astype(str).to_csv()
    for raw in ("2222-3333", "７７７７", "6666-\u200b9999", "example.com", "3131"):
        assert raw not in flat


def test_masking_is_deterministic(tmp_path, pii_csv, tiny_scorer):
    a = pd.read_parquet(score_table(pii_csv, tmp_path / "a.parquet", scorer=tiny_scorer, chunk_size=2).output)
    b = pd.read_parquet(score_table(pii_csv, tmp_path / "b.parquet", scorer=tiny_scorer).output)
    pd.testing.assert_frame_equal(a, b)


def test_no_mask_pii_writes_the_input_as_given(tmp_path, pii_csv, tiny_scorer):
    df = pd.read_parquet(score_table(pii_csv, tmp_path / "o.parquet", scorer=tiny_scorer, mask_pii=False).output)
    assert df["id"].tolist()[:2] == ["tel-010-2222-3333", "tel-010-2222-3334"]
    assert df["text"].iloc[0] == ROWS[0][1] and not df["flags"].str.contains("pii_masked").any()
