"""One small builder per kind of relation a published table creates.

Which relations exist depends on what is *printed*, not on how a KPI was computed:

- **kpi-month** (:func:`kpi_month`): a percentage KPI prints numerator and denominator, which
  implies their complement (denominator − numerator, e.g. "children *not* visited"). Relation
  ``denominator = numerator + complement``. The complement is an *implied* cell: not printed, so
  hiding it is free, and once the numerator is hidden it is hidden too. It is a count like any
  other (a reader subtracts: 25 due, 24 seen in time -> 1 child not seen, P07 December 2020), so
  by default it is primary-suppressed by the same rule, which also hides "180 of 183" because 3
  were missed. ``protect_complement=False`` (exempting it) exists only for tests of the engine;
  the public path (:func:`torbayreport.disclose.apply`) never passes it.
- **rolling windows** (r12m / r3m): the tidy table prints only the window total for each month.
  Consecutive totals differ by x(m) − x(m−12), a difference of two *unprinted* monthly counts,
  so there is no additive relation among printed cells and :func:`kpi_month` adds none. A table
  that also prints the monthly counts (or only some of them) must add
  :func:`rolling_relations`; months it does not print become withheld cells, which is exactly
  right for the audit (free unknowns >= 0). Only valid for event counts: a window's *distinct*
  children are not the sum of the months' distinct children.
- **breakdowns and period totals** (:func:`sum_relations`): a table of categories with their
  total (e.g. by age band), or months with a year-to-date or quarter total.

Cell ids are ``(kpi_id, "YYYY-MM", field, *more)``; :func:`cell_id` makes them, so a breakdown's
total row that *is* the KPI's numerator uses the same id and the two tables are linked.
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np
import pandas as pd

from torbayreport.disclose.cells import CellTable, Relation


def cell_id(kpi_id: str, month, field: str, *more: Hashable) -> tuple:
    """The id of one published number: (kpi_id, "YYYY-MM", field, *more)."""
    return (str(kpi_id), str(month), field, *more)


def _ids(kpi: pd.Series, month: pd.Series, field: str) -> list[tuple]:
    return list(zip(kpi.astype(str), month.astype(str), [field] * len(kpi)))


def kpi_month(
    frame: pd.DataFrame,
    num_is_count: pd.Series,
    den_is_count: pd.Series,
    *,
    protect_complement: bool = True,
) -> CellTable:
    """Cells and relations of the tidy table: one numerator, denominator (and complement) per KPI-month.

    Only counts become cells: a figure that is not a count of people (an FTE sum, an average
    headcount) is neither primary-suppressed nor part of an integer relation, so it stays out
    of the engine. Missing figures are not printed as numbers ([x]/[z]) and stay out as well.
    """
    num = frame["numerator"].astype(float)
    den = frame["denominator"].astype(float)
    num_cell = num_is_count.to_numpy(bool) & num.notna().to_numpy()
    den_cell = den_is_count.to_numpy(bool) & den.notna().to_numpy()
    percent = (frame["unit"].astype(str) == "percent").to_numpy()
    linked = num_cell & den_cell & percent
    if (linked & (num > den).to_numpy()).any():
        bad = frame.loc[linked & (num > den).to_numpy(), ["kpi_id", "month", "numerator", "denominator"]]
        raise ValueError(f"numerator exceeds denominator in {len(bad)} KPI-month(s):\n{bad.to_string()}")

    nums = _ids(frame["kpi_id"], frame["month"], "numerator")
    dens = _ids(frame["kpi_id"], frame["month"], "denominator")
    comps = _ids(frame["kpi_id"], frame["month"], "complement")
    table = CellTable()
    table.values.update((c, int(v)) for c, v, keep in zip(nums, num.to_numpy(), num_cell) if keep)
    table.values.update((c, int(v)) for c, v, keep in zip(dens, den.to_numpy(), den_cell) if keep)
    comp_values = (den - num).to_numpy()
    table.values.update((c, int(v)) for c, v, keep in zip(comps, comp_values, linked) if keep)
    linked_comps = [c for c, keep in zip(comps, linked) if keep]
    table.implied.update(linked_comps)
    if not protect_complement:
        table.exempt.update(linked_comps)
    table.relations.extend(
        Relation(d, (n, c), "kpi-month") for n, d, c, keep in zip(nums, dens, comps, linked) if keep
    )
    return table


def sum_relations(
    frame: pd.DataFrame,
    *,
    group_by: Sequence[str],
    part: str,
    total: Hashable,
    cell: str = "cell",
    value: str = "value",
    kind: str = "breakdown",
) -> CellTable:
    """``total = sum of parts`` within each group: breakdowns and their totals, months and a YTD.

    ``frame`` has one row per printed cell: the ``group_by`` columns, a ``part`` column whose
    value is ``total`` on the group's total row, the ``cell`` id and its ``value`` (NaN = not
    printed, becomes a withheld cell). Each group needs exactly one total row.
    """
    table = CellTable()
    values = frame[value].astype(float)
    table.values.update(
        (c, None if np.isnan(v) else int(v)) for c, v in zip(frame[cell], values.to_numpy())
    )
    is_total = frame[part] == total
    for key, group in frame.groupby(list(group_by), sort=False, dropna=False):
        totals = group.loc[is_total.loc[group.index], cell].tolist()
        if len(totals) != 1:
            raise ValueError(f"{kind} group {key!r}: expected one {part} == {total!r} row, found {len(totals)}")
        parts = tuple(group.loc[~is_total.loc[group.index], cell])
        table.relations.append(Relation(totals[0], parts, kind))
    return table


def rolling_relations(
    monthly: pd.Series,
    totals: pd.Series,
    *,
    window: int = 12,
    name: Hashable = "",
) -> CellTable:
    """``total(m) = sum of monthly(m-window+1 .. m)`` for one series.

    ``monthly`` and ``totals`` are indexed by month (period[M]) and hold the printed counts;
    NaN in ``monthly`` (or a month absent from it) means not printed: a withheld cell. Only
    months where a total is printed get a relation. Cell ids: (name, "YYYY-MM", "monthly"|"rolling").
    """
    table = CellTable()
    printed_totals = totals.dropna()
    if printed_totals.empty:
        return table
    first = printed_totals.index.min() - (window - 1)
    months = pd.period_range(first, max(printed_totals.index.max(), monthly.index.max()), freq="M")
    full = monthly.reindex(months)
    for m, v in full.items():
        table.values[(name, str(m), "monthly")] = None if pd.isna(v) else int(v)
    for m, v in printed_totals.items():
        tid = (name, str(m), "rolling")
        table.values[tid] = int(v)
        parts = tuple((name, str(p), "monthly") for p in pd.period_range(m - (window - 1), m, freq="M"))
        table.relations.append(Relation(tid, parts, f"rolling-{window}"))
    return table
