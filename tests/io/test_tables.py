"""The bad-input matrix for reading tables: encodings, broken lines, odd texts. No row is ever lost."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.tables import ROW_COL, InputError, detect_encoding, iter_table, read_table, write_table

ROWS = [("1", "배송이 빨라서 좋아요"), ("2", "별로예요, \"진짜\" 별로"), ("3", "줄바꿈이\n있는 리뷰"), ("4", "")]


def _csv_bytes(encoding: str) -> bytes:
    buf = io.StringIO()
    pd.DataFrame(ROWS, columns=["id", "text"]).to_csv(buf, index=False)
    return buf.getvalue().encode(encoding)


def _all(path, **kw):
    chunks = list(iter_table(path, **kw))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    rejects = [r for c in chunks for r in c.rejects]
    return frame, rejects


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_encodings_give_identical_rows(tmp_path, encoding):
    p = tmp_path / f"in-{encoding}.csv"
    p.write_bytes(_csv_bytes(encoding))
    frame, rejects = _all(p)
    assert rejects == []
    assert frame["text"].fillna("").tolist() == [r[1] for r in ROWS]
    assert frame.columns.tolist() == [ROW_COL, "id", "text"]  # no BOM glued to the first header


def test_detect_encoding():
    assert detect_encoding("배송 빨라요 좋아요".encode("cp949")) == "cp949"
    assert detect_encoding("배송".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("배송".encode()[:-1]) == "utf-8"  # cut mid-character at the sample edge


def test_mixed_newlines(tmp_path):
    p = tmp_path / "nl.csv"
    p.write_bytes(b"id,text\r\n1,a\n2,b\r3,c\r\n")
    frame, _ = _all(p)
    assert frame["id"].tolist() == ["1", "2", "3"]


def test_broken_jsonl_line_is_rejected_with_reason(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id": 1, "text": "좋아요"}\n{"id": 2, "text": "깨진 줄\n{"id": 3, "text": "괜찮아요"}\n[1, 2]\n', encoding="utf-8")
    frame, rejects = _all(p)
    assert frame["id"].tolist() == [1, 3]
    assert [r.row for r in rejects] == [1, 3]
    assert "invalid JSON on line 2" in rejects[0].reason
    assert len(frame) + len(rejects) == 4


def test_csv_row_with_extra_fields_is_rejected(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("id,text\n1,좋아요\n2,a,b,c\n3,괜찮아요\n", encoding="utf-8")
    frame, rejects = _all(p)
    assert frame["id"].tolist() == ["1", "3"]
    assert rejects[0].row == 1 and "expected 2 fields" in rejects[0].reason


def test_chunks_bound_memory_and_keep_positions(tmp_path):
    p = tmp_path / "many.csv"
    pd.DataFrame({"text": [f"리뷰 {i}" for i in range(25)]}).to_csv(p, index=False)
    chunks = list(iter_table(p, chunk_size=10))
    assert [len(c.frame) for c in chunks] == [10, 10, 5]
    assert pd.concat([c.frame for c in chunks])[ROW_COL].tolist() == list(range(25))


def test_parquet_and_jsonl_round_trip(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "text": ["좋아요", "x" * 50_000]})
    for name in ("t.parquet", "t.jsonl", "t.csv", "t.tsv"):
        write_table(df, tmp_path / name)
        back = read_table(tmp_path / name)
        assert back["text"].tolist() == df["text"].tolist(), name
        assert not (tmp_path / (name + ".partial")).exists()


def test_binary_file_is_a_clear_error(tmp_path):
    p = tmp_path / "photo.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    with pytest.raises(InputError, match="binary"):
        _all(p)


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match=".csv, .tsv, .jsonl or .parquet"):
        list(iter_table(tmp_path / "x.xlsx"))
    with pytest.raises(InputError, match="does not exist"):
        list(iter_table(tmp_path / "nope.csv"))


def test_stdin_jsonl(monkeypatch):
    data = '{"text": "좋아요"}\n{"text": "별로"}\n'.encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    frame, _ = _all("-")
    assert frame["text"].tolist() == ["좋아요", "별로"]


def test_missing_column_message_names_option():
    with pytest.raises(InputError) as exc:
        ColumnMap().validate(["review", "stars"], source="x.csv")
    msg = str(exc.value)
    assert "'text'" in msg and "--text-col" in msg and "review" in msg


def test_derived_ids_are_stable_and_fill_gaps():
    df = pd.DataFrame({ROW_COL: [0, 1, 2], "id": ["a", None, " "], "text": ["x", "y", "z"]})
    ids = derive_ids(df, ColumnMap())
    assert ids.iloc[0] == "a" and ids.iloc[1].startswith("r1-") and ids.iloc[2].startswith("r2-")
    assert derive_ids(df, ColumnMap()).tolist() == ids.tolist()
    assert json.dumps(ids.tolist())


def test_cp949_file_dominated_by_one_long_review(tmp_path):
    """charset-normalizer finds no encoding for a sample of one repeated syllable; the CP949 fallback reads it."""
    from nlp.io.tables import detect_encoding

    sample = ("id,text\n1," + "가" * 40_000).encode("cp949")
    assert detect_encoding(sample) == "cp949"
    assert detect_encoding(sample[:-1]) == "cp949"  # a character cut by the end of the sample
    with pytest.raises(InputError, match="not text"):
        detect_encoding(bytes(range(256)) * 50)
    # other legacy encodings are not taken for Korean
    assert detect_encoding("日本語のレビューです。とても良かったです。".encode("shift_jis") * 20) != "cp949"
    assert detect_encoding("Très bon café, déçu par le prix élevé.".encode("latin-1") * 20) != "cp949"
