"""Known-answer tests for the leadership KPIs (L01–L08, L07b).

Every expected numerator, denominator and value below was worked out by hand from the fixture;
the working is in the comment above each assertion.
"""

from __future__ import annotations

import pandas as pd
import pytest

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.io.schema import tables_from
from torbayreport.metrics.registry import REGISTRY

from .known_answers import check, result


def sw(worker_id, role="Social worker", fte=1.0, start="2018-01-01", end=None, case_holding=True, asye=False,
       employment="Permanent", team="A"):
    return dict(worker_id=worker_id, role=role, team=team, employment=employment, fte=fte, start_date=start,
                end_date=end, case_holding=case_holding, asye=asye)


def alloc(child, worker, start="2019-01-01", end=None):
    return dict(child_id=child, worker_id=worker, alloc_start=start, alloc_end=end)


# --- L01 caseload --------------------------------------------------------------------------


@pytest.fixture
def caseload_tables():
    staff = [
        sw("W1", fte=1.0),
        sw("W2", role="Senior practitioner", fte=0.5),
        sw("W3", role="Family support worker"),  # case-holding but not a social worker
        sw("W4", role="Team manager", case_holding=False),  # not case-holding
        sw("W5", end="2019-04-30"),  # last day = April month end: gone at the April month end
        sw("W6", start="2019-05-01"),  # starts in May
    ]
    allocations = [
        alloc("C1", "W1"),
        alloc("C2", "W1"),
        alloc("C2", "W2"),  # C2 has two workers: one child
        alloc("C3", "W2", end="2019-04-30"),  # ends on the April month end: closed then
        alloc("C4", "W3"),  # family support worker: not counted
        alloc("C5", "W5"),  # W5 not in post at the April month end
        alloc("C6", "W1", start="2019-04-30"),  # starts on the month end: open
    ]
    return tables_from(staff=staff, allocations=allocations)


def test_l01_caseload_children_over_fte(caseload_tables):
    rows, _ = result("L01", caseload_tables, "2019-03", "2019-05")
    # March end: SWs W1 1.0 + W2 0.5 + W5 1.0 = 2.5 FTE; children C1, C2, C3 (ends 30 Apr), C5 = 4 -> 1.6
    check(rows, "2019-03", 4, 2.5, 1.6)
    # April end: W1 + W2 = 1.5 FTE (W5 left on 30 Apr); children C1, C2, C6 (C3 closed on 30 Apr,
    # C4 is with a family support worker, C5's worker has gone) = 3 -> 2.0
    check(rows, "2019-04", 3, 1.5, 2.0)
    # May end: W1 + W2 + W6 (new, no cases) = 2.5 FTE; C1, C2, C6 = 3 -> 1.2
    check(rows, "2019-05", 3, 2.5, 1.2)


def test_l01_no_staff_gives_no_value(caseload_tables):
    rows, _ = result("L01", caseload_tables, "2017-12")
    # Nobody in post before 2018-01-01: 0 children / 0 FTE -> no value, not 0
    check(rows, "2017-12", 0, 0, None)


# --- L02 caseloads above 22 ----------------------------------------------------------------


def test_l02_share_of_workers_above_22():
    staff = [sw("W1"), sw("W2"), sw("W3"), sw("F1", role="Family support worker")]
    allocations = (
        [alloc(f"A{i:02d}", "W1") for i in range(23)]  # W1: 23 children -> above 22
        + [alloc(f"B{i:02d}", "W2") for i in range(22)]  # W2: 22 children -> not above 22
        + [alloc("B00", "W2", start="2019-02-01")]  # the same child allocated twice: still 22
        + [alloc(f"F{i:02d}", "F1") for i in range(30)]  # not a social worker: not counted
    )
    rows, members = result("L02", tables_from(staff=staff, allocations=allocations), "2019-04")
    # Members W1 (23 > 22), W2 (22, not), W3 (0 children, still a member) -> 1 / 3 = 33.3%
    check(rows, "2019-04", 1, 3, 33.3)
    assert set(members.loc[members["in_numerator"], "record_id"]) == {"W1"}


# --- L03 supervision -----------------------------------------------------------------------


