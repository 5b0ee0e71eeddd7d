"""KPIs of the quality pillar — quality assurance and audit (plan objective 4.1).

An audit's *final grade* is the moderated grade where the audit was moderated, else the auditor's
grade: the tracker (seed 001) records that historic audit judgements were over-optimistic, so a
moderator's correction must win. Grades are ordered Outstanding > Good > Requires improvement >
Inadequate. Every compute function works on all months at once.
"""

from __future__ import annotations

import pandas as pd

from torbayreport.metrics.registry import Tables, kpi, members
from torbayreport.metrics.windows import extend_back, in_month, in_rolling, month_ends, rolling

GRADE_RANK = {"Outstanding": 0, "Good": 1, "Requires improvement": 2, "Inadequate": 3}
RI_OR_BETTER = ("Outstanding", "Good", "Requires improvement")
GOOD_OR_BETTER = ("Outstanding", "Good")
REAUDIT_MONTHS = 2  # Q04


def final_grade(audits: pd.DataFrame) -> pd.Series:
    """Moderated grade where there is one, else the auditor's grade."""
    return audits["moderated_grade"].fillna(audits["grade"])


def _rank(grades: pd.Series) -> pd.Series:
    return grades.map(GRADE_RANK).astype("float64")


def _completed_audits_r3m(tables: Tables, months: pd.PeriodIndex) -> pd.DataFrame:
    """Completed audits assigned to each month whose 3-month window (the month and 2 before) holds their audit date."""
    return in_rolling(tables["audits"], "audit_date", months, 3)


@kpi(
    id="Q01",
    title="Audits completed against programme",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="audits",
    window="flow",
    needs=("audits.scheduled_month",),
    definition="""
        Audits scheduled for the month in the audit programme that were completed (have an audit
        date) by the last day of that month, as a share of all audits scheduled for the month.
        An audit completed late counts against the month it was scheduled for; re-audits in the
        programme count like any other audit.
    """,
)
def q01_audits_completed(tables: Tables, months: pd.PeriodIndex):
    audits = tables["audits"]
    audits = audits[audits["scheduled_month"].isin(months)]
    scheduled = pd.PeriodIndex(audits["scheduled_month"], freq="M")
    on_time = audits["audit_date"] <= month_ends(scheduled).to_numpy()
    return members(scheduled, audits["audit_id"], on_time)


def _graded(tables: Tables, months: pd.PeriodIndex, good_enough: tuple[str, ...]):
    audits = _completed_audits_r3m(tables, months)
    grade = final_grade(audits)
    audits, grade = audits[grade.notna().to_numpy()], grade[grade.notna()]
    return members(audits["month"], audits["audit_id"], grade.isin(good_enough))


@kpi(
    id="Q02",
    title="Audits graded requires improvement or better",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="audits",
    window="r3m",
    needs=("audits.audit_date", "audits.grade"),
    history=("audits.audit_date", 2),
    definition="""
        Audits completed in the three months to the end of the month (the month and the 2 before,
        by audit date) whose final grade is Outstanding, Good or Requires improvement, as a share of
        those audits with a grade. The final grade is the moderated grade where the audit was
        moderated, otherwise the auditor's grade.
    """,
)
def q02_ri_or_better(tables: Tables, months: pd.PeriodIndex):
    return _graded(tables, months, RI_OR_BETTER)


@kpi(
    id="Q03",
    title="Audits graded good or better",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="audits",
    window="r3m",
    needs=("audits.audit_date", "audits.grade"),
    history=("audits.audit_date", 2),
    definition="""
        As Q02 but counting only final grades of Outstanding or Good: audits completed in the three
        months to the end of the month graded Good or better (moderated grade where moderated), as a
        share of those audits with a grade.
    """,
)
def q03_good_or_better(tables: Tables, months: pd.PeriodIndex):
    return _graded(tables, months, GOOD_OR_BETTER)


