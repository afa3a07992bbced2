"""Character encodings of text tables: detected on a sample of the whole file, decoded line by line.

Detection reads the head, evenly spaced chunks of the middle and the tail of a file (the
whole file below 1 MiB), so a CP949 export whose Korean starts late is still read as CP949.
A UTF-8 BOM is honoured; valid UTF-8 is taken as such; mostly-Hangul CP949 (EUC-KR is read
as CP949, its superset) is recognised before ``charset-normalizer`` is asked.

Decoding is per line: a line that is not valid in the file's encoding is tried in the other
Korean encoding (UTF-8 ↔ CP949, kept only when it gives common Hangul), and a line that
fits neither keeps U+FFFD for the bad bytes and is counted, so the table reader can flag its
row ``decode_error``. Nothing is replaced silently.

Example:
    >>> detect_encoding("배송 빨라요".encode("cp949"))
    'cp949'
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections import deque
from collections.abc import Sequence
from typing import IO

from nlp.io.errors import InputError

__all__ = ["detect_encoding", "sample_file", "looks_binary", "DecodedLines", "SAMPLE_BYTES", "NotText"]

SAMPLE_BYTES = 1 << 16  # head and tail of the detection sample
_MIDDLE_CHUNKS = 12
_MIDDLE_BYTES = 1 << 14
_WHOLE_FILE_BELOW = 1 << 20
_BLOCK = 1 << 20

REPLACEMENT = "\ufffd"
_MARK = "\ufdd0"  # a Unicode noncharacter: stands where bytes could not be decoded, until replaced by U+FFFD


def _mark_errors(exc: UnicodeError) -> tuple[str, int]:
    if isinstance(exc, UnicodeDecodeError):
        return _MARK, exc.end
    raise exc


codecs.register_error("nlp_mark", _mark_errors)

_KOREAN = ("cp949", "euc_kr", "johab", "iso2022_kr", "uhc", "ks_c_5601_1987")
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?)",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "gzip-compressed (name it .gz)",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PAR1": "a Parquet file (name it .parquet)",
    b"SQLite format 3\x00": "an SQLite database",
    b"\xd0\xcf\x11\xe0": "an old Office document (.xls?)",
}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


class NotText(InputError):
    """The bytes are not a text table in any encoding."""


def looks_binary(head: bytes) -> str | None:
    """What the file is when it is plainly not text (an image, an archive ...), else ``None``.

    A stray NUL or control byte in a row does not make a file binary: that row alone is
    rejected. Only a known file signature, or control bytes in more than a tenth of the
    sample, do.
    """
    if not head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    sample = head[:SAMPLE_BYTES]
    if sum(sample.count(bytes([b])) for b in _CONTROL) > 0.1 * len(sample):
        return "binary data (many control bytes)"
    return None


def sample_file(fh: IO[bytes], size: int | None) -> list[bytes]:
    """Byte segments to detect the encoding on: the whole file when small, else head, middle chunks and tail.

    ``fh`` must be seekable when ``size`` is given; it is left at offset 0. With ``size=None``
    (stdin, compressed files) only the first :data:`SAMPLE_BYTES` are read (and ``fh`` is
    not rewound; the caller keeps them). Middle and tail segments start after a line break
    and end at one, so a multi-byte character is never cut.
    """
    if size is None:
        return [fh.read(SAMPLE_BYTES)]
    if size <= _WHOLE_FILE_BELOW:
        data = fh.read()
        fh.seek(0)
        return [data]
    segs = [fh.read(SAMPLE_BYTES)]
    step = (size - 2 * SAMPLE_BYTES) // (_MIDDLE_CHUNKS + 1)
    for i in range(1, _MIDDLE_CHUNKS + 1):
        fh.seek(SAMPLE_BYTES + i * step)
        segs.append(_whole_lines(fh.read(_MIDDLE_BYTES)))
    fh.seek(max(0, size - SAMPLE_BYTES))
    tail = fh.read()
    cut = tail.find(b"\n")
    segs.append(tail[cut + 1 :] if cut >= 0 else b"")
    fh.seek(0)
    return [s for s in segs if s]


def _whole_lines(chunk: bytes) -> bytes:
    start, end = chunk.find(b"\n"), chunk.rfind(b"\n")
    return chunk[start + 1 : end + 1] if 0 <= start < end else b""


def _decode_counting(seg: bytes, encoding: str, final: bool) -> tuple[str, int]:
    """Text of ``seg`` and how many undecodable sequences it has (a character cut by the end of a non-final segment is not one)."""
    dec = codecs.getincrementaldecoder(encoding)("nlp_mark")
    text = dec.decode(seg, final=final)
    return text, text.count(_MARK)


def _common_hangul_share(text: str) -> float:
    wide = [c for c in text if ord(c) > 127 and c != _MARK]
    if not wide:
        return 0.0
    return sum(_is_common_hangul(c) for c in wide) / len(wide)


def _is_common_hangul(c: str) -> bool:
    """The 2,350 syllables of KS X 1001 (what EUC-KR encodes); garbage read as CP949 gives hanja and rare syllables instead."""
    if not "가" <= c <= "힣":
        return False
    try:
        c.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True


def detect_encoding(sample: bytes | Sequence[bytes], complete: bool = False) -> str:
    """Encoding of a byte sample (or of :func:`sample_file`'s segments).

    ``utf-8-sig`` for a BOM; ``utf-8`` when it decodes (or when valid UTF-8 characters
    outnumber the bad bytes, or the bad bytes are a handful: those rows are flagged when
    read); ``cp949`` for mostly common Hangul in CP949; else ``charset-normalizer``'s guess.

    Args:
        sample: bytes, or segments (the first is the head of the file).
        complete: the last segment ends where the file ends (a character cut there is an error).

    Raises:
        NotText: no encoding fits and most bytes are not valid UTF-8.

    Example:
        >>> detect_encoding("배송".encode("utf-8-sig"))
        'utf-8-sig'
    """
    segs = [sample] if isinstance(sample, (bytes, bytearray)) else [s for s in sample if s]
    if not segs:
        return "utf-8"
    head = segs[0]
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    last = len(segs) - 1
    u_bad = u_wide = 0
    for i, seg in enumerate(segs):
        text, bad = _decode_counting(seg, "utf-8", final=complete and i == last)
        u_bad += bad
        u_wide += sum(1 for c in text if ord(c) > 127) - bad
    if u_bad == 0:
        return "utf-8"
    k_text, k_bad = [], 0
    for i, seg in enumerate(segs):
        text, bad = _decode_counting(seg, "cp949", final=complete and i == last)
        k_text.append(text)
        k_bad += bad
    k_joined = "".join(k_text)
    k_wide = sum(1 for c in k_joined if ord(c) > 127) - k_bad
    if k_wide and _common_hangul_share(k_joined) >= 0.5 and k_bad * 20 <= k_wide and k_bad <= u_bad:
        return "cp949"
    joined = b"\n".join(segs)
    if u_wide > u_bad or u_bad <= max(3, 0.001 * len(joined)):
        # UTF-8 (or plain ASCII) with a few bad bytes: those rows are flagged decode_error,
        # rather than the whole file read in a legacy encoding that turns them into other letters
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(joined).best()
    if best is not None:
        enc = best.encoding.lower().replace("-", "_")
        return "cp949" if enc in _KOREAN else best.encoding
    if u_bad <= 0.01 * len(joined):
        return "utf-8"
    raise NotText("the input is not text (no character encoding fits); expected a CSV/TSV/JSONL text file or Parquet")


def _ascii_compatible(encoding: str) -> bool:
    """Line breaks are the bytes ``\\n``/``\\r`` and never occur inside a character (not UTF-16/32)."""
    try:
        return "\n\r,a".encode(encoding) == b"\n\r,a"
    except (LookupError, UnicodeError):
        return False


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")


class DecodedLines:
    """The lines of a byte stream as text (line ends kept; split at ``\\n``, ``\\r\\n`` or ``\\r``), decoded one by one.

    An iterator object (not a generator), so it can go on after lines are pushed back.

    Attributes:
        line_no: physical lines handed out so far (1-based number of the last one).
        bad_lines: lines with bytes that fit no encoding (U+FFFD in their place).
        nul_lines: lines with a NUL character.
        fallback_lines: lines read in the other Korean encoding.
    """

    def __init__(self, fh: IO[bytes], encoding: str, head: bytes = b"") -> None:
        self.encoding = encoding
        self.line_no = 0
        self.bad_lines = 0
        self.nul_lines = 0
        self.fallback_lines = 0
        self._pending: deque[tuple[int, str, bool, bool]] = deque()
        self._taken: list[tuple[int, str, bool, bool]] = []
        self._last_line = 0
        self.max_record_lines: int | None = None
        enc = codecs.lookup(encoding).name
        if enc == "utf-8-sig" or (enc == "utf-8" and head.startswith(codecs.BOM_UTF8)):
            head = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
            enc = "utf-8"
        self._enc = enc
        korean = enc in ("cp949", "euc_kr", "uhc") or enc.replace("-", "_") in _KOREAN
        self._korean = korean
        self._alt = "cp949" if enc == "utf-8" else ("utf-8" if korean else None)
        if _ascii_compatible(enc):
            self._lines = self._byte_lines(fh, head)
        else:
            stream = io.TextIOWrapper(_Prepend(head, fh), encoding=enc, errors="nlp_mark", newline="")
            self._lines = (self._check(line) for line in stream)

    # iterator protocol --------------------------------------------------------------------

    def __iter__(self) -> DecodedLines:
        return self

    def __next__(self) -> str:
        if self.max_record_lines and len(self._taken) >= self.max_record_lines:
            raise ValueError(f"a quoted field runs over more than {self.max_record_lines:,} lines")
        if self._pending:
            item = self._pending.popleft()
        else:
            item = next(self._lines, None)
            if item is None:
                raise StopIteration
            self._last_line += 1
            item = (self._last_line, *item)
        no, text, bad, nul = item
        self.line_no = no
        self.bad_lines += bad
        self.nul_lines += nul
        self._taken.append(item)
        return text

    # record bookkeeping (for the CSV reader) --------------------------------------------

    def start_record(self) -> None:
        self._taken = []

    def taken(self) -> list[tuple[int, str, bool, bool]]:
        """``(line number, text, had bad bytes, had NUL)`` of the lines read since :meth:`start_record`."""
        return list(self._taken)

    def push_back(self, lines: list[tuple[int, str, bool, bool]]) -> None:
        """Hand these lines out again, before any new one (their counters are taken back)."""
        for _, _, bad, nul in lines:
            self.bad_lines -= bad
            self.nul_lines -= nul
        self._pending.extendleft(reversed(lines))

    # decoding ----------------------------------------------------------------------------

    def _byte_lines(self, fh: IO[bytes], head: bytes):
        for i, block in enumerate(_blocks(fh, head)):
            if i == 0 and self._enc == "utf-8" and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            if not self._korean:
                try:
                    text = block.decode(self._enc)
                except UnicodeDecodeError:
                    pass
                else:
                    for line in io.StringIO(text, newline=""):
                        yield line, False, "\x00" in line
                    continue
            for m in _LINE.finditer(block):
                raw = m.group()
                if not raw:
                    continue
                yield self._decode_line(raw)

    def _decode_line(self, raw: bytes) -> tuple[str, bool, bool]:
        if raw.isascii():
            text = raw.decode("ascii")
            return text, False, "\x00" in text
        # CP949 files: a line that is valid UTF-8 is UTF-8 (Hangul CP949 almost never is)
        order = ("utf-8", self._enc) if self._korean else (self._enc, self._alt)
        for enc in order:
            if enc is None:
                continue
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            if enc != self._enc:
                if enc == "cp949" and _common_hangul_share(text) < 0.5:
                    continue
                self.fallback_lines += 1
            return text, False, "\x00" in text
        text = raw.decode(self._enc, "nlp_mark").replace(_MARK, REPLACEMENT)
        return text, True, "\x00" in text

    def _check(self, line: str) -> tuple[str, bool, bool]:
        bad = _MARK in line
        if bad:
            line = line.replace(_MARK, REPLACEMENT)
        return line, bad, "\x00" in line


def _blocks(fh: IO[bytes], head: bytes):
    """Byte blocks of about 1 MiB that end at a line break (the last one at the end of the data)."""
    pending: list[bytes] = [head] if head else []
    while True:
        data = fh.read(_BLOCK)
        if not data:
            rest = b"".join(pending)
            if rest:
                yield rest
            return
        cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if cut == len(data) - 1 and data[cut] == 0x0D:
            # a \r at the very end may be the first half of \r\n: keep it for the next block
            cut = max(data.rfind(b"\n", 0, cut), data.rfind(b"\r", 0, cut))
        if cut < 0:
            pending.append(data)
            continue
        pending.append(data[: cut + 1])
        yield b"".join(pending)
        pending = [data[cut + 1 :]]


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


def file_size(path: str | os.PathLike) -> int | None:
    """Size of a regular, uncompressed file (whose sample can be drawn by seeking), else ``None``."""
    p = os.fspath(path)
    if p.lower().endswith(".gz"):
        return None
    try:
        return os.path.getsize(p)
    except OSError:
        return None
