"""Reading and writing tables: CSV, TSV, JSONL, Parquet and stdin, streamed in chunks.

Encodings: a UTF-8 BOM is honoured, valid UTF-8 is taken as such, and anything else is
identified by ``charset-normalizer`` (Korean exports are usually CP949/EUC-KR; EUC-KR is
read as CP949, its superset). Rows that cannot be parsed (a broken JSONL line, a CSV
line with too many fields) are not lost: they come back as :class:`Reject` records.

Example:
    >>> from nlp.io.tables import iter_table
    >>> for chunk in iter_table("reviews.csv", chunk_size=10_000):  # doctest: +SKIP
    ...     print(len(chunk.frame), len(chunk.rejects))
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "Chunk",
    "Reject",
    "InputError",
    "detect_format",
    "detect_encoding",
    "iter_table",
    "read_table",
    "write_table",
    "TableWriter",
    "ROW_COL",
]

Format = Literal["csv", "tsv", "jsonl", "parquet"]
ROW_COL = "_row"  # 0-based position of the row in the input, kept through the pipeline
_SNIFF_BYTES = 1 << 16


class InputError(ValueError):
    """A problem with the user's input, with what was expected and how to fix it."""


@dataclass
class Reject:
    """An input row that could not be used, with why."""

    row: int
    reason: str
    original: object
    id: str | None = None

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "row": self.row, "reason": self.reason, "original": self.original}, ensure_ascii=False, default=str)


@dataclass
class Chunk:
    """A block of parsed rows (with their input positions in ``_row``) and the rows rejected while parsing."""

    frame: pd.DataFrame
    rejects: list[Reject] = field(default_factory=list)


def detect_format(path: str | os.PathLike) -> Format:
    """The table format from the file name (``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``/``.json``, ``.parquet``; ``.gz`` allowed)."""
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext, fmt in ((".parquet", "parquet"), (".pq", "parquet"), (".tsv", "tsv"), (".tab", "tsv"), (".csv", "csv"),
                     (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".txt", "csv")):
        if name.endswith(ext):
            return fmt  # type: ignore[return-value]
    raise InputError(
        f"cannot tell the format of {path!s}: expected a file ending in .csv, .tsv, .jsonl or .parquet; "
        "rename the file or pass --format"
    )


