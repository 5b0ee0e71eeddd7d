"""Drill-down behind the KPIs: the internal exception lists and the team breakdown for one month.

Why in metrics: both are computed from the KPI members frames (who was in a month's denominator,
and whether they were in the numerator), so they belong with the KPIs, not with the report. Each
list is declared once in :data:`DRILLDOWNS` with the KPI it comes from and whose records the
members are (a child, a worker or an audit) — nothing guesses that from the ids. The only extra
lookups are descriptive (allocated worker and team, worker name, last visit date) plus one list the
catalogue has no KPI for: assessments still open past the limit at month end.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from torbayreport.metrics.practice_front_door import ASSESSMENT_LIMIT_WD, open_assessments_overdue
from torbayreport.metrics.registry import REGISTRY


@dataclass(frozen=True)
class Drilldown:
    """One exception list (and, if ``team``, one column of the team breakdown) behind a KPI."""

    kpi_id: str
    subject: str                 # whose members records these are: "child", "worker" or "audit"
    in_numerator: bool           # list the members in the numerator (True) or only the rest (False)
    heading: str
    why: str
    visit_type: str | None = None      # add the child's last visit of this type before month end
    record_label: str = "record"       # what the part of the record id after the person is
    team: bool = False                 # a column of the team breakdown


#: Exception lists by name, in the order the exceptions chapter shows them.
DRILLDOWNS = {
    "cp_visits_overdue": Drilldown(
        "P13", "child", False, "Children on a child protection plan whose visit is overdue",
        "Children on a plan at month end who were not seen in the last 10 working days (P13).", visit_type="CP"),
    "cin_visits_overdue": Drilldown(
        "P16", "child", False, "Children in need whose visit is overdue",
        "Children in need at month end not seen in the last 20 working days (P16).", visit_type="CIN"),
    "cla_visits_overdue": Drilldown(
        "P17", "child", False, "Children looked after whose visit is overdue",
        "Children looked after at month end not visited in the last 6 weeks (P17).", visit_type="CLA"),
    "assessments_late": Drilldown(
        "P04", "child", False, "Assessments completed late this month",
        "Assessments authorised this month more than 45 working days after they started (P04).",
        record_label="assessment_start"),
    "reaudits_awaited": Drilldown(
        "Q04", "audit", False, "Inadequate audits awaiting re-audit",
        "Audits graded inadequate whose re-audit fell due and was not done within 2 months (Q04)."),
    "caseload_over_limit": Drilldown(
        "L02", "worker", True, "Social workers over the caseload limit",
        "Case-holding social workers with more than 22 children at month end (L02)."),
    "asye_over_limit": Drilldown(
        "W06", "worker", True, "Newly qualified social workers (ASYE) over 18 children",
        "ASYE social workers whose month-end caseload is above 18 (W06)."),
}

#: The list with no KPI of its own (its count is not a catalogue measure).
OPEN_ASSESSMENTS = "assessments_open_overdue"
OPEN_ASSESSMENTS_WHY = f"Assessments open at month end that have run more than {ASSESSMENT_LIMIT_WD} working days."

#: Team breakdown columns, in order: practice standards a team manager acts on, workers' supervision
#: and caseloads (kept short so the table fits an A4 page), and whose records each KPI's members are.
TEAM_MEASURES = {"P13": "child", "P14": "child", "P16": "child", "P17": "child",
                 "L04": "child", "L03": "worker", "L02": "worker"}

TEAM_COLUMNS = ["team", "kpi_id", "title", "numerator", "denominator", "value"]


def why(name: str) -> str:
    """The reader's explanation of one exception list."""
    if name == OPEN_ASSESSMENTS:
        return OPEN_ASSESSMENTS_WHY
    if name not in DRILLDOWNS:
        raise KeyError(f"unknown exception list {name!r}; choose from {sorted(DRILLDOWNS) + [OPEN_ASSESSMENTS]}")
    return DRILLDOWNS[name].why


def _person(record_id: pd.Series) -> pd.Series:
    """The child, worker or audit a members record belongs to: the part of ``record_id`` before "|"."""
    return record_id.astype("string").str.split("|", n=1).str[0]


def _record_detail(record_id: pd.Series) -> pd.Series:
    rest = record_id.astype("string").str.split("|", n=1).str.get(1).astype("string").fillna("")
    return rest.str.replace("|", ", ", regex=False)


def _month_end(month) -> tuple[pd.Period, pd.Timestamp]:
    period = pd.Period(str(month), "M")
    return period, period.to_timestamp(how="end").normalize()


def allocated_worker(tables: dict, month_end: pd.Timestamp) -> pd.DataFrame:
    """child_id -> worker_id, team of the most recent allocation open at month end."""
    alloc = tables.get("allocations")
    staff = tables.get("staff")
    if alloc is None or staff is None or alloc.empty:
        return pd.DataFrame(columns=["child_id", "worker_id", "team"])
    open_ = alloc[(alloc["alloc_start"] <= month_end) & (alloc["alloc_end"].isna() | (alloc["alloc_end"] > month_end))]
    latest = open_.sort_values(["child_id", "alloc_start", "worker_id"]).drop_duplicates("child_id", keep="last")
    return latest[["child_id", "worker_id"]].merge(staff[["worker_id", "team"]], on="worker_id", how="left")