def test_l03_supervision_interval_28_days_and_14_for_asye():
    staff = [
        sw("A"),
        sw("B"),
        sw("C", asye=True, start="2018-09-01"),  # ASYE year runs to 31 Aug 2019
        sw("D", asye=True, start="2018-09-01"),
        sw("H", asye=True, start="2017-06-01"),  # joined newly qualified, ASYE year over by June 2018
        sw("E", role="Family support worker"),  # case-holding staff of any role count
        sw("F"),  # never supervised
        sw("G", role="Team manager", case_holding=False),  # not case-holding: not counted
    ]
    supervision = [
        {"worker_id": "A", "supervision_date": "2019-01-31"},
        {"worker_id": "B", "supervision_date": "2019-01-30"},
        {"worker_id": "B", "supervision_date": "2019-03-05"},
        {"worker_id": "C", "supervision_date": "2019-02-14"},
        {"worker_id": "D", "supervision_date": "2019-02-13"},
        {"worker_id": "E", "supervision_date": "2019-02-28"},
        {"worker_id": "H", "supervision_date": "2019-02-10"},
        {"worker_id": "G", "supervision_date": "2019-02-27"},
    ]
    rows, _ = result("L03", tables_from(staff=staff, supervision=supervision), "2019-02", "2019-03")
    # Feb end 28 Feb 2019: A 31 Jan = 28 days (in); B 30 Jan = 29 days (out; 5 Mar is later);
    # C ASYE 14 Feb = 14 days (in); D ASYE 13 Feb = 15 days (out); E same day = 0 (in); F none (out);
    # H 10 Feb = 18 days: past the ASYE year so the 28-day rule applies (in; out under 14)
    # -> 4 / 7 = 57.1%
    check(rows, "2019-02", 4, 7, 57.1)
    # Mar end 31 Mar: A 59 days out; B 5 Mar = 26 days in; C 45 out; D out; E 31 days out; F out;
    # H 49 days out -> 1 / 7 = 14.3%
    check(rows, "2019-03", 1, 7, 14.3)


# --- L04 management oversight --------------------------------------------------------------


def test_l04_oversight_within_30_days_of_open_children():
    cin = [
        {"child_id": "K1", "cin_start": "2020-01-01", "primary_need": "N1"},
        {"child_id": "K3", "cin_start": "2020-01-01", "primary_need": "N1"},
        {"child_id": "K4", "cin_start": "2020-01-01", "cin_end": "2020-05-31", "primary_need": "N1"},
    ]
    cp = [
        {"child_id": "K2", "cp_start": "2020-02-01", "initial_category": "Neglect", "latest_category": "Neglect"},
        {"child_id": "K5", "cp_start": "2020-05-31", "initial_category": "Neglect", "latest_category": "Neglect"},
    ]
    cla = [{"child_id": "K3", "cla_start": "2020-03-01", "legal_status": "C2"}]
    oversight = [
        {"child_id": "K1", "oversight_date": "2020-05-01"},
        {"child_id": "K2", "oversight_date": "2020-04-30"},
        {"child_id": "K3", "oversight_date": "2020-05-31"},
        {"child_id": "K4", "oversight_date": "2020-05-20"},
        {"child_id": "K6", "oversight_date": "2020-05-20"},
    ]
    tables = tables_from(cin_episodes=cin, cp_plans=cp, cla_periods=cla, oversight=oversight)
    rows, members = result("L04", tables, "2020-05")
    # Open at 31 May 2020: K1 (CIN), K2 (CP), K3 (CIN and CLA: once), K5 (CP starting 31 May);
    # K4's CIN ended on 31 May (closed), K6 has no open episode.
    # Notes: K1 1 May = 30 days (in); K2 30 Apr = 31 days (out); K3 same day (in); K5 none (out)
    # -> 2 / 4 = 50.0%
    check(rows, "2020-05", 2, 4, 50.0)
    assert sorted(members["record_id"]) == ["K1", "K2", "K3", "K5"]


# --- L05 return home interviews ------------------------------------------------------------


