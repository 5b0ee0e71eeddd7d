"""Parse text columns into canonical dtypes, a whole column at a time.

Why everything goes through text first: CSV cells are text, and Excel cells (dates, serial
numbers, booleans, numbers stored as text) are turned into text by the Annex A reader, so one set
of parsers serves both and a value reads the same whichever file it came from.

Each parser takes a ``string`` Series and returns ``(parsed, bad)``: the values in the canonical
dtype, and a boolean mask of cells that were *not blank* but could not be parsed (blank -> NA,
never bad; whether a blank is allowed is a separate rule).

Accepted date spellings: ISO ``YYYY-MM-DD`` (optionally with ``THH:MM[:SS]`` or `` HH:MM[:SS]``),
``dd/mm/yyyy`` / ``d/m/yyyy`` (also with ``-`` or ``.``, optionally with a time), and Excel serial
day numbers (1900 date system, day 0 = 1899-12-30). Any date outside 1920-01-01 ... 2099-12-31
is refused as implausible: a bare ``1`` or ``2024`` in a date column is a typing slip, not
31 Dec 1899 or 16 Jul 1905, and 9999-12-31 is an "open end" sentinel, not a date. Two-digit
years are refused as ambiguous.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.io import codes

_ISO = r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?$"
_UK = r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
_SERIAL = r"^\d{1,7}(?:\.\d+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# The span of plausible dates in a child's record (and so of Excel serials read as dates).
PLAUSIBLE_DATES = (pd.Timestamp("1920-01-01"), pd.Timestamp("2099-12-31 23:59:59"))
_MIN_SERIAL = (PLAUSIBLE_DATES[0] - _EXCEL_EPOCH).days
_MAX_SERIAL = (PLAUSIBLE_DATES[1] - _EXCEL_EPOCH).days


def _clean(text: pd.Series) -> pd.Series:
    text = text.astype("string").str.strip()
    return text.mask(text == "")


def _plausible_ns(stamps: pd.Series) -> pd.Series:
    """Dates outside ``PLAUSIBLE_DATES`` -> NaT, then nanosecond precision (9999-12-31 would overflow it)."""
    stamps = pd.to_datetime(stamps)
    return stamps.mask((stamps < PLAUSIBLE_DATES[0]) | (stamps > PLAUSIBLE_DATES[1])).astype("datetime64[ns]")


def _from_parts(parts: pd.DataFrame) -> pd.Series:
    parts = parts.reindex(columns=["year", "month", "day", "hour", "minute", "second"])
    numbers = parts.apply(pd.to_numeric, errors="coerce").fillna({"hour": 0, "minute": 0, "second": 0})
    return _plausible_ns(pd.to_datetime(numbers[["year", "month", "day", "hour", "minute", "second"]], errors="coerce"))


def _distinct_to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(text, format=fmt, errors="coerce")``, parsing each distinct text once.

    A column of dates repeats each day many times (13,322 contacts on 725 days); with an explicit
    format each cell's result depends on that cell alone, so parsing the distinct texts and taking
    the results back to the rows gives the same Series in a third of the time."""
    positions, distinct = pd.factorize(text)
    parsed = pd.to_datetime(pd.Series(distinct, dtype=text.dtype), format=fmt, errors="coerce").to_numpy()
    missing = np.array([np.datetime64("NaT")], dtype=parsed.dtype)
    values = np.concatenate([parsed, missing])[np.where(positions >= 0, positions, len(parsed))]
    return pd.Series(values, index=text.index)


