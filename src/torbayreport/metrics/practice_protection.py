"""Practice pillar, child protection and children in need (P07–P16, P25, P26).

Why these definitions: they follow the KPI catalogue and the DfE conventions — ICPC timeliness
is measured from the S47 start (strategy discussion) and excludes ICPCs dated before it, each
S47 counted separately (DfE table C4); "second or subsequent plan" looks at any earlier plan
however long ago (CIN table D3); "lasting 2 years or more" is of plans *ending* (table D7).
Visit measures are month-end snapshots of distinct children.
"""

from __future__ import annotations

import pandas as pd

from torbayreport.metrics.populations import open_children, open_only
from torbayreport.metrics.practice_common import flagged_events, last_visit, review_cycle, visited_within, within_working_days
from torbayreport.metrics.practice_front_door import WD_RULE
from torbayreport.metrics.registry import Fallback, kpi, members, record_ids
from torbayreport.metrics.windows import in_month, in_rolling

S47_SEEN_WD = 1  # P07
S47_COMPLETE_WD = 15  # P08
ICPC_WD = 15  # P09
CP_VISIT_WD = 10  # P13
CP_FIRST_REVIEW_MONTHS = 3  # P15: first review conference after the ICPC ...
CP_REVIEW_MONTHS = 6  # ... then every 6 months
CIN_VISIT_WD = 20  # P16
PREVIOUS_PLAN_MONTHS = 35  # P11: the 12 months of plan starts plus 2 years before them
LONG_PLAN_MONTHS = 24  # P12: a plan lasting 2 years or more

SNAPSHOT_RULE = (
    "Taken at the last day of the month: a child counts if the record started on or before that day "
    "and has no end date or ends after it (a record ending on the last day is closed). Each child "
    "counts once however many records are open."
)


def _s47_ids(frame):
    return record_ids(frame, "child_id", "strategy_date")


@kpi(
    id="P07",
    title=f"S47: child seen within {S47_SEEN_WD} working day",
    pillar="practice",
    ref="2.4.1",
    polarity="up",
    unit="percent",
    grain="events (S47 enquiries)",
    window="flow",
    needs=("s47.strategy_date", "s47.child_seen_date"),
    definition=f"""Section 47 enquiries started in the month (strategy discussion date) where the
    child was seen at most {S47_SEEN_WD} working day after the start, as a share of S47s started in the month.
    {WD_RULE} An enquiry with no seen date, or a seen date before the start, does not count as seen
    in time. Each enquiry counts.""",
)
def p07_s47_seen(tables, months):
    started = in_month(tables["s47"], "strategy_date", months)
    ok = within_working_days(started["strategy_date"], started["child_seen_date"], S47_SEEN_WD, not_before_start=True)
    return members(started, _s47_ids(started), ok)


@kpi(
    id="P08",
    title=f"S47 completed within {S47_COMPLETE_WD} working days",
    pillar="practice",
    ref="2.4.1",
    polarity="up",
    unit="percent",
    grain="events (S47 enquiries)",
    window="flow",
    needs=("s47.strategy_date", "s47.completed_date"),
    definition=f"""Section 47 enquiries completed in the month whose start-to-completion time is at
    most {S47_COMPLETE_WD} working days, as a share of S47s completed in the month. {WD_RULE} Open enquiries are
    counted in the month they complete.""",
)
def p08_s47_completed(tables, months):
    done = in_month(tables["s47"], "completed_date", months)
    ok = within_working_days(done["strategy_date"], done["completed_date"], S47_COMPLETE_WD)
    return members(done, _s47_ids(done), ok)


@kpi(
    id="P09",
    title=f"ICPC within {ICPC_WD} working days of the strategy discussion",
    pillar="practice",
    ref="2.4.1",
    polarity="up",
    unit="percent",
    grain="events (ICPCs, one per S47)",
    window="flow",
    needs=("s47.strategy_date", "s47.icpc_date"),
    definition=f"""Initial child protection conferences held in the month at most {ICPC_WD} working days
    after their S47 start (the strategy discussion), as a share of ICPCs held in the month.
    {WD_RULE} As DfE does, an ICPC dated before its S47 start is excluded from both numerator and
    denominator (it is a recording error, not a timely conference), and each S47 counts separately.""",
)
def p09_icpc_timeliness(tables, months):
    s47 = tables["s47"]
    valid = s47[(s47["icpc_date"] >= s47["strategy_date"]).fillna(False).to_numpy(dtype=bool)]
    held = in_month(valid, "icpc_date", months)
    ok = within_working_days(held["strategy_date"], held["icpc_date"], ICPC_WD)
    return members(held, _s47_ids(held), ok)


