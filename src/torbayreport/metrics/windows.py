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

from collections.abc import Sequence

import numpy as np
import pandas as pd

from torbayreport.metrics import keys


def month_window(start: str, end: str) -> pd.PeriodIndex:
    """Months from ``start`` to ``end`` inclusive (``YYYY-MM`` strings or Periods)."""
    return pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M", name="month")


def month_ends(months: pd.PeriodIndex) -> pd.DatetimeIndex:
    """The last day of each month, at midnight."""
    return months.to_timestamp(how="start") + pd.offsets.MonthEnd(0)


def _month_ordinal(dates: pd.Series) -> np.ndarray:
    """Months since 1970-01 as float (the Period[M] ordinal); NaT -> inf (treated as 'not yet')."""
    d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[ns]")
    ordinal = d.astype("datetime64[M]").astype(np.int64).astype("float64")
    ordinal[np.isnat(d)] = np.inf
    return ordinal


def ordinal_month_ends(ordinals: np.ndarray) -> np.ndarray:
    """The last day of each month given as Period[M] ordinals (int), as datetime64[ns] midnight."""
    first_of_next = (np.asarray(ordinals, dtype=np.int64) + 1).astype("datetime64[M]")
    return (first_of_next.astype("datetime64[D]") - np.timedelta64(1, "D")).astype("datetime64[ns]")


def _period_ordinal(months: pd.PeriodIndex) -> np.ndarray:
    return (months.year - 1970) * 12 + (months.month - 1)


def in_month(frame: pd.DataFrame, date_col: str, months: pd.PeriodIndex) -> pd.DataFrame:
    """Rows whose ``date_col`` falls inside the window (a *flow*), with a ``month`` column
    (period[M]) and a fresh 0..n-1 index. Rows with a missing date are not in any month.
    """
    stamps = pd.to_datetime(frame[date_col]).to_numpy(dtype="datetime64[ns]")
    ordinal = stamps.astype("datetime64[M]").astype(np.int64)  # the Period[M] ordinal; no Period objects
    window = np.asarray(_period_ordinal(months), dtype=np.int64)
    keep = ~np.isnat(stamps) & np.isin(ordinal, window)
    out = frame.loc[keep].reset_index(drop=True)
    out["month"] = pd.PeriodIndex.from_ordinals(ordinal[keep], freq="M").array
    return out


def in_rolling(frame: pd.DataFrame, date_col: str, months: pd.PeriodIndex, n: int) -> pd.DataFrame:
    """Each row under every window month whose ``n`` months (m-n+1 … m) contain its ``date_col``
    (the R3M / R12M windows): so with n=12 an event dated 1 April 2019 counts for every month from
    April 2019 to March 2020, and one dated 31 March 2019 does not count for April 2020.
    (:func:`rolling` of :func:`in_month` over the window and its ``n-1`` months before, with the
    months worked out on ints and the rows copied once.)"""
    stamps = pd.to_datetime(frame[date_col]).to_numpy(dtype="datetime64[ns]")
    ordinal = stamps.astype("datetime64[M]").astype(np.int64)
    return _shifted(frame, ordinal, np.flatnonzero(~np.isnat(stamps)), months, n)


def _shifted(frame: pd.DataFrame, ordinal: np.ndarray, rows: np.ndarray, months: pd.PeriodIndex, n: int) -> pd.DataFrame:
    """``frame``'s ``rows`` (month ordinals ``ordinal``) each under months o, o+1, …, o+n-1 that are
    in the window, row by row, with ``month`` set to that month and a fresh 0..n-1 index."""
    idx = np.repeat(rows, n)
    month_ord = ordinal[idx] + np.tile(np.arange(n, dtype=np.int64), len(rows))
    keep = np.isin(month_ord, np.asarray(_period_ordinal(months), dtype=np.int64))
    out = frame.take(idx[keep]).reset_index(drop=True)
    out["month"] = pd.PeriodIndex.from_ordinals(month_ord[keep], freq="M").array
    return out


