"""Known-answer tests for the quality KPIs (Q01–Q08).

Expected numerators, denominators and values are worked out by hand in the comments.
"""

from __future__ import annotations

import pytest

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.io.schema import tables_from
from torbayreport.metrics.registry import REGISTRY

from .known_answers import check, result


def audit(audit_id, scheduled="2019-01", date=None, grade=None, moderated=None, voice=None, reaudit_of=None):
    return dict(audit_id=audit_id, child_id="C" + audit_id, auditor_id="X", scheduled_month=scheduled,
                audit_date=date, grade=grade, voice_grade=voice, moderated_grade=moderated, reaudit_of=reaudit_of)


def test_q01_scheduled_audits_completed_by_month_end():
    audits = [
        audit("a1", "2019-04", "2019-04-30"),  # done on the month end: in
        audit("a2", "2019-04", "2019-05-01"),  # a day late: out
        audit("a3", "2019-04"),  # not done: out
        audit("a4", "2019-04", "2019-03-15"),  # done early: in
        audit("a5", "2019-03", "2019-04-10"),  # belongs to March (late there), not to April
    ]
    rows, _ = result("Q01", tables_from(audits=audits), "2019-03", "2019-05")
    check(rows, "2019-03", 0, 1, 0.0)  # a5 late -> 0 / 1 = 0.0% (a real 0, not "no data")
    check(rows, "2019-04", 2, 4, 50.0)  # a1, a4 of a1–a4
    check(rows, "2019-05", 0, 0, None)  # nothing scheduled -> no value


@pytest.fixture
def graded_audits():
    return tables_from(
        audits=[
            audit("b1", date="2019-04-01", grade="Good"),
            audit("b2", date="2019-05-15", grade="Good", moderated="Requires improvement"),  # final RI
            audit("b3", date="2019-06-30", grade="Inadequate"),
            audit("b4", date="2019-03-31", grade="Outstanding"),  # before the Jun R3M window
            audit("b5", date="2019-06-10"),  # no grade: not counted
            audit("b6", date="2019-07-01", grade="Good"),
            audit("b7", date="2019-05-01", grade="Requires improvement", moderated="Inadequate"),  # final Inadequate
            audit("b8"),  # not done
            audit("b9", date="2019-07-20", grade="Outstanding"),
        ]
    )


def test_q02_ri_or_better_r3m(graded_audits):
    rows, _ = result("Q02", graded_audits, "2019-06", "2019-07")
    # Jun (Apr–Jun): graded b1 Good, b2 RI (moderated), b3 Inadequate, b7 Inadequate (moderated)
    # -> RI or better b1, b2 = 2 / 4 = 50.0%
    check(rows, "2019-06", 2, 4, 50.0)
    # Jul (May–Jul): b2 RI, b3 Inad, b7 Inad, b6 Good, b9 Outstanding -> 3 / 5 = 60.0%
    check(rows, "2019-07", 3, 5, 60.0)


def test_q03_good_or_better_r3m(graded_audits):
    rows, _ = result("Q03", graded_audits, "2019-06", "2019-07")
    # Jun: b1 only (b2 was moderated down to RI) -> 1 / 4 = 25.0%;  Jul: b6, b9 -> 2 / 5 = 40.0%
    check(rows, "2019-06", 1, 4, 25.0)
    check(rows, "2019-07", 2, 5, 40.0)


def test_q04_inadequate_reaudited_within_two_calendar_months_r12m():
    audits = [
        audit("i1", date="2019-12-31", grade="Inadequate"),  # due 29 Feb 2020 (leap year)
        audit("r1", date="2020-02-29", grade="Good", reaudit_of="i1"),  # on the due date: in
        audit("i2", date="2019-12-15", grade="Inadequate"),  # due 15 Feb 2020
        audit("r2", date="2020-02-16", grade="Good", reaudit_of="i2"),  # a day late: out
        audit("i3", date="2019-01-10", grade="Inadequate"),  # due 10 Mar 2019
        audit("r3", date="2019-02-01", grade="Good", reaudit_of="i3"),  # in
        audit("i4", date="2018-12-31", grade="Inadequate"),  # due 28 Feb 2019: before the window
        audit("i5", date="2019-06-01", grade="Good", moderated="Inadequate"),  # final Inadequate, due 1 Aug 2019
        audit("i6", date="2019-07-01", grade="Inadequate", moderated="Requires improvement"),  # final RI: no re-audit
        audit("i7", date="2020-01-15", grade="Inadequate"),  # due 15 Mar 2020
    ]
    rows, _ = result("Q04", tables_from(audits=audits), "2020-02", "2020-03")
    # Feb 2020 (due Mar 2019–Feb 2020): i1 in, i2 out, i3 in, i5 out (none) -> 2 / 4 = 50.0%
    check(rows, "2020-02", 2, 4, 50.0)
    # Mar 2020 (due Apr 2019–Mar 2020): i1 in, i2 out, i5 out, i7 out (not re-audited) -> 1 / 4 = 25.0%
    check(rows, "2020-03", 1, 4, 25.0)


