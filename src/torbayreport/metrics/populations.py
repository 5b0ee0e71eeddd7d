"""Month-end populations several KPIs share: staff in post, open children, caseloads.

Why one module: "a social worker", "in post at month end", "an open child" and "a worker's
caseload" must mean the same thing in the caseload, ASYE, supervision, agency, vacancy and
change-of-worker measures, or the scorecard contradicts itself. Each population is built for all
months of the window at once (one row per record × month, via :mod:`windows`).

Conventions (stated once here, repeated in each KPI's definition text):

* **Social workers** are the registered social work roles, as in the DfE children's social work
  workforce census: Social worker, Senior practitioner, Team manager, Service manager and IRO.
  Family support workers are not social workers.
* **In post at month end**: ``start_date <= month end`` and (no ``end_date`` or
  ``end_date > month end``); a worker whose last day is the month end has left by then.
* **Open child at month end**: a child with a CIN episode, a CP plan or a CLA period open at the
  month end (same open rule; counted once however many are open).
* **Caseload**: distinct children with an allocation to the worker open at the month end.
* **In their ASYE year** (``in_asye``): the staff record's ``asye`` flag says the worker joined as a
  newly qualified social worker; the assessed and supported year is the 12 months from their
  start date, so at a month end before ``start_date + 12 months`` they are in it, and after it
  they are counted as any other social worker (the flag itself never changes in an HR extract).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np
import pandas as pd

from torbayreport.metrics import keys
from torbayreport.metrics.registry import Tables
from torbayreport.metrics.windows import (
    sorted_runs,
    first_positions,
    is_in,
    month_columns,
    month_expansion,
    open_at_month_end,
    stable_argsort,
    time_steps,
)

SOCIAL_WORK_ROLES = ("Social worker", "Senior practitioner", "Team manager", "Service manager", "IRO")

STAFF_COLUMNS = ["worker_id", "role", "team", "employment", "fte", "case_holding", "asye", "in_asye"]
ASYE_MONTHS = 12


_LOCAL = threading.local()  # per thread: the populations of this thread's catalogue run


def _state() -> tuple[list, list]:
    """(memo [(key, result)] of the populations built inside ``reuse()``, [reusing?])."""
    if not hasattr(_LOCAL, "memo"):
        _LOCAL.memo, _LOCAL.reusing = [], [False]
    return _LOCAL.memo, _LOCAL.reusing


def _window(months: pd.PeriodIndex) -> tuple:
    return tuple(pd.PeriodIndex(months, freq="M").asi8)


def _memo(key: tuple, build):
    """``build()``, kept inside :func:`reuse` under ``key`` (which holds the source frames
    themselves, compared by identity, so a different table is never answered from the memo)."""
    memo, reusing = _state()
    for known, result in memo:
        if len(known) == len(key) and all(
            x is y if isinstance(x, pd.DataFrame) or isinstance(y, pd.DataFrame) else x == y for x, y in zip(known, key)
        ):
            return result
    result = build()
    if reusing[0]:  # a catalogue run asks for about ten populations; keep them all
        memo[:] = [*memo[-15:], (key, result)]
    return result


def staff_in_post(tables: Tables, months: pd.PeriodIndex, *, social_workers_only: bool = False) -> pd.DataFrame:
    """One row per (worker, month) for every month end at which the worker is in post (kept for
    the run inside :func:`reuse`; copy-on-write protects the shared frame)."""
    staff = tables["staff"]

    def build():
        frame = staff[staff["role"].isin(SOCIAL_WORK_ROLES).fillna(False).astype(bool)] if social_workers_only else staff
        rows = open_at_month_end(frame, "start_date", "end_date", months)
        asye_ends = rows["start_date"] + pd.DateOffset(months=ASYE_MONTHS)
        rows["in_asye"] = rows["asye"].fillna(False).astype(bool) & (rows["month_end"] < asye_ends).to_numpy()
        return rows[STAFF_COLUMNS + ["month", "month_end"]]

    return _memo(("staff", staff, social_workers_only, _window(months)), build).copy(deep=False)


@keys.in_run
def staff_records_in_post(month_ord: np.ndarray, worker: np.ndarray, tables: Tables, months: pd.PeriodIndex) -> np.ndarray:
    """For each (month ordinal, worker code) pair: how many of the worker's staff records are in
    post at that month end (:func:`staff_in_post`) — what an inner merge on (month, worker_id)
    with it would repeat each row by; a missing id (-1) matches the records with none, as a merge
    matches missing keys. On int keys: one sort and two searches, no row copied."""
    staff = staff_in_post(tables, months)
    (staff_worker,) = keys.codes(staff["worker_id"])
    n = keys.size(worker, staff_worker) + 1
    have = np.sort(_worker_month_keys(staff["month"].array.asi8, staff_worker, n))
    wanted = _worker_month_keys(np.asarray(month_ord, dtype=np.int64), worker, n)
    return np.searchsorted(have, wanted, side="right") - np.searchsorted(have, wanted, side="left")


def case_holding_social_workers(tables: Tables, months: pd.PeriodIndex) -> pd.DataFrame:
    """Social workers flagged case-holding, in post at each month end."""
    rows = staff_in_post(tables, months, social_workers_only=True)
    return rows[rows["case_holding"].fillna(False).astype(bool)].reset_index(drop=True)


CHILD_SPELLS = {"cin_episodes": ("cin_start", "cin_end"), "cp_plans": ("cp_start", "cp_end"), "cla_periods": ("cla_start", "cla_end")}
def latest_open(frame: pd.DataFrame, start: str, end: str, months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row of ``frame``, month ordinal, child code) for each (child, month end) at which a record
    of ``frame`` is open — the latest-starting one if a child has several open (equal starts: the
    one listed last) — ordered by month, then by the child's first record. All on ints: no row is
    copied before the survivors are known."""
    idx, month_ord = month_expansion(frame, start, end, months)
    (codes,) = keys.codes(frame["child_id"])
    # Number the children in first-appearance order as the pairs come (record by record: ``idx``
    # never decreases), by factorizing the records that have a pair — once per record, not once
    # per (record, month) — and reading each pair's number through its record.
    kept = np.zeros(len(frame), dtype=bool)
    kept[idx] = True
    record_local = np.zeros(len(frame), dtype=np.int64)
    record_local[kept], uniques = pd.factorize(codes[kept])
    local = record_local[idx]
    child = codes[idx]
    group = (month_ord - (month_ord.min() if len(month_ord) else 0)) * max(len(uniques), 1) + local
    steps, span = time_steps(frame[start].to_numpy(dtype="datetime64[ns]").view(np.int64)[idx])
    if len(group) and (int(group.max()) + 1) * span < 2**62:  # by (month, child, start); ties keep record order
        order = stable_argsort(group * span + steps)
    else:  # pragma: no cover - start times in ns over decades
        order = np.lexsort((steps, group))
    group = group[order]
    last_of_group = order[np.r_[group[1:] != group[:-1], True]] if len(order) else order
    return idx[last_of_group], month_ord[last_of_group], child[last_of_group]


