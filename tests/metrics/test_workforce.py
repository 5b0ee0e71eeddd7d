"""Known-answer tests for the workforce KPIs (W01–W06).

Expected numerators, denominators and values are worked out by hand in the comments.
"""

from __future__ import annotations

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.io.schema import tables_from
from torbayreport.metrics.registry import REGISTRY

from .known_answers import check, result


def person(worker_id, role="Social worker", employment="Permanent", fte=1.0, start="2015-01-01", end=None,
           team="A", case_holding=True, asye=False):
    return dict(worker_id=worker_id, role=role, team=team, employment=employment, fte=fte, start_date=start,
                end_date=end, case_holding=case_holding, asye=asye)


def test_w01_agency_fte_share_of_social_worker_fte():
    staff = [
        person("P1", fte=1.0),
        person("P2", role="Senior practitioner", fte=0.6),
        person("P3", role="Team manager", fte=1.0, case_holding=False),  # a registered SW role: counts
        person("A1", employment="Agency", fte=1.0),
        person("A2", employment="Agency", fte=0.4, end="2019-04-30"),  # gone at the April month end
        person("F1", role="Family support worker", employment="Agency"),  # not a social worker
    ]
    rows, _ = result("W01", tables_from(staff=staff), "2019-03", "2019-04")
    # March end: agency A1 1.0 + A2 0.4 = 1.4; all SW FTE 1 + 0.6 + 1 + 1 + 0.4 = 4.0 -> 35.0%
    check(rows, "2019-03", 1.4, 4.0, 35.0)
    # April end: agency A1 1.0; all SW FTE 1 + 0.6 + 1 + 1 = 3.6 -> 27.777… -> 27.8%
    check(rows, "2019-04", 1.0, 3.6, 27.8)


def test_w02_turnover_r12m_leavers_over_average_headcount():
    staff = [
        person("S1"),
        person("S2"),
        person("S3", end="2019-06-30"),  # leaves on the June month end: out of the June head count
        person("S4", start="2019-07-01"),
        person("S5", end="2019-01-01"),  # leaver on the first day of the Dec-2019 window
        person("S6", start="2019-02-01", end="2019-02-20"),  # never in post at a month end, still a leaver
        person("S7", end="2020-01-15"),
        person("A1", employment="Agency", end="2019-03-15"),  # agency: not counted
        person("F1", role="Family support worker", end="2019-04-10"),  # not a social worker
    ]
    rows, _ = result("W02", tables_from(staff=staff), "2019-12", "2020-01")
    # Dec 2019 (month ends Jan–Dec 2019). Head count: Jan–May S1 S2 S3 S7 = 4 × 5 = 20; Jun S1 S2 S7 = 3;
    # Jul–Dec S1 S2 S4 S7 = 4 × 6 = 24; total 47, average 47/12 = 3.9167.
    # Leavers Jan–Dec 2019: S5 (1 Jan), S6 (Feb), S3 (Jun) = 3 -> 3 / 3.9167 = 76.596 -> 76.6%
    check(rows, "2019-12", 3, 47 / 12, 76.6)
    # Jan 2020 (month ends Feb 2019–Jan 2020). Head count: Feb–May 4 × 4 = 16; Jun 3; Jul–Dec 4 × 6 = 24;
    # Jan 2020 S1 S2 S4 = 3; total 46, average 3.8333. Leavers: S6, S3, S7 (15 Jan 2020) = 3
    # (S5 now outside) -> 3 / 3.8333 = 78.26 -> 78.3%
    check(rows, "2020-01", 3, 46 / 12, 78.3)


