"""Reading and writing tables: CSV, TSV, JSONL, Parquet and stdin, streamed in chunks.

Encodings are detected on a sample of the whole file and decoded line by line
(:mod:`nlp.io.encoding`). One bad row never sinks the file: a row that cannot be parsed (a
broken JSONL line, a CSV line with too many fields, an unterminated quote, a NUL byte) comes
back as a :class:`Reject` with its line number, and a row with bytes that fit no encoding is
kept with U+FFFD in their place and flagged ``decode_error`` (:attr:`Chunk.row_flags`).

Types: in JSONL, a column that mixes text with numbers or true/false is read as text (a
number becomes its JSON text: ``5`` → ``"5"``, ``true`` → ``"true"``), and whole numbers with
gaps stay whole (nullable ``Int64``), in Parquet too, instead of turning into floats.

Example:
    >>> from nlp.io.tables import iter_table
    >>> for chunk in iter_table("reviews.csv", chunk_size=10_000):  # doctest: +SKIP
    ...     print(len(chunk.frame), len(chunk.rejects))
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from nlp.io.atomic import temp_path
from nlp.io.encoding import DecodedLines, NotText, detect_encoding, file_size, looks_binary, sample_file
from nlp.io.errors import InputError, echo

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
    "csv_safe",
    "scalar_text",
    "as_text",
    "add_row_flags",
    "ROW_COL",
    "DECODE_ERROR",
]

Format = Literal["csv", "tsv", "jsonl", "parquet"]
ROW_COL = "_row"  # 0-based position of the row in the input, kept through the pipeline
DECODE_ERROR = "decode_error"  # row flag: some bytes fit no encoding and show as U+FFFD
MAX_RECORD_LINES = 10_000  # a quoted CSV field longer than this many lines is taken for an unterminated quote
_ORIGINAL_CHARS = 10_000  # how much of a rejected line the rejects file keeps


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
    """A block of parsed rows (with their input positions in ``_row``) and the rows rejected while parsing.

    ``row_flags`` maps a row's input position to quality flags found while reading it
    (``decode_error``); the scoring and tokenizing stages add them to the row's ``flags``.
    """

    frame: pd.DataFrame
    rejects: list[Reject] = field(default_factory=list)
    row_flags: dict[int, list[str]] = field(default_factory=dict)


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
        f"cannot tell the format of {echo(str(path))}: expected a file ending in .csv, .tsv, .jsonl or .parquet; "
        "rename the file so its extension says its format"
    )


def scalar_text(value: object) -> str | None:
    """A cell as text: strings as they are, numbers and booleans as JSON writes them, missing as ``None``.

    Example:
        >>> scalar_text(5), scalar_text(2.5), scalar_text(True), scalar_text("좋아요"), scalar_text(None)
        ('5', '2.5', 'true', '좋아요', None)
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, float, list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def as_text(col: pd.Series) -> pd.Series:
    """A text column as text: numbers and booleans in it become their JSON text (see :func:`scalar_text`)."""
    if isinstance(col.dtype, pd.StringDtype) or pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        return col
    return pd.Series([scalar_text(v) for v in col], index=col.index, dtype=object)


def add_row_flags(flags: list[list[str]], frame: pd.DataFrame, row_flags: Mapping[int, list[str]]) -> None:
    """Add the flags the reader found (:attr:`Chunk.row_flags`, keyed by ``_row``) to per-row flag lists in ``frame``'s order."""
    if not row_flags:
        return
    for i, r in enumerate(frame[ROW_COL].tolist()):
        for f in row_flags.get(int(r), ()):
            if f not in flags[i]:
                flags[i].append(f)