def test_l05_rhi_within_72_clock_hours():
    missing = [
        # M1/M2: same child, two episodes (events, not children); returned on Maundy Thursday 2019
        {"child_id": "C1", "missing_start": "2019-04-17 20:00", "returned_at": "2019-04-18 10:00",
         "rhi_at": "2019-04-21 10:00"},  # exactly 72 h over the Easter weekend -> in
        {"child_id": "C1", "missing_start": "2019-04-18 06:00", "returned_at": "2019-04-18 10:00",
         "rhi_at": "2019-04-21 10:01"},  # 72 h 1 min -> out
        {"child_id": "C2", "missing_start": "2019-04-30 20:00", "returned_at": "2019-04-30 23:30",
         "rhi_at": "2019-05-01 09:00"},  # returned in April, interview in May -> April, in
        {"child_id": "C3", "missing_start": "2019-04-09 00:00", "returned_at": "2019-04-10 12:00"},  # no RHI -> out
        {"child_id": "C4", "missing_start": "2019-03-31 22:00", "returned_at": "2019-04-01 00:00",
         "rhi_at": "2019-04-01 12:00"},  # went missing in March, returned at midnight 1 April -> April, in
        {"child_id": "C5", "missing_start": "2019-04-30 22:00", "returned_at": "2019-05-01 00:00",
         "rhi_at": "2019-05-01 08:00"},  # May
        {"child_id": "C6", "missing_start": "2019-04-29 12:00"},  # not returned: not ended, not counted
    ]
    rows, _ = result("L05", tables_from(missing=missing), "2019-04", "2019-05")
    # April: M1 in, M2 out, C2 in, C3 out, C4 in -> 3 / 5 = 60.0%
    check(rows, "2019-04", 3, 5, 60.0)
    # May: C5 -> 1 / 1 = 100.0%
    check(rows, "2019-05", 1, 1, 100.0)


# --- L06 repeat missing (R12M, distinct children) ------------------------------------------


def test_l06_children_with_three_or_more_episodes_r12m():
    starts = {
        "A": ["2019-01-01", "2019-06-15", "2019-12-31"],
        "B": ["2019-12-01 00:00", "2019-12-01 18:00", "2019-12-02"],
        "C": ["2018-12-31 23:00", "2019-05-01", "2019-11-01"],
        "D": ["2019-03-01", "2019-04-01"],
        "E": ["2019-02-01", "2019-03-01", "2020-01-15"],
        "F": ["2019-01-05", "2019-01-20", "2019-02-10"],
    }
    missing = [
        {"child_id": c, "missing_start": pd.Timestamp(s), "returned_at": pd.Timestamp(s)}
        for c, dates in starts.items()
        for s in dates
    ]
    rows, members = result("L06", tables_from(missing=missing), "2019-12", "2020-01")
    # Dec 2019 window = Jan–Dec 2019: A 3 (in), B 3 (in, three episodes in two days = one child),
    # C 2 (31 Dec 2018 is outside), D 2, E 2, F 3 (in) -> 3 children
    check(rows, "2019-12", 3, None, 3)
    # Jan 2020 window = Feb 2019–Jan 2020: A 2, B 3 (in), C 2, D 2, E 3 (in; 1 Feb 2019 is inside),
    # F 1 -> 2 children
    check(rows, "2020-01", 2, None, 2)
    dec = members[members["month"] == pd.Period("2019-12", "M")]
    assert sorted(dec["record_id"]) == ["A", "B", "F"]


# --- L07 / L07b improvement plan actions ---------------------------------------------------