def detect_encoding(sample: bytes) -> str:
    """Encoding of a byte sample: ``utf-8-sig`` for a BOM, ``utf-8`` when it decodes, else charset-normalizer's guess.

    Example:
        >>> detect_encoding("배송 빨라요".encode("cp949"))
        'cp949'
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the end of the sample is still UTF-8
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    from charset_normalizer import from_bytes

    if _reads_as_korean_cp949(sample):
        return "cp949"
    best = from_bytes(sample).best()
    if best is None:
        raise InputError("the input is not text (no character encoding fits); expected a CSV/TSV/JSONL text file or Parquet")
    enc = best.encoding.lower().replace("-", "_")
    if enc in ("euc_kr", "cp949", "johab", "iso2022_kr", "uhc", "ks_c_5601_1987"):
        return "cp949"
    return best.encoding


def _reads_as_korean_cp949(sample: bytes) -> bool:
    """Whether the sample decodes strictly as CP949 (a character cut by its end allowed) into mostly common Hangul.

    Checked before charset-normalizer, which guessed cp874 (Thai) for a CP949 sample made of one
    long review and gave up on the same sample one byte longer. "Common Hangul" means the 2,350
    syllables of KS X 1001 (what EUC-KR encodes): Shift-JIS or Latin-1 bytes that happen to
    decode as CP949 give hanja and rare extension syllables instead.
    """
    try:
        text = sample.decode("cp949")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 1:
            return False
        text = sample[: exc.start].decode("cp949")
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return False

    def common_hangul(c: str) -> bool:
        if not "가" <= c <= "힣":
            return False
        try:
            c.encode("euc_kr")
        except UnicodeEncodeError:
            return False
        return True

    return sum(map(common_hangul, wide)) >= 0.5 * len(wide)


def _open_binary(path: str | os.PathLike | None) -> IO[bytes]:
    if path is None or str(path) == "-":
        return sys.stdin.buffer
    if str(path).lower().endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")
    return open(path, "rb")


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample[:4096] and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return False


def iter_table(
    path: str | os.PathLike | None,
    chunk_size: int = 50_000,
    fmt: Format | None = None,
    encoding: str | None = None,
) -> Iterator[Chunk]:
    """Stream a table in chunks of at most ``chunk_size`` rows; memory stays bounded.

    Args:
        path: a file, or ``None``/``-`` for stdin (JSONL or CSV, told apart by the first byte).
        chunk_size: rows per chunk.
        fmt: override the format from the extension.
        encoding: override the detected encoding.

    Yields:
        :class:`Chunk` objects; every input row is either in a frame (its position in
        ``_row``) or in ``rejects``.
    """
    stdin = path is None or str(path) == "-"
    if not stdin and not Path(path).exists():
        raise InputError(f"input file {path!s} does not exist; check the path")
    if fmt is None and not stdin:
        fmt = detect_format(path)
    if fmt == "parquet":
        yield from _iter_parquet(path, chunk_size)
        return
    fh = _open_binary(path)
    try:
        head = fh.read(_SNIFF_BYTES)
        if _looks_binary(head):
            raise InputError(f"{path!s} looks like a binary file, not a {fmt or 'text'} table; expected CSV, TSV, JSONL or Parquet")
        enc = encoding or detect_encoding(head)
        if fmt is None:
            fmt = "jsonl" if head.lstrip().startswith(b"{") else "csv"
        stream = io.TextIOWrapper(_Prepend(head, fh), encoding=enc, errors="replace", newline="")
        if fmt == "jsonl":
            yield from _iter_jsonl(stream, chunk_size)
        else:
            yield from _iter_delimited(stream, chunk_size, "\t" if fmt == "tsv" else ",")
    finally:
        if not stdin:
            fh.close()


class _Prepend(io.RawIOBase):
    """A binary stream that replays already-read bytes before the rest of ``fh``."""

    def __init__(self, head: bytes, fh: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(b), self._head.nbytes)
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._fh.read(len(b))
        b[: len(data)] = data
        return len(data)


def _iter_parquet(path, chunk_size: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"{path!s} is not a readable Parquet file ({exc}); expected Parquet written by pandas/pyarrow/Spark") from exc
    start = 0
    for batch in pf.iter_batches(batch_size=chunk_size):
        df = batch.to_pandas()
        df.insert(0, ROW_COL, range(start, start + len(df)))
        start += len(df)
        yield Chunk(df)
    if start == 0:
        df = pf.schema_arrow.empty_table().to_pandas()
        df.insert(0, ROW_COL, pd.Series([], dtype="int64"))
        yield Chunk(df)


def _iter_jsonl(stream: IO[str], chunk_size: int) -> Iterator[Chunk]:
    rows: list[dict] = []
    rejects: list[Reject] = []
    n = 0
    for line_no, line in enumerate(stream, start=1):
        if not line.strip():
            continue  # blank lines are not rows
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError(f"a JSON {type(obj).__name__}, not an object")
            obj[ROW_COL] = n
            rows.append(obj)
        except ValueError as exc:
            rejects.append(Reject(row=n, reason=f"invalid JSON on line {line_no}: {exc}", original=line.rstrip("\r\n")[:10_000]))
        n += 1
        if len(rows) + len(rejects) >= chunk_size:
            yield Chunk(_frame(rows), rejects)
            rows, rejects = [], []
    yield Chunk(_frame(rows), rejects)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame({ROW_COL: pd.Series([], dtype="int64")})
    cols = [ROW_COL] + [c for c in df.columns if c != ROW_COL]
    return df[cols]


def _iter_delimited(stream: IO[str], chunk_size: int, sep: str) -> Iterator[Chunk]:
    # The csv module (not pandas' C parser) so that a malformed line becomes a reject
    # with its position instead of vanishing or aborting the whole file.
    csv.field_size_limit(1 << 30)
    reader = csv.reader(stream, delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        yield Chunk(_frame([]))
        return
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"the header repeats column names {dup}; each column needs a unique name")
    width = len(header)
    rows: list[list[str]] = []
    pos: list[int] = []
    rejects: list[Reject] = []
    n = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejects.append(Reject(row=n, reason=f"unparseable CSV record: {exc}", original=None))
            n += 1
            continue
        if not rec:
            continue  # a blank line is not a row
        if len(rec) != width:
            if len(rec) < width and len(rec) >= 1:
                rec = rec + [""] * (width - len(rec))  # short rows: trailing fields missing
            else:
                rejects.append(Reject(row=n, reason=f"expected {width} fields as in the header, found {len(rec)}", original=rec))
                n += 1
                continue
        rows.append(rec)
        pos.append(n)
        n += 1
        if len(rows) + len(rejects) >= chunk_size:
            yield Chunk(_delimited_frame(header, rows, pos), rejects)
            rows, pos, rejects = [], [], []
    yield Chunk(_delimited_frame(header, rows, pos), rejects)


def _delimited_frame(header: list[str], rows: list[list[str]], pos: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=header, dtype="string") if rows else pd.DataFrame({h: pd.Series([], dtype="string") for h in header})
    df = df.replace({"": pd.NA})
    df.insert(0, ROW_COL, pd.Series(pos, dtype="int64"))
    return df


def read_table(path: str | os.PathLike | None, fmt: Format | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a whole table (for small inputs and training data); parse rejects are logged and dropped.

    For scoring, use :func:`iter_table`, which keeps the rejects.
    """
    chunks = list(iter_table(path, chunk_size=1_000_000, fmt=fmt, encoding=encoding))
    bad = sum(len(c.rejects) for c in chunks)
    if bad:
        logger.warning("%s: %d rows could not be parsed and were skipped", path, bad)
    frames = [c.frame for c in chunks]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return df.drop(columns=[ROW_COL])


