"""KPIs of the leadership pillar — leadership, management and governance (plan objectives 1.1–1.3).

Definitions follow ../shared/spec/indicators.md; where the catalogue leaves a choice open the rule
chosen is written into the KPI's definition text, which the report prints. Every compute function
works on all months of the window at once (rows expanded to months by :mod:`windows`, then
grouped); none loops over months or rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.calendar import working_days_between
from torbayreport.metrics.populations import (
    ASYE_MONTHS,
    case_holding_social_workers,
    children_allocated_to,
    monthly_sum,
    open_children,
    staff_in_post,
    with_caseload,
)
from torbayreport.metrics.registry import Tables, kpi, members, record_ids, totals
from torbayreport.metrics.windows import in_month, in_rolling, latest_on_or_before, month_ends

CASELOAD_LIMIT = 22  # L02: the 2019 monitoring visit found social workers with "over 22 children"
SUPERVISION_DAYS = 28  # L03: policy interval, calendar days
SUPERVISION_DAYS_ASYE = 14
OVERSIGHT_DAYS = 30  # L04
RHI_HOURS = 72  # L05
MISSING_REPEAT = 3  # L06
LADO_WORKING_DAYS = 1  # L08


@kpi(
    id="L01",
    title="Average caseload per case-holding social worker",
    pillar="leadership",
    ref="1.1.4",
    polarity="down",
    unit="ratio",
    grain="children per FTE",
    window="snapshot",
    needs=("staff.start_date", "staff.fte", "allocations.alloc_start"),
    definition="""
        At the last day of the month: the number of distinct children with an allocation open to a
        case-holding social worker, divided by the total FTE of case-holding social workers in post.
        Social workers are the registered roles (social worker, senior practitioner, team manager,
        service manager, IRO); case-holding is the staff record's flag. An allocation or a worker
        whose end date is the last day of the month has ended by the month end. A child allocated to
        two workers counts once; allocations to anyone else (e.g. family support workers) do not
        count.
    """,
)
def l01_average_caseload(tables: Tables, months: pd.PeriodIndex):
    workers = case_holding_social_workers(tables, months)
    children = children_allocated_to(workers, tables, months)
    return totals(months, children, monthly_sum(workers, "fte", months))


@kpi(
    id="L02",
    title=f"Case-holding SWs with more than {CASELOAD_LIMIT} children",
    pillar="leadership",
    ref="1.1.4",
    polarity="down",
    unit="percent",
    grain="workers",
    window="snapshot",
    needs=("staff.start_date", "allocations.alloc_start"),
    definition=f"""
        At the last day of the month: case-holding social workers in post whose caseload (distinct
        children with an allocation to them open at the month end) is more than {CASELOAD_LIMIT}, as a share of
        all case-holding social workers in post (a head count, including any with no children).
        The caseload is not adjusted for part-time hours.
    """,
)
def l02_caseload_over_22(tables: Tables, months: pd.PeriodIndex):
    workers = with_caseload(case_holding_social_workers(tables, months), tables, months)
    return members(workers["month"], workers["worker_id"], workers["caseload"] > CASELOAD_LIMIT)


@kpi(
    id="L03",
    title="Supervision within timescale",
    pillar="leadership",
    ref="1.2.1",
    polarity="up",
    unit="percent",
    grain="workers",
    window="snapshot",
    needs=("staff.start_date", "supervision.supervision_date"),
    history=("supervision.supervision_date", 1),
    definition=f"""
        At the last day of the month: case-holding staff in post (any role with the case-holding
        flag) whose most recent recorded supervision on or before the month end was no more than {SUPERVISION_DAYS}
        calendar days before it ({SUPERVISION_DAYS_ASYE} days for newly qualified social workers in their ASYE year, the {ASYE_MONTHS} months from their start date), as a
        share of all case-holding staff in post. Someone with no supervision recorded is counted as
        out of timescale, including a new starter.
    """,
)
def l03_supervision(tables: Tables, months: pd.PeriodIndex):
    staff = staff_in_post(tables, months)
    staff = staff[staff["case_holding"].fillna(False).astype(bool)]
    staff = latest_on_or_before(staff, "month_end", tables["supervision"], "supervision_date", "worker_id", "last_sup")
    limit = np.where(staff["in_asye"], SUPERVISION_DAYS_ASYE, SUPERVISION_DAYS)
    elapsed = (staff["month_end"] - staff["last_sup"]).dt.days
    return members(staff["month"], staff["worker_id"], elapsed <= limit)


@kpi(
    id="L04",
    title="Management oversight recorded in timescale",
    pillar="leadership",
    ref="1.2.1, 2.3.3",
    polarity="up",
    unit="percent",
    grain="children",
    window="snapshot",
    needs=("cin_episodes.cin_start", "oversight.oversight_date"),
    history=("oversight.oversight_date", 1),
    definition=f"""
        At the last day of the month: children open to children's social care (an open child in
        need episode, child protection plan or period of care at the month end, each child counted
        once) whose most recent management-oversight case note on or before the month end is no
        more than {OVERSIGHT_DAYS} calendar days before it, as a share of those open children.
    """,
)
def l04_management_oversight(tables: Tables, months: pd.PeriodIndex):
    children = open_children(tables, months)
    children = latest_on_or_before(children, "month_end", tables["oversight"], "oversight_date", "child_id", "last_note")
    elapsed = (children["month_end"] - children["last_note"]).dt.days
    return members(children["month"], children["child_id"], elapsed <= OVERSIGHT_DAYS)


@kpi(
    id="L05",
    title=f"Return home interviews within {RHI_HOURS} hours",
    pillar="leadership",
    ref="1.3.1",
    polarity="up",
    unit="percent",
    grain="missing episodes",
    window="flow",
    needs=("missing.returned_at", "missing.rhi_at"),
    definition=f"""
        Missing episodes whose return (date and time the child came back) falls in the month, with
        a return home interview that took place no more than {RHI_HOURS} hours (clock hours, not working
        days) after the return, as a share of all missing episodes that ended in the month. An
        episode with no interview recorded, or one declined, counts as not within {RHI_HOURS} hours; an
        episode with no return recorded is not yet ended and is not counted.
    """,
)
def l05_return_home_interviews(tables: Tables, months: pd.PeriodIndex):
    ended = in_month(tables["missing"], "returned_at", months)
    gap = ended["rhi_at"] - ended["returned_at"]
    on_time = (gap >= pd.Timedelta(0)) & (gap <= pd.Timedelta(hours=RHI_HOURS))
    return members(ended["month"], record_ids(ended, "child_id", "missing_start"), on_time)


@kpi(
    id="L06",
    title=f"Children with {MISSING_REPEAT}+ missing episodes in 12 months",
    pillar="leadership",
    ref="1.3.1",
    polarity="down",
    unit="count",
    grain="children",
    window="r12m",
    needs=("missing.missing_start",),
    history=("missing.missing_start", 11),
    definition=f"""
        The number of distinct children who had {MISSING_REPEAT} or more missing episodes starting in the 12
        months to the end of the month (the month and the 11 before it), each child counted once
        however many episodes they had.
    """,
)
def l06_repeat_missing(tables: Tables, months: pd.PeriodIndex):
    window = in_rolling(tables["missing"][["missing_start", "child_id"]], "missing_start", months, 12)
    per_child = window.groupby(["month", "child_id"], observed=True).size().rename("episodes").reset_index()
    repeat = per_child[per_child["episodes"] >= MISSING_REPEAT]
    return members(repeat["month"], repeat["child_id"], np.ones(len(repeat), dtype=bool))


def _tracker_rows(tables: Tables, months: pd.PeriodIndex) -> pd.DataFrame:
    """The tracker's rows for each month of the window, with that month's last day."""
    actions = tables["plan_actions"]
    actions = actions[actions["month"].isin(months)]
    actions = actions.assign(month_end=month_ends(pd.PeriodIndex(actions["month"], freq="M")).to_numpy())
    return actions.reset_index(drop=True)


def _live_actions(tables: Tables, months: pd.PeriodIndex) -> pd.DataFrame:
    """Tracker rows not yet Complete (a blank status counts as not complete)."""
    actions = _tracker_rows(tables, months)
    return actions[(actions["status"] != "Complete").fillna(True).astype(bool)].reset_index(drop=True)


@kpi(
    id="L07",
    title="Improvement actions on track",
    pillar="leadership",
    ref="1.1.5",
    polarity="up",
    unit="percent",
    grain="actions",
    window="snapshot",
    needs=("plan_actions.month", "plan_actions.rag"),
    definition="""
        From the improvement plan tracker as updated for the month: actions rated Green (on track,
        or completed and rated Green), as a share of the actions that are due to be live — every
        action in that month's tracker that is In progress or Complete, plus any Not started action
        whose due date has passed (on or before the month end). A Not started action due later is
        not yet expected to be live and is left out. The number of actions past their due date and
        not complete is reported alongside as L07b.
    """,
)
def l07_actions_on_track(tables: Tables, months: pd.PeriodIndex):
    actions = _tracker_rows(tables, months)
    not_started = (actions["status"] == "Not started").fillna(False).astype(bool)
    due_passed = (actions["due_date"] <= actions["month_end"]).fillna(False).astype(bool)
    due_to_be_live = actions[~not_started | due_passed]
    return members(due_to_be_live["month"], due_to_be_live["ref"], due_to_be_live["rag"] == "Green")


@kpi(
    id="L07b",
    title="Improvement actions overdue",
    pillar="leadership",
    ref="1.1.5",
    polarity="down",
    unit="count",
    grain="actions",
    window="snapshot",
    needs=("plan_actions.month", "plan_actions.status"),
    definition="""
        From the improvement plan tracker as updated for the month: the number of actions not yet
        Complete whose due date is on or before the last day of the month. Actions with no due date
        are not counted as overdue.
    """,
)
def l07b_actions_overdue(tables: Tables, months: pd.PeriodIndex):
    live = _live_actions(tables, months)
    overdue = live[(live["due_date"] <= live["month_end"]).fillna(False).astype(bool)]
    return members(overdue["month"], overdue["ref"], np.ones(len(overdue), dtype=bool))


@kpi(
    id="L08",
    title=f"LADO referrals with initial consideration within {LADO_WORKING_DAYS} working day",
    pillar="leadership",
    ref="1.2.2",
    polarity="up",
    unit="percent",
    grain="referrals",
    window="flow",
    needs=("lado.referral_date", "lado.considered_date"),
    definition=f"""
        LADO referrals received in the month whose initial consideration was recorded within {LADO_WORKING_DAYS}
        working day (England and Wales working days: weekends and bank holidays excluded; the
        referral day is day 0, so same day or next working day), as a share of LADO referrals
        received in the month. A referral not yet considered counts as not within timescale.
    """,
)
def l08_lado_timeliness(tables: Tables, months: pd.PeriodIndex):
    refs = in_month(tables["lado"], "referral_date", months)
    elapsed = working_days_between(refs["referral_date"], refs["considered_date"])
    return members(refs["month"], refs["lado_id"], elapsed <= LADO_WORKING_DAYS)