@kpi(
    id="Q04",
    title=f"Inadequate audits re-audited within {REAUDIT_MONTHS} months",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="audits",
    window="r12m",
    needs=("audits.audit_date", "audits.grade"),
    history=("audits.audit_date", REAUDIT_MONTHS + 11),
    definition=f"""
        Audits with a final grade of Inadequate fall due for re-audit {REAUDIT_MONTHS} calendar months after
        their audit date (e.g. 15 March is due by 15 May; 31 December by 28 or 29 February). Of the
        inadequate audits whose re-audit fell due in the 12 months to the end of the month, the
        share re-audited (an audit recorded as a re-audit of it, dated on or after the original and
        on or before the due date).
    """,
)
def q04_reaudits(tables: Tables, months: pd.PeriodIndex):
    audits = tables["audits"]
    done = audits[audits["audit_date"].notna()]
    inadequate = done[(final_grade(done) == "Inadequate").fillna(False).astype(bool)]
    inadequate = inadequate.assign(reaudit_due=inadequate["audit_date"] + pd.DateOffset(months=REAUDIT_MONTHS))
    reaudits = done[done["reaudit_of"].notna()][["reaudit_of", "audit_date"]].rename(
        columns={"reaudit_of": "audit_id", "audit_date": "reaudit_date"}
    )
    due = in_month(inadequate, "reaudit_due", extend_back(months, 11))
    # A re-audit counts for the original if it falls between the original and the due date.
    pairs = due[["audit_id", "audit_date", "reaudit_due"]].drop_duplicates("audit_id").merge(reaudits, on="audit_id")
    ok = pairs[(pairs["reaudit_date"] >= pairs["audit_date"]) & (pairs["reaudit_date"] <= pairs["reaudit_due"])]
    due = rolling(due, months, 12)
    return members(due["month"], due["audit_id"], due["audit_id"].isin(ok["audit_id"]))


@kpi(
    id="Q05",
    title="Audit actions completed by due date",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="actions",
    window="flow",
    needs=("audit_actions.due_date",),
    definition="""
        Actions arising from audits whose due date falls in the month that were completed on or
        before their due date, as a share of all audit actions due in the month. An action not
        completed, or completed after its due date, counts as not done on time.
    """,
)
def q05_audit_actions(tables: Tables, months: pd.PeriodIndex):
    actions = in_month(tables["audit_actions"], "due_date", months)
    return members(actions["month"], actions["action_id"], actions["completed_date"] <= actions["due_date"])


@kpi(
    id="Q06",
    title="Moderation downgrades (over-optimism)",
    pillar="quality",
    ref="4.1.1",
    polarity="down",
    unit="percent",
    grain="audits",
    window="r3m",
    needs=("audits.audit_date", "audits.moderated_grade"),
    history=("audits.audit_date", 2),
    definition="""
        Moderated audits completed in the three months to the end of the month (by audit date;
        audits with both an auditor's grade and a moderated grade) whose moderated grade is lower
        than the auditor's grade, as a share of those moderated audits.
    """,
)
def q06_moderation_downgrades(tables: Tables, months: pd.PeriodIndex):
    audits = _completed_audits_r3m(tables, months)
    auditor, moderator = _rank(audits["grade"]), _rank(audits["moderated_grade"])
    both = (auditor.notna() & moderator.notna()).to_numpy()
    return members(audits["month"][both], audits["audit_id"][both], (moderator > auditor)[both])


@kpi(
    id="Q07",
    title="Child's voice evident in audited cases",
    pillar="quality",
    ref="4.1.1",
    polarity="up",
    unit="percent",
    grain="audits",
    window="r3m",
    needs=("audits.audit_date", "audits.voice_grade"),
    history=("audits.audit_date", 2),
    definition="""
        Audits completed in the three months to the end of the month (by audit date) whose child's
        voice domain is graded Requires improvement or better, as a share of those audits with a
        child's voice grade recorded.
    """,
)
def q07_childs_voice(tables: Tables, months: pd.PeriodIndex):
    audits = _completed_audits_r3m(tables, months)
    audits = audits[audits["voice_grade"].notna().to_numpy()]
    return members(audits["month"], audits["audit_id"], audits["voice_grade"].isin(RI_OR_BETTER))


@kpi(
    id="Q08",
    title="Complaints responded to within timescale",
    pillar="quality",
    ref="4.1.3",
    polarity="up",
    unit="percent",
    grain="complaints",
    window="flow",
    needs=("complaints.due_date",),
    definition="""
        Complaints (all stages) whose response due date falls in the month that were answered on or
        before the due date, as a share of all complaints whose response fell due in the month. A
        complaint not yet answered counts as late.
    """,
)
def q08_complaints(tables: Tables, months: pd.PeriodIndex):
    complaints = in_month(tables["complaints"], "due_date", months)
    on_time = complaints["response_date"] <= complaints["due_date"]
    return members(complaints["month"], complaints["complaint_id"], on_time)

