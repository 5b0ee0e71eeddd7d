"""Known-answer tests for the front-door KPIs P01–P06.

Every expected number below is worked out by hand in the comment beside the fixture (bank
holidays used: Good Friday 19 Apr 2019, Easter Monday 22 Apr 2019, 6 and 27 May 2019, VE Day
8 May 2020, 25 May 2020). Working days: start day is day 0; a weekday start counts itself.
"""


import pandas as pd

from torbayreport.io.schema import tables_from

from .known_answers import check, run


def test_p01_contact_decisions_easter_and_boundaries():
    tables = tables_from(
        contacts=[
            # Child A twice on the same day (two sources): each contact counts.
            # Thu 18 Apr -> Tue 23 Apr: 18 counts, 19 Good Friday, 20-21 weekend, 22 Easter Monday -> 1 WD: in time.
            {"child_id": "A", "contact_date": "2019-04-18", "contact_source": "1A", "decision_date": "2019-04-23"},
            # Thu 18 Apr -> Wed 24 Apr: 18 and 23 -> 2 WD: late.
            {"child_id": "A", "contact_date": "2019-04-18", "contact_source": "5A", "decision_date": "2019-04-24"},
            # First day of the month, same-day decision -> 0 WD: in time, counts in April.
            {"child_id": "B", "contact_date": "2019-04-01", "contact_source": "1A", "decision_date": "2019-04-01"},
            # Last day of April, decided next day (1 WD): counts in April, in time.
            {"child_id": "C", "contact_date": "2019-04-30", "contact_source": "1A", "decision_date": "2019-05-01"},
            # No decision recorded: denominator only.
            {"child_id": "D", "contact_date": "2019-04-10", "contact_source": "1A"},
            # Sun 31 Mar -> Mon 1 Apr: a weekend start counts from Monday -> 0 WD; March, not April.
            {"child_id": "E", "contact_date": "2019-03-31", "contact_source": "1A", "decision_date": "2019-04-01"},
            # Fri 3 May -> Tue 7 May: 3 counts, 4-5 weekend, 6 May bank holiday -> 1 WD: in time (May).
            {"child_id": "F", "contact_date": "2019-05-03", "contact_source": "1A", "decision_date": "2019-05-07"},
        ]
    )
    rows, members = run("P01", tables, "2019-03", "2019-06")
    check(rows, "2019-04", 3, 5, 60.0)  # A(1A), B, C of A(1A), A(5A), B, C, D
    check(rows, "2019-03", 1, 1, 100.0)  # E
    check(rows, "2019-05", 1, 1, 100.0)  # F
    check(rows, "2019-06", 0, 0, None)  # no contacts -> no data, not 0%
    april = members[members["month"] == pd.Period("2019-04", "M")]
    assert sorted(april.loc[april["in_numerator"], "record_id"]) == [
        "A|2019-04-18|1A", "B|2019-04-01|1A", "C|2019-04-30|1A"
    ]


def test_p02_re_referrals_from_history():
    tables = tables_from(
        referrals=[
            # A: previous referral exactly 12 months earlier (before the window) -> re-referral.
            {"referral_id": "A1", "child_id": "A", "referral_date": "2018-04-10", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "A2", "child_id": "A", "referral_date": "2019-04-10", "referral_source": "1A", "referral_nfa": False},
            # B: previous referral 12 months + 1 day earlier -> not a re-referral.
            {"referral_id": "B1", "child_id": "B", "referral_date": "2018-04-09", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "B2", "child_id": "B", "referral_date": "2019-04-10", "referral_source": "1A", "referral_nfa": False},
            # C: two referrals on the same day, no earlier one -> neither is a re-referral.
            {"referral_id": "C1", "child_id": "C", "referral_date": "2019-04-30", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "C2", "child_id": "C", "referral_date": "2019-04-30", "referral_source": "5A", "referral_nfa": False},
            # E: two in April -> the second (20 Apr) is a re-referral, the first is not.
            {"referral_id": "E1", "child_id": "E", "referral_date": "2019-04-15", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "E2", "child_id": "E", "referral_date": "2019-04-20", "referral_source": "1A", "referral_nfa": False},
            # D: January 2019 then 1 May 2019 (first day of May) -> May re-referral.
            {"referral_id": "D1", "child_id": "D", "referral_date": "2019-01-15", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "D2", "child_id": "D", "referral_date": "2019-05-01", "referral_source": "1A", "referral_nfa": False},
        ]
    )
    rows, members = run("P02", tables, "2019-04", "2019-06")
    # April: A2 yes, B2 no, C1 no, C2 no, E1 no, E2 yes -> 2 / 6 = 33.3%
    check(rows, "2019-04", 2, 6, 33.3)
    check(rows, "2019-05", 1, 1, 100.0)  # D2
    check(rows, "2019-06", 0, 0, None)
    assert set(members.loc[members["in_numerator"], "record_id"]) == {"A2", "E2", "D2"}


