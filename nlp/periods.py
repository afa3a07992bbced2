"""Dates and periods: the one rule that puts a review in a day, week, month or quarter.

Topics (``topics_by_period``), trends and the report all bucket rows with these
functions, so one review lands in the same period everywhere.

**Time zone.** Periods are calendar periods in one zone, :data:`DEFAULT_TZ` =
``Asia/Seoul`` unless a command is told otherwise (``--tz``). The reviews are Korean and
the people reading the report work on Korean time: a review posted at
``2024-03-31T20:00:00Z`` was written at 05:00 on 1 April in Seoul and belongs to April
(in UTC it would fall in March, and weekly/monthly counts would not match the shops'
own dashboards). So:

* values with a zone or an offset (``Z``, ``+09:00``, ``+0900``, ``UTC``; tz-aware
  timestamps) are converted to the zone, then the zone is dropped;
* values without one are taken as wall-clock time in that zone already (Korean exports
  write local time without an offset);
* the result is always a *naive* ``datetime64[ns]`` series of local wall-clock times.

**Forms read.** ISO 8601 dates and datetimes, other common forms (``2024/03/01 10:00``,
``2024.03.01``, ``Mar 1, 2024``), Korean ones (``2024년 3월 1일``, ``오전``/``오후``
for a.m./p.m.), ``datetime``/``date`` objects, and numbers (or strings of digits):

* 8 digits: ``YYYYMMDD`` (``20240301``), local;
* 14 digits: ``YYYYMMDDhhmmss`` (``20240301093000``), local;
* 10 digits: Unix epoch seconds; 13 digits: Unix epoch milliseconds (an epoch is an
  instant, so it is converted to the zone like any value with an offset). Together they
  cover 2001-09-09 to 2286-11-20;
* any other number is not a date.

Whatever cannot be read becomes ``NaT``: never an error. :func:`parse_times` logs how
many present values it could not read (with an example); blank values and nulls are
missing, not unreadable.

**Periods.** ``D`` calendar days, ``W`` weeks from Monday to Sunday (ISO weeks), ``M``
calendar months, ``Q`` calendar quarters. A period is named by its start (00:00 of its
first day).

**Complete periods.** A period is *complete* when the data cover it to its end: the
latest date in the data (``data_end``) falls on or after the period's last day. A
review at any time on the last day counts, since many sources give dates without times.
The last period of a series whose data stop in the middle of it (a crawl on the 17th of
a month) is *partial*, as is any period after the data end. A partial period has fewer
reviews than a full one only because it is cut, so it is never flagged as an anomaly
nor compared with complete ones.

**Auto frequency.** ``auto`` picks weekly periods when the data span at most
:data:`AUTO_WEEKLY_MAX_DAYS` days (about six months: up to 27 weekly points) and
monthly ones beyond (at least 6 monthly points), so a chart neither crowds nor starves.

Example:
    >>> times = parse_times(pd.Series(["2024-03-31T20:00:00Z", 20240401, "2024-04-01 10:00"]))
    >>> period_start(times, "M").dt.strftime("%Y-%m-%d").tolist()
    ['2024-04-01', '2024-04-01', '2024-04-01']
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import warnings
from typing import Literal, overload

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_TZ",
    "AUTO_WEEKLY_MAX_DAYS",
    "PeriodFreq",
    "PERIOD_FREQS",
    "PERIOD_ALIAS",
    "START_FREQ",
    "parse_times",
    "period_start",
    "period_end",
    "period_complete",
    "last_complete_period",
    "auto_freq",
]

DEFAULT_TZ = "Asia/Seoul"
"""The zone periods are counted in, unless a command is given another (``--tz``)."""

AUTO_WEEKLY_MAX_DAYS = 183
"""``auto`` frequency: weekly when the data span at most this many days, monthly beyond."""

PeriodFreq = Literal["D", "W", "M", "Q"]
PERIOD_FREQS: tuple[str, ...] = ("D", "W", "M", "Q")

PERIOD_ALIAS: dict[str, str] = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC"}
"""pandas ``Period`` aliases: ``W-SUN`` is weeks *ending* on Sunday, i.e. starting on Monday."""

START_FREQ: dict[str, str] = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS"}
"""pandas date-range frequencies whose points are period starts (forecasting libraries take these)."""

_AWARE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
)
_KOREAN_DATE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_KOREAN_AMPM = re.compile(r"(오전|오후)\s*(\d{1,2}(?::\d{2}){1,2})")
_DIGITS = r"\d+"


def _check_freq(freq: str) -> None:
    if freq not in PERIOD_FREQS:
        raise ValueError(
            f"freq must be one of {list(PERIOD_FREQS)} (day, week from Monday, calendar month, quarter), got {freq!r}"
        )


# --------------------------------------------------------------------------- parsing


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


def _naive_local(parsed: pd.Series | pd.DatetimeIndex, tz: str) -> np.ndarray:
    """Aware values converted to ``tz`` with the zone dropped; naive ones unchanged."""
    if isinstance(parsed, pd.Series):
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    elif parsed.tz is not None:
        parsed = parsed.tz_convert(tz).tz_localize(None)
    return np.asarray(parsed, dtype="datetime64[ns]")


def _one(value: object, tz: str) -> np.datetime64:
    """One value the vectorised paths could not place (any form pandas/dateutil reads)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = pd.Timestamp(value)
            if t is pd.NaT:
                return np.datetime64("NaT")
            if t.tzinfo is not None:
                t = t.tz_convert(tz).tz_localize(None)
            return np.datetime64(t.as_unit("ns").to_datetime64(), "ns")
    except (TypeError, ValueError, OverflowError):  # not a date, or outside 1677..2262
        return np.datetime64("NaT")


