"""Rows that used to sink, merge or change: numbers as text, broken quotes, whole numbers with gaps, formulas, failed writes."""

from __future__ import annotations

import errno
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.errors import InputError, echo
from nlp.io.tables import ROW_COL, TableWriter, csv_safe, iter_table, read_table, write_table


def _read(path):
    chunks = list(iter_table(path))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    return frame, [r for c in chunks for r in c.rejects]


def test_jsonl_number_or_boolean_text_becomes_its_json_text(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id": "a", "text": "좋아요"}\n{"id": "b", "text": 5}\n{"id": "c", "text": true}\n{"id": "d", "text": 2.5}\n', encoding="utf-8")
    frame, rejects = _read(p)
    assert rejects == []
    assert frame["text"].tolist() == ["좋아요", "5", "true", "2.5"]
    back = read_table(write_table(frame.drop(columns=[ROW_COL]), tmp_path / "o.parquet"))  # no ArrowTypeError
    assert back["text"].tolist() == ["좋아요", "5", "true", "2.5"]


def test_unterminated_quote_rejects_its_line_and_reads_the_rest(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,text\n1,"배송 빨라요\n2,사이즈 작아요\n3,좋아요\n', encoding="utf-8")
    frame, rejects = _read(p)
    assert frame["id"].tolist() == ["2", "3"]
    assert len(rejects) == 1 and rejects[0].row == 0
    assert "line 2" in rejects[0].reason and "lines 3-4" in rejects[0].reason
    assert rejects[0].original == '1,"배송 빨라요'


def test_quote_closed_lines_later_is_not_a_silent_merge(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,text\n1,"abc\n2,def\n3,"ghi"\n4,"여러\n줄 리뷰"\n', encoding="utf-8")
    frame, rejects = _read(p)
    assert frame["id"].tolist() == ["2", "3", "4"]
    assert frame["text"].tolist() == ["def", "ghi", "여러\n줄 리뷰"]  # a real multi-line field is kept
    assert [r.row for r in rejects] == [0] and "line 2" in rejects[0].reason


def test_record_wider_than_the_header_after_a_quote_is_split_again(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,text\n1,"abc\n2,x",y\n3,ok\n', encoding="utf-8")
    frame, rejects = _read(p)
    assert len(frame) + len(rejects) >= 3
    assert rejects[0].row == 0 and "line 2" in rejects[0].reason
    assert frame["id"].tolist()[-1] == "3"


def test_parquet_int_ids_with_nulls_keep_their_form(tmp_path):
    p = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"id": pa.array([101, None, 103], pa.int64()), "text": ["a", "b", "c"], "stock": pa.array([1, None, 3], pa.int32())}), p
    )
    frame, _ = _read(p)
    assert str(frame["id"].dtype) == "Int64" and str(frame["stock"].dtype) == "Int32"
    ids = derive_ids(frame, ColumnMap())
    assert ids.iloc[0] == "101" and ids.iloc[2] == "103" and ids.iloc[1].startswith("r1-")
    out = tmp_path / "out.parquet"
    write_table(frame.drop(columns=[ROW_COL]), out)
    schema = pq.read_schema(out)
    assert schema.field("stock").type == pa.int32() and schema.field("id").type == pa.int64()


def test_jsonl_whole_numbers_with_gaps_stay_whole(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id": 101, "text": "a", "n": 1.5}\n{"id": null, "text": "b", "n": null}\n', encoding="utf-8")
    frame, _ = _read(p)
    assert str(frame["id"].dtype) == "Int64" and frame["id"].iloc[0] == 101
    assert frame["n"].dtype == float  # real decimals stay decimals


@pytest.mark.parametrize("ext", ["csv", "tsv"])
def test_csv_outputs_neutralise_formulas(tmp_path, ext):
    cells = ["=HYPERLINK(\"http://x\")", "+1+cmd", "-_- 별로", "@SUM(A1)", "\tx", "\rx", "-3", "+1.5", "좋아요"]
    df = pd.DataFrame({"text": cells, "=col": range(len(cells))})
    out = tmp_path / f"o.{ext}"
    write_table(df, out)
    back = pd.read_csv(out, sep="\t" if ext == "tsv" else ",", dtype=str, keep_default_na=False)
    assert back.columns.tolist() == ["text", "'=col"]
    assert back["text"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+1+cmd", "'-_- 별로", "'@SUM(A1)", "'\tx", "'\rx", "-3", "+1.5", "좋아요"
    ]
    for exact in ("parquet", "jsonl"):  # only CSV/TSV are changed
        write_table(df, tmp_path / f"o.{exact}")
        assert read_table(tmp_path / f"o.{exact}")["text"].tolist() == cells


def test_csv_safe_is_the_one_place():
    assert csv_safe(pd.DataFrame({"t": ["=1", None, "x"]}))["t"].tolist()[::2] == ["'=1", "x"]


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    out = tmp_path / "o.csv"
    out.write_text("old,content\n")
    w = TableWriter(out)
    w.write(pd.DataFrame({"text": ["a"]}))

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(OSError), w:
        w.write(pd.DataFrame({"text": ["b"]}))
    assert not list(tmp_path.glob("*.partial"))
    assert out.read_text() == "old,content\n"  # the earlier output is untouched


def test_empty_parquet_output_is_a_valid_table(tmp_path):
    out = tmp_path / "o.parquet"
    TableWriter(out).close()
    assert out.stat().st_size > 0 and pq.read_table(out).num_rows == 0


def test_echoed_input_is_capped():
    header = ["x" * 5_000]
    with pytest.raises(InputError) as exc:
        ColumnMap().validate(header, source="in.csv")
    msg = str(exc.value)
    assert len(msg) < 600 and "…" in msg and "--text-col" in msg
    assert echo("abc") == "abc" and json.dumps(echo("y" * 300))