def _last_visits(tables: dict, month_end: pd.Timestamp, visit_type: str) -> pd.DataFrame:
    visits = tables.get("visits")
    if visits is None or visits.empty:
        return pd.DataFrame(columns=["child_id", "last_visit"])
    v = visits[(visits["visit_type"] == visit_type) & (visits["visit_date"] <= month_end)]
    last = v.groupby("child_id", as_index=False)["visit_date"].max().rename(columns={"visit_date": "last_visit"})
    last["last_visit"] = last["last_visit"].dt.strftime("%Y-%m-%d")
    return last


def _listed(spec: Drilldown, rows: pd.DataFrame, tables: dict, alloc: pd.DataFrame, month_end) -> pd.DataFrame:
    person = _person(rows["record_id"])
    if spec.subject == "audit":  # show the audited child and the audit
        audits = tables.get("audits", pd.DataFrame(columns=["audit_id", "child_id", "audit_date"]))
        listed = pd.DataFrame({"audit_id": person.to_numpy()}).merge(
            audits[["audit_id", "child_id", "audit_date"]], on="audit_id", how="left"
        ).merge(alloc, on="child_id", how="left")
        listed["audit_date"] = pd.to_datetime(listed["audit_date"]).dt.strftime("%Y-%m-%d")
        return listed
    if spec.subject == "worker":
        staff = tables.get("staff", pd.DataFrame(columns=["worker_id", "team", "role"]))
        return pd.DataFrame({"worker_id": person.to_numpy()}).merge(
            staff[[c for c in ("worker_id", "worker_name", "team", "role") if c in staff.columns]],
            on="worker_id", how="left",
        )
    listed = pd.DataFrame({"child_id": person.to_numpy(), "record": _record_detail(rows["record_id"]).to_numpy()})
    listed = listed.merge(alloc, on="child_id", how="left")
    if spec.visit_type:
        listed = listed.merge(_last_visits(tables, month_end, spec.visit_type), on="child_id", how="left")
        listed = listed.drop(columns=["record"])
    return listed.rename(columns={"record": spec.record_label})


def open_assessments(tables: dict, month_end: pd.Timestamp, alloc: pd.DataFrame) -> pd.DataFrame:
    """Assessments open at month end past the limit (counted in metrics), with their worker and team."""
    columns = ["child_id", "assessment_start", "working_days_open", "worker_id", "team"]
    late = open_assessments_overdue(tables, pd.PeriodIndex([month_end.to_period("M")], name="month"))
    late = late.drop(columns="month").merge(alloc, on="child_id", how="left")
    late["assessment_start"] = late["assessment_start"].dt.strftime("%Y-%m-%d")
    return late.sort_values(["working_days_open", "child_id"], ascending=[False, True])[columns].reset_index(drop=True)


def exception_lists(members: dict, tables: dict, month) -> dict[str, pd.DataFrame]:
    """Every exception list of :data:`DRILLDOWNS` (plus open assessments) for ``month``."""
    period, month_end = _month_end(month)
    alloc = allocated_worker(tables, month_end)
    out: dict[str, pd.DataFrame] = {}
    for name, spec in DRILLDOWNS.items():
        frame = members.get(spec.kpi_id)
        if frame is None:
            continue
        rows = frame[(frame["month"] == period) & (frame["in_numerator"].astype(bool) == spec.in_numerator)]
        listed = _listed(spec, rows, tables, alloc, month_end)
        out[name] = listed.sort_values(list(listed.columns[:2])).reset_index(drop=True)
    out[OPEN_ASSESSMENTS] = open_assessments(tables, month_end, alloc)
    return out


def team_drilldown(members: dict, tables: dict, month) -> pd.DataFrame:
    """Per team and KPI of :data:`TEAM_MEASURES`: numerator, denominator and value for ``month``
    (a child's team is its allocated worker's at month end, a worker's their own)."""
    period, month_end = _month_end(month)
    alloc = allocated_worker(tables, month_end)
    staff = tables.get("staff", pd.DataFrame(columns=["worker_id", "team"]))
    team_of = {"child": dict(zip(alloc["child_id"], alloc["team"])),
               "worker": dict(zip(staff["worker_id"], staff["team"]))}
    frames = []
    for kpi_id, frame in members.items():
        kpi = REGISTRY.get(kpi_id)
        if kpi is None or kpi.unit != "percent" or kpi_id not in TEAM_MEASURES:
            continue
        rows = frame[frame["month"] == period]
        if rows.empty:
            continue
        team = _person(rows["record_id"]).map(team_of[TEAM_MEASURES[kpi_id]])
        if team.isna().all():
            continue
        grouped = rows.assign(team=team.fillna("Not allocated").to_numpy()).groupby("team")["in_numerator"].agg(["sum", "size"])
        frames.append(pd.DataFrame({
            "team": grouped.index, "kpi_id": kpi_id, "title": kpi.title,
            "numerator": grouped["sum"].to_numpy(dtype=float), "denominator": grouped["size"].to_numpy(dtype=float),
        }))
    if not frames:
        return pd.DataFrame(columns=TEAM_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["value"] = (100 * out["numerator"] / out["denominator"]).round(1)
    return out.sort_values(["kpi_id", "team"]).reset_index(drop=True)