def child_month_keys(month_ord, child: np.ndarray, n: int) -> np.ndarray:
    """One int64 key per (month ordinal, child code) pair (``n``: above every code + 1)."""
    return np.asarray(month_ord, dtype=np.int64) * n + child + 1


def _child_month_matches(rows: pd.DataFrame, month_ord: np.ndarray, child: np.ndarray):
    """(sort order of the pairs, first and one-past-last sorted position matching each row)."""
    (codes,) = keys.codes(rows["child_id"])
    n = keys.size(codes, child) + 1
    wanted = child_month_keys(rows["month"].array.asi8, codes, n)
    have = child_month_keys(month_ord, child, n)
    order = stable_argsort(have)
    have = have[order]
    return order, np.searchsorted(have, wanted, side="left"), np.searchsorted(have, wanted, side="right")


@keys.in_run
def find_child_months(rows: pd.DataFrame, month_ord: np.ndarray, child: np.ndarray) -> np.ndarray:
    """For each row of ``rows`` (``month``, ``child_id``): the position of its (month, child) pair
    among the pairs given by ``month_ord`` and ``child`` codes (the first if repeated), or -1."""
    order, first, after = _child_month_matches(rows, month_ord, child)
    return np.where(after > first, order[np.minimum(first, max(len(order) - 1, 0))] if len(order) else -1, -1)


@keys.in_run
def count_child_months(rows: pd.DataFrame, month_ord: np.ndarray, child: np.ndarray) -> np.ndarray:
    """For each row of ``rows`` (``month``, ``child_id``): how many of the (month, child) pairs
    given by ``month_ord`` and ``child`` codes are its own."""
    _, first, after = _child_month_matches(rows, month_ord, child)
    return (after - first).astype(np.int64)


