"""The Improvement Plan tracker: one row per plan objective (seed 000 refs 1.1.1 … 4.1.3) per month.

Why: L07 (improvement actions on track) and the leadership narrative read the plan tracker, which
councils keep as a spreadsheet with a RAG and a line of evidence per action each month. The refs,
leads and timescales follow the revised plan of October 2019 (seed 000); before it, the same
objectives were tracked with the earlier plan's due date (31 March 2019, so many are overdue).
RAGs are mostly Red/Amber before the plan and improve unevenly after it: each objective has its
own difficulty, so some go Green within months and some stay Amber or slip back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import Ctx, month_dates, month_last

# ref: (pillar, short action, lead, due date in the revised plan)
IMMEDIATE = "2019-11-30"
PLAN = {
    "1.1.1": ("leadership", "Leaders set service priorities and standards and lead the workforce strategy", "CEO and Senior Leaders", IMMEDIATE),
    "1.1.2": ("leadership", "Member seminar on the revised data set; monthly performance reports to the Lead Member", "DCS", "2019-12-31"),
    "1.1.3": ("leadership", "Overview and Scrutiny has access to and challenges children's services performance data", "Leader and Cabinet Member for Children's Services", IMMEDIATE),
    "1.1.4": ("leadership", "Implement the new case management system and caseload management", "Deputy DCS", "2020-03-31"),
    "1.1.5": ("leadership", "Improvement priorities implemented on time with monthly reports to the Improvement Board", "Senior leaders and operational managers", IMMEDIATE),
    "1.1.6": ("leadership", "Policies and procedures embedded in induction and staff briefings", "Senior leaders and operational managers", IMMEDIATE),
    "1.1.7": ("leadership", "DCS and SLT engage frontline staff in owning the improvement plan", "DCS and senior leaders", IMMEDIATE),
    "1.2.1": ("leadership", "Regular reflective supervision and recorded management oversight on every file", "Deputy DCS, HoS and Team Managers", IMMEDIATE),
    "1.2.2": ("leadership", "Review LADO arrangements and manage allegations in timely ways", "Deputy DCS & LADOs", IMMEDIATE),
    "1.3.1": ("leadership", "Missing children: return home interviews within 72 hours and a missing panel", "Deputy DCS & HoS", "2019-12-31"),
    "1.3.2": ("leadership", "Strengthen the CSE coordinator role and MACSE meetings", "Deputy DCS & HoS", "2019-12-31"),
    "1.3.3": ("leadership", "CSE screening tool and mapping deployed across MASH, SATs and SAFS", "Deputy DCS & HoS", "2019-12-31"),
    "2.1.1": ("practice", "Review of early help with partners and an implementation plan", "Senior Leaders (with PeopleToo)", "2020-01-31"),
    "2.2.1": ("practice", "CP medicals considered with paediatricians whenever physical abuse is disclosed", "HoS, Service Managers and Team Managers", IMMEDIATE),
    "2.3.1": ("practice", "Assessments analyse history and culture and carry the child's voice", "HoS, Service Managers and Team Managers", IMMEDIATE),
    "2.3.2": ("practice", "Assessments updated whenever significant events occur", "HoS, Service Managers and Team Managers", IMMEDIATE),
    "2.3.3": ("practice", "Management oversight of assessments evident on all open files", "HoS, Service Managers and Team Managers", IMMEDIATE),
    "2.3.4": ("practice", "CIN and CP plans evaluated for progress; core groups purposeful", "Team Managers and Social Workers", IMMEDIATE),
    "2.4.1": ("practice", "CP chairs oversee cases and use dispute resolution", "Child Protection Chairs", "2019-12-31"),
    "2.4.2": ("practice", "Plans set visiting frequency; children visited in timescale and seen alone", "Child Protection Chairs and Operational Managers", "2019-12-31"),
    "2.4.3": ("practice", "IROs challenge drift through the dispute resolution process", "IROs", IMMEDIATE),
    "2.4.4": ("practice", "Re-establish MARAC arrangements for domestic abuse", "Operational Managers and Social Workers", IMMEDIATE),
    "2.5.1": ("practice", "Private fostering: training, review of known children and decision making", "HoS", "2019-12-31"),
    "2.6.1": ("practice", "Children come into care only when needed; health assessments on time", "Deputy DCS & HoS", IMMEDIATE),
    "2.6.2": ("practice", "Revised sufficiency strategy to avoid unnecessary moves", "Senior Leaders (sufficiency task group)", "2020-03-31"),
    "2.6.3": ("practice", "Audit returns home and re-entries to care; reunification plans", "Senior Leaders (sufficiency task group)", "2020-03-31"),
    "2.6.4": ("practice", "Timely matching of long-term foster placements", "HoS Specialist Services", IMMEDIATE),
    "2.6.5": ("practice", "Foster carer reviews, health assessments and training completed", "HoS Specialist Services", IMMEDIATE),
    "2.6.6": ("practice", "Life story work started early for children in permanent placements", "Team Managers and Social Workers", IMMEDIATE),
    "2.7.1": ("practice", "All homeless 16/17-year-olds assessed and told of their right to care", "HoS, Team Managers and Social Workers", IMMEDIATE),
    "2.8.1": ("practice", "PLO pre-proceedings tracked monthly; 12 weeks (16 if complex)", "Deputy DCS & HoS", IMMEDIATE),
    "3.1.1": ("workforce", "Recruit and retain a permanent workforce; reduce reliance on agency staff", "Deputy DCS and HR", "2020-03-31"),
    "3.1.2": ("workforce", "Training and development plan; mandatory training completed", "Deputy DCS and Workforce Development Manager", IMMEDIATE),
    "4.1.1": ("quality", "Annual outcome-focused audit programme with moderation and follow-up of actions", "HoS for QA and Safeguarding", "2019-11-01"),
    "4.1.2": ("quality", "Performance data at child level that supports evaluation of outcomes", "Deputy DCS", "2019-12-31"),
    "4.1.3": ("quality", "Complaints answered in timescale and learning aggregated", "Complaints Manager & HoS", "2019-12-31"),
}
OLD_PLAN_DUE = "2019-03-31"
REVISED = np.datetime64("2019-10-01")

EVIDENCE = {
    "Red": ["No evidence of impact yet; actions not started or slipped",
            "Major slippage against timescale; escalated to the Improvement Board",
            "Performance data shows no improvement this month"],
    "Amber": ["Actions proceeding with some slippage; limited evidence of impact",
              "Early signs of improvement in performance data; not yet sustained",
              "Dip sample shows progress in some teams but not all"],
    "Green": ["Actions on track; audit and performance data show improvement",
              "Improvement sustained for three months; evidence reviewed by the Improvement Board",
              "Action complete; impact being monitored through the QA framework"],
}


def plan_actions(ctx: Ctx) -> pd.DataFrame:
    rng, story = ctx.rng, ctx.story
    refs = list(PLAN)
    months = month_dates(ctx.start, ctx.extract)
    R, M = len(refs), len(months)
    difficulty = rng.normal(0, 0.14, R)              # per objective: some easy, some stubborn
    pace = rng.uniform(0.6, 1.4, R)                  # and some faster than others after the plan
    lvl = story.level("plan", months)
    after = months >= REVISED
    score = np.where(after[None, :], 0.3 + (lvl[None, :] - 0.3) * pace[:, None], lvl[None, :]) - difficulty[:, None]
    score = score + rng.normal(0, 0.06, (R, M))
    rag = np.where(score > 0.5, "Green", np.where(score > 0.3, "Amber", "Red"))
    new_due = np.array([np.datetime64(PLAN[r][3]) for r in refs])
    due = np.where(after[None, :], new_due[:, None], np.datetime64(OLD_PLAN_DUE))
    mend = month_last(months)
    complete = (rag == "Green") & (due <= mend[None, :]) & (rng.random((R, M)) < 0.6)
    complete = np.maximum.accumulate(complete & after[None, :], axis=1)  # once complete, stays complete
    rag = np.where(complete, "Green", rag)
    status = np.where(complete, "Complete", "In progress")
    status = np.where(~after[None, :] & (rng.random((R, M)) < 0.15) & (rag == "Red"), "Not started", status)
    pick = rng.integers(0, 3, (R, M))
    evidence = np.vectorize(lambda g, k: EVIDENCE[g][k], otypes=[object])(rag, pick)
    return pd.DataFrame({
        "month": np.tile(months.astype("datetime64[M]").astype(str), R),
        "ref": np.repeat(refs, M),
        "pillar": np.repeat([PLAN[r][0] for r in refs], M),
        "action": np.repeat([PLAN[r][1] for r in refs], M),
        "lead": np.repeat([PLAN[r][2] for r in refs], M),
        "due_date": due.ravel(),
        "status": status.ravel(),
        "rag": rag.ravel(),
        "evidence": evidence.ravel(),
    })