@kpi(
    id="P10",
    title="S47s leading to an ICPC",
    pillar="practice",
    ref="2.4.1",
    polarity="target",
    unit="percent",
    grain="events (S47 enquiries)",
    window="flow",
    needs=("s47.completed_date",),
    definition="""Section 47 enquiries completed in the month that have an initial child protection
    conference date recorded, as a share of S47s completed in the month. Closer to the target is
    better: too few can mean risk is missed, too many that conferences are used where support would
    do. Each enquiry counts.""",
)
def p10_s47_to_icpc(tables, months):
    done = in_month(tables["s47"], "completed_date", months)
    return members(done, _s47_ids(done), done["icpc_date"].notna())


@kpi(
    id="P11",
    title="CP plans starting that are second or subsequent",
    pillar="practice",
    ref="2.4.1",
    polarity="down",
    unit="percent",
    grain="events (plans started)",
    window="r12m",
    needs=("cp_plans.cp_start",),
    history=("cp_plans.cp_start", PREVIOUS_PLAN_MONTHS),
    fallback=Fallback(("cp_plans.previous_cp_plans",), lambda tables, months: _p11_from_count(tables, months)),
    definition=f"""Rolling 12 months: child protection plans starting in the 12 months to the month
    end for a child who had any earlier plan (any earlier plan start in the records, however long
    ago, as DfE counts), as a share of plans starting in those 12 months. Each plan counts, so a
    child with two plans starting in the year counts twice (the second as a repeat). The plan
    history must reach back {PREVIOUS_PLAN_MONTHS} months before the month (the 12 months and the
    {PREVIOUS_PLAN_MONTHS - 11} before them); where it does not and the extract has Annex A's
    'number of previous child protection plans', a plan with a count above 0 is a repeat.""",
)
def p11_repeat_plans(tables, months):
    plans = tables["cp_plans"].sort_values(["child_id", "cp_start"])
    repeat = plans.groupby("child_id").cumcount().to_numpy() > 0
    return flagged_events(plans, repeat, "cp_start", months, ("child_id", "cp_start"), rolling_months=12)


def _p11_from_count(tables, months):
    """P11 from List 7's count column: previous plans above 0 means a repeat plan."""
    started = in_rolling(tables["cp_plans"], "cp_start", months, 12)
    return members(started, record_ids(started, "child_id", "cp_start"), started["previous_cp_plans"] > 0)


@kpi(
    id="P12",
    title="CP plans ended that lasted 2 years or more",
    pillar="practice",
    ref="2.4.1",
    polarity="down",
    unit="percent",
    grain="events (plans ended)",
    window="r12m",
    needs=("cp_plans.cp_start", "cp_plans.cp_end"),
    history=("cp_plans.cp_start", LONG_PLAN_MONTHS),
    definition=f"""Rolling 12 months: child protection plans that ended in the 12 months to the month
    end and had lasted {LONG_PLAN_MONTHS // 12} years or more (end date on or after the start date
    plus {LONG_PLAN_MONTHS // 12} calendar years),
    as a share of all plans ending in those 12 months. Each plan counts.""",
)
def p12_long_plans(tables, months):
    plans = tables["cp_plans"]
    long = plans["cp_start"] + pd.DateOffset(months=LONG_PLAN_MONTHS) <= plans["cp_end"]
    return flagged_events(plans, long, "cp_end", months, ("child_id", "cp_start"), rolling_months=12)


@kpi(
    id="P13",
    title=f"CP visits within {CP_VISIT_WD} working days",
    pillar="practice",
    ref="2.4.2",
    polarity="up",
    unit="percent",
    grain="children (on a plan at month end)",
    window="snapshot",
    needs=("cp_plans.cp_start", "visits.visit_date"),
    history=("visits.visit_date", 1),
    definition=f"""Children on a child protection plan at the month end whose latest child protection
    visit on or before the month end was at most {CP_VISIT_WD} working days before it, as a share of children
    on a plan. {SNAPSHOT_RULE} {WD_RULE} Only visits recorded as CP visits count; a child with no
    visit is not seen in time.""",
)
def p13_cp_visits(tables, months):
    return visited_within(open_children(tables, months, "cp_plans"), tables, "CP", CP_VISIT_WD, working_days=True)