def test_w03_vacancy_per_team_floored_at_zero():
    establishment = [
        {"month": "2019-04", "team": "A", "budgeted_sw_fte": 5.0},
        {"month": "2019-04", "team": "B", "budgeted_sw_fte": 3.0},
    ]
    staff = [
        person("A1", team="A", fte=1.0),
        person("A2", team="A", fte=1.0),
        person("A3", team="A", fte=0.6),
        person("A4", team="A", employment="Agency"),  # covers a post that is still vacant
        person("A5", team="A", role="Family support worker"),  # not a social worker
        person("B1", team="B"),
        person("B2", team="B"),
        person("B3", team="B"),
        person("B4", team="B", fte=0.5),  # team B over-established by 0.5
        person("C1", team="C"),  # team without an establishment row: ignored
    ]
    rows, _ = result("W03", tables_from(establishment=establishment, staff=staff), "2019-04", "2019-05")
    # Team A: 5.0 - (1 + 1 + 0.6) = 2.4 vacant; team B: 3.0 - 3.5 -> floored at 0 (does not offset A).
    # 2.4 / (5 + 3) = 30.0%
    check(rows, "2019-04", 2.4, 8.0, 30.0)
    # May: no establishment rows -> 0 / 0 -> no value
    check(rows, "2019-05", 0, 0, None)


def test_w04_open_children_with_three_or_more_workers_in_12_months():
    cin = [
        {"child_id": c, "cin_start": "2018-01-01", "primary_need": "N1"} for c in ("Ch1", "Ch2", "Ch6")
    ] + [{"child_id": "Ch5", "cin_start": "2018-01-01", "cin_end": "2019-11-30", "primary_need": "N1"}]
    cp = [{"child_id": "Ch3", "cp_start": "2018-06-01", "initial_category": "Neglect", "latest_category": "Neglect"}]
    cla = [{"child_id": "Ch4", "cla_start": "2018-06-01", "legal_status": "C2"}]

    def a(child, worker, start, end=None):
        return {"child_id": child, "worker_id": worker, "alloc_start": start, "alloc_end": end}

    allocations = [
        a("Ch1", "W1", "2018-01-01", "2019-01-01"),  # ends on the first day of the Dec-2019 window: touches it
        a("Ch1", "W2", "2019-01-01", "2019-06-30"),
        a("Ch1", "W3", "2019-07-01"),
        a("Ch2", "W1", "2017-01-01", "2018-12-31"),  # ended before the window
        a("Ch2", "W2", "2019-01-01", "2019-06-30"),
        a("Ch2", "W3", "2019-07-01"),
        a("Ch3", "W1", "2019-02-01", "2019-03-01"),
        a("Ch3", "W1", "2019-05-01", "2019-06-01"),  # the same worker again: one worker
        a("Ch3", "W2", "2019-06-01"),
        a("Ch4", "W1", "2019-03-01", "2019-04-01"),
        a("Ch4", "W2", "2019-04-01", "2019-05-01"),
        a("Ch4", "W3", "2019-05-01", "2019-06-01"),
        a("Ch4", "W4", "2019-06-01"),
        a("Ch5", "W1", "2019-01-01", "2019-02-01"),  # Ch5 closed on 30 Nov: not an open child
        a("Ch5", "W2", "2019-02-01", "2019-03-01"),
        a("Ch5", "W3", "2019-03-01"),
    ]
    tables = tables_from(cin_episodes=cin, cp_plans=cp, cla_periods=cla, allocations=allocations)
    rows, _ = result("W04", tables, "2019-12", "2020-01")
    # Dec 2019 (window 1 Jan–31 Dec 2019): open Ch1, Ch2, Ch3, Ch4, Ch6.
    # Ch1 W1 W2 W3 = 3 (in); Ch2 W2 W3 = 2; Ch3 W1 W2 = 2; Ch4 4 (in); Ch6 none -> 2 / 5 = 40.0%
    check(rows, "2019-12", 2, 5, 40.0)
    # Jan 2020 (window 1 Feb 2019–31 Jan 2020): Ch1 loses W1 (ended 1 Jan 2019) -> 2; Ch4 still 4 -> 1 / 5 = 20.0%
    check(rows, "2020-01", 1, 5, 20.0)


