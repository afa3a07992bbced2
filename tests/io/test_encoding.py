"""Encodings detected on the whole file and decoded row by row: no silent U+FFFD, one bad row costs one row."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from nlp.io.encoding import DecodedLines, detect_encoding, sample_file
from nlp.io.tables import DECODE_ERROR, ROW_COL, InputError, iter_table


def _read(path, **kw):
    chunks = list(iter_table(path, **kw))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    rejects = [r for c in chunks for r in c.rejects]
    flags = {k: v for c in chunks for k, v in c.row_flags.items()}
    return frame, rejects, flags


def _ascii_rows(n: int, start: int = 0) -> str:
    return "".join(f"{i},plain ascii review number {i} with some padding text\n" for i in range(start, start + n))


@pytest.mark.parametrize("ascii_rows", [2_000, 30_000])  # ~120 KiB (read whole) and ~1.8 MiB (head, middle chunks, tail)
def test_cp949_whose_korean_starts_late_is_read_as_cp949(tmp_path, ascii_rows):
    korean = "".join(f"{i},배송이 빨라서 좋아요 재구매 의사 있어요 {i}\n" for i in range(ascii_rows, ascii_rows + 20))
    body = "id,text\n" + _ascii_rows(ascii_rows) + korean
    p = tmp_path / "late.csv"
    p.write_bytes(body.encode("cp949"))
    assert p.stat().st_size > 64 * 1024
    frame, rejects, flags = _read(p)
    assert rejects == [] and flags == {}
    assert len(frame) == ascii_rows + 20
    assert frame["text"].iloc[-1] == f"배송이 빨라서 좋아요 재구매 의사 있어요 {ascii_rows + 19}"
    assert not frame["text"].str.contains("\ufffd").any()


def test_invalid_utf8_after_the_head_is_flagged_not_silent(tmp_path):
    good = "".join(f"{i},리뷰 {i} 좋아요\n" for i in range(5_000)).encode()
    p = tmp_path / "bad.csv"
    p.write_bytes(b"id,text\n" + good + b"5000,bad \xff byte\n5001,\xec\xa2\x8b\xec\x95\x84\xec\x9a\x94\n")
    assert len(good) > 64 * 1024
    frame, rejects, flags = _read(p)
    assert rejects == []
    assert len(frame) == 5_002
    bad_row = frame.loc[frame["id"] == "5000"].iloc[0]
    assert bad_row["text"] == "bad \ufffd byte"
    assert flags == {int(bad_row[ROW_COL]): [DECODE_ERROR]}
    assert frame["text"].iloc[-1] == "좋아요"


def test_a_cp949_line_in_a_utf8_file_is_read_as_cp949(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes("id,text\n1,배송 빨라요\n".encode() + "2,사이즈가 작아요\n".encode("cp949") + "3,좋아요\n".encode())
    frame, rejects, flags = _read(p)
    assert frame["text"].tolist() == ["배송 빨라요", "사이즈가 작아요", "좋아요"]
    assert flags == {} and rejects == []


@pytest.mark.parametrize("bad", [b"\xff", b"\x00"])
def test_one_bad_byte_in_row_2_costs_that_row_only(tmp_path, bad):
    p = tmp_path / "row2.csv"
    p.write_bytes(b"id,text\n1,\xec\xa2\x8b\xec\x95\x84\xec\x9a\x94\n2,bro" + bad + b"ken\n3,ok\n")
    frame, rejects, flags = _read(p)
    assert len(frame) + len(rejects) == 3
    assert frame.loc[frame["id"] == "1", "text"].item() == "좋아요"
    assert frame.loc[frame["id"] == "3", "text"].item() == "ok"
    if bad == b"\x00":
        assert [r.row for r in rejects] == [1] and "line 3" in rejects[0].reason and "NUL" in rejects[0].reason
    else:
        assert rejects == [] and flags == {1: [DECODE_ERROR]}
        assert frame.loc[frame["id"] == "2", "text"].item() == "bro\ufffdken"


@pytest.mark.parametrize("bad", [b"\xff", b"\x00"])
def test_one_bad_byte_in_a_jsonl_row_costs_that_row_only(tmp_path, bad):
    p = tmp_path / "row2.jsonl"
    p.write_bytes(b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "bro' + bad + b'ken"}\n{"id": 3, "text": "fine"}\n')
    frame, rejects, flags = _read(p)
    assert len(frame) + len(rejects) == 3
    assert frame["id"].tolist()[0] == 1 and frame["id"].tolist()[-1] == 3
    if bad == b"\x00":
        assert [r.row for r in rejects] == [1] and "line 2" in rejects[0].reason
    else:
        assert flags == {1: [DECODE_ERROR]}


def test_whole_file_sample_has_head_middle_and_tail(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(("id,text\n" + _ascii_rows(40_000)).encode())
    size = p.stat().st_size
    with open(p, "rb") as fh:
        segs = sample_file(fh, size)
        assert fh.tell() == 0
    assert len(segs) > 3  # head, middle chunks, tail
    assert segs[0].startswith(b"id,text")
    assert segs[-1].endswith(b"\n") and segs[-1].decode().splitlines()[-1].startswith("39999,")
    assert all(s.endswith(b"\n") for s in segs[1:])  # middle chunks cut at line ends


def test_detect_encoding_on_segments():
    head = b"id,text\n" + b"1,plain\n" * 100
    tail = "2,배송 빨라요 좋아요\n".encode("cp949")
    assert detect_encoding([head]) == "utf-8"
    assert detect_encoding([head, tail], complete=True) == "cp949"
    with pytest.raises(InputError, match="not text"):
        detect_encoding(bytes(range(256)) * 50)


def test_decoded_lines_split_like_universal_newlines():
    lines = DecodedLines(io.BytesIO(b"a\r\nb\rc\nd"), "utf-8")
    assert list(lines) == ["a\r\n", "b\r", "c\n", "d"]
    assert lines.line_no == 4


def test_signature_of_a_binary_file_is_still_refused(tmp_path):
    p = tmp_path / "sheet.csv"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="ZIP"):
        _read(p)