def test_l07_actions_green_among_live_and_overdue_count():
    def action(month, ref, status, rag, due=None):
        return dict(month=month, ref=ref, pillar="leadership", action="x", lead="DCS", due_date=due,
                    status=status, rag=rag)

    plan = [
        action("2019-10", "1.1.1", "In progress", "Green", "2019-12-31"),
        action("2019-10", "1.1.2", "In progress", "Amber", "2019-10-31"),
        action("2019-10", "1.1.3", "Not started", "Red", "2019-09-30"),
        action("2019-10", "1.1.4", "Complete", "Green", "2019-08-31"),
        action("2019-10", "1.1.5", "In progress", "Green"),
        action("2019-10", "1.2.1", "Not started", "Amber", "2020-03-31"),
        action("2019-11", "1.1.1", "Complete", "Green", "2019-12-31"),
        action("2019-11", "1.1.2", "In progress", "Green", "2019-10-31"),
    ]
    tables = tables_from(plan_actions=plan)
    rows, _ = result("L07", tables, "2019-10", "2019-12")
    # Oct: due to be live = 1.1.1, 1.1.2, 1.1.5 (in progress), 1.1.4 (complete) and 1.1.3 (not
    # started but due 30 Sep, passed); 1.2.1 is not started and due in 2020, so left out.
    # Green = 1.1.1, 1.1.4, 1.1.5 -> 3 / 5 = 60.0%
    check(rows, "2019-10", 3, 5, 60.0)
    # Nov: 1.1.1 complete Green, 1.1.2 in progress Green -> 2 / 2 = 100.0%
    check(rows, "2019-11", 2, 2, 100.0)
    # Dec: no tracker rows -> no value
    check(rows, "2019-12", 0, 0, None)
    overdue, _ = result("L07b", tables, "2019-10", "2019-12")
    # Oct: 1.1.2 due 31 Oct (on the month end) and 1.1.3 due 30 Sep, both not complete -> 2;
    # 1.1.1 and 1.2.1 due later, 1.1.5 no due date, 1.1.4 complete
    check(overdue, "2019-10", 2, None, 2)
    # Nov: 1.1.2 still in progress, due 31 Oct -> 1; Dec: no rows -> 0
    check(overdue, "2019-11", 1, None, 1)
    check(overdue, "2019-12", 0, None, 0)


# --- L08 LADO ------------------------------------------------------------------------------


def test_l08_lado_within_one_working_day_over_bank_holidays():
    lado = [
        # Easter 2019: Good Friday 19 April and Easter Monday 22 April
        {"lado_id": "A", "referral_date": "2019-04-18", "considered_date": "2019-04-23"},  # Thu->Tue = 1 WD, in
        {"lado_id": "B", "referral_date": "2019-04-18", "considered_date": "2019-04-24"},  # 2 WD, out
        {"lado_id": "C", "referral_date": "2019-04-20", "considered_date": "2019-04-23"},  # Sat start -> 0, in
        {"lado_id": "D", "referral_date": "2019-04-30", "considered_date": "2019-04-30"},  # same day 0, in
        {"lado_id": "E", "referral_date": "2019-04-10"},  # not considered: out
        {"lado_id": "M", "referral_date": "2019-03-31", "considered_date": "2019-04-01"},  # March (Sun->Mon = 0)
        # May 2020: VE Day Friday 8 May and spring bank holiday Monday 25 May
        {"lado_id": "F", "referral_date": "2020-05-07", "considered_date": "2020-05-11"},  # Thu->Mon = 1, in
        {"lado_id": "G", "referral_date": "2020-05-22", "considered_date": "2020-05-27"},  # Fri->Wed = 2, out
        {"lado_id": "H", "referral_date": "2020-05-22", "considered_date": "2020-05-26"},  # Fri->Tue = 1, in
    ]
    tables = tables_from(lado=lado)
    rows, _ = result("L08", tables, "2019-03", "2019-04")
    # March: M -> 1 / 1 = 100.0%;  April: A, C, D in; B, E out -> 3 / 5 = 60.0%
    check(rows, "2019-03", 1, 1, 100.0)
    check(rows, "2019-04", 3, 5, 60.0)
    rows, _ = result("L08", tables, "2020-05")
    # May 2020: F, H in; G out -> 2 / 3 = 66.7%
    check(rows, "2020-05", 2, 3, 66.7)


def test_every_leadership_kpi_has_a_test_and_catalogue_title():
    titles = {
        "L01": "Average caseload per case-holding social worker",
        "L02": "Case-holding SWs with more than 22 children",
        "L03": "Supervision within timescale",
        "L04": "Management oversight recorded in timescale",
        "L05": "Return home interviews within 72 hours",
        "L06": "Children with 3+ missing episodes in 12 months",
        "L07": "Improvement actions on track",
        "L08": "LADO referrals with initial consideration within 1 working day",
    }
    for kpi_id, title in titles.items():
        assert REGISTRY[kpi_id].title == title
        assert REGISTRY[kpi_id].pillar == "leadership"