def _spell_open(tables: Tables, spell: str, months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`latest_open` of ``spell`` (row of the table, month ordinal, child code), kept for the
    run inside :func:`reuse` as int32 (a third of a frame's memory): the unions and the
    single-spell snapshots all start from it, and no row is copied before a KPI asks for one."""
    frame = tables[spell]

    def build():
        start, end = CHILD_SPELLS[spell]
        return tuple(a.astype(np.int32) for a in latest_open(frame, start, end, months))

    rows, month_ord, child = _memo(("open", frame, spell, _window(months)), build)
    return rows.astype(np.int64), month_ord.astype(np.int64), child.astype(np.int64)


def _spell_snapshot(tables: Tables, spell: str, months: pd.PeriodIndex) -> pd.DataFrame:
    """One row per (child, month) whose ``spell`` record is open at the month end: the record's
    columns plus ``month`` and ``month_end`` (see :func:`latest_open`). Inside :func:`reuse`
    it is kept, because most snapshot KPIs ask for the same few populations in one catalogue run."""
    frame = tables[spell]

    def build():
        rows, month_ord, child = _spell_open(tables, spell, months)
        out = frame.take(rows).reset_index(drop=True)
        out["month"], out["month_end"] = month_columns(month_ord, months)
        keys.remember(out["child_id"], child, pin=True)  # kept for the run, as the frame is
        return out

    return _memo(("snapshot", frame, spell, _window(months)), build)


@contextmanager
def reuse():
    """Within the block, share the month-end snapshots between KPIs (the engine wraps one
    catalogue run in it); on leaving, drop them. Outside it nothing is kept, so a table changed in
    place between two calls can never be answered from a stale snapshot."""
    memo, reusing = _state()
    if reusing[0]:  # nested (the engine's compute_one inside compute): the outer block owns them
        yield
        return
    reusing[0] = True
    try:
        with keys.run():  # and one id code space (see :mod:`keys`)
            yield
    finally:
        reusing[0] = False
        memo.clear()


def _child_frame(tables: Tables, spells: tuple[str, ...], source: np.ndarray, month_ord, child, months, *, pin=False) -> pd.DataFrame:
    """``month``, ``month_end``, ``child_id`` for (month ordinal, child code) pairs whose ids are
    rows ``source`` of the spells' ``child_id`` columns placed end to end (one string take);
    ``pin``: the frame is kept for the run, so are its codes (:func:`keys.remember`)."""
    month, month_end = month_columns(month_ord, months)
    ids = pd.concat([tables[spell]["child_id"] for spell in spells], ignore_index=True)
    out = pd.DataFrame({"month": month, "month_end": month_end, "child_id": ids.take(source).reset_index(drop=True)})
    keys.remember(out["child_id"], child, pin=pin)
    return out


def _stacked(tables: Tables, months: pd.PeriodIndex, spells: tuple[str, ...]):
    """The spells' :func:`_spell_open` end to end: (row of the stacked tables, month ordinal, child code)."""
    parts = [_spell_open(tables, spell, months) for spell in spells]
    offsets = np.cumsum([0, *(len(tables[spell]) for spell in spells[:-1])])
    source = np.concatenate([rows + offset for (rows, _, _), offset in zip(parts, offsets)])
    return source, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])


@keys.in_run
def _union(tables: Tables, months: pd.PeriodIndex, spells: tuple[str, ...]) -> pd.DataFrame:
    """Children with any of ``spells`` open at each month end, once each: ``month``, ``month_end``,
    ``child_id``, ordered by month, then by first appearance (spells in the order given). On the
    int pairs of :func:`_spell_open`; the ids are taken once, for the survivors."""
    source, month_ord, child = _stacked(tables, months, spells)
    local, uniques = pd.factorize(child)
    pair = (month_ord - (month_ord.min() if len(month_ord) else 0)) * max(len(uniques), 1) + local
    del local
    _, first = first_positions(pair)
    del pair
    return _child_frame(tables, spells, source[first], month_ord[first], child[first], months, pin=True)


def open_children(tables: Tables, months: pd.PeriodIndex, *spells: str) -> pd.DataFrame:
    """Children open at each month end of the window.

    With one spell (``"cp_plans"``): that table's rows open at the month end, one per (child,
    month), with all its columns plus ``month``, ``month_end``. With none: the open child
    population (a CIN episode, CP plan or CLA period open — counted once), with several: any of
    those; then the columns are ``month``, ``month_end``, ``child_id`` only. Ordered by month.
    The frame is the run's shared copy (copy-on-write: changing it makes a private copy).
    """
    spells = spells or tuple(CHILD_SPELLS)
    if len(spells) == 1:
        return _spell_snapshot(tables, spells[0], months).copy(deep=False)
    window = _window(months)
    frames = tuple(tables[spell] for spell in spells)
    return _memo(("union", *frames, spells, window), lambda: _union(tables, months, spells)).copy(deep=False)


