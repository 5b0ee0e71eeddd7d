"""Exception lists and the team breakdown, worked by hand from small members frames."""

from __future__ import annotations

import pandas as pd

from torbayreport.io.schema import tables_from
from torbayreport.metrics import drilldown

MONTH = "2020-12"

# ------------------------------------------------------------------------------ exception lists

def _members(kpi_id: str, rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["month", "record_id", "in_numerator"])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    return frame.assign(kpi_id=kpi_id)


def _tables():
    return tables_from(
        staff=[
            {"worker_id": "W1", "worker_name": "Ann", "role": "Social worker", "team": "SAT 1", "employment": "Permanent",
             "fte": 1.0, "start_date": "2018-01-01", "case_holding": True, "asye": False},
            {"worker_id": "W2", "worker_name": "Bob", "role": "Social worker", "team": "SAFS", "employment": "Agency",
             "fte": 1.0, "start_date": "2018-01-01", "case_holding": True, "asye": True},
        ],
        allocations=[
            {"child_id": "C1", "worker_id": "W1", "alloc_start": "2020-01-01"},
            {"child_id": "C2", "worker_id": "W1", "alloc_start": "2020-01-01", "alloc_end": "2020-11-30"},
            {"child_id": "C2", "worker_id": "W2", "alloc_start": "2020-11-30"},
            {"child_id": "C3", "worker_id": "W2", "alloc_start": "2020-06-01", "alloc_end": "2020-12-31"},
        ],
        visits=[
            {"child_id": "C1", "visit_date": "2020-11-20", "visit_type": "CP"},
            {"child_id": "C1", "visit_date": "2020-12-02", "visit_type": "CP"},
            {"child_id": "C1", "visit_date": "2020-12-28", "visit_type": "CIN"},
        ],
        assessments=[
            # open from 2020-10-01: 63 working days at 31 December (worked below) -> over 45
            {"child_id": "C1", "assessment_start": "2020-10-01"},
            # started 2020-12-01: 19 working days by 31 Dec -> not overdue
            {"child_id": "C2", "assessment_start": "2020-12-01"},
            # authorised before month end -> not open
            {"child_id": "C3", "assessment_start": "2020-06-01", "authorised_date": "2020-09-01"},
        ],
        audits=[{"audit_id": "A7", "child_id": "C3", "auditor_id": "W9", "scheduled_month": "2020-09",
                 "audit_date": "2020-09-15", "grade": "Inadequate"}],
    )


def test_exception_lists_come_from_members_not_in_the_numerator():
    members = {
        "P13": _members("P13", [("2020-12", "C1", False), ("2020-12", "C2", True), ("2020-11", "C3", False)]),
        "L02": _members("L02", [("2020-12", "W1", True), ("2020-12", "W2", False)]),
        "P04": _members("P04", [("2020-12", "C2|2020-09-01", False), ("2020-12", "C1|2020-11-01", True)]),
        "Q04": _members("Q04", [("2020-12", "A7", False)]),
    }
    lists = drilldown.exception_lists(members, _tables(), MONTH)
    cp = lists["cp_visits_overdue"]
    assert cp["child_id"].tolist() == ["C1"]            # C2 was seen; C3's row is November's
    assert cp["team"].tolist() == ["SAT 1"]
    assert cp["last_visit"].tolist() == ["2020-12-02"]  # the CIN visit of 28 Dec is not a CP visit
    over = lists["caseload_over_limit"]
    assert over["worker_id"].tolist() == ["W1"] and over["team"].tolist() == ["SAT 1"]
    late = lists["assessments_late"]
    assert late["child_id"].tolist() == ["C2"] and late["assessment_start"].tolist() == ["2020-09-01"]
    assert late["team"].tolist() == ["SAFS"]            # C2 moved to W2 on 30 Nov
    assert "cla_visits_overdue" not in lists            # no P17 members given: no list invented
    reaudit = lists["reaudits_awaited"]                 # Q04 members are audits: the audited child is shown
    assert reaudit[["audit_id", "child_id", "audit_date"]].values.tolist() == [["A7", "C3", "2020-09-15"]]


def test_open_assessments_past_45_working_days():
    lists = drilldown.exception_lists({}, _tables(), MONTH)
    open_ = lists["assessments_open_overdue"]
    assert open_["child_id"].tolist() == ["C1"]
    # Hand count, start day 0 and end exclusive (busday convention): Thu 1 Oct -> Sat 31 Oct: 22 weekdays;
    # November: 21; 1-30 December: 22 weekdays minus Fri 25 and Mon 28 December (bank holidays) = 20.
    # 22 + 21 + 20 = 63 > 45.
    assert open_["working_days_open"].tolist() == [63]


def test_team_drilldown_counts_children_by_allocated_team_and_workers_by_own_team():
    members = {
        "P13": _members("P13", [("2020-12", "C1", True), ("2020-12", "C2", False), ("2020-12", "C9", True)]),
        "L03": _members("L03", [("2020-12", "W1", True), ("2020-12", "W2", False)]),
    }
    teams = drilldown.team_drilldown(members, _tables(), MONTH).set_index(["kpi_id", "team"])
    # P13: C1 -> W1 (SAT 1) seen; C2 -> W2 (SAFS) not seen; C9 has no allocation
    assert teams.loc[("P13", "SAT 1"), ["numerator", "denominator", "value"]].tolist() == [1, 1, 100.0]
    assert teams.loc[("P13", "SAFS"), ["numerator", "denominator", "value"]].tolist() == [0, 1, 0.0]
    assert teams.loc[("P13", "Not allocated"), "denominator"] == 1
    assert teams.loc[("L03", "SAFS"), "value"] == 0.0


def test_whose_records_a_kpi_has_is_declared_not_guessed():
    # L04 (management oversight) counts children, L03 (supervision) workers: C1 is allocated to W1
    # (SAT 1) and W2 works in SAFS, so each lands in its own team although both ids look alike.
    members = {
        "L04": _members("L04", [("2020-12", "C1", True)]),
        "L03": _members("L03", [("2020-12", "W2", True)]),
    }
    teams = drilldown.team_drilldown(members, _tables(), MONTH).set_index(["kpi_id", "team"])
    assert list(teams.index) == [("L03", "SAFS"), ("L04", "SAT 1")]
    assert drilldown.TEAM_MEASURES["L04"] == "child" and drilldown.TEAM_MEASURES["L03"] == "worker"
