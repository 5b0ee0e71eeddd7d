"""Practice pillar, front door (P01–P06): contacts, referrals and assessments.

Why these definitions: they follow the KPI catalogue (shared/spec/indicators.md) and the DfE
children-in-need conventions (re-referral = a referral within 12 months of a previous referral of
the same child; assessment duration start → authorisation in working days, "same day" = 0).
All six are flow measures counting events (rows), not distinct children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.calendar import working_days_between
from torbayreport.metrics import keys
from torbayreport.metrics.practice_common import flagged_events, within_working_days
from torbayreport.metrics.registry import Fallback, kpi, members, record_ids
from torbayreport.metrics.windows import first_positions, in_month, latest_on_or_before, open_at_month_end

CONTACT_DECISION_WD = 1  # P01
ASSESSMENT_FAST_WD = 20  # P05
SEEN_AFTER_REFERRAL_WD = 5  # P06
RE_REFERRAL_MONTHS = 12  # P02: DfE re-referral = within 12 months of a previous referral
ASSESSMENT_LIMIT_WD = 45  # Working Together: an assessment concludes within 45 working days

WD_RULE = (
    "Working days exclude weekends and England & Wales bank holidays; the start day is day 0, so a "
    "same-day event is 0 working days and 'within N working days' means N or fewer."
)


@kpi(
    id="P01",
    title=f"Contacts with a decision within {CONTACT_DECISION_WD} working day",
    pillar="practice",
    ref="2.1.1",
    polarity="up",
    unit="percent",
    grain="events (contacts)",
    window="flow",
    needs=("contacts.contact_date", "contacts.decision_date"),
    definition=f"""Contacts received in the month (by contact date) whose decision date is at most
    {CONTACT_DECISION_WD} working day after the contact date, as a share of all contacts received in the month.
    {WD_RULE} A contact with no decision recorded stays in the denominator and does not count as
    decided in time. Each contact counts, so a child contacted twice counts twice.""",
)
def p01_contact_decisions(tables, months):
    contacts = in_month(tables["contacts"], "contact_date", months)
    ok = within_working_days(contacts["contact_date"], contacts["decision_date"], CONTACT_DECISION_WD)
    return members(contacts, record_ids(contacts, "child_id", "contact_date", "contact_source"), ok)


def _previous_referral_date(referrals: pd.DataFrame) -> pd.Series:
    """For each referral, the child's most recent referral date strictly before it (NaT if none)."""
    dates = referrals[["child_id", "referral_date"]].drop_duplicates().sort_values(["child_id", "referral_date"])
    dates["previous"] = dates.groupby("child_id", sort=False)["referral_date"].shift(1)
    looked_up = referrals[["child_id", "referral_date"]].merge(dates, on=["child_id", "referral_date"], how="left")
    return pd.Series(looked_up["previous"].to_numpy(), index=referrals.index, dtype="datetime64[ns]")


@kpi(
    id="P02",
    title="Re-referrals within 12 months",
    pillar="practice",
    ref="2.1.1",
    polarity="down",
    unit="percent",
    grain="events (referrals)",
    window="flow",
    needs=("referrals.referral_date",),
    history=("referrals.referral_date", RE_REFERRAL_MONTHS),
    fallback=Fallback(("referrals.referrals_last_12m",), lambda tables, months: _p02_from_count(tables, months)),
    definition=f"""Referrals received in the month for a child who had a previous referral in the
    {RE_REFERRAL_MONTHS} months before this referral's date, as a share of all referrals received
    in the month (the DfE re-referral definition). Worked out from the referral history, including
    referrals before the report window. A previous referral must be dated strictly before this one
    (two referrals of a child on the same day are one episode, neither a re-referral of the other)
    and on or after the same date {RE_REFERRAL_MONTHS} months earlier; a referral
    {RE_REFERRAL_MONTHS} months and 1 day earlier does not count. Each referral counts. Where the
    history does not reach back {RE_REFERRAL_MONTHS} months before the month and the extract has
    Annex A's 'number of referrals in the last 12 months' (which does not count the referral
    itself), a referral with a count above 0 is a re-referral.""",
)
def p02_re_referrals(tables, months):
    referrals = tables["referrals"]
    previous = _previous_referral_date(referrals)
    within = previous.notna() & (previous >= referrals["referral_date"] - pd.DateOffset(months=RE_REFERRAL_MONTHS))
    return flagged_events(referrals, within, "referral_date", months, ("referral_id",))


def _p02_from_count(tables, months):
    """P02 from List 3's count column: a count above 0 means an earlier referral in 12 months."""
    frame = in_month(tables["referrals"], "referral_date", months)
    return members(frame, frame["referral_id"], frame["referrals_last_12m"] > 0)


@kpi(
    id="P03",
    title="Referrals ending in no further action",
    pillar="practice",
    ref="2.1.1",
    polarity="down",
    unit="percent",
    grain="events (referrals)",
    window="flow",
    needs=("referrals.referral_date", "referrals.referral_nfa"),
    definition="""Referrals received in the month (by referral date) flagged 'no further action',
    as a share of all referrals received in the month. A referral with the flag blank counts in
    the denominator only. Each referral counts.""",
)
def p03_referral_nfa(tables, months):
    referrals = in_month(tables["referrals"], "referral_date", months)
    return members(referrals, referrals["referral_id"], referrals["referral_nfa"])