_LAST_EPOCH_S = float((pd.Timestamp.max - pd.Timedelta(days=1)).value // 10**9)
"""Epoch seconds of a day before the last date pandas holds in nanoseconds (2262-04-10)."""


def _numbers(x: np.ndarray, tz: str) -> np.ndarray:
    """Dates from numbers: YYYYMMDD, YYYYMMDDhhmmss (local), epoch s / ms (instants)."""
    out = _nat(len(x))
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    whole = finite & (np.floor(np.where(finite, x, 0)) == x)
    for lo, hi, fmt in ((1e7, 1e8, "%Y%m%d"), (1e13, 1e14, "%Y%m%d%H%M%S")):
        m = whole & (x >= lo) & (x < hi)
        if m.any():
            text = pd.Series(x[m].astype("int64")).astype(str)
            out[m] = pd.to_datetime(text, format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")
    # epoch numbers past pandas' last nanosecond date (2262-04-11) stay NaT, as any date outside 1677..2262 does
    for lo, hi, unit in ((1e9, min(1e10, _LAST_EPOCH_S), "s"), (1e12, min(1e13, _LAST_EPOCH_S * 1e3), "ms")):
        m = finite & (x >= lo) & (x < hi)
        if m.any():
            out[m] = _naive_local(pd.to_datetime(x[m], unit=unit, utc=True), tz)
    return out


def _strings(s: pd.Series, tz: str) -> np.ndarray:
    """Dates from stripped, non-blank strings (digits-only strings go to :func:`_numbers`)."""
    out = _nat(len(s))
    # ASCII digits only: str.isdigit() is also true for '²' or '①', which no number parser reads
    digits = s.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)
    if digits.any():
        out[digits] = _numbers(s[digits].astype(float).to_numpy(), tz)
    rest = s[~digits]
    if not len(rest):
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # the common case, all ISO 8601 and all with or all without an offset: one fast call
            fast = pd.to_datetime(rest, format="ISO8601")
        except (TypeError, ValueError, OverflowError):
            fast = None
    if fast is not None and is_datetime64_any_dtype(fast):
        out[~digits] = _naive_local(fast, tz)
        return out
    korean = rest.str.contains("년|오전|오후", regex=True).to_numpy(dtype=bool)
    if korean.any():
        rest = rest.copy()
        rest[korean] = rest[korean].str.replace(_KOREAN_DATE, r"\1-\2-\3", regex=True).str.replace(
            _KOREAN_AMPM, lambda m: f"{m.group(2)} {'AM' if m.group(1) == '오전' else 'PM'}", regex=True
        )
    aware = rest.str.contains(_AWARE, regex=True).to_numpy(dtype=bool)
    got = _nat(len(rest))
    for mask, utc in ((~aware, False), (aware, True)):
        if mask.any():
            got[mask] = _string_group(rest[mask], tz, utc=utc)
    out[~digits] = got
    return out


def _string_group(s: pd.Series, tz: str, *, utc: bool) -> np.ndarray:
    """Parse strings that all carry an offset (``utc=True``) or all do not: ISO fast, then any form."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in ("ISO8601", "mixed"):
            try:
                got = pd.to_datetime(s, format=fmt, errors="raise" if fmt == "ISO8601" else "coerce", utc=utc)
            except (TypeError, ValueError, OverflowError):
                continue
            if is_datetime64_any_dtype(got):
                return _naive_local(got, tz)
    # a mix pandas will not put in one column (e.g. an offset the pattern did not see): one by one
    uniques = pd.unique(s.to_numpy(dtype=object))
    lookup = {v: _one(v, tz) for v in uniques}
    return np.array([lookup[v] for v in s.to_numpy(dtype=object)], dtype="datetime64[ns]")


def _objects(values: np.ndarray, tz: str) -> np.ndarray:
    """Dates from a column of mixed Python objects: each kind through its own path."""
    n = len(values)
    out = _nat(n)
    kind = np.zeros(n, dtype=np.int8)  # 0 missing/unreadable, 1 number, 2 string, 3 timestamp-like
    for i, v in enumerate(values):
        if isinstance(v, str):
            kind[i] = 2
        elif isinstance(v, (bool, np.bool_)):
            kind[i] = 0
        elif isinstance(v, (int, float, np.integer, np.floating)):
            kind[i] = 1
        elif isinstance(v, (_dt.date, np.datetime64)):
            kind[i] = 3
    if (kind == 1).any():
        out[kind == 1] = _numbers(values[kind == 1].astype(float), tz)
    if (kind == 2).any():
        out[kind == 2] = _strings(pd.Series(values[kind == 2], dtype=object).astype(str).str.strip(), tz)
    for i in np.flatnonzero(kind == 3):
        out[i] = _one(values[i], tz)
    return out


def _present(values: pd.Series) -> np.ndarray:
    """Values that are there (not null, not a blank string): the ones a failed parse is counted for."""
    present = values.notna().to_numpy(dtype=bool)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        is_blank = pd.Series(values.to_numpy(dtype=object)).map(lambda v: isinstance(v, str) and (not v or v.isspace()))
        present &= ~is_blank.to_numpy(dtype=bool)
    return present


def parse_times(values: pd.Series, tz: str = DEFAULT_TZ) -> pd.Series:
    """Read dates and datetimes of any common form into naive wall-clock times in ``tz``.

    Values with an offset (``Z``, ``+09:00``, an aware timestamp, an epoch number) are
    converted to ``tz``; values without one are taken as ``tz`` time already. Digits are
    ``YYYYMMDD`` (8), ``YYYYMMDDhhmmss`` (14), epoch seconds (10) or milliseconds (13).
    Anything else that cannot be read gives ``NaT`` (counted in a warning), never an error.

    Args:
        values: one column of dates (strings, numbers, ``datetime``/``date`` objects, or a mix).
        tz: the zone periods are counted in (an IANA name such as ``Asia/Seoul`` or ``UTC``).

    Returns:
        A ``datetime64[ns]`` series (no zone) with the index and name of ``values``.

    Example:
        >>> parse_times(pd.Series(["2015-08-27", "2015-08-26T20:00:00Z", 20150801, "2015년 8월 3일", "nope"])).tolist()
        [Timestamp('2015-08-27 00:00:00'), Timestamp('2015-08-27 05:00:00'), Timestamp('2015-08-01 00:00:00'), Timestamp('2015-08-03 00:00:00'), NaT]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    present = _present(s)
    if is_datetime64_any_dtype(s):
        out = _naive_local(s, tz)
    elif is_bool_dtype(s):
        out = _nat(len(s))
    elif is_numeric_dtype(s):
        out = _numbers(s.to_numpy(dtype=float, na_value=np.nan), tz)
    else:
        raw = s.to_numpy(dtype=object)
        out = _nat(len(s))
        if present.any():
            sub = raw[present]
            if pd.api.types.infer_dtype(sub, skipna=False) == "string":
                out[present] = _strings(pd.Series(sub, dtype=object).str.strip(), tz)
            else:
                out[present] = _objects(sub, tz)
    result = pd.Series(out, index=s.index, name=s.name, dtype="datetime64[ns]")
    bad = present & result.isna().to_numpy()
    if bad.any():
        example = s[bad].iloc[0]
        logger.warning(
            "%d of %d values%s could not be read as dates (e.g. %r); they get no period",
            int(bad.sum()),
            len(s),
            f" in {s.name!r}" if s.name is not None else "",
            str(example)[:40],
        )
    return result


def _as_local_times(times: pd.Series, tz: str) -> pd.Series:
    if is_datetime64_any_dtype(times) and getattr(times.dt, "tz", None) is None:
        return times.astype("datetime64[ns]")
    return parse_times(times, tz)


# --------------------------------------------------------------------------- periods


def period_start(times: pd.Series, freq: PeriodFreq = "W", tz: str = DEFAULT_TZ) -> pd.Series:
    """The start of each value's period: the day, the Monday of its week, the 1st of its month or quarter.

    ``times`` may be raw (parsed with :func:`parse_times` in ``tz``) or already parsed
    (naive ``datetime64``, taken as is). Unreadable values give ``NaT``.

    Args:
        times: dates, raw or parsed.
        freq: ``D``, ``W`` (weeks from Monday), ``M`` (calendar months) or ``Q`` (calendar quarters).
        tz: the zone raw values are read in (see the module notes).

    Returns:
        A naive ``datetime64[ns]`` series aligned with ``times``.

    Example:
        >>> period_start(pd.Series(["2026-01-07", "2026-01-12", "2026-01-11T16:00:00Z"]), "W").dt.strftime("%Y-%m-%d").tolist()
        ['2026-01-05', '2026-01-12', '2026-01-12']
    """
    _check_freq(freq)
    t = _as_local_times(times, tz)
    day = t.dt.normalize()
    if freq == "D":
        out = day
    elif freq == "W":
        out = day - pd.to_timedelta(t.dt.weekday, unit="D")
    else:
        out = t.dt.to_period(PERIOD_ALIAS[freq]).dt.start_time.dt.normalize()
    return out.astype("datetime64[ns]")


_STEP: dict[str, pd.DateOffset] = {
    "D": pd.DateOffset(days=1),
    "W": pd.DateOffset(days=7),
    "M": pd.DateOffset(months=1),
    "Q": pd.DateOffset(months=3),
}


@overload
def period_end(starts: pd.Timestamp, freq: PeriodFreq) -> pd.Timestamp: ...
@overload
def period_end(starts: pd.Series, freq: PeriodFreq) -> pd.Series: ...
def period_end(starts, freq):
    """The first instant after the period that begins at ``starts`` (the next period's start).

    Example:
        >>> period_end(pd.Timestamp("2024-02-01"), "M")
        Timestamp('2024-03-01 00:00:00')
    """
    _check_freq(freq)
    if isinstance(starts, (pd.Series, pd.DatetimeIndex)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # month offsets on many values: pandas warns it is not vectorised
            return starts + _STEP[freq]
    return pd.Timestamp(starts) + _STEP[freq]


@overload
def period_complete(starts: pd.Timestamp, freq: PeriodFreq, data_end: object) -> bool: ...
@overload
def period_complete(starts: pd.Series | pd.DatetimeIndex | np.ndarray, freq: PeriodFreq, data_end: object) -> np.ndarray: ...
def period_complete(starts, freq, data_end):
    """Whether the data cover each period to its end: ``data_end`` falls on or after the period's last day.

    The last period of data that stop mid-period is partial, and so is every period after
    ``data_end``; with no ``data_end`` (no dated rows) nothing is complete.

    Args:
        starts: period starts (one timestamp, or many).
        freq: their period length.
        data_end: the latest date the data cover (usually the latest review's date).

    Returns:
        ``bool`` for one start, a boolean array for many.

    Example:
        >>> starts = pd.Series(pd.to_datetime(["2024-02-01", "2024-03-01"]))
        >>> period_complete(starts, "M", pd.Timestamp("2024-03-17 10:00")).tolist()
        [True, False]
        >>> period_complete(pd.Timestamp("2024-03-01"), "M", "2024-03-31")
        True
    """
    _check_freq(freq)
    end = pd.NaT if data_end is None else pd.Timestamp(data_end)
    if isinstance(starts, (pd.Series, pd.DatetimeIndex, np.ndarray, list)):
        s = pd.Series(pd.to_datetime(np.asarray(starts, dtype="datetime64[ns]")))
        if end is pd.NaT:
            return np.zeros(len(s), dtype=bool)
        last_day = period_end(s, freq) - pd.Timedelta(days=1)
        return (last_day <= end.normalize()).to_numpy(dtype=bool)
    if end is pd.NaT:
        return False
    return bool(period_end(pd.Timestamp(starts), freq) - pd.Timedelta(days=1) <= end.normalize())


def last_complete_period(times: pd.Series, freq: PeriodFreq) -> pd.Timestamp:
    """Start of the last period the data cover to its end (see :func:`period_complete`).

    Example:
        >>> last_complete_period(pd.Series(pd.to_datetime(["2015-07-03", "2015-08-27"])), "M")
        Timestamp('2015-07-01 00:00:00')
    """
    t = _as_local_times(pd.Series(times), DEFAULT_TZ)
    last = t.max()
    start = period_start(pd.Series([last]), freq).iloc[0]
    if not period_complete(start, freq, last):
        start = period_start(pd.Series([start - pd.Timedelta(days=1)]), freq).iloc[0]
    return pd.Timestamp(start)


def auto_freq(times: pd.Series, tz: str = DEFAULT_TZ) -> Literal["W", "M"]:
    """``W`` when the dates span at most :data:`AUTO_WEEKLY_MAX_DAYS` days, else ``M`` (``W`` without dates).

    Example:
        >>> auto_freq(pd.Series(["2024-01-01", "2024-05-01"])), auto_freq(pd.Series(["2024-01-01", "2024-12-01"]))
        ('W', 'M')
    """
    t = _as_local_times(pd.Series(times), tz).dropna()
    if t.empty:
        return "W"
    return "W" if (t.max() - t.min()).days <= AUTO_WEEKLY_MAX_DAYS else "M"
