"""Working days in England & Wales, with the one convention every timeliness KPI uses.

Why a frozen list: a report must give the same answer next year on a machine with no network, so
the bank holidays 2010–2030 are shipped as data (``bank_holidays_england_wales.csv``, generated
from the ``holidays`` package and including one-offs such as VE Day 2020-05-08, the 2022 Jubilee
and State Funeral and the 2023 Coronation). The test suite cross-checks the list against
``holidays``.

The convention (from the KPI catalogue, matching DfE's duration bands where "same day" is 0):

* ``working_days_between(start, end)`` = ``numpy.busday_count(start, end)`` on this calendar —
  the start day is day 0, a same-day event is 0, and each later working day up to and including
  ``end`` adds one. A start on a weekend or holiday counts from the next working day.
* "within N working days" means ``working_days_between(start, end) <= N``.
* Missing dates give a missing result (``NaN``), never 0.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FIRST_YEAR, LAST_YEAR = 2010, 2030


@lru_cache(maxsize=1)
def bank_holidays() -> pd.DatetimeIndex:
    """Weekday bank holidays in England & Wales, 2010–2030 (substitute days included)."""
    with resources.files("torbayreport").joinpath("bank_holidays_england_wales.csv").open() as fh:
        frame = pd.read_csv(fh, parse_dates=["date"])
    return pd.DatetimeIndex(frame["date"])


@lru_cache(maxsize=1)
def busday_calendar() -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays().values.astype("datetime64[D]"))


def _as_days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def working_days_between(start, end) -> np.ndarray:
    """Elapsed working days from ``start`` (day 0) to ``end``, element-wise; NaN where either is missing.

    Accepts scalars, arrays or Series of dates; negative when ``end`` is before ``start``.
    """
    start_d = _as_days(np.atleast_1d(start) if np.isscalar(start) or start is None else start)
    end_d = _as_days(np.atleast_1d(end) if np.isscalar(end) or end is None else end)
    start_d, end_d = np.broadcast_arrays(start_d, end_d)
    missing = np.isnat(start_d) | np.isnat(end_d)
    result = np.full(start_d.shape, np.nan)
    ok = ~missing
    if ok.any():
        result[ok] = np.busday_count(start_d[ok], end_d[ok], busdaycal=busday_calendar())
    return result


def add_working_days(start, n: int) -> pd.DatetimeIndex:
    """The date ``n`` working days after ``start`` (so ``working_days_between(start, result) == n``).

    A start on a non-working day rolls forward to the next working day first, as busday_count does.
    """
    start_d = _as_days(np.atleast_1d(start) if np.isscalar(start) else start)
    out = np.full(start_d.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnat(start_d)
    out[ok] = np.busday_offset(start_d[ok], n, roll="forward", busdaycal=busday_calendar())
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def is_working_day(dates) -> np.ndarray:
    days = _as_days(np.atleast_1d(dates) if np.isscalar(dates) else dates)
    return np.is_busday(days, busdaycal=busday_calendar())
