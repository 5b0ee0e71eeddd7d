"""Compute every KPI for every month of a window, once, into the tidy metrics table.

Why a single tidy table (month · kpi_id · numerator · denominator · value · unit · availability):
it is the contract between computation and presentation. ``availability`` (see :mod:`coverage`)
says whether the data support the month's figure; ``value`` is empty unless it is ``ok``. Charts, scorecards, summary text, disclosure
control and tests all read it, so a number in the report can always be traced to one row.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from torbayreport.metrics import coverage, populations
from torbayreport.metrics.registry import KPI, REGISTRY, Members, Tables, Totals

METRIC_COLUMNS = ["month", "kpi_id", "numerator", "denominator", "value", "unit"]
COVERED_COLUMNS = [*METRIC_COLUMNS, "availability"]  # what compute() returns (metrics.csv)


def _month_positions(month_ord: np.ndarray, months: pd.PeriodIndex) -> np.ndarray:
    """Each member month's position in ``months`` (-1 when outside, or NaT): a lookup table over
    the window's span of ordinals, so no hashing of one value per member."""
    window = np.asarray(months.asi8, dtype=np.int64)
    if not len(window):
        return np.full(len(month_ord), -1, dtype=np.int64)
    low, high = int(window.min()), int(window.max())
    table = np.full(high - low + 2, -1, dtype=np.int64)  # the last slot: outside the window
    table[window - low] = np.arange(len(window))
    offset = month_ord - low
    offset[(month_ord < low) | (month_ord > high)] = high - low + 1
    return table[offset]


def _totals_from_members(members: pd.DataFrame, months: pd.PeriodIndex, unit: str, position: np.ndarray) -> pd.DataFrame:
    """Numerator (members in it) and denominator (members) per month of ``months``: two
    ``bincount``s over the members' month positions (``position``; every one is in ``months``)."""
    numerator = np.bincount(position, weights=members["in_numerator"].to_numpy(dtype=float), minlength=len(months))
    if unit == "count":
        denominator = np.full(len(months), np.nan)
    else:
        denominator = np.bincount(position, minlength=len(months)).astype(float)
    return pd.DataFrame({"month": months, "numerator": numerator, "denominator": denominator})


def _values(kpi: KPI, totals: pd.DataFrame) -> pd.Series:
    """value from numerator/denominator by unit; a zero or missing denominator gives no value."""
    num = totals["numerator"].astype(float)
    den = totals["denominator"].astype(float)
    if kpi.unit == "count":
        return num.round(kpi.decimals)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    scale = 100.0 if kpi.unit == "percent" else 1.0
    return pd.Series(ratio * scale, index=totals.index).round(kpi.decimals)


def _tally(kpi: KPI, result, months: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A compute function's result as (month, numerator, denominator) totals over ``months``, and members."""
    if isinstance(result, Members):
        members = result.frame
        position = _month_positions(members["month"].array.asi8, months)
        inside = position >= 0
        if not inside.all():
            members, position = members[inside], position[inside]
        return _totals_from_members(members, months, kpi.unit, position), members
    if isinstance(result, Totals):
        totals = (
            result.frame.set_index("month")[["numerator", "denominator"]]
            .reindex(months)
            .rename_axis("month")
            .reset_index()
        )
        if kpi.unit == "count":
            totals["denominator"] = np.nan
        return totals, None
    raise TypeError(f"{kpi.id}.compute returned {type(result).__name__}, expected Members or Totals")  # pragma: no cover


def _with_fallback(kpi, tables, months, totals, members, status):
    """Short-history months counted from the extract's count columns (``kpi.fallback``), when usable."""
    short = (status == "short_history") & coverage.fallback_months(kpi, tables, months)
    if not short.any():
        return totals, members, status
    short_months = months[short]
    alt_totals, alt_members = _tally(kpi, kpi.fallback.compute(tables, short_months), short_months)
    totals = totals.set_index("month")
    totals.loc[short_months, ["numerator", "denominator"]] = alt_totals.set_index("month")[["numerator", "denominator"]]
    totals = totals.reset_index()
    if members is not None and alt_members is not None:
        members = pd.concat([members[~members["month"].isin(short_months)], alt_members], ignore_index=True)
    status = status.copy()
    den = totals["denominator"].to_numpy(dtype=float)
    status[short] = "ok" if kpi.unit == "count" else np.where(den[short] > 0, "ok", "no_events")
    return totals, members, status


def compute_one(
    kpi: KPI, tables: Tables, months: pd.PeriodIndex, *, covered: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One KPI for all months: (tidy rows, members or None).

    With ``covered=True`` the rows also carry ``availability`` (see :mod:`coverage`), short-history
    months are counted from the count columns where the KPI and the extracts allow, and ``value``
    is empty unless ``ok``. Without it, the plain counts (what the known-answer tests check).
    """
    months = pd.PeriodIndex(months, freq="M", name="month")
    with populations.reuse():  # one id code space and shared populations for the KPI's helpers
        result = kpi.compute(tables, months)
    totals, members = _tally(kpi, result, months)
    columns = METRIC_COLUMNS
    if covered:
        status = coverage.availability(kpi, tables, months, totals["denominator"])
        totals, members, status = _with_fallback(kpi, tables, months, totals, members, status)
        columns = COVERED_COLUMNS
    totals["value"] = _values(kpi, totals)
    totals["kpi_id"] = kpi.id
    totals["unit"] = kpi.unit
    if covered:
        totals["availability"] = pd.Categorical(status, categories=coverage.AVAILABILITY)
        totals.loc[totals["availability"] != "ok", "value"] = np.nan
    return totals[columns], members


def compute(
    tables: Tables,
    months: pd.PeriodIndex,
    kpi_ids: Iterable[str] | None = None,
    *,
    with_members: bool = False,
):
    """The tidy metrics table for ``kpi_ids`` (default: the whole catalogue) over ``months``, with
    ``availability`` per row (``ok``, ``no_events``, ``missing_source``, ``short_history``; value is
    empty unless ``ok`` — :func:`coverage.reason` words why).

    With ``with_members=True`` also returns {kpi_id: members frame} for drill-down.
    """
    ids = list(kpi_ids) if kpi_ids is not None else list(REGISTRY)
    frames, drill = [], {}
    with populations.reuse():  # the month-end populations are built once for the whole catalogue
        for kpi_id in ids:
            rows, members = compute_one(REGISTRY[kpi_id], tables, months, covered=True)
            frames.append(rows)
            if with_members and members is not None:  # members of every KPI are large: keep only on request
                drill[kpi_id] = members.assign(kpi_id=kpi_id)
    metrics = pd.concat(frames, ignore_index=True)
    metrics["month"] = metrics["month"].astype(pd.PeriodDtype("M"))
    return (metrics, drill) if with_members else metrics