def _for_arrow(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            sample = out[c].dropna().head(50)
            if len(sample) and sample.map(lambda v: isinstance(v, (dict, set))).any():
                out[c] = out[c].map(lambda v: json.dumps(v, ensure_ascii=False, default=str) if v is not None else None)
    return out


class TableWriter:
    """Append chunks to an output table, atomically: rows go to ``OUT.partial`` and the file appears under its name on :meth:`close`.

    Example:
        >>> with TableWriter("out.parquet") as w:  # doctest: +SKIP
        ...     w.write(frame)
    """

    def __init__(self, path: str | os.PathLike, fmt: Format | None = None, append: bool = False) -> None:
        self.path = Path(path)
        self.fmt = fmt or detect_format(self.path)
        self.tmp = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pq = None
        self._schema = None
        self._fh = None
        self.rows = 0
        if not append and self.tmp.exists():
            self.tmp.unlink()

    def write(self, df: pd.DataFrame) -> None:
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(_for_arrow(df), preserve_index=False)
            if self._pq is None:
                self._schema = table.schema
                self._pq = pq.ParquetWriter(str(self.tmp), self._schema, compression="zstd")
            else:
                table = table.cast(self._schema) if table.schema != self._schema else table
            self._pq.write_table(table)
        elif self.fmt == "jsonl":
            if self._fh is None:
                self._fh = open(self.tmp, "a", encoding="utf-8")
            self._fh.write(df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso"))
        else:
            header = self._fh is None and (not self.tmp.exists() or self.tmp.stat().st_size == 0)
            if self._fh is None:
                self._fh = open(self.tmp, "a", encoding="utf-8", newline="")
            out = df.copy()
            for c in out.columns:
                if out[c].dtype == object:
                    # list cells (tokens, keywords) as JSON arrays, readable back by any JSON parser
                    out[c] = out[c].map(lambda v: json.dumps(list(v), ensure_ascii=False) if isinstance(v, (list, tuple, np.ndarray)) else v)
            out.to_csv(self._fh, index=False, header=header, sep="\t" if self.fmt == "tsv" else ",")
        self.rows += len(df)

    def close(self) -> Path:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()
        if not self.tmp.exists():
            self.tmp.touch()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a whole table atomically; the format follows the extension."""
    with TableWriter(path) as w:
        w.write(df)
    return Path(path)
