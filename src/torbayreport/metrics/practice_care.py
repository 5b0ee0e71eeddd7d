"""Practice pillar, children looked after, care leavers and the edge of care (P17–P24, P27a/b).

Why these definitions: they follow the KPI catalogue and the DfE looked-after-children
(SSDA903) conventions — short-term stability is "3 or more placements during the year" for
children looked after at the period end, long-term stability is under-16s looked after
continuously for 2.5+ years who have been in the same placement for 2+ years or are placed for
adoption, and the care-leaver measures are of 19–21-year-olds the council is in touch with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.calendar import add_working_days
from torbayreport.metrics import keys
from torbayreport.metrics.populations import count_child_months, find_child_months, latest_open, open_children
from torbayreport.metrics.practice_common import MONTH, age_at, flagged_events, review_cycle, visited_within, with_dob
from torbayreport.metrics.practice_protection import SNAPSHOT_RULE
from torbayreport.metrics.registry import Fallback, kpi, members, record_ids
from torbayreport.metrics.windows import in_month, in_rolling, latest_on_or_before, rolling_expansion

CLA_VISIT_DAYS = 42  # P17: 6 weeks, calendar days
CLA_FIRST_REVIEW_WD = 20  # P18: first review 20 working days after the period of care starts,
CLA_SECOND_REVIEW_MONTHS = 3  # the second 3 months after the first,
CLA_REVIEW_MONTHS = 6  # then every 6 months
HEALTH_SETTLED_DAYS = 28  # P19: in care at least 28 days before a health assessment is expected
HEALTH_AGE = 5  # P19: under 5 -> every 6 months; 5 and over -> every 12 months
HEALTH_MONTHS_UNDER, HEALTH_MONTHS_OVER = 6, 12
STABILITY_AGE = 16  # P21: under-16s ...
STABILITY_CARE_MONTHS = 30  # ... looked after 2.5 years or more ...
STABILITY_PLACEMENT_MONTHS = 24  # ... in the same placement 2 years or more
RE_ENTRY_MONTHS = 12  # P22
PLO_DAYS, PLO_COMPLEX_DAYS = 84, 112  # P23: 12 weeks, 16 weeks for a complex episode
PLACEMENTS_LIMIT = 3  # P20: 3 or more placements in 12 months
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
EET_ACTIVITIES = ("F1", "P1", "F2", "P2", "F3", "P3")


def _cla(tables, months) -> pd.DataFrame:
    return open_children(tables, months, "cla_periods")


@kpi(
    id="P17",
    title=f"Children looked after visited within {CLA_VISIT_DAYS // 7} weeks",
    pillar="practice",
    ref="2.6.1",
    polarity="up",
    unit="percent",
    grain="children (looked after at month end)",
    window="snapshot",
    needs=("cla_periods.cla_start", "visits.visit_date"),
    history=("visits.visit_date", 1),
    definition=f"""Children looked after at the month end whose latest looked-after-child visit on
    or before the month end was at most {CLA_VISIT_DAYS} calendar days ({CLA_VISIT_DAYS // 7} weeks) before it, as a share of
    children looked after. {SNAPSHOT_RULE} Calendar days, not working days; only visits recorded as
    CLA visits count; a child with no visit is not visited in time.""",
)
def p17_cla_visits(tables, months):
    return visited_within(_cla(tables, months), tables, "CLA", CLA_VISIT_DAYS, working_days=False)


def _reviews_in_periods(reviews: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Each CLA review tagged with the period of care it falls in (List 8 reviews carry no period).

    The period is the child's latest one starting on or before the review; a review after that
    period ended belongs to no period and is not used.
    """
    rev = reviews[["child_id", "review_date"]].dropna().sort_values("review_date")
    rev = rev.assign(child_id=rev["child_id"].astype("string"))
    per = periods[["child_id", "cla_start", "cla_end"]].sort_values("cla_start")
    per = per.assign(child_id=per["child_id"].astype("string"))
    tagged = pd.merge_asof(rev, per, left_on="review_date", right_on="cla_start", by="child_id", direction="backward")
    inside = tagged["cla_start"].notna() & (tagged["cla_end"].isna() | (tagged["review_date"] <= tagged["cla_end"]))
    return tagged[inside.fillna(False).to_numpy(dtype=bool)][["child_id", "cla_start", "review_date"]]


@kpi(
    id="P18",
    title="CLA reviews in timescale",
    pillar="practice",
    ref="2.4.3",
    polarity="up",
    unit="percent",
    grain="events (reviews due)",
    window="flow",
    needs=("cla_periods.cla_start",),
    history=("cla_reviews.review_date", CLA_REVIEW_MONTHS),
    definition=f"""Looked-after reviews falling due in the month that were held on or before their due
    date, as a share of reviews due in the month. The first review is due {CLA_FIRST_REVIEW_WD} working days after the
    period of care starts (start day is day 0, bank holidays excluded), the second {CLA_SECOND_REVIEW_MONTHS} calendar months
    after the first was held, then every {CLA_REVIEW_MONTHS} months after the review before. A review held late
    counts as not in time in the month it was due; a review not held at all counts as missed in the
    month it fell due if the child was still looked after on the due date — a period of care that
    ended on or before a due date had no review due. Reviews are matched to the period of care they
    fall in.""",
)
def p18_cla_reviews(tables, months):
    periods = tables["cla_periods"]
    due = review_cycle(
        _reviews_in_periods(tables["cla_reviews"], periods),
        periods,
        keys=["child_id", "cla_start"],
        end="cla_end",
        first_due=pd.Series(add_working_days(periods["cla_start"], CLA_FIRST_REVIEW_WD), index=periods.index),
        interval_after=[pd.DateOffset(months=CLA_SECOND_REVIEW_MONTHS), pd.DateOffset(months=CLA_REVIEW_MONTHS)],
    )
    due = in_month(due, "due", months)
    return members(due, record_ids(due, "child_id", "cla_start", "due"), due["on_time"])


@kpi(
    id="P19",
    title="CLA health assessments up to date",
    pillar="practice",
    ref="2.6.1",
    polarity="up",
    unit="percent",
    grain="children (looked after 28+ days at month end)",
    window="snapshot",
    needs=("cla_periods.cla_start", "health_assessments.assessment_date"),
    history=("health_assessments.assessment_date", HEALTH_MONTHS_OVER),
    definition=f"""Children looked after at the month end who had been in their current period of
    care for at least {HEALTH_SETTLED_DAYS} calendar days, whose latest health assessment on or before the month end
    was within the last {HEALTH_MONTHS_UNDER} months (children under {HEALTH_AGE} at the month end) or
    {HEALTH_MONTHS_OVER} months (aged {HEALTH_AGE} and over), as a share of those children. Age from the date of birth; a child with no date of birth
    is held to the stricter {HEALTH_MONTHS_UNDER}-month rule. {SNAPSHOT_RULE}""",
)
def p19_health_assessments(tables, months):
    cla = _cla(tables, months)
    cla = cla[((cla["month_end"] - cla["cla_start"]).dt.days >= HEALTH_SETTLED_DAYS).to_numpy()]
    cla = with_dob(cla, tables)
    snap = latest_on_or_before(cla, "month_end", tables["health_assessments"], "assessment_date", "child_id", "assessment_date")
    age = age_at(snap["date_of_birth"], snap["month_end"])
    five_plus = (age >= HEALTH_AGE).fillna(False).to_numpy(dtype=bool)
    since = np.where(
        five_plus,
        snap["month_end"] - pd.DateOffset(months=HEALTH_MONTHS_OVER),
        snap["month_end"] - pd.DateOffset(months=HEALTH_MONTHS_UNDER),
    )
    ok = snap["assessment_date"] >= pd.Series(since, index=snap.index).astype("datetime64[ns]")
    return members(snap, snap["child_id"], ok)


@kpi(
    id="P20",
    title="Short-term placement stability",
    pillar="practice",
    ref="2.6.2",
    polarity="down",
    unit="percent",
    grain="children (looked after at month end)",
    window="snapshot",
    needs=("cla_periods.cla_start", "placements.placement_start"),
    history=("placements.placement_start", 11),
    fallback=Fallback(
        ("cla_periods.placements_last_12m",), lambda tables, months: _p20_from_count(tables, months), as_at_extract=True
    ),
    definition=f"""Children looked after at the month end who had {PLACEMENTS_LIMIT} or more placements during the 12
    months to the month end, as a share of children looked after. As DfE counts 'placements during
    the year', a placement counts if any part of it falls in those 12 months (it started on or
    before the month end and had not ended before the first day of the 12 months), so the placement
    a child was already in at the start of the year counts too. Temporary placements (codes T0–T4:
    holidays, hospital, respite) are absences, not moves, and are not counted. {SNAPSHOT_RULE}
    Where the placement history does not reach back 12 months, the extract's last month is counted
    from Annex A's 'number of placements in the last 12 months' (as at the extract date) if present.""",
)
@keys.in_run
def p20_short_term_stability(tables, months):
    cla = _cla(tables, months)[["child_id", "month", "month_end"]]
    placements = tables["placements"]
    placements = placements[~placements["placement_type"].isin(TEMPORARY_PLACEMENTS).fillna(False).to_numpy(dtype=bool)]
    # a placement counts for month m when it touches the 12 months m-11 .. m (started by the month
    # end, not ended before the first day of the month 11 months earlier): one (row, month) pair each
    idx, month_ord = rolling_expansion(placements, "placement_start", "placement_end", months, 12)
    (child,) = keys.codes(placements["child_id"])
    moves = count_child_months(cla, month_ord, child[idx])
    return members(cla, cla["child_id"], moves >= PLACEMENTS_LIMIT)


def _p20_from_count(tables, months):
    """P20 from List 8's count column, for the child's period of care open at the month end."""
    cla = _cla(tables, months)
    return members(cla, cla["child_id"], cla["placements_last_12m"] >= PLACEMENTS_LIMIT)


@kpi(
    id="P21",
    title="Long-term placement stability",
    pillar="practice",
    ref="2.6.4",
    polarity="up",
    unit="percent",
    grain="children (under 16, looked after 2.5+ years, at month end)",
    window="snapshot",
    needs=("cla_periods.cla_start", "placements.placement_start", "children.date_of_birth"),
    history=("placements.placement_start", STABILITY_CARE_MONTHS),
    definition=f"""Children under {STABILITY_AGE} at the month end who had been looked after continuously for at
    least {STABILITY_CARE_MONTHS / 12:g} years (current period of care started at least {STABILITY_CARE_MONTHS} calendar months before the month
    end) and who had been in their current placement for at least {STABILITY_PLACEMENT_MONTHS // 12} years (placement start plus
    {STABILITY_PLACEMENT_MONTHS} calendar months on or before the month end) or were placed for adoption (placement types A3–A6),
    as a share of those under-{STABILITY_AGE}s (the DfE long-term stability measure). A child with no date of
    birth cannot be placed in the age band and is left out (missing dates of birth are reported in
    the data-quality appendix). Where two placements are open at once, the latest started is the
    current one. {SNAPSHOT_RULE}""",
)
@keys.in_run
def p21_long_term_stability(tables, months):
    cla = with_dob(_cla(tables, months), tables)
    age = age_at(cla["date_of_birth"], cla["month_end"])
    long_looked_after = cla["cla_start"] + pd.DateOffset(months=STABILITY_CARE_MONTHS) <= cla["month_end"]
    cohort = cla[((age < STABILITY_AGE).fillna(False) & long_looked_after).to_numpy(dtype=bool)].reset_index(drop=True)
    placements = tables["placements"]
    rows, month_ord, child = latest_open(placements, "placement_start", "placement_end", months)  # the current one
    pos = find_child_months(cohort, month_ord, child)
    current = np.where(pos >= 0, rows[np.maximum(pos, 0)] if len(rows) else -1, -1)
    snap = cohort.assign(
        placement_start=placements["placement_start"].array.take(current, allow_fill=True),
        placement_type=placements["placement_type"].array.take(current, allow_fill=True),
    )
    stable = (snap["placement_start"] + pd.DateOffset(months=STABILITY_PLACEMENT_MONTHS) <= snap["month_end"]).fillna(False)
    adoption = snap["placement_type"].isin(ADOPTION_PLACEMENTS).fillna(False)
    return members(snap, snap["child_id"], stable | adoption)


@kpi(
    id="P22",
    title=f"Re-entering care within {RE_ENTRY_MONTHS} months",
    pillar="practice",
    ref="2.6.3",
    polarity="down",
    unit="percent",
    grain="events (periods of care started)",
    window="r12m",
    needs=("cla_periods.cla_start",),
    history=("cla_periods.cla_start", RE_ENTRY_MONTHS + 11),
    definition=f"""Rolling 12 months: periods of care starting in the 12 months to the month end that
    began within {RE_ENTRY_MONTHS} months of the same child's previous period of care ending (previous end on or
    before the new start, and no more than {RE_ENTRY_MONTHS} calendar months before it), as a share of all periods
    starting in those 12 months. The previous period can be from before the report window. Each
    period counts.""",
)
def p22_re_entries(tables, months):
    periods = tables["cla_periods"].sort_values(["child_id", "cla_start"])
    previous_end = periods.groupby("child_id")["cla_end"].shift(1)
    re_entry = (previous_end <= periods["cla_start"]) & (
        previous_end >= periods["cla_start"] - pd.DateOffset(months=RE_ENTRY_MONTHS)
    )
    return flagged_events(periods, re_entry, "cla_start", months, ("child_id", "cla_start"), rolling_months=12)


@kpi(
    id="P23",
    title=f"Pre-proceedings (PLO) concluded within {PLO_DAYS // 7} weeks",
    pillar="practice",
    ref="2.8.1",
    polarity="up",
    unit="percent",
    grain="events (PLO episodes concluded)",
    window="flow",
    needs=("plo.plo_start", "plo.plo_end"),
    definition=f"""Pre-proceedings (PLO) episodes concluded in the month (by end date) that lasted at
    most {PLO_DAYS // 7} weeks ({PLO_DAYS} calendar days) from start to end — {PLO_COMPLEX_DAYS // 7} weeks ({PLO_COMPLEX_DAYS} days) where the episode is
    flagged complex — as a share of episodes concluded in the month. A blank complexity flag is
    read as not complex. Each episode counts.""",
)
def p23_plo(tables, months):
    done = in_month(tables["plo"], "plo_end", months)
    limit = np.where(done["complex"].fillna(False).to_numpy(dtype=bool), PLO_COMPLEX_DAYS, PLO_DAYS)
    ok = (done["plo_end"] - done["plo_start"]).dt.days <= limit
    return members(done, record_ids(done, "child_id", "plo_start"), ok)


@kpi(
    id="P24",
    title="Homeless 16/17-year-olds assessed",
    pillar="practice",
    ref="2.7.1",
    polarity="up",
    unit="percent",
    grain="events (presentations)",
    window="r12m",
    needs=("homeless_16_17.presented_date",),
    history=("homeless_16_17.presented_date", 11),
    definition="""Rolling 12 months: presentations of homeless 16- and 17-year-olds in the 12 months
    to the month end that have a social work assessment date recorded, as a share of all such
    presentations. Each presentation counts, so a young person presenting twice counts twice.""",
)
def p24_homeless_assessed(tables, months):
    window = in_rolling(tables["homeless_16_17"], "presented_date", months, 12)
    return members(window, record_ids(window, "young_person_id", "presented_date"), window["assessed_date"].notna())


def _care_leavers_19_21(tables, months) -> pd.DataFrame:
    """Care-leaver rows of window months: former relevant / relevant, aged 19–21 at the month end, in touch."""
    leavers = tables["care_leavers"]
    leavers = leavers[leavers["month"].isin(months).to_numpy(dtype=bool)]
    leavers = leavers.assign(
        month=leavers["month"].astype(MONTH),
        month_end=(leavers["month"].dt.to_timestamp(how="start") + pd.offsets.MonthEnd(0)).to_numpy(),
    )
    leavers = with_dob(leavers, tables)
    age = age_at(leavers["date_of_birth"], leavers["month_end"])
    keep = (
        ((age >= 19) & (age <= 21)).fillna(False)
        & (leavers["eligibility"] != "Qualifying").fillna(False)
        & (leavers["in_touch"] == "Yes").fillna(False)
    )
    return leavers[keep.to_numpy(dtype=bool)].reset_index(drop=True)


CARE_LEAVER_RULE = """Care leavers aged 19, 20 or 21 at the month end (from the date of birth; a row
    with no date of birth cannot be placed in the band and is left out) whom the council is in
    touch with ('in touch' = Yes), from that month's care-leaver record. Qualifying care leavers are
    left out, as in the DfE care-leaver statistics (relevant and former relevant young people only).
    Each young person counts once a month."""


@kpi(
    id="P27a",
    title="Care leavers in suitable accommodation",
    pillar="practice",
    ref="2.6.x",
    polarity="up",
    unit="percent",
    grain="young people (care leavers 19–21 in touch, per month)",
    window="snapshot",
    needs=("care_leavers.month", "care_leavers.in_touch", "care_leavers.accommodation_suitable", "children.date_of_birth"),
    definition=f"""Care leavers whose accommodation is recorded as suitable, as a share of care leavers
    in touch. {CARE_LEAVER_RULE} A blank suitability counts in the denominator only.""",
)
def p27a_care_leavers_accommodation(tables, months):
    leavers = _care_leavers_19_21(tables, months)
    return members(leavers, leavers["child_id"], leavers["accommodation_suitable"])


@kpi(
    id="P27b",
    title="Care leavers in education, employment or training",
    pillar="practice",
    ref="2.6.x",
    polarity="up",
    unit="percent",
    grain="young people (care leavers 19–21 in touch, per month)",
    window="snapshot",
    needs=("care_leavers.month", "care_leavers.in_touch", "care_leavers.activity", "children.date_of_birth"),
    definition=f"""Care leavers in education, employment or training (activity codes F1, P1, F2, P2,
    F3, P3: higher education, other education, training or employment, full or part time), as a
    share of care leavers in touch. {CARE_LEAVER_RULE} A blank activity counts in the denominator
    only.""",
)
def p27b_care_leavers_eet(tables, months):
    leavers = _care_leavers_19_21(tables, months)
    return members(leavers, leavers["child_id"], leavers["activity"].isin(EET_ACTIVITIES))