def test_p03_referral_nfa():
    tables = tables_from(
        referrals=[
            {"referral_id": "1", "child_id": "A", "referral_date": "2019-04-01", "referral_source": "1A", "referral_nfa": True},
            {"referral_id": "2", "child_id": "B", "referral_date": "2019-04-30", "referral_source": "1A", "referral_nfa": False},
            # Blank flag: denominator only.
            {"referral_id": "3", "child_id": "C", "referral_date": "2019-04-15", "referral_source": "1A", "referral_nfa": None},
            # 31 March: not April.
            {"referral_id": "4", "child_id": "D", "referral_date": "2019-03-31", "referral_source": "1A", "referral_nfa": True},
        ]
    )
    rows, _ = run("P03", tables, "2019-04", "2019-05")
    check(rows, "2019-04", 1, 3, 33.3)  # referral 1 of 1, 2, 3
    check(rows, "2019-05", 0, 0, None)


ASSESSMENTS = [
    # April 2019 has 20 WD from 1 Apr (22 weekdays less 19 and 22 Apr); May 2019 21 (23 less 6 and 27 May);
    # 3-6 June 4 -> 1 Apr to Fri 7 Jun = 45 WD: within 45, not within 20.
    {"child_id": "A1", "assessment_start": "2019-04-01", "authorised_date": "2019-06-07"},
    # ... to Mon 10 Jun = 46 WD (7 Jun added): late for both.
    {"child_id": "A2", "assessment_start": "2019-04-01", "authorised_date": "2019-06-10"},
    # Same day = 0 WD: in time for both.
    {"child_id": "A3", "assessment_start": "2019-06-03", "authorised_date": "2019-06-03"},
    # Mon 20 May -> Mon 17 Jun: 20-24 May (5), 28-31 May (4; 27 May holiday), 3-14 Jun (10) = 19 WD.
    {"child_id": "A4", "assessment_start": "2019-05-20", "authorised_date": "2019-06-17"},
    # ... -> Wed 19 Jun: + 17 and 18 Jun = 21 WD: within 45, not within 20.
    {"child_id": "A5", "assessment_start": "2019-05-20", "authorised_date": "2019-06-19"},
    # Not yet authorised: not counted in any month.
    {"child_id": "A6", "assessment_start": "2019-05-01"},
    # Fri 28 Jun -> Sun 30 Jun (last day of June): 1 WD; counts in June.
    {"child_id": "A7", "assessment_start": "2019-06-28", "authorised_date": "2019-06-30"},
]


def test_p04_assessments_within_45_working_days():
    rows, _ = run("P04", tables_from(assessments=ASSESSMENTS), "2019-06", "2019-07")
    check(rows, "2019-06", 5, 6, 83.3)  # A1, A3, A4, A5, A7 of six authorised (A6 open)
    check(rows, "2019-07", 0, 0, None)


def test_p05_assessments_within_20_working_days():
    rows, members = run("P05", tables_from(assessments=ASSESSMENTS), "2019-06", "2019-07")
    check(rows, "2019-06", 3, 6, 50.0)  # A3 (0), A4 (19), A7 (1) of six
    assert set(members.loc[members["in_numerator"], "record_id"]) == {
        "A3|2019-06-03", "A4|2019-05-20", "A7|2019-06-28"
    }