@kpi(
    id="P14",
    title="CP children seen alone at last visit",
    pillar="practice",
    ref="2.4.2",
    polarity="up",
    unit="percent",
    grain="children (on a plan at month end)",
    window="snapshot",
    needs=("cp_plans.cp_start", "visits.visit_date", "visits.seen_alone"),
    history=("visits.visit_date", 1),
    definition=f"""Children on a child protection plan at the month end whose latest child protection
    visit on or before the month end recorded them as seen alone, as a share of children on a plan.
    {SNAPSHOT_RULE} A child with no visit, or with 'seen alone' blank, does not count as seen alone.""",
)
def p14_cp_seen_alone(tables, months):
    snap = last_visit(open_children(tables, months, "cp_plans"), tables, "CP")
    return members(snap, snap["child_id"], snap["seen_alone"])


@kpi(
    id="P15",
    title="CP review conferences in timescale",
    pillar="practice",
    ref="2.4.1",
    polarity="up",
    unit="percent",
    grain="events (reviews due)",
    window="flow",
    needs=("cp_plans.cp_start",),
    history=("cp_reviews.review_date", CP_REVIEW_MONTHS),
    definition=f"""Child protection review conferences falling due in the month that were held on or
    before their due date, as a share of reviews due in the month. The first review is due {CP_FIRST_REVIEW_MONTHS}
    calendar months after the plan start (the ICPC); each later review {CP_REVIEW_MONTHS} months after the review
    before it was actually held. A review held late counts as not in time in the month it was due;
    a review not held at all counts as missed in the month it fell due, as long as the plan was
    still open on the due date — a plan that ended on or before a due date with no review had no
    review due.""",
)
def p15_cp_reviews(tables, months):
    plans = tables["cp_plans"]
    due = review_cycle(
        tables["cp_reviews"],
        plans,
        keys=["child_id", "cp_start"],
        end="cp_end",
        first_due=plans["cp_start"] + pd.DateOffset(months=CP_FIRST_REVIEW_MONTHS),
        interval_after=[pd.DateOffset(months=CP_REVIEW_MONTHS)],
    )
    due = in_month(due, "due", months)
    return members(due, record_ids(due, "child_id", "cp_start", "due"), due["on_time"])


@kpi(
    id="P16",
    title=f"CIN visits within {CIN_VISIT_WD} working days",
    pillar="practice",
    ref="2.4.2",
    polarity="up",
    unit="percent",
    grain="children (CIN, not CP or CLA, at month end)",
    window="snapshot",
    needs=("cin_episodes.cin_start", "visits.visit_date"),
    history=("visits.visit_date", 1),
    definition=f"""Children in need at the month end who are neither on a child protection plan nor
    looked after at that month end (those have their own visit measures), whose latest CIN visit on
    or before the month end was at most {CIN_VISIT_WD} working days before it, as a share of those children.
    {SNAPSHOT_RULE} {WD_RULE}""",
)
def p16_cin_visits(tables, months):
    cin = open_only(tables, months, "cin_episodes", "cp_plans", "cla_periods")
    return visited_within(cin, tables, "CIN", CIN_VISIT_WD, working_days=True)


@kpi(
    id="P25",
    title="CP medicals where physical abuse is disclosed",
    pillar="practice",
    ref="2.2.1",
    polarity="up",
    unit="percent",
    grain="events (S47 enquiries)",
    window="r12m",
    needs=("s47.strategy_date", "s47.physical_abuse_disclosed"),
    history=("s47.strategy_date", 11),
    definition="""Rolling 12 months: section 47 enquiries started (strategy discussion) in the 12
    months to the month end in which physical abuse was disclosed and a child protection medical
    date is recorded, as a share of S47s started in those 12 months with physical abuse disclosed.
    Enquiries with the disclosure flag blank are not in the cohort. Each enquiry counts.""",
)
def p25_cp_medicals(tables, months):
    s47 = tables["s47"]
    disclosed = s47[s47["physical_abuse_disclosed"].fillna(False).to_numpy(dtype=bool)]
    window = in_rolling(disclosed, "strategy_date", months, 12)
    return members(window, _s47_ids(window), window["cp_medical_date"].notna())


@kpi(
    id="P26",
    title="Disputes (DRPs) raised by IROs/CP chairs",
    pillar="practice",
    ref="2.4.3",
    polarity="up",
    unit="count",
    grain="events (disputes raised)",
    window="flow",
    needs=("drps.raised_date",),
    definition="""The number of disputes (dispute resolution process) raised in the month by
    independent reviewing officers or child protection chairs, by date raised. Disputes raised by
    others are not counted. Context measure: more challenge is read as healthier oversight.""",
)
def p26_drps(tables, months):
    drps = tables["drps"]
    drps = drps[drps["raised_by"].isin(["IRO", "CP chair"]).fillna(False).to_numpy(dtype=bool)]
    raised = in_month(drps, "raised_date", months)
    return members(raised, raised["drp_id"], pd.Series(True, index=raised.index))