def _assessment_timeliness(tables, months, n):
    done = in_month(tables["assessments"], "authorised_date", months)
    ok = within_working_days(done["assessment_start"], done["authorised_date"], n)
    return members(done, record_ids(done, "child_id", "assessment_start"), ok)


@kpi(
    id="P04",
    title=f"Assessments completed within {ASSESSMENT_LIMIT_WD} working days",
    pillar="practice",
    ref="2.3.1",
    polarity="up",
    unit="percent",
    grain="events (assessments)",
    window="flow",
    needs=("assessments.assessment_start", "assessments.authorised_date"),
    definition=f"""Assessments authorised (completed) in the month whose start-to-authorisation time
    is at most {ASSESSMENT_LIMIT_WD} working days, as a share of all assessments authorised in the month. {WD_RULE}
    Assessments not yet authorised are not counted until the month they are authorised.""",
)
def p04_assessments_45(tables, months):
    return _assessment_timeliness(tables, months, ASSESSMENT_LIMIT_WD)


@kpi(
    id="P05",
    title=f"Assessments completed within {ASSESSMENT_FAST_WD} working days",
    pillar="practice",
    ref="2.3.1",
    polarity="up",
    unit="percent",
    grain="events (assessments)",
    window="flow",
    needs=("assessments.assessment_start", "assessments.authorised_date"),
    definition=f"""Assessments authorised (completed) in the month whose start-to-authorisation time
    is at most {ASSESSMENT_FAST_WD} working days, as a share of all assessments authorised in the month. {WD_RULE}""",
)
def p05_assessments_20(tables, months):
    return _assessment_timeliness(tables, months, ASSESSMENT_FAST_WD)


def open_assessments_overdue(tables, months: pd.PeriodIndex, limit: int = ASSESSMENT_LIMIT_WD) -> pd.DataFrame:
    """Drill-down, not a KPI: assessments still open at each month end that have run more than
    ``limit`` working days (P04 only sees an assessment once it is authorised, so a long-open one
    would otherwise be invisible to managers). Columns month, child_id, assessment_start,
    working_days_open. Open at month end follows :func:`windows.open_at_month_end` (authorised on
    the last day = closed); elapsed working days follow the catalogue's convention (start = day 0).
    """
    open_ = open_at_month_end(tables["assessments"], "assessment_start", "authorised_date", months)
    elapsed = working_days_between(open_["assessment_start"], open_["month_end"])
    late = open_.assign(working_days_open=elapsed)[elapsed > limit]
    out = late[["month", "child_id", "assessment_start", "working_days_open"]].reset_index(drop=True)
    out["working_days_open"] = out["working_days_open"].astype(int)
    return out


@keys.in_run
def _referral_date_for(assessments: pd.DataFrame, referrals: pd.DataFrame) -> pd.Series:
    """The referral date behind each assessment.

    By ``referral_id`` where the assessment carries one (the first referral row with that id);
    otherwise the child's latest referral on or before the assessment start (Annex A List 4 links
    assessments to children, not referrals). Both lookups on run-wide int codes (:mod:`keys`).
    """
    named, listed = keys.codes(assessments["referral_id"], referrals["referral_id"])
    first_row = np.full(keys.size(named, listed) + 1, -1, dtype=np.int64)
    ids, at = first_positions(listed[listed >= 0])
    first_row[ids] = np.flatnonzero(listed >= 0)[at]
    row = np.where(named >= 0, first_row[np.maximum(named, 0)], -1)
    by_id = referrals["referral_date"].to_numpy(dtype="datetime64[ns]")[np.maximum(row, 0)]
    by_id[row < 0] = np.datetime64("NaT")
    latest = latest_on_or_before(
        assessments[["child_id", "assessment_start"]], "assessment_start",
        referrals[["child_id", "referral_date"]], "referral_date", "child_id", "_ref_date",
    )["_ref_date"].to_numpy(dtype="datetime64[ns]")
    chosen = np.where(named >= 0, by_id, latest)
    return pd.Series(chosen, index=assessments.index, dtype="datetime64[ns]")


@kpi(
    id="P06",
    title=f"Child seen within {SEEN_AFTER_REFERRAL_WD} working days of referral",
    pillar="practice",
    ref="2.3.1",
    polarity="up",
    unit="percent",
    grain="events (assessments)",
    window="flow",
    needs=("assessments.assessment_start", "assessments.child_seen_date", "referrals.referral_date"),
    definition=f"""Assessments started in the month whose child was seen at most {SEEN_AFTER_REFERRAL_WD} working days
    after the referral date, as a share of all assessments started in the month. {WD_RULE} The
    referral is the one the assessment names; where it names none, the child's latest referral on
    or before the assessment start. An assessment with no seen date, no referral found, or a seen
    date before the referral date stays in the denominator and does not count as seen in time.""",
)
def p06_child_seen(tables, months):
    started = in_month(tables["assessments"], "assessment_start", months)
    referral_date = _referral_date_for(started, tables["referrals"])
    ok = within_working_days(referral_date, started["child_seen_date"], SEEN_AFTER_REFERRAL_WD, not_before_start=True)
    return members(started, record_ids(started, "child_id", "assessment_start"), ok)