def test_w05_current_mandatory_requirements_completed():
    staff = [person("T1"), person("T2"), person("T3", end="2019-05-31")]

    def course(worker, name, due, done=None, mandatory=True):
        return dict(worker_id=worker, course=name, mandatory=mandatory, due_date=due, completed_date=done)

    training = [
        course("T1", "Safeguarding", "2018-06-01", "2018-05-20"),
        course("T1", "Safeguarding", "2019-06-01"),  # the refresher, not done
        course("T1", "GDPR", "2019-06-30", "2019-06-30"),  # due and done on the June month end
        course("T1", "First aid", "2019-07-15"),
        course("T2", "Safeguarding", "2019-01-01", "2019-02-01"),  # late, but done by the month end
        course("T2", "GDPR", "2019-03-01", "2019-07-01"),
        course("T2", "Optional", "2019-01-01", mandatory=False),  # not mandatory
        course("T3", "Safeguarding", "2019-01-01"),  # T3 has left by the May month end
    ]
    rows, _ = result("W05", tables_from(staff=staff, training=training), "2019-05", "2019-07")
    # May end: T1 Safeguarding (2018 requirement, done) yes; T1 GDPR/First aid not due;
    # T2 Safeguarding yes; T2 GDPR no; T3 left -> 2 / 3 = 66.7%
    check(rows, "2019-05", 2, 3, 66.7)
    # June end: T1 Safeguarding now the 2019 refresher (not done) no; T1 GDPR yes; T2 Safeguarding yes;
    # T2 GDPR no (done 1 July) -> 2 / 4 = 50.0%
    check(rows, "2019-06", 2, 4, 50.0)
    # July end: + T1 First aid due 15 July, not done; T2 GDPR now done -> 3 / 5 = 60.0%
    check(rows, "2019-07", 3, 5, 60.0)


def test_w06_asye_caseload_above_18():
    staff = [
        person("N1", asye=True, start="2018-06-01"),  # ASYE year: 1 Jun 2018 to 31 May 2019
        person("N2", asye=True, start="2018-06-01"),
        person("N3", asye=True, start="2018-06-01"),
        person("N4", role="Family support worker", asye=True, start="2018-06-01"),  # not a social worker
        person("N5"),  # not ASYE
        person("N6", asye=True),  # joined newly qualified in 2015: ASYE year long over
    ]
    allocations = (
        [{"child_id": f"A{i}", "worker_id": "N1", "alloc_start": "2019-01-01"} for i in range(19)]
        + [{"child_id": f"B{i}", "worker_id": "N2", "alloc_start": "2019-01-01"} for i in range(18)]
        + [{"child_id": f"C{i}", "worker_id": "N5", "alloc_start": "2019-01-01"} for i in range(25)]
        + [{"child_id": f"D{i}", "worker_id": "N6", "alloc_start": "2019-01-01"} for i in range(20)]
    )
    rows, members = result("W06", tables_from(staff=staff, allocations=allocations), "2019-04")
    # ASYE social workers N1 (19 > 18, in), N2 (18, not above), N3 (0) -> 1 / 3 = 33.3%;
    # N6 has 20 children but finished the ASYE year in 2016, so is not counted
    check(rows, "2019-04", 1, 3, 33.3)
    assert sorted(members["record_id"]) == ["N1", "N2", "N3"]
    rows, _ = result("W06", tables_from(staff=staff, allocations=allocations), "2019-06")
    # 30 Jun 2019: N1-N3 are past 1 Jun 2019, the end of their ASYE year -> nobody in ASYE, no value
    check(rows, "2019-06", 0, 0, None)
    rows, _ = result("W06", tables_from(staff=staff, allocations=allocations), "2014-12")
    # Nobody in post yet -> no value
    check(rows, "2014-12", 0, 0, None)


def test_workforce_titles_match_catalogue():
    titles = {
        "W01": "Agency social worker rate",
        "W02": "Social worker turnover (R12M)",
        "W03": "Vacancy rate",
        "W04": "Children with 3+ social workers in 12 months",
        "W05": "Mandatory training completed",
        "W06": "Newly qualified SWs (ASYE) with caseload above 18",
    }
    for kpi_id, title in titles.items():
        assert REGISTRY[kpi_id].title == title
        assert REGISTRY[kpi_id].pillar == "workforce"
