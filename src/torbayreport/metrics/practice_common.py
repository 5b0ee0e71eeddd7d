"""Building blocks shared by the practice-pillar KPIs (P01–P27b).

Why a module of its own: the practice KPIs repeat a handful of patterns — events in a month,
events in the 12 months to a month end, children open at a month end, "the last visit on or
before the month end", age at a date, a review cycle of due dates. Writing each once keeps the
counting conventions identical across KPIs and keeps every compute function a few vectorised
lines (no loops over rows, no per-month recomputation).

Conventions used here (and printed in each KPI's definition):

* working days: :func:`torbayreport.calendar.working_days_between` — the start day is day 0,
  "within N working days" means ``elapsed <= N``; a missing date never passes;
* "N calendar months after" uses ``pandas.DateOffset(months=N)`` (31 Jan + 1 month = 28/29 Feb);
* a record is open at a month end when it started on or before that day and has no end date or
  ends after it (see :mod:`torbayreport.metrics.windows`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from torbayreport.calendar import busday_calendar, working_days_between
from torbayreport.metrics import keys
from torbayreport.metrics.registry import Members, members, record_ids
from torbayreport.metrics.windows import first_positions, in_month, in_rolling, latest_on_or_before

MONTH = pd.PeriodDtype("M")


def _year_month_day(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(year, month * 100 + day) of datetime values as float arrays (NaN where NaT), read from
    the DatetimeArray's C field accessors without building a Series per field."""
    dates = values.array
    return dates.year, dates.month * 100 + dates.day