def parse_datetime(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates with an optional time -> ``datetime64[ns]``."""
    text = _clean(raw)
    present = text.notna()
    # Fast path (C parser) for the canonical spellings; the regexes only see what is left.
    out = _plausible_ns(_distinct_to_datetime(text, "%Y-%m-%d"))
    todo = present & out.isna()
    if todo.any():
        out.loc[todo] = _plausible_ns(pd.to_datetime(text[todo], format="%Y-%m-%dT%H:%M", errors="coerce"))
    for pattern in (_ISO, _UK):
        todo = present & out.isna()
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        matched = parts["year"].notna()
        if matched.any():
            out.loc[matched[matched].index] = _from_parts(parts[matched]).astype("datetime64[ns]")
    todo = present & out.isna()
    if todo.any():
        serial_text = text[todo]
        serial_text = serial_text[serial_text.str.match(_SERIAL).fillna(False).astype(bool)]
        days = pd.to_numeric(serial_text, errors="coerce")
        days = days[(days >= _MIN_SERIAL) & (days < _MAX_SERIAL + 1)]
        if len(days):
            stamps = _EXCEL_EPOCH + pd.to_timedelta((days.astype("float64") * 86400).round(), unit="s")
            out.loc[days.index] = stamps.astype("datetime64[ns]")
    bad = present & out.isna()
    return out, bad.fillna(False).astype(bool)


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates -> ``datetime64[ns]`` at midnight (any time part is dropped)."""
    parsed, bad = parse_datetime(raw)
    return parsed.dt.normalize(), bad


def _month_starts(parts: pd.DataFrame) -> np.ndarray:
    """The first day of each (year, month) of digit strings, NaT for a month outside 1..12 or a
    date outside ``PLAUSIBLE_DATES``: what :func:`_from_parts` gives with day 1, by integer
    arithmetic on months since 1970 instead of pandas' assembly from components (5 ms a column)."""
    year = parts["year"].astype("int64").to_numpy()
    month = parts["month"].astype("int64").to_numpy()
    # a year outside the plausible years is out whatever the month (and would overflow nanoseconds)
    valid = (month >= 1) & (month <= 12) & (year >= PLAUSIBLE_DATES[0].year) & (year <= PLAUSIBLE_DATES[1].year)
    since = np.where(valid, (year - 1970) * 12 + month - 1, 0)
    starts = since.astype("datetime64[M]").astype("datetime64[ns]")
    plausible = (starts >= PLAUSIBLE_DATES[0].to_datetime64()) & (starts <= PLAUSIBLE_DATES[1].to_datetime64())
    return np.where(valid & plausible, starts, np.datetime64("NaT", "ns"))


def parse_month(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``YYYY-MM`` (also ``YYYY/MM``, ``MM/YYYY`` or any accepted date) -> ``period[M]``."""
    text = _clean(raw)
    ym = text.str.extract(r"^(?P<year>\d{4})[-/](?P<month>\d{1,2})$")
    # the two spellings cannot both match a cell: MM/YYYY is looked for only where YYYY-MM was not
    other = ym["year"].isna() & text.notna()
    parts = ym.fillna(text[other].str.extract(r"^(?P<month>\d{1,2})[-/](?P<year>\d{4})$")) if other.any() else ym
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    matched = parts["year"].notna()
    if matched.any():
        dates.loc[matched[matched].index] = _month_starts(parts[matched])
    rest = text.notna() & dates.isna() & ~matched
    if rest.any():
        dates.loc[rest[rest].index] = parse_date(text[rest])[0]
    months = dates.dt.to_period("M")
    bad = text.notna() & dates.isna()
    return months, bad.fillna(False).astype(bool)


def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Y/N, Yes/No, ``a) Yes``/``b) No``, True/False, 1/0 -> ``boolean``; Unknown -> NA (not bad)."""
    coded, bad = codes.coerce_series(raw, "bool")
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    yes = (coded == "Y").fillna(False).astype(bool)
    no = (coded == "N").fillna(False).astype(bool)
    out = out.mask(yes, True).mask(no, False).astype("boolean")
    return out, bad


def parse_int(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw).str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    # beyond 2**53 a float no longer holds every whole number; such a count is not plausible anyway
    exact = numbers.abs() < 2.0**53
    whole = numbers.notna() & exact & (np.floor(numbers.where(exact, 0)) == numbers.where(exact, 0))
    out = numbers.where(whole).astype("Int64")
    bad = text.notna() & out.isna()
    return out, bad.fillna(False).astype(bool)


def parse_float(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw).str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = text.notna() & numbers.isna()
    return numbers, bad.fillna(False).astype(bool)


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids and free text: trimmed, blank -> NA; never bad."""
    return _clean(raw).astype("string"), pd.Series(False, index=raw.index)


PARSERS = {
    "id": parse_text,
    "str": parse_text,
    "date": parse_date,
    "datetime": parse_datetime,
    "month": parse_month,
    "bool": parse_bool,
    "int": parse_int,
    "float": parse_float,
}


def parse_column(raw: pd.Series, dtype: str, codelist: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse one column of text to its canonical dtype; see module docstring."""
    if dtype == "code":
        return codes.coerce_series(_clean(raw), codelist)
    return PARSERS[dtype](raw)