@keys.in_run
def open_only(tables: Tables, months: pd.PeriodIndex, spell: str, *others: str) -> pd.DataFrame:
    """Children with ``spell`` open at each month end and none of ``others`` open then (e.g. in
    need but neither on a plan nor looked after): ``month``, ``month_end``, ``child_id``, in the
    order of ``open_children(tables, months, spell)``. Matched on int (month, child) keys; only
    the survivors' ids are taken (not kept for the run: one KPI asks)."""
    rows, month_ord, child = _spell_open(tables, spell, months)
    if others:
        _, other_month, other_child = _stacked(tables, months, others)
        n = keys.size(child, other_child) + 1
        keep = ~is_in(child_month_keys(month_ord, child, n), child_month_keys(other_month, other_child, n))
        rows, month_ord, child = rows[keep], month_ord[keep], child[keep]
    return _child_frame(tables, (spell,), rows, month_ord, child, months)


def _worker_month_keys(month_ord: np.ndarray, worker: np.ndarray, n: int) -> np.ndarray:
    return month_ord.astype(np.int64) * n + worker + 1


@keys.in_run
def caseload_of(workers: pd.DataFrame, tables: Tables, months: pd.PeriodIndex) -> np.ndarray:
    """For each row of ``workers`` (month, worker_id): the worker's caseload at that month end —
    distinct children with an allocation open to them — 0 when none (or no worker id)."""
    alloc = tables["allocations"]

    def build():
        worker, child = keys.codes(alloc["worker_id"], alloc["child_id"])
        idx, month = month_expansion(alloc, "alloc_start", "alloc_end", months)
        named = worker[idx] >= 0
        idx, month = idx[named], month[named]
        n = keys.size(worker, child) + 1
        triple = _worker_month_keys(month, worker[idx], n)  # (month, worker, child) as one int64
        del month
        triple *= n
        triple += child[idx] + 1
        del idx
        pair, caseload = sorted_runs(sorted_runs(triple)[0] // n)  # distinct triples, then children per (month, worker)
        return n, pair, caseload

    n, pairs, counts = _memo(("caseloads", alloc, _window(months)), build)
    (worker,) = keys.codes(workers["worker_id"])
    known = (worker >= 0) & (worker + 1 < n)  # a code given after the caseloads were counted has none
    query = _worker_month_keys(workers["month"].array.asi8, worker, n)
    pos = np.minimum(np.searchsorted(pairs, query), max(len(pairs) - 1, 0))
    found = known & (pairs[pos] == query) if len(pairs) else np.zeros(len(workers), bool)
    return np.where(found, counts[pos] if len(pairs) else 0, 0).astype(np.int64)


def with_caseload(workers: pd.DataFrame, tables: Tables, months: pd.PeriodIndex) -> pd.DataFrame:
    """``workers`` (month, worker_id, …) plus ``caseload``, 0 for a worker with no open allocation."""
    return workers.reset_index(drop=True).assign(caseload=caseload_of(workers, tables, months))


@keys.in_run
def children_allocated_to(workers: pd.DataFrame, tables: Tables, months: pd.PeriodIndex) -> pd.Series:
    """Per month of ``months``: distinct children with an allocation open at the month end to any
    worker listed for that month in ``workers`` (month, worker_id)."""
    alloc = tables["allocations"]
    worker, child, listed = keys.codes(alloc["worker_id"], alloc["child_id"], workers["worker_id"])
    idx, month = month_expansion(alloc, "alloc_start", "alloc_end", months)
    n = keys.size(worker, child, listed) + 1
    chosen = is_in(_worker_month_keys(month, worker[idx], n), _worker_month_keys(workers["month"].array.asi8, listed, n))
    pair = sorted_runs(_worker_month_keys(month[chosen], child[idx[chosen]], n))[0]  # distinct (month, child)
    window = np.asarray(pd.PeriodIndex(months, freq="M").asi8)
    per_month = np.searchsorted(pair, (window + 1) * n) - np.searchsorted(pair, window * n)
    return pd.Series(per_month.astype(np.int64), index=months)


def monthly_sum(frame: pd.DataFrame, column: str, months: pd.PeriodIndex) -> pd.Series:
    """Sum of ``column`` per month over ``months`` (0 for a month with no rows)."""
    if frame.empty:
        return pd.Series(0.0, index=months)
    return frame.groupby("month", observed=True)[column].sum().reindex(months, fill_value=0).astype(float)