def age_at(date_of_birth: pd.Series, on: pd.Series) -> pd.Series:
    """Age in completed years on a date (missing where the date of birth is missing).

    Computed on numpy datetime units (one row per child and month: pandas' ``.dt`` fields box
    each of six fields into a Series); the pandas form stays for Series on different indexes."""
    dob = pd.to_datetime(date_of_birth)
    on = pd.to_datetime(on)
    if dob.index.equals(on.index):
        (born_year, born_day), (at_year, at_day) = _year_month_day(dob), _year_month_day(on)
        age = at_year - born_year - (at_day < born_day)
        missing = np.isnan(age) if age.dtype.kind == "f" else np.zeros(len(age), dtype=bool)
        return pd.Series(pd.arrays.IntegerArray(np.where(missing, 0, age).astype(np.int64), missing), index=on.index)
    years = on.dt.year - dob.dt.year
    before_birthday = (on.dt.month < dob.dt.month) | ((on.dt.month == dob.dt.month) & (on.dt.day < dob.dt.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


def with_dob(frame: pd.DataFrame, tables) -> pd.DataFrame:
    """``frame`` (on a fresh 0..n-1 index) plus the child's ``date_of_birth`` from ``children``
    (its first row for the child; NaT when the child is not there; a missing id takes the first
    row with a missing id, as a merge would).

    Why not a merge: only the frame's distinct ids (a few thousand) are hashed; the children
    table (every child ever referred) is only probed against them, in Arrow."""
    children = tables["children"]
    encoded = pc.dictionary_encode(keys.arrow(frame["child_id"]))
    words = encoded.dictionary
    child_ids = keys.arrow(children["child_id"])
    word_of_row = pc.index_in(child_ids, value_set=words).fill_null(-1).to_numpy(zero_copy_only=False)
    first_row = np.full(len(words) + 1, -1, dtype=np.int64)  # the last slot: a missing id
    matched = np.flatnonzero(word_of_row >= 0)
    found, first = first_positions(word_of_row[matched])
    first_row[found] = matched[first]
    missing = np.flatnonzero(pc.is_null(child_ids).to_numpy(zero_copy_only=False))
    if len(missing):
        first_row[-1] = missing[0]
    rows = first_row[encoded.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)]
    dob = children["date_of_birth"].array.take(rows, allow_fill=True)
    return frame.reset_index(drop=True).assign(date_of_birth=dob)


def _within_by_threshold(start_d: np.ndarray, end_d: np.ndarray, n: int) -> np.ndarray | None:
    """``working_days_between(start, end) <= n`` when the ends are few distinct days (month ends:
    one row per child and month, 36 distinct ends): the count falls as the start moves later,
    so for each end day it passes exactly from one earliest start day on. That day is found once
    per end day (a few dozen ``busday_count`` calls each) and each row is one comparison, not a
    ``busday_count`` per row. None when the ends span too many days to be worth it."""
    start_day, end_day = start_d.astype("datetime64[D]"), end_d.astype("datetime64[D]")
    known = ~(np.isnat(start_day) | np.isnat(end_day))
    if n < 0 or not known.any():
        return None
    ends = end_day[known].view(np.int64)
    low, high = int(ends.min()), int(ends.max())
    if (high - low + 1) * 4 > len(ends):  # a window per row would be no cheaper
        return None
    present = np.zeros(high - low + 1, dtype=bool)
    present[ends - low] = True
    days = (np.flatnonzero(present) + low).astype("datetime64[D]")
    back = 2 * n + 30  # calendar days looked back from each end; doubled while too few
    while True:
        starts = days[:, None] - np.arange(back, -1, -1)  # end - back ... end
        over = np.busday_count(starts, days[:, None], busdaycal=busday_calendar()) > n
        if over[:, 0].all():  # the earliest start is inside the look-back for every end day
            break
        if back > 4096:  # pragma: no cover - a calendar with almost no working days
            return None
        back *= 2
    earliest = np.zeros(high - low + 1, dtype=np.int64)
    earliest[days.view(np.int64) - low] = days.view(np.int64) - back + over.sum(axis=1)
    ok = np.zeros(len(start_d), dtype=bool)
    ok[known] = start_day[known].view(np.int64) >= earliest[ends - low]
    return ok


def within_working_days(start: pd.Series, end: pd.Series, n: int, *, not_before_start: bool = False) -> np.ndarray:
    """``working_days_between(start, end) <= n`` element-wise; a missing date never passes.

    With ``not_before_start`` an ``end`` earlier than ``start`` (a data error, or an event that
    cannot be a response to the start) does not pass either.
    """
    start_d = pd.to_datetime(pd.Series(np.asarray(start))).to_numpy(dtype="datetime64[ns]")
    end_d = pd.to_datetime(pd.Series(np.asarray(end))).to_numpy(dtype="datetime64[ns]")
    ok = _within_by_threshold(start_d, end_d, n)
    if ok is None:
        elapsed = working_days_between(start_d, end_d)
        ok = elapsed <= n  # NaN (a missing date) compares False
    if not_before_start:
        # busday_count gives 0, not a negative, for a weekend "end" just before a Monday start,
        # so compare the calendar dates too (NaT compares False).
        ok &= end_d >= start_d
    return ok


def flagged_events(
    frame: pd.DataFrame, flag, date_col: str, months: pd.PeriodIndex, ids: tuple[str, ...], *, rolling_months: int = 1
) -> Members:
    """The "share of events flagged" KPIs: every row of ``frame`` dated (``date_col``) in the month,
    or in the ``rolling_months`` to the month end, counts once; it is in the numerator when its
    ``flag`` (aligned to ``frame`` by position; missing = not flagged) is true. Ids from ``ids``."""
    rows = frame.assign(_flag=pd.Series(np.asarray(flag, dtype=object)).astype("boolean").fillna(False).to_numpy(dtype=bool))
    rows = in_month(rows, date_col, months) if rolling_months == 1 else in_rolling(rows, date_col, months, rolling_months)
    return members(rows, record_ids(rows, *ids), rows["_flag"])


def last_visit(children: pd.DataFrame, tables, visit_type: str, *, seen_alone: bool = True) -> pd.DataFrame:
    """``children`` (rows with ``child_id``, ``month_end``) plus their latest ``visit_type`` visit on
    or before the month end: ``visit_date`` (NaT when none) and, with ``seen_alone``, that visit's
    ``seen_alone`` (a take per child and month, so callers that only time the visit skip it)."""
    visits = tables["visits"]
    typed = (visits["visit_type"] == visit_type).fillna(False).to_numpy(dtype=bool)
    return latest_on_or_before(  # the whole table, its codes once per run; only ``typed`` visits count
        children, "month_end", visits, "visit_date", "child_id", "visit_date",
        columns=["seen_alone"] if seen_alone else [], where=typed,
    )


def visited_within(children: pd.DataFrame, tables, visit_type: str, limit: int, *, working_days: bool) -> Members:
    """The "children visited within N days" KPIs (P13, P16, P17): each child in ``children`` counts,
    and is in the numerator when their latest ``visit_type`` visit on or before the month end was
    at most ``limit`` working days (or calendar days) before it; no visit never passes."""
    snap = last_visit(children, tables, visit_type, seen_alone=False)
    if working_days:
        ok = within_working_days(snap["visit_date"], snap["month_end"], limit)
    else:
        ok = (snap["month_end"] - snap["visit_date"]).dt.days <= limit
    return members(snap, snap["child_id"], ok)


def review_cycle(
    reviews: pd.DataFrame,
    periods: pd.DataFrame,
    keys: list[str],
    end: str,
    first_due: pd.Series,
    interval_after: list[pd.DateOffset],
) -> pd.DataFrame:
    """Due dates of a review cycle, one row per review due, with whether it was held on time.

    ``periods`` (one row per plan / period of care, identified by ``keys``) carries ``end``; ``first_due`` (aligned to ``periods``) is when its first review falls due.
    ``reviews`` carries ``keys`` and ``review_date``. The k-th review held (k = 1, 2, …) answers
    the k-th due date; due date k+1 is review k's date plus ``interval_after[min(k, len)-1]``
    (so [3 months, 6 months] means "second review 3 months after the first, then every
    6 months"). Each review held is on time when ``review_date <= due``. After the last review
    held, the next review is still *pending*: it is due (and missed) only if the period was still
    open on its due date (no end, or end after the due date) — a plan that ended first had no
    review due. Returned columns: keys, ``due``, ``review_date`` (NaT when pending), ``on_time``.
    """
    per = periods[keys + [end]].assign(_first_due=pd.to_datetime(pd.Series(first_due).to_numpy()))
    held = reviews[keys + ["review_date"]].dropna(subset=["review_date"]).merge(per, on=keys, how="inner")
    held = held.sort_values(keys + ["review_date"]).drop_duplicates(keys + ["review_date"]).reset_index(drop=True)
    k = held.groupby(keys, sort=False).cumcount().to_numpy() + 1  # 1-based review number
    prev = held.groupby(keys, sort=False)["review_date"].shift(1)
    due = held["_first_due"].copy()
    for i, offset in enumerate(interval_after):
        # review number k uses the interval after review k-1: interval_after[k-2], the last repeating
        later = (k - 1 == i + 1) if i + 1 < len(interval_after) else (k - 1 >= i + 1)
        due = due.where(~later, prev + offset)
    held["due"] = due
    held["on_time"] = held["review_date"] <= held["due"]

    # The next review after the last held (or the first, if none held): pending.
    counts = held.groupby(keys, sort=False).agg(_n=("review_date", "size"), _last=("review_date", "max"))
    pending = per.merge(counts.reset_index(), on=keys, how="left")
    n = pending["_n"].fillna(0).to_numpy()
    pend_due = pending["_first_due"].copy()
    for i, offset in enumerate(interval_after):
        sel = (n == i + 1) if i + 1 < len(interval_after) else (n >= i + 1)
        pend_due = pend_due.where(~sel, pending["_last"] + offset)
    pending = pending.assign(due=pend_due, review_date=pd.NaT, on_time=False)
    ended_first = pending[end].notna() & (pending[end] <= pending["due"])
    pending = pending[~ended_first.fillna(False).to_numpy(dtype=bool)]
    cols = keys + ["due", "review_date", "on_time"]
    out = pd.concat([held[cols], pending[cols]], ignore_index=True)
    out["review_date"] = out["review_date"].astype("datetime64[ns]")
    out["due"] = out["due"].astype("datetime64[ns]")
    out["on_time"] = out["on_time"].astype(bool)
    return out
