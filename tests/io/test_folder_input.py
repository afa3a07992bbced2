"""A folder of part files (what Spark writes) reads as one table, row positions running on across the parts."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.io.tables import ROW_COL, InputError, iter_table, part_files, read_table


def _spark_like(folder, frames, fmt="parquet"):
    folder.mkdir()
    (folder / "_SUCCESS").write_text("")
    for i, f in enumerate(frames):
        name = f"part-{i:05d}-abc.c000.{'snappy.parquet' if fmt == 'parquet' else fmt}"
        (folder / f".{name}.crc").write_bytes(b"\x00crc")
        if fmt == "parquet":
            f.to_parquet(folder / name, index=False)
        else:
            (folder / name).write_text(f.to_csv(index=False), encoding="utf-8")
    return folder


def test_a_parquet_folder_reads_in_part_order_with_running_row_numbers(tmp_path):
    a = pd.DataFrame({"id": ["a1", "a2"], "text": ["좋아요", "별로"]})
    b = pd.DataFrame({"id": ["b1"], "text": ["배송 빨라요"]})
    empty = a.iloc[:0]
    folder = _spark_like(tmp_path / "scored.parquet", [a, empty, b])
    assert [p.name.split("-")[1] for p in part_files(folder)] == ["00000", "00001", "00002"]
    chunks = list(iter_table(folder, chunk_size=1))
    rows = pd.concat([c.frame for c in chunks])
    assert rows["id"].tolist() == ["a1", "a2", "b1"]
    assert rows[ROW_COL].tolist() == [0, 1, 2]
    assert read_table(folder)["text"].tolist() == ["좋아요", "별로", "배송 빨라요"]


def test_a_csv_folder_keeps_its_rejects_numbered_across_parts(tmp_path):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    (folder / "part-00000.csv").write_text("id,text\nx1,좋아요\nx2,괜찮아요\n", encoding="utf-8")
    (folder / "part-00001.csv").write_text('id,text\ny1,"닫히지 않은 따옴표\n', encoding="utf-8")
    chunks = list(iter_table(folder))
    rows = pd.concat([c.frame for c in chunks])
    rejects = [r for c in chunks for r in c.rejects]
    assert rows["id"].tolist() == ["x1", "x2"] and rows[ROW_COL].tolist() == [0, 1]
    assert [r.row for r in rejects] == [2]


def test_an_empty_or_all_empty_folder(tmp_path):
    (tmp_path / "nothing.parquet").mkdir()
    with pytest.raises(InputError, match="folder without data files"):
        read_table(tmp_path / "nothing.parquet")
    folder = _spark_like(tmp_path / "empty.parquet", [pd.DataFrame({"id": pd.Series([], dtype="string")})] * 2)
    out = read_table(folder)
    assert list(out.columns) == ["id"] and len(out) == 0