def _open_binary(path: str | os.PathLike | None) -> IO[bytes]:
    if path is None or str(path) == "-":
        return sys.stdin.buffer
    if str(path).lower().endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")
    return open(path, "rb")


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
        raise InputError(f"input file {echo(str(path))} does not exist; check the path")
    if not stdin and Path(path).is_dir():
        yield from _iter_folder(Path(path), chunk_size, fmt, encoding)
        return
    if fmt is None and not stdin:
        fmt = detect_format(path)
    if fmt == "parquet":
        yield from _iter_parquet(path, chunk_size)
        return
    fh = _open_binary(path)
    try:
        size = None if stdin else file_size(path)
        if size is not None and fh.seekable():
            segments = sample_file(fh, size)
            head = b""  # the sample was read by seeking; reading starts again at 0
        else:
            segments = sample_file(fh, None)
            head = segments[0]
        first = segments[0] if segments else b""
        what = looks_binary(first)
        if what:
            raise InputError(f"{path or 'stdin'!s} looks like {what}, not a {fmt or 'text'} table; expected CSV, TSV, JSONL or Parquet")
        try:
            enc = encoding or detect_encoding(segments, complete=size is not None)
        except NotText as exc:
            raise InputError(f"{path or 'stdin'!s}: {exc}") from None
        if fmt is None:
            fmt = "jsonl" if first.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{") else "csv"
        lines = DecodedLines(fh, enc, head)
        if fmt == "jsonl":
            yield from _iter_jsonl(lines, chunk_size)
        else:
            yield from _iter_delimited(lines, chunk_size, "\t" if fmt == "tsv" else ",")
        if lines.bad_lines:
            logger.warning(
                "%s: bytes that are not valid %s on %d line(s); those rows are kept with U+FFFD in place and flagged %s",
                path or "stdin", enc, lines.bad_lines, DECODE_ERROR,
            )
        if lines.fallback_lines:
            logger.info("%s: %d line(s) were not %s and were read as %s", path or "stdin", lines.fallback_lines, enc, lines._alt)
    finally:
        if not stdin:
            fh.close()


_INT_TYPES = None


def _nullable_ints(arrow_type):
    """Arrow integer types map to pandas' nullable integers, so ids and counts with gaps stay whole numbers."""
    global _INT_TYPES
    if _INT_TYPES is None:
        import pyarrow as pa

        _INT_TYPES = {
            pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
            pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(),
        }
    return _INT_TYPES.get(arrow_type)


def part_files(folder: Path) -> list[Path]:
    """The data files of a folder written by Spark or another engine (``part-00000...``), in name order.

    Hidden files and markers (``.part-00000.crc``, ``_SUCCESS``, ``_committed_*``) are left out; so is
    a folder that is still being written (``_temporary``).
    """
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_")))


def _iter_folder(folder: Path, chunk_size: int, fmt: Format | None, encoding: str | None) -> Iterator[Chunk]:
    """A folder of part files (``nlp score --engine spark`` writes one) read as one table, parts in name order.

    Row positions run on across the parts, so ``_row`` and the rejects' rows number the whole folder.
    """
    parts = part_files(folder)
    if not parts:
        raise InputError(f"{echo(str(folder))} is a folder without data files; give a table file or a folder of part files")
    if fmt is None:
        fmt = detect_format(folder) if folder.suffix else detect_format(parts[0])
    offset = 0
    empty: Chunk | None = None
    for part in parts:
        n = 0
        for chunk in iter_table(part, chunk_size, fmt, encoding):
            if empty is None and not len(chunk.frame) and not chunk.rejects:
                empty = chunk  # the columns of a folder whose parts are all empty
            if offset:
                chunk.frame[ROW_COL] = chunk.frame[ROW_COL] + offset
                for r in chunk.rejects:
                    r.row += offset
                chunk.row_flags = {k + offset: v for k, v in chunk.row_flags.items()}
            if len(chunk.frame):
                n = max(n, int(chunk.frame[ROW_COL].max()) + 1 - offset)
            if chunk.rejects:
                n = max(n, max(r.row for r in chunk.rejects) + 1 - offset)
            if len(chunk.frame) or chunk.rejects:
                yield chunk
        offset += n
    if offset == 0 and empty is not None:
        yield empty


def _iter_parquet(path, chunk_size: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(
            f"{path!s} is not a readable Parquet file ({echo(str(exc))}); expected Parquet written by pandas/pyarrow/Spark"
        ) from exc
    start = 0
    for batch in pf.iter_batches(batch_size=chunk_size):
        df = batch.to_pandas(types_mapper=_nullable_ints)
        df.insert(0, ROW_COL, range(start, start + len(df)))
        start += len(df)
        yield Chunk(df)
    if start == 0:
        df = pf.schema_arrow.empty_table().to_pandas(types_mapper=_nullable_ints)
        df.insert(0, ROW_COL, pd.Series([], dtype="int64"))
        yield Chunk(df)


def _iter_jsonl(lines: DecodedLines, chunk_size: int) -> Iterator[Chunk]:
    rows: list[dict] = []
    rejects: list[Reject] = []
    row_flags: dict[int, list[str]] = {}
    n = 0
    bad_seen = 0
    for line in lines:
        line_no = lines.line_no
        bad = lines.bad_lines > bad_seen
        bad_seen = lines.bad_lines
        if not line.strip():
            continue  # blank lines are not rows
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError(f"a JSON {type(obj).__name__}, not an object")
            obj[ROW_COL] = n
            rows.append(obj)
            if bad:
                row_flags[n] = [DECODE_ERROR]
        except ValueError as exc:
            rejects.append(Reject(row=n, reason=f"invalid JSON on line {line_no}: {echo(str(exc))}", original=line.rstrip("\r\n")[:_ORIGINAL_CHARS]))
        n += 1
        if len(rows) + len(rejects) >= chunk_size:
            yield Chunk(_frame(rows), rejects, row_flags)
            rows, rejects, row_flags = [], [], {}
    yield Chunk(_frame(rows), rejects, row_flags)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame({ROW_COL: pd.Series([], dtype="int64")})
    cols = [ROW_COL] + [c for c in df.columns if c != ROW_COL]
    df = df[cols]
    for c in cols[1:]:
        settled = _settle_json_column(df[c], rows, c)
        if settled is not None:
            df[c] = settled
    return df


def _settle_json_column(col: pd.Series, rows: list[dict], name: str) -> pd.Series | None:
    """One type per JSONL column, or ``None`` to keep it as parsed.

    Whole numbers with gaps (parsed as floats with NaN) become ``Int64``; a column that mixes
    text with numbers, booleans or nested values becomes text (:func:`scalar_text`).
    """
    if col.dtype == np.float64:
        finite = col.dropna()
        if len(finite) == len(col) or not len(finite) or not np.all(np.mod(finite.to_numpy(), 1) == 0):
            return None
        values = [r.get(name) for r in rows]
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            try:
                return pd.Series(pd.array(values, dtype="Int64"), index=col.index)
            except (TypeError, ValueError, OverflowError):
                return None
        return None
    if col.dtype != object:
        return None
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind in ("string", "empty", "boolean", "integer", "floating"):
        return None
    if kind == "mixed":  # nested values only (lists, dicts) are kept as they are
        if not any(isinstance(v, (str, bool, int, float)) for v in col if v is not None):
            return None
    return pd.Series([scalar_text(v) for v in col], index=col.index, dtype=object)


def _iter_delimited(lines: DecodedLines, chunk_size: int, sep: str) -> Iterator[Chunk]:
    # The csv module (not pandas' C parser) so that a malformed line becomes a reject with
    # its line number instead of vanishing or aborting the whole file. strict=True makes a
    # quote that never closes (or closes mid-field) an error instead of a silent merge; the
    # lines after a broken quote are read again as rows of their own.
    csv.field_size_limit(1 << 30)
    lines.max_record_lines = MAX_RECORD_LINES
    reader = csv.reader(lines, delimiter=sep, strict=True)
    lines.start_record()
    try:
        header = next(reader)
    except StopIteration:
        yield Chunk(_frame([]))
        return
    except (csv.Error, ValueError) as exc:
        taken = lines.taken()
        line = taken[0][1] if taken else ""
        raise InputError(f"the header (line 1) cannot be read as CSV ({exc}): {echo(line.rstrip())}; fix or remove the stray quote") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"the header repeats column names {echo(dup)}; each column needs a unique name")
    if lines.nul_lines:
        raise InputError(f"the header (line 1) has a NUL byte: {echo(header)}; is this a text table?")
    width = len(header)
    rows: list[list[str]] = []
    pos: list[int] = []
    rejects: list[Reject] = []
    row_flags: dict[int, list[str]] = {}
    n = 0
    while True:
        lines.start_record()
        bad0, nul0 = lines.bad_lines, lines.nul_lines
        try:
            rec = next(reader)
        except StopIteration:
            break
        except (csv.Error, ValueError) as exc:
            taken = lines.taken()
            if not taken:
                break
            rejects.append(_broken_record(n, taken, exc, lines))
            n += 1
            continue
        if not rec:
            continue  # a blank line is not a row
        taken = lines.taken()
        if len(rec) > width and len(taken) > 1:
            # a quote opened on the first line ran over line ends and took in the next lines
            rejects.append(
                _broken_record(
                    n, taken, ValueError(f"the record runs over {len(taken)} lines and has {len(rec)} fields where the header has {width}"), lines
                )
            )
            n += 1
            continue
        if lines.nul_lines > nul0 and any("\x00" in f for f in rec):
            rejects.append(
                Reject(row=n, reason=f"line {taken[0][0]}: the row has a NUL byte (a damaged part of the file?)", original=_shorten_fields(rec))
            )
            n += 1
            continue
        if len(rec) != width:
            if len(rec) < width:
                rec = rec + [""] * (width - len(rec))  # short rows: trailing fields missing
            else:
                rejects.append(
                    Reject(row=n, reason=f"line {taken[0][0]}: expected {width} fields as in the header, found {len(rec)}", original=_shorten_fields(rec))
                )
                n += 1
                continue
        if lines.bad_lines > bad0:
            row_flags[n] = [DECODE_ERROR]
        rows.append(rec)
        pos.append(n)
        n += 1
        if len(rows) + len(rejects) >= chunk_size:
            yield Chunk(_delimited_frame(header, rows, pos), rejects, row_flags)
            rows, pos, rejects, row_flags = [], [], [], {}
    yield Chunk(_delimited_frame(header, rows, pos), rejects, row_flags)


def _broken_record(n: int, taken: list, exc: Exception, lines: DecodedLines) -> Reject:
    """Reject the record's first line and read the lines after it again: a broken quote costs one row, not the rest of the file."""
    first_no, first_text = taken[0][0], taken[0][1]
    if len(taken) > 1:
        lines.push_back(taken[1:])
        last_no = taken[-1][0]
        reason = (
            f"line {first_no}: a quoted field opened here does not close properly ({exc}) and would take in "
            f"lines {first_no + 1}-{last_no}; line {first_no} is rejected and the lines after it are read as rows"
        )
    else:
        reason = f"line {first_no}: unparseable CSV record ({exc})"
    return Reject(row=n, reason=reason, original=first_text.rstrip("\r\n")[:_ORIGINAL_CHARS])


def _shorten_fields(rec: list[str]) -> list[str]:
    return [f if len(f) <= _ORIGINAL_CHARS else f[:_ORIGINAL_CHARS] for f in rec]


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _csv_safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise spreadsheet formulas in text cells (and column names) for CSV/TSV output.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
    formula by Excel, LibreOffice and Google Sheets when the file is opened (CSV injection).
    Such cells get a leading ``'`` (OWASP's advice), which spreadsheets hide and do not
    evaluate. Plain numbers (``-3``, ``+1.5``) are left alone. Only CSV/TSV outputs go
    through this: Parquet and JSONL keep the exact text.

    Example:
        >>> csv_safe(pd.DataFrame({"text": ["=1+1", "-_- 별로", "-3", "좋아요"]}))["text"].tolist()
        ["'=1+1", "'-_- 별로", '-3', '좋아요']
    """
    out = frame.copy()
    out.columns = [_csv_safe_cell(c) for c in out.columns]
    for c in out.columns:
        col = out[c]
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            out[c] = col.map(_csv_safe_cell, na_action="ignore")
    return out


class TableWriter:
    """Append chunks to an output table, atomically.

    Rows go to a temporary file beside the output (``OUT.<run token>.partial``, unique to the
    run) and appear under the output's name on :meth:`close`; on :meth:`abort` (or any
    failure while closing) the temporary file is removed, so a failed run leaves nothing
    half-written. CSV/TSV cells pass through :func:`csv_safe`.

    Example:
        >>> with TableWriter("out.parquet") as w:  # doctest: +SKIP
        ...     w.write(frame)
    """

    def __init__(self, path: str | os.PathLike, fmt: Format | None = None) -> None:
        self.path = Path(path)
        self.fmt = fmt or detect_format(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temp_path(self.path)
        self._pq = None
        self._schema = None
        self._fh = None
        self._header_done = False
        self.rows = 0

    def write(self, df: pd.DataFrame, types: Mapping[str, object] | None = None) -> None:
        """Append ``df``; the first call fixes the columns (an empty frame writes a valid empty table).

        Args:
            df: the rows.
            types: Arrow types for columns whose type cannot be told from the values (all
                missing, or no rows), e.g. ``{"tokens": pa.list_(pa.string())}``.
        """
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(_for_arrow(df), preserve_index=False)
            if types:
                for name, typ in types.items():
                    i = table.schema.get_field_index(name)
                    if i >= 0 and pa.types.is_null(table.schema.field(i).type):
                        table = table.set_column(i, pa.field(name, typ), table.column(i).cast(typ))
            if self._pq is None:
                self._schema = table.schema
                self._pq = pq.ParquetWriter(str(self.tmp), self._schema, compression="zstd")
            elif table.schema != self._schema:
                try:
                    table = table.cast(self._schema)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
                    raise InputError(
                        f"a column changes type between chunks of the input ({echo(str(exc))}); write to .jsonl or .csv, "
                        "or give the column one type"
                    ) from exc
            self._pq.write_table(table)
        elif self.fmt == "jsonl":
            if self._fh is None:
                self._fh = open(self.tmp, "w", encoding="utf-8")
            if len(df):
                self._fh.write(df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso"))
        else:
            if self._fh is None:
                self._fh = open(self.tmp, "w", encoding="utf-8", newline="")
            out = df.copy()
            for c in out.columns:
                if out[c].dtype == object:
                    # list cells (tokens, keywords) as JSON arrays, readable back by any JSON parser
                    out[c] = out[c].map(lambda v: json.dumps(list(v), ensure_ascii=False) if isinstance(v, (list, tuple, np.ndarray)) else v)
            # CRLF row ends (RFC 4180): the csv module then quotes every cell holding a line break,
            # a lone CR included, which with LF row ends went out bare and split the row for readers
            csv_safe(out).to_csv(
                self._fh, index=False, header=not self._header_done, sep="\t" if self.fmt == "tsv" else ",", lineterminator="\r\n"
            )
            self._header_done = True
        self.rows += len(df)

    def close(self) -> Path:
        """Finish the file and rename it into place; returns the output path."""
        try:
            if self._pq is not None:
                self._pq.close()
                self._pq = None
            elif self.fmt == "parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({}), str(self.tmp))  # nothing written: still a valid (empty) Parquet file
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            if not self.tmp.exists():
                self.tmp.touch()
            os.replace(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Give up: close and remove the temporary file (the output keeps whatever it was before)."""
        for closer in (self._pq, self._fh):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # a full disk fails the close too; the file goes anyway
                    pass
        self._pq = self._fh = None
        self.tmp.unlink(missing_ok=True)

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