def test_p06_child_seen_within_5_working_days_of_referral():
    tables = tables_from(
        referrals=[
            {"referral_id": "RA", "child_id": "A", "referral_date": "2020-05-04", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "RB", "child_id": "B", "referral_date": "2020-05-04", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "RC1", "child_id": "C", "referral_date": "2020-05-01", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "RC2", "child_id": "C", "referral_date": "2020-05-20", "referral_source": "1A", "referral_nfa": False},
            {"referral_id": "RE", "child_id": "E", "referral_date": "2020-05-18", "referral_source": "1A", "referral_nfa": False},
        ],
        assessments=[
            # Mon 4 May -> Tue 12 May: 4, 5, 6, 7 (Fri 8 May VE Day), 11 = 5 WD: in time (6 without VE Day).
            {"child_id": "A", "referral_id": "RA", "assessment_start": "2020-05-05", "child_seen_date": "2020-05-12"},
            # Mon 4 May -> Wed 13 May: 4, 5, 6, 7, 11, 12 = 6 WD: late.
            {"child_id": "B", "referral_id": "RB", "assessment_start": "2020-05-05", "child_seen_date": "2020-05-13"},
            # No referral id: child's latest referral on or before the start is 20 May (not 1 May).
            # Wed 20 May -> Thu 28 May: 20, 21, 22, 26, 27 (Mon 25 May holiday) = 5 WD: in time
            # (6 without the holiday; from 1 May it would be 17 WD).
            {"child_id": "C", "assessment_start": "2020-05-26", "child_seen_date": "2020-05-28"},
            # Not seen: denominator only.
            {"child_id": "D", "assessment_start": "2020-05-29"},
            # Seen Sat 16 May, before the referral (Mon 18 May): not counted as seen in time (working_days
            # gives 0 here, as no working day lies between, so the calendar order must be checked too).
            {"child_id": "E", "referral_id": "RE", "assessment_start": "2020-05-18", "child_seen_date": "2020-05-16"},
            # Started 30 April: April, not May.
            {"child_id": "F", "assessment_start": "2020-04-30", "child_seen_date": "2020-04-30"},
        ],
    )
    rows, _ = run("P06", tables, "2020-05", "2020-06")
    check(rows, "2020-05", 2, 5, 40.0)  # A, C of A, B, C, D, E
    check(rows, "2020-06", 0, 0, None)


def test_open_assessments_overdue_drill_down():
    from torbayreport.metrics.practice_front_door import open_assessments_overdue
    from torbayreport.metrics.windows import month_window

    tables = tables_from(assessments=[
        # started Mon 4 Mar 2019 and still open (working days worked out below)
        {"child_id": "A", "assessment_start": "2019-03-04"},
        # same start but authorised 31 May (the month end): closed at the May month end
        {"child_id": "B", "assessment_start": "2019-03-04", "authorised_date": "2019-05-31"},
        # started 1 May: 19 WD by 31 May -> not over
        {"child_id": "C", "assessment_start": "2019-05-01"},
    ])
    out = open_assessments_overdue(tables, month_window("2019-04", "2019-05"))
    # April end: A and B open; 4 Mar -> 30 Apr is 41 weekdays after day 0 (Tue 5 Mar .. Tue 30 Apr),
    # minus Good Friday 19 and Easter Monday 22 Apr = 39 working days <= 45, so not listed
    assert out[out["month"] == pd.Period("2019-04", "M")].empty
    may = out[out["month"] == pd.Period("2019-05", "M")]
    assert may["child_id"].tolist() == ["A"]
    # 4 Mar -> 31 May: 64 weekdays after day 0 (41 to 30 Apr + 23 in May), minus Good Friday, Easter
    # Monday, 6 May and 27 May = 60 working days; B was authorised on 31 May, so closed at month end
    assert may["working_days_open"].tolist() == [60]
