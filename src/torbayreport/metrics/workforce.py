"""KPIs of the workforce pillar — a sufficient and skilled workforce (plan objective 3.1).

"Social worker", "in post at month end" and "caseload" are defined once in :mod:`populations`
(registered social work roles, as the DfE workforce census counts them). Every compute function
works on all months at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.metrics import keys
from torbayreport.metrics.populations import (
    ASYE_MONTHS,
    SOCIAL_WORK_ROLES,
    monthly_sum,
    open_children,
    staff_in_post,
    staff_records_in_post,
    with_caseload,
)
from torbayreport.metrics.registry import Tables, kpi, members, record_ids, totals
from torbayreport.metrics.windows import (
    distinct_in_rolling,
    extend_back,
    in_month,
    month_columns,
    month_expansion,
    open_at_month_end,
)

CHANGE_OF_WORKER_LIMIT = 3  # W04: three or more different workers ...
CHANGE_OF_WORKER_MONTHS = 12  # ... in the 12 months to the month end
ASYE_CASELOAD_LIMIT = 18  # W06


@kpi(
    id="W01",
    title="Agency social worker rate",
    pillar="workforce",
    ref="3.1.1",
    polarity="down",
    unit="percent",
    grain="FTE",
    window="snapshot",
    needs=("staff.start_date", "staff.fte", "staff.employment"),
    definition="""
        At the last day of the month: the FTE of agency social workers in post, as a share of the
        FTE of all social workers in post (agency plus permanent). Social workers are the
        registered roles (social worker, senior practitioner, team manager, service manager, IRO),
        case-holding or not; family support workers are excluded. A worker whose end date is the
        last day of the month has left by the month end.
    """,
)
def w01_agency_rate(tables: Tables, months: pd.PeriodIndex):
    sw = staff_in_post(tables, months, social_workers_only=True)
    sw = sw[sw["employment"].isin(["Agency", "Permanent"]).fillna(False).astype(bool)]
    agency = sw[(sw["employment"] == "Agency").astype(bool)]
    return totals(months, monthly_sum(agency, "fte", months), monthly_sum(sw, "fte", months))


@kpi(
    id="W02",
    title="Social worker turnover (R12M)",
    pillar="workforce",
    ref="3.1.1",
    polarity="down",
    unit="percent",
    grain="workers",
    window="r12m",
    needs=("staff.start_date", "staff.employment"),
    history=("staff.start_date", 11),
    definition="""
        Permanent social workers who left in the 12 months to the end of the month (end date in the
        month or the 11 before it), as a percentage of the average permanent social worker head
        count over the same 12 month ends (in post at each month end, a head count not FTE).
        Agency workers are not counted. The average uses staff records before the first month of
        the report where the 12 months reach back that far.
    """,
)
def w02_turnover(tables: Tables, months: pd.PeriodIndex):
    back = extend_back(months, 11)
    staff = tables["staff"]
    permanent = staff[
        (staff["employment"] == "Permanent").fillna(False).astype(bool)
        & staff["role"].isin(SOCIAL_WORK_ROLES).fillna(False).astype(bool)
    ]
    headcount = open_at_month_end(permanent, "start_date", "end_date", back).groupby("month", observed=True).size()
    headcount = headcount.reindex(back, fill_value=0).astype(float)
    leavers = in_month(permanent, "end_date", back).groupby("month", observed=True).size()
    leavers = leavers.reindex(back, fill_value=0).astype(float)
    numerator = leavers.rolling(12, min_periods=12).sum().reindex(months)
    denominator = headcount.rolling(12, min_periods=12).mean().reindex(months)
    return totals(months, numerator, denominator)


@kpi(
    id="W03",
    title="Vacancy rate",
    pillar="workforce",
    ref="3.1.1",
    polarity="down",
    unit="percent",
    grain="FTE",
    window="snapshot",
    needs=("establishment.budgeted_sw_fte", "staff.start_date"),
    definition="""
        At the last day of the month, team by team: vacant FTE = budgeted social worker FTE (the
        establishment for that month) minus the FTE of permanent social workers in post in the
        team, floored at 0 so an over-established team cannot offset another team's vacancies; the
        measure is total vacant FTE ÷ total establishment. Following the DfE workforce census, a
        post covered by an agency worker counts as vacant. Social workers in teams with no
        establishment row are ignored.
    """,
)
def w03_vacancy_rate(tables: Tables, months: pd.PeriodIndex):
    est = tables["establishment"]
    est = est[est["month"].isin(months)]
    est = est.groupby(["month", "team"], observed=True)["budgeted_sw_fte"].sum().reset_index()
    sw = staff_in_post(tables, months, social_workers_only=True)
    permanent = sw[(sw["employment"] == "Permanent").fillna(False).astype(bool)]
    filled = permanent.groupby(["month", "team"], observed=True)["fte"].sum().rename("filled").reset_index()
    est = est.merge(filled, on=["month", "team"], how="left")
    est["vacant"] = (est["budgeted_sw_fte"] - est["filled"].fillna(0.0)).clip(lower=0.0)
    return totals(months, monthly_sum(est, "vacant", months), monthly_sum(est, "budgeted_sw_fte", months))


@kpi(
    id="W04",
    title=f"Children with {CHANGE_OF_WORKER_LIMIT}+ social workers in {CHANGE_OF_WORKER_MONTHS} months",
    pillar="workforce",
    ref="3.1.1",
    polarity="down",
    unit="percent",
    grain="children",
    window="snapshot",
    needs=("cin_episodes.cin_start", "allocations.alloc_start", "allocations.worker_id"),
    history=("allocations.alloc_start", CHANGE_OF_WORKER_MONTHS - 1),
    definition=f"""
        At the last day of the month: children open to children's social care (an open child in
        need episode, child protection plan or period of care, each child counted once) who had
        {CHANGE_OF_WORKER_LIMIT} or more different allocated workers at any time in the {CHANGE_OF_WORKER_MONTHS} months to the month end
        (an allocation counts if it was open on any day from the first day of the month {CHANGE_OF_WORKER_MONTHS - 1} months
        earlier to the month end; the same worker allocated twice counts once), as a share of those
        open children.
    """,
)
def w04_changes_of_worker(tables: Tables, months: pd.PeriodIndex):
    children = open_children(tables, months)
    workers = distinct_in_rolling(
        tables["allocations"], "alloc_start", "alloc_end", months, CHANGE_OF_WORKER_MONTHS, "child_id", "worker_id",
        at=children,
    )
    return members(children, children["child_id"], workers >= CHANGE_OF_WORKER_LIMIT)


@kpi(
    id="W05",
    title="Mandatory training completed",
    pillar="workforce",
    ref="3.1.2",
    polarity="up",
    unit="percent",
    grain="courses",
    window="snapshot",
    needs=("training.due_date", "staff.start_date"),
    definition="""
        At the last day of the month, for staff in post (all roles): each mandatory course's
        current requirement — the latest due date on or before the month end for that worker and
        course (a refresher due later replaces the earlier one once it falls due) — counted as
        completed if it has a completion date on or before the month end, as a share of all such
        current requirements. Courses not yet due and leavers' records are not counted.
    """,
)
def w05_mandatory_training(tables: Tables, months: pd.PeriodIndex):
    training = tables["training"]
    training = training[training["mandatory"].fillna(False).astype(bool)].sort_values(["worker_id", "course", "due_date"])
    training = training.assign(
        next_due=training.groupby(["worker_id", "course"], observed=True)["due_date"].shift(-1)
    )
    # requirements current at each month end (rows x months as ints), kept once per staff record
    # of the worker in post then (an inner merge's rows, in its order), before any row is copied
    rows, month_ord = month_expansion(training, "due_date", "next_due", months)
    (worker,) = keys.codes(training["worker_id"])
    times = staff_records_in_post(month_ord, worker[rows], tables, months)
    rows, month_ord = np.repeat(rows, times), np.repeat(month_ord, times)
    current = training[["worker_id", "course", "due_date", "completed_date"]].take(rows).reset_index(drop=True)
    current["month"], current["month_end"] = month_columns(month_ord, months)
    done = current["completed_date"] <= current["month_end"]
    return members(current["month"], record_ids(current, "worker_id", "course", "due_date"), done)


@kpi(
    id="W06",
    title=f"Newly qualified SWs (ASYE) with caseload above {ASYE_CASELOAD_LIMIT}",
    pillar="workforce",
    ref="3.1.1",
    polarity="down",
    unit="percent",
    grain="workers",
    window="snapshot",
    needs=("staff.start_date", "staff.asye", "allocations.alloc_start"),
    definition=f"""
        At the last day of the month: social workers in their assessed and supported year in
        employment (joined as newly qualified, within {ASYE_MONTHS} months of their start date) in post whose
        caseload — distinct children with an allocation to
        them open at the month end — is more than {ASYE_CASELOAD_LIMIT}, as a share of all ASYE social workers in
        post.
    """,
)
def w06_asye_caseload(tables: Tables, months: pd.PeriodIndex):
    sw = staff_in_post(tables, months, social_workers_only=True)
    asye = with_caseload(sw[sw["in_asye"]], tables, months)
    return members(asye["month"], asye["worker_id"], asye["caseload"] > ASYE_CASELOAD_LIMIT)