def _spans(first_ord: np.ndarray, last_ord: np.ndarray, window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's first window month and how many window months it spans (0 if none)."""
    lo = np.maximum(first_ord, window.min())
    hi = np.minimum(last_ord, window.max())
    return lo, np.where(np.isfinite(lo) & (hi >= lo), hi - lo + 1, 0).astype(np.int64)


def _expansion(first_ord: np.ndarray, last_ord: np.ndarray, months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """(row index, month ordinal) pairs: each row once per window month from ``first_ord`` to
    ``last_ord`` (clipped to the window) — ``np.repeat`` instead of a loop over months. The month
    arithmetic stays in int64 ordinals, so no Period object is created per row."""
    window = np.asarray(_period_ordinal(months), dtype=np.int64)
    if len(first_ord) == 0 or len(window) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo, counts = _spans(first_ord, last_ord, window)
    idx = np.repeat(np.arange(len(first_ord)), counts)
    # month = the row's first month + its place among the row's pairs (few full-size temporaries)
    month_ord = np.repeat(np.where(counts > 0, lo, 0).astype(np.int64) - (np.cumsum(counts) - counts), counts)
    month_ord += np.arange(len(month_ord), dtype=np.int64)
    if len(window) != window.max() - window.min() + 1:  # a window with gaps: keep its months only
        keep = np.isin(month_ord, window)
        idx, month_ord = idx[keep], month_ord[keep]
    return idx, month_ord


def month_columns(month_ord: np.ndarray, months: pd.PeriodIndex) -> tuple[pd.arrays.PeriodArray, np.ndarray]:
    """``month`` (period[M]) and ``month_end`` (datetime64[ns]) arrays for month ordinals of the window."""
    first = int(_period_ordinal(months).min()) if len(months) else 0
    span = int(_period_ordinal(months).max()) - first + 1 if len(months) else 0
    ends = ordinal_month_ends(np.arange(first, first + span))
    return pd.PeriodIndex.from_ordinals(month_ord, freq="M").array, ends[month_ord - first]


def _expand_over_months(
    frame: pd.DataFrame, first_ord: np.ndarray, last_ord: np.ndarray, months: pd.PeriodIndex
) -> pd.DataFrame:
    """``frame``'s rows repeated per :func:`_expansion`, adding ``month`` and ``month_end``: the one
    expansion every snapshot and rolling membership uses."""
    idx, month_ord = _expansion(first_ord, last_ord, months)
    out = frame.iloc[idx].reset_index(drop=True)
    out["month"], out["month_end"] = month_columns(month_ord, months)
    return out


def _open_end_ordinal(frame: pd.DataFrame, end_col: str | None) -> np.ndarray:
    # Open at the end of every month strictly before the month it ends in (an end on the last
    # day of a month closes it at that month end), so the last open month is (end month - 1).
    return np.full(len(frame), np.inf) if end_col is None else _month_ordinal(frame[end_col]) - 1


def month_expansion(
    frame: pd.DataFrame, start_col: str, end_col: str | None, months: pd.PeriodIndex
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`open_at_month_end` as int arrays only: (row position in ``frame``, month ordinal)
    for every month end of the window at which the row is open — for callers that count or
    deduplicate on codes before building any rows."""
    return _expansion(_month_ordinal(frame[start_col]), _open_end_ordinal(frame, end_col), months)


def rolling_expansion(
    frame: pd.DataFrame, start_col: str, end_col: str | None, months: pd.PeriodIndex, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`active_in_rolling` as int arrays only: (row position in ``frame``, month ordinal) for
    every window month whose ``n``-month period the row touches."""
    end_ord = np.full(len(frame), np.inf) if end_col is None else _month_ordinal(frame[end_col]) + (n - 1)
    return _expansion(_month_ordinal(frame[start_col]), end_ord, months)


def open_at_month_end(
    frame: pd.DataFrame, start_col: str, end_col: str | None, months: pd.PeriodIndex
) -> pd.DataFrame:
    """One row per (record, month) for every month end of the window at which the record is open.

    Open at month end: ``start <= month_end`` and (``end`` missing or ``end > month_end``).
    Returns the record's columns plus ``month`` (period[M]) and ``month_end`` (Timestamp).
    """
    end_ord = _open_end_ordinal(frame, end_col)
    return _expand_over_months(frame, _month_ordinal(frame[start_col]), end_ord, months)


def rolling(frame_with_month: pd.DataFrame, months: pd.PeriodIndex, n: int) -> pd.DataFrame:
    """Re-assign each monthly row to the ``n`` months whose rolling window contains it.

    A row of month m appears under months m, m+1, …, m+n-1 (those inside ``months``), so a
    groupby on ``month`` afterwards gives rolling-``n``-month totals. Feed it rows from the
    ``n-1`` months before the window too, or the first months of the window will be short.
    """
    if frame_with_month.empty:
        return frame_with_month.copy()
    base = frame_with_month["month"].astype(pd.PeriodDtype("M")).array
    valid = np.flatnonzero(~base.isna())
    return _shifted(frame_with_month, base.asi8, valid, months, n)


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


def sorted_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct int64 values and how often each occurs (``np.unique(..., return_counts=True)``
    by one in-place sort of ``values``, which the caller gives up: numpy 2's hash-based ``unique``
    is several times slower on millions of keys)."""
    values.sort()
    if not len(values):
        return values, np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[starts], np.diff(np.r_[starts, len(values)])


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for int keys, several times faster: each key is packed
    with its position into one int64 (key above, position below: in the low bits when they fit,
    so packing and reading back are a shift and a mask, not a multiply and an int64 modulo), the
    packed values are sorted with ``np.sort`` (numpy's SIMD sort; unique values, so stability is
    free) and the positions read back. Falls back to the stable argsort when the packed values
    would not fit."""
    keys = np.asarray(keys, dtype=np.int64)
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    low = keys.min()
    width = int(keys.max()) - int(low) + 1
    bits = max((n - 1).bit_length(), 1)
    if width << bits < 2**62:  # positions in the low bits: a shift and a mask, no int64 modulo
        packed = keys - low
        packed <<= bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        packed &= (1 << bits) - 1
        return packed
    if width * n >= 2**62:
        return np.argsort(keys, kind="stable")
    packed = (keys - low) * n + np.arange(n, dtype=np.int64)
    packed.sort()
    return packed % n


def first_positions(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True)`` for int keys by :func:`stable_argsort`: the sorted
    distinct keys and the position of each one's first occurrence."""
    keys = np.asarray(keys, dtype=np.int64)
    order = stable_argsort(keys)
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    return ordered[starts], order[starts]


def search(haystack: np.ndarray, needles: np.ndarray, side: str = "left", order: np.ndarray | None = None) -> np.ndarray:
    """``np.searchsorted(haystack, needles, side)`` for many needles in no order (one per child
    and month): the needles are searched in sorted order (``order``, their :func:`stable_argsort`,
    computed if not given), so the binary searches walk the haystack in step instead of jumping
    about memory — about four times faster on half a million needles."""
    if order is None:
        order = stable_argsort(needles)
    out = np.empty(len(needles), dtype=np.int64)
    out[order] = np.searchsorted(haystack, needles[order], side=side)
    return out


def is_in(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin(values, pool)`` for int keys by one sort of ``pool`` and a binary search: numpy
    2's ``isin`` on keys spread over a wide range goes through its hash-based ``unique``, about a
    hundred times slower on the (month, child) keys of a catalogue run."""
    values = np.asarray(values, dtype=np.int64)
    pool = np.sort(np.asarray(pool, dtype=np.int64))
    if not len(pool):
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(pool, values)
    np.minimum(pos, len(pool) - 1, out=pos)
    return pool[pos] == values


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for int keys by one sort (numpy 2's hash-based ``unique`` is several
    times slower on millions of keys); ``values`` is left as it was."""
    return sorted_runs(np.array(values, dtype=np.int64, copy=True))[0]


@keys.in_run
def distinct_in_rolling(
    frame: pd.DataFrame,
    start_col: str,
    end_col: str | None,
    months: pd.PeriodIndex,
    n: int,
    by: str,
    count: str,
    at: pd.DataFrame,
) -> np.ndarray:
    """For each row of ``at`` (columns ``month`` and ``by``, e.g. the open children at each month
    end): how many different ``count`` values (e.g. workers) ``by`` has on records of ``frame``
    touching that month's ``n``-month period (the rule of :func:`active_in_rolling`); 0 when none.
    A missing ``count`` is one value; a missing ``by`` matches nothing.

    How, without expanding any record into months: a record touches the periods of months
    ``start month`` … ``end month + n - 1``. The records of one (``by``, ``count``) pair are merged
    into disjoint month ranges (sorted by start, a running maximum of the ends), so each pair
    covers a month at most once; then "how many pairs cover month m" is a running sum of +1 at
    each range's first month and -1 after its last, read for each row of ``at`` by
    ``searchsorted`` over the sorted events (memory in ranges and rows, not children x months).
    Ids are run-wide int codes (:mod:`keys`).
    """
    at_codes, by_codes, count_codes = keys.codes(at[by], frame[by], frame[count])
    window = np.asarray(_period_ordinal(months), dtype=np.int64)
    if not len(window) or not len(at):
        return np.zeros(len(at), dtype=np.int64)
    low, width = int(window.min()), int(window.max() - window.min()) + 1
    local = np.full(keys.size(at_codes, by_codes, count_codes) + 1, -1, dtype=np.int64)
    listed = distinct_sorted(at_codes[at_codes >= 0])
    local[listed] = np.arange(len(listed))  # the ``by`` values of ``at``, numbered 0..B-1
    first_ord = _month_ordinal(frame[start_col])
    end_ord = np.full(len(frame), np.inf) if end_col is None else _month_ordinal(frame[end_col]) + (n - 1)
    lo, spans = _spans(first_ord, end_ord, window)
    group = local[np.where(by_codes >= 0, by_codes, len(local) - 1)]
    rows = np.flatnonzero((by_codes >= 0) & (group >= 0) & (spans > 0))
    lo = (lo[rows] - low).astype(np.int64)
    hi = lo + spans[rows] - 1
    pair = group[rows] * (len(local) + 1) + count_codes[rows] + 1
    order = stable_argsort(pair * width + lo)  # by (by, count) pair, then first month
    pair, lo, hi, group = pair[order], lo[order], hi[order], group[rows][order]
    new_pair = np.r_[True, pair[1:] != pair[:-1]] if len(pair) else np.zeros(0, dtype=bool)
    # running maximum of the last month within each pair: offset each pair above all earlier ones
    reach = np.maximum.accumulate(np.cumsum(new_pair) * (width + 1) + hi) - np.cumsum(new_pair) * (width + 1)
    starts_range = new_pair | (lo > np.r_[-1, reach[:-1]])  # not overlapping what the pair already covers
    range_lo = lo[starts_range]
    range_hi = reach[np.r_[starts_range[1:], True]] if len(reach) else reach  # the reach at each range's last record
    range_by = group[starts_range] * (width + 1)
    opened = np.sort(range_by + range_lo)  # +1 at each range's first month ...
    closed = np.sort(range_by + range_hi + 1)  # ... -1 after its last: a running sum over sorted events
    del pair, lo, hi, group, reach, starts_range, range_lo, range_hi, range_by, new_pair, order, rows, first_ord, end_ord
    cell = local[np.where(at_codes >= 0, at_codes, len(local) - 1)]  # a missing or unlisted id: -1
    del at_codes
    at_month = at["month"].array.asi8 - low
    ok = (cell >= 0) & (at_month >= 0) & (at_month < width)
    cell *= width + 1
    cell += at_month
    del at_month
    if not ok.all():
        cell = cell[ok]
    # A range's open and close both lie in its group's block of width + 1 keys, so those of the
    # groups before a row's own cancel: the ranges covering its month are the opens up to its
    # key less the closes up to it (two searches; memory in the rows, not children x months).
    order = stable_argsort(cell)
    covering = search(opened, cell, "right", order)
    covering -= search(closed, cell, "right", order)
    del order
    del cell
    if ok.all():
        return covering.astype(np.int64, copy=False)
    out = np.zeros(len(at), dtype=np.int64)
    out[ok] = covering
    return out


def time_steps(times: np.ndarray) -> tuple[np.ndarray, int]:
    """``times`` (int64 ns, all valid) as small non-negative ints in the coarsest unit that keeps
    them exact (days for dates, else seconds, else ns), and how many such steps they span."""
    if not len(times):
        return np.zeros(0, np.int64), 1
    low = times.min()
    steps = times - low
    for unit in (86_400 * 10**9, 10**9):
        if not (steps % unit).any():
            steps //= unit
            break
    return steps, int(steps.max()) + 1


def _id_time_keys(ev_code, ev_time, q_code, q_time) -> tuple[np.ndarray, np.ndarray, int]:
    """int64 keys ``code * span + time step`` for events and queries (valid rows only), in the
    coarsest time unit that keeps both exact (see :func:`time_steps`), and the span. One integer
    division per time (the steps, checked exact by multiplying back), not a remainder and then
    a division."""
    ev_ns, q_ns = ev_time.view(np.int64), q_time.view(np.int64)
    low = min(ev_ns.min(), q_ns.min())
    shifted = [ev_ns - low, q_ns - low]
    steps = shifted
    for unit in (86_400 * 10**9, 10**9):
        divided = []
        for values in shifted:
            whole = values // unit
            if not np.array_equal(whole * unit, values):
                break
            divided.append(whole)
        else:
            steps = divided
            break
    del shifted
    span = int(max(steps[0].max(), steps[1].max())) + 1
    if (max(int(ev_code.max()), int(q_code.max())) + 1) * span >= 2**62:  # pragma: no cover - ns over decades
        raise OverflowError("latest_on_or_before: id x time keys do not fit in int64")
    for code, key in zip((ev_code, q_code), steps):
        key += code * span
    return steps[0], steps[1], span


@keys.in_run
def latest_on_or_before(
    left: pd.DataFrame,
    left_on: str,
    right: pd.DataFrame,
    right_on: str,
    by: str,
    name: str,
    *,
    columns: Sequence[str] = (),
    where: np.ndarray | None = None,
) -> pd.DataFrame:
    """``left`` plus column ``name``: the latest ``right[right_on]`` on or before ``left[left_on]``
    for the same ``by`` value (NaT when there is none), plus that event's ``columns``. With
    ``where`` (bools aligned to ``right``) only those events count — the same as passing
    ``right[where]``, without copying the table.

    E.g. "date of the worker's last supervision on or before each month end", or the child's last
    visit and whether they were seen alone at it. Rows come back in ``left``'s order. Events on the
    same day for the same key: the one listed last in ``right`` is the latest.

    How: ids become run-wide int codes (:mod:`keys`) and each (id, time) one int64 key
    ``code * span + time step``; the events' keys are sorted once (stable, so ties keep
    ``right``'s order) and every (record, month-end) query finds its latest event with one
    ``searchsorted`` — an as-of join over all months at once, on ints (no per-group merge, no
    string comparisons).
    """
    lhs = left.reset_index(drop=True)
    events = right.reset_index(drop=True)
    q_code, ev_code = keys.codes(lhs[by], events[by])
    ev_time = pd.to_datetime(events[right_on]).to_numpy(dtype="datetime64[ns]")
    q_time = pd.to_datetime(lhs[left_on]).to_numpy(dtype="datetime64[ns]")
    valid = (ev_code >= 0) & ~np.isnat(ev_time)
    ev_rows = np.flatnonzero(valid if where is None else valid & np.asarray(where, dtype=bool))
    del valid
    q_ok = (q_code >= 0) & ~np.isnat(q_time)
    every = bool(q_ok.all())  # the usual case (a population at month ends): no gather, no scatter
    q_rows = None if every else np.flatnonzero(q_ok)
    del q_ok
    match = np.full(len(lhs), -1, dtype=np.int64)  # row of ``events`` matched to each left row
    if len(ev_rows) and len(lhs) and (every or len(q_rows)):
        q_id = q_code if every else q_code[q_rows]
        ev_key, q_key, span = _id_time_keys(ev_code[ev_rows], ev_time[ev_rows], q_id, q_time if every else q_time[q_rows])
        order = stable_argsort(ev_key)
        ev_key = ev_key[order]
        pos = search(ev_key, q_key, side="right") - 1  # the last event with key <= query
        del q_key
        safe = np.maximum(pos, 0)
        # the same id when the event's key is not below the id's first key (keys are id * span +
        # a step in [0, span)): a multiply per query, not an integer division
        hit = (pos >= 0) & (ev_key[safe] >= q_id * span)
        del ev_key, pos
        found = np.where(hit, ev_rows[order[safe]], -1)
        if every:
            match = found
        else:
            match[q_rows] = found
    hit = match >= 0
    dates = np.full(len(lhs), np.datetime64("NaT"), dtype="datetime64[ns]")
    dates[hit] = ev_time[match[hit]]
    added = {name: dates}
    for column in columns:
        if len(events):
            added[column] = events[column].take(np.maximum(match, 0)).reset_index(drop=True).where(pd.Series(hit))
        else:
            added[column] = pd.Series(pd.NA, index=lhs.index, dtype=events[column].dtype)
    return lhs.assign(**added)
