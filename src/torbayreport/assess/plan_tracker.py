"""Improvement-plan tracker: RAG counts per pillar, overdue actions and RAG changes for a month.

Why from the canonical ``plan_actions`` table (one row per action per month, key month+ref): the
plan's monthly RAG is the council's own judgement of each action; the report summarises it and
shows where it moved, with the evidence the lead gave, rather than re-judging it.

Conventions:

* "last month" is the calendar month before ``month``; an action missing from either month is not
  a "change" (it is new or closed) — the counts show it.
* Overdue: the due date has passed by the end of the month (``due_date`` on or before the month's
  last day) and the status is not ``Complete``. An action without a due date is never overdue.
  ``days_overdue`` counts calendar days from the due date to the month's last day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from torbayreport.io.schema import SCHEMA

TABLE = "plan_actions"


@dataclass(frozen=True)
class PlanSummary:
    """The tracker's three tidy tables for one month."""

    counts: pd.DataFrame  # pillar, rag, this_month, last_month, change
    overdue: pd.DataFrame  # month, pillar, ref, action, lead, due_date, status, rag, days_overdue
    changes: pd.DataFrame  # month, pillar, ref, action, rag_from, rag_to, evidence


def _month(month) -> pd.Period:
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if not re.fullmatch(r"\d{4}-\d{2}", str(month)):
        raise ValueError(f"month {month!r} is not a month (YYYY-MM)")
    return pd.Period(str(month), freq="M")


def _check(plan_actions: pd.DataFrame) -> pd.DataFrame:
    table = SCHEMA[TABLE]
    missing = [c for c in table.required_columns + ["due_date"] if c not in plan_actions.columns]
    if missing:
        raise ValueError(f"{TABLE}: missing column(s) {missing}")
    frame = plan_actions.copy()
    frame["month"] = frame["month"].astype("period[M]")
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    for col, codes in (("pillar", SCHEMA.codelists["pillar"]), ("rag", SCHEMA.codelists["rag"]),
                       ("status", SCHEMA.codelists["action_status"])):
        bad = frame[col].notna() & ~frame[col].isin(codes)
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise ValueError(f"{TABLE}: row {i}, column {col}: {frame[col].iloc[i]!r} is not one of {codes}")
    return frame


def rag_counts(plan_actions: pd.DataFrame, month) -> pd.DataFrame:
    """Per pillar and RAG (every combination, in code-list order): this month's and last month's counts."""
    month = _month(month)
    frame = _check(plan_actions)
    pillars, rags = SCHEMA.codelists["pillar"], SCHEMA.codelists["rag"]
    grid = pd.MultiIndex.from_product([pillars, rags], names=["pillar", "rag"])

    def count(m: pd.Period) -> pd.Series:
        rows = frame[frame["month"] == m]
        return rows.groupby(["pillar", "rag"], observed=True).size().reindex(grid, fill_value=0)

    out = pd.DataFrame({"this_month": count(month), "last_month": count(month - 1)}).reset_index()
    out["change"] = out["this_month"] - out["last_month"]
    out[["pillar", "rag"]] = out[["pillar", "rag"]].astype("string")
    return out.astype({"this_month": "Int64", "last_month": "Int64", "change": "Int64"})


def overdue_actions(plan_actions: pd.DataFrame, month) -> pd.DataFrame:
    """This month's actions whose due date has passed by month end and that are not Complete."""
    month = _month(month)
    frame = _check(plan_actions)
    month_end = month.to_timestamp(how="end").normalize()
    rows = frame[(frame["month"] == month) & (frame["due_date"] <= month_end) & (frame["status"] != "Complete")]
    rows = rows.assign(days_overdue=(month_end - rows["due_date"]).dt.days.astype("Int64"))
    cols = ["month", "pillar", "ref", "action", "lead", "due_date", "status", "rag", "days_overdue"]
    return rows.sort_values(["pillar", "due_date", "ref"])[cols].reset_index(drop=True)


def rag_changes(plan_actions: pd.DataFrame, month) -> pd.DataFrame:
    """Actions present in both months whose RAG differs: rag_from (last month) → rag_to, with evidence."""
    month = _month(month)
    frame = _check(plan_actions)
    now = frame[frame["month"] == month]
    before = frame.loc[frame["month"] == month - 1, ["ref", "rag"]].rename(columns={"rag": "rag_from"})
    both = now.merge(before, on="ref", how="inner", validate="one_to_one").rename(columns={"rag": "rag_to"})
    changed = both[both["rag_from"].astype(object) != both["rag_to"].astype(object)]
    # worse first (Green→Red before Red→Green) so a reader meets slippage first
    rank = {code: i for i, code in enumerate(SCHEMA.codelists["rag"])}  # Red 0, Amber 1, Green 2
    shift = changed["rag_to"].map(rank).astype(int) - changed["rag_from"].map(rank).astype(int)
    changed = changed.assign(_s=np.asarray(shift)).sort_values(["_s", "pillar", "ref"])
    cols = ["month", "pillar", "ref", "action", "rag_from", "rag_to", "evidence"]
    return changed[cols].reset_index(drop=True)


def plan_tracker(plan_actions: pd.DataFrame, month) -> PlanSummary:
    """All three tracker tables for ``month``."""
    return PlanSummary(
        counts=rag_counts(plan_actions, month),
        overdue=overdue_actions(plan_actions, month),
        changes=rag_changes(plan_actions, month),
    )
