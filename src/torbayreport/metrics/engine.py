"""Compute every KPI for every month of a window, once, into the tidy metrics table.

Why a single tidy table (month · kpi_id · numerator · denominator · value · unit): it is the
contract between computation and presentation. Charts, scorecards, summary text, disclosure
control and tests all read it, so a number in the report can always be traced to one row.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from torbayreport.metrics import populations
from torbayreport.metrics.registry import KPI, REGISTRY, Members, Tables, Totals

METRIC_COLUMNS = ["month", "kpi_id", "numerator", "denominator", "value", "unit"]


def _totals_from_members(members: pd.DataFrame, months: pd.PeriodIndex, unit: str) -> pd.DataFrame:
    grouped = members.groupby("month", observed=True)["in_numerator"]
    numerator = grouped.sum().reindex(months, fill_value=0)
    if unit == "count":
        denominator = pd.Series(np.nan, index=months)
    else:
        denominator = grouped.size().reindex(months, fill_value=0)
    return pd.DataFrame(
        {"month": months, "numerator": numerator.to_numpy(dtype=float), "denominator": denominator.to_numpy(dtype=float)}
    )


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


def compute_one(kpi: KPI, tables: Tables, months: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One KPI for all months: (tidy rows, members or None)."""
    months = pd.PeriodIndex(months, freq="M", name="month")
    result = kpi.compute(tables, months)
    if isinstance(result, Members):
        members = result.frame
        members = members[members["month"].isin(months)]
        totals = _totals_from_members(members, months, kpi.unit)
    elif isinstance(result, Totals):
        members = None
        totals = (
            result.frame.set_index("month")[["numerator", "denominator"]]
            .reindex(months)
            .rename_axis("month")
            .reset_index()
        )
        if kpi.unit == "count":
            totals["denominator"] = np.nan
    else:  # pragma: no cover - a programming error in a KPI declaration
        raise TypeError(f"{kpi.id}.compute returned {type(result).__name__}, expected Members or Totals")
    totals["value"] = _values(kpi, totals)
    totals["kpi_id"] = kpi.id
    totals["unit"] = kpi.unit
    return totals[METRIC_COLUMNS], members


def compute(
    tables: Tables,
    months: pd.PeriodIndex,
    kpi_ids: Iterable[str] | None = None,
    *,
    with_members: bool = False,
):
    """The tidy metrics table for ``kpi_ids`` (default: the whole catalogue) over ``months``.

    With ``with_members=True`` also returns {kpi_id: members frame} for drill-down.
    """
    ids = list(kpi_ids) if kpi_ids is not None else list(REGISTRY)
    frames, drill = [], {}
    try:
        for kpi_id in ids:
            rows, members = compute_one(REGISTRY[kpi_id], tables, months)
            frames.append(rows)
            if members is not None:
                drill[kpi_id] = members.assign(kpi_id=kpi_id)
    finally:
        populations.forget()
    metrics = pd.concat(frames, ignore_index=True)
    metrics["month"] = metrics["month"].astype(pd.PeriodDtype("M"))
    return (metrics, drill) if with_members else metrics