def test_q05_audit_actions_completed_by_due_date():
    actions = [
        {"action_id": "x1", "audit_id": "a", "due_date": "2020-05-08", "completed_date": "2020-05-08"},  # VE Day, same day
        {"action_id": "x2", "audit_id": "a", "due_date": "2020-05-25", "completed_date": "2020-05-26"},  # late
        {"action_id": "x3", "audit_id": "a", "due_date": "2020-05-31"},  # not done
        {"action_id": "x4", "audit_id": "a", "due_date": "2020-05-01", "completed_date": "2020-04-20"},  # early
        {"action_id": "x5", "audit_id": "a", "due_date": "2020-06-01", "completed_date": "2020-05-01"},  # June
    ]
    rows, _ = result("Q05", tables_from(audit_actions=actions), "2020-05", "2020-06")
    check(rows, "2020-05", 2, 4, 50.0)  # x1, x4 of x1–x4
    check(rows, "2020-06", 1, 1, 100.0)  # x5


def test_q06_moderation_downgrades_r3m():
    audits = [
        audit("m1", date="2019-06-01", grade="Good", moderated="Requires improvement"),  # downgraded
        audit("m2", date="2019-05-01", grade="Good", moderated="Good"),  # agreed
        audit("m3", date="2019-04-01", grade="Requires improvement", moderated="Good"),  # upgraded
        audit("m4", date="2019-06-01", grade="Good"),  # not moderated
        audit("m5", date="2019-03-31", grade="Outstanding", moderated="Inadequate"),  # before the window
        audit("m6", date="2019-06-01", moderated="Good"),  # no auditor's grade
    ]
    rows, _ = result("Q06", tables_from(audits=audits), "2019-06")
    # Jun (Apr–Jun): moderated with both grades m1, m2, m3; downgraded m1 -> 1 / 3 = 33.3%
    check(rows, "2019-06", 1, 3, 33.3)


def test_q07_childs_voice_ri_or_better_r3m():
    audits = [
        audit("v1", date="2019-04-01", voice="Good"),
        audit("v2", date="2019-05-01", voice="Requires improvement"),
        audit("v3", date="2019-06-30", voice="Inadequate"),
        audit("v4", date="2019-06-01"),  # no voice grade: not counted
        audit("v5", date="2019-03-31", voice="Outstanding"),  # before the window
    ]
    rows, _ = result("Q07", tables_from(audits=audits), "2019-06")
    # Jun (Apr–Jun): v1, v2 of v1–v3 -> 2 / 3 = 66.7%
    check(rows, "2019-06", 2, 3, 66.7)


def test_q08_complaints_answered_by_due_date():
    complaints = [
        {"complaint_id": "c1", "received_date": "2019-04-01", "due_date": "2019-04-19", "response_date": "2019-04-19",
         "stage": "1"},  # due on Good Friday, answered that day: in
        {"complaint_id": "c2", "received_date": "2019-04-01", "due_date": "2019-04-22", "response_date": "2019-04-23",
         "stage": "1"},  # late
        {"complaint_id": "c3", "received_date": "2019-04-01", "due_date": "2019-04-30", "stage": "2"},  # unanswered
        {"complaint_id": "c4", "received_date": "2019-04-01", "due_date": "2019-05-01", "response_date": "2019-04-30",
         "stage": "1"},  # due in May
    ]
    rows, _ = result("Q08", tables_from(complaints=complaints), "2019-04", "2019-05")
    check(rows, "2019-04", 1, 3, 33.3)  # c1 of c1–c3
    check(rows, "2019-05", 1, 1, 100.0)  # c4


def test_quality_titles_match_catalogue():
    titles = {
        "Q01": "Audits completed against programme",
        "Q02": "Audits graded requires improvement or better",
        "Q03": "Audits graded good or better",
        "Q04": "Inadequate audits re-audited within 2 months",
        "Q05": "Audit actions completed by due date",
        "Q06": "Moderation downgrades (over-optimism)",
        "Q07": "Child's voice evident in audited cases",
        "Q08": "Complaints responded to within timescale",
    }
    for kpi_id, title in titles.items():
        assert REGISTRY[kpi_id].title == title
        assert REGISTRY[kpi_id].pillar == "quality"
