"""Vectorised month-window primitives shared by every KPI.

Why: a KPI is computed for all months of the window at once. Instead of looping over months and
re-filtering the tables (the way snapshot tools work), each record is expanded once to the months
it belongs to (``np.repeat``), and counting is a ``groupby``. These helpers are the only place the
month-boundary conventions live:

* a *flow* event belongs to the month its date falls in;
* a record is *open at month end* when ``start <= month_end`` and (``end`` is missing or
  ``end > month_end``) — an episode that ends on the last day of the month is closed at that
  month end;
* a *rolling N-month* (R12M, R3M) value for month m counts events of months m-N+1 … m.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def month_window(start: str, end: str) -> pd.PeriodIndex:
    """Months from ``start`` to ``end`` inclusive (``YYYY-MM`` strings or Periods)."""
    return pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M", name="month")


def month_ends(months: pd.PeriodIndex) -> pd.DatetimeIndex:
    """The last day of each month, at midnight."""
    return months.to_timestamp(how="start") + pd.offsets.MonthEnd(0)


def _month_ordinal(dates: pd.Series) -> np.ndarray:
    """Months since 1970-01 as int; NaT -> a very large number (treated as 'not yet')."""
    d = pd.to_datetime(dates)
    ordinal = (d.dt.year - 1970) * 12 + (d.dt.month - 1)
    return ordinal.astype("float64").fillna(np.inf).to_numpy()


def _period_ordinal(months: pd.PeriodIndex) -> np.ndarray:
    return (months.year - 1970) * 12 + (months.month - 1)


def in_month(frame: pd.DataFrame, date_col: str, months: pd.PeriodIndex) -> pd.DataFrame:
    """Rows whose ``date_col`` falls inside the window, with a ``month`` column (period[M]).

    Rows with a missing date are not in any month.
    """
    dates = pd.to_datetime(frame[date_col])
    month = dates.dt.to_period("M")
    keep = month.isin(months) & dates.notna()
    out = frame.loc[keep].copy()
    out["month"] = month[keep].astype(pd.PeriodDtype("M"))
    return out


def _expand_over_months(
    frame: pd.DataFrame, first_ord: np.ndarray, last_ord: np.ndarray, months: pd.PeriodIndex
) -> pd.DataFrame:
    """Repeat each row once per month ordinal from ``first_ord`` to ``last_ord`` (clipped to the
    window), adding ``month`` and ``month_end``: the one vectorised expansion every snapshot and
    rolling membership uses (``np.repeat`` instead of a loop over months)."""
    if frame.empty or len(months) == 0:
        out = frame.iloc[0:0].copy()
        out["month"] = pd.Series(dtype=pd.PeriodDtype("M"))
        out["month_end"] = pd.Series(dtype="datetime64[ns]")
        return out
    lo = np.maximum(first_ord, int(_period_ordinal(months).min()))
    hi = np.minimum(last_ord, int(_period_ordinal(months).max()))
    counts = np.where(np.isfinite(lo) & (hi >= lo), hi - lo + 1, 0).astype(np.int64)
    idx = np.repeat(np.arange(len(frame)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    month_ord = lo[idx].astype(np.int64) + offsets
    out = frame.iloc[idx].copy()
    out["month"] = pd.PeriodIndex.from_ordinals(month_ord, freq="M")
    out["month_end"] = (out["month"].dt.to_timestamp(how="start") + pd.offsets.MonthEnd(0)).to_numpy()
    out = out[out["month"].isin(months)]
    return out.reset_index(drop=True)


def open_at_month_end(
    frame: pd.DataFrame, start_col: str, end_col: str | None, months: pd.PeriodIndex
) -> pd.DataFrame:
    """One row per (record, month) for every month end of the window at which the record is open.

    Open at month end: ``start <= month_end`` and (``end`` missing or ``end > month_end``).
    Returns the record's columns plus ``month`` (period[M]) and ``month_end`` (Timestamp).
    """
    if end_col is None:
        end_ord = np.full(len(frame), np.inf)
    else:
        # Open at the end of every month strictly before the month it ends in (an end on the last
        # day of a month closes it at that month end), so the last open month is (end month - 1).
        end_ord = _month_ordinal(frame[end_col]) - 1
    return _expand_over_months(frame, _month_ordinal(frame[start_col]), end_ord, months)


def rolling(frame_with_month: pd.DataFrame, months: pd.PeriodIndex, n: int) -> pd.DataFrame:
    """Re-assign each monthly row to the ``n`` months whose rolling window contains it.

    A row of month m appears under months m, m+1, …, m+n-1 (those inside ``months``), so a
    groupby on ``month`` afterwards gives rolling-``n``-month totals. Feed it rows from the
    ``n-1`` months before the window too, or the first months of the window will be short.
    """
    if frame_with_month.empty:
        return frame_with_month.copy()
    base = frame_with_month["month"].astype(pd.PeriodDtype("M"))
    idx = np.repeat(np.arange(len(frame_with_month)), n)
    shift = np.tile(np.arange(n), len(frame_with_month))
    out = frame_with_month.iloc[idx].copy()
    out["month"] = pd.PeriodIndex(base.iloc[idx]) + shift
    return out[out["month"].isin(months)].reset_index(drop=True)


def extend_back(months: pd.PeriodIndex, n: int) -> pd.PeriodIndex:
    """The window plus the ``n`` months before it (for rolling measures' look-back)."""
    return pd.period_range(months.min() - n, months.max(), freq="M", name="month")




def active_in_rolling(
    frame: pd.DataFrame, start_col: str, end_col: str | None, months: pd.PeriodIndex, n: int
) -> pd.DataFrame:
    """One row per (record, month) for every month m whose ``n``-month period the record touches.

    The period of month m runs from the first day of month m-n+1 to the last day of month m. A
    record with interval [start, end] touches it when ``start <= month_end(m)`` and (``end`` is
    missing or ``end >= first day of month m-n+1``) — e.g. "workers allocated to the child at any
    time in the 12 months to the month end" (n=12). With n=1 a record counts in every month it
    is open on any day (unlike :func:`open_at_month_end`, which needs it open on the last day).
    Returns the record's columns plus ``month`` (period[M]) and ``month_end`` (Timestamp).
    """
    end_ord = np.full(len(frame), np.inf) if end_col is None else _month_ordinal(frame[end_col]) + (n - 1)
    return _expand_over_months(frame, _month_ordinal(frame[start_col]), end_ord, months)


def latest_on_or_before(
    left: pd.DataFrame, left_on: str, right: pd.DataFrame, right_on: str, by: str, name: str
) -> pd.DataFrame:
    """``left`` plus column ``name``: the latest ``right[right_on]`` on or before ``left[left_on]``
    for the same ``by`` value (NaT when there is none).

    One ``merge_asof`` over all (record, month-end) rows at once, e.g. "date of the worker's last
    supervision on or before each month end". Rows come back in ``left``'s order.
    """
    lhs = left.reset_index(drop=True)
    lhs["_row"] = np.arange(len(lhs))
    lhs["_on"] = pd.to_datetime(lhs[left_on]).astype("datetime64[ns]")
    rhs = pd.DataFrame(
        {"_by": right[by].astype("string"), "_on": pd.to_datetime(right[right_on]).astype("datetime64[ns]")}
    ).dropna()
    rhs[name] = rhs["_on"]
    lhs["_by"] = lhs[by].astype("string")
    known = lhs["_on"].notna() & lhs["_by"].notna()
    merged = pd.merge_asof(
        lhs.loc[known].sort_values("_on"),
        rhs.sort_values("_on"),
        on="_on",
        by="_by",
        direction="backward",
        allow_exact_matches=True,
    )
    out = pd.concat([merged, lhs.loc[~known]], ignore_index=True).sort_values("_row")
    out[name] = out[name].astype("datetime64[ns]")
    return out.drop(columns=["_row", "_on", "_by"]).reset_index(drop=True)
