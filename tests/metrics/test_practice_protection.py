"""Known-answer tests for the protection / children-in-need KPIs P07–P16, P25 and P26.

Expected numbers are worked out by hand in the comments (bank holidays used: Good Friday
19 Apr 2019, Easter Monday 22 Apr 2019, VE Day Fri 8 May 2020, Mon 25 May 2020). Working days:
start day is day 0, so working_days(start, end) counts the working days from start up to the day
before end.
"""



from torbayreport.io.schema import tables_from

from .known_answers import check, in_numerator, run


def test_p07_s47_child_seen_within_1_working_day():
    tables = tables_from(
        s47=[
            # Thu 18 Apr 2019 -> Tue 23 Apr: 18 only (19 Good Friday, weekend, 22 Easter Monday) = 1 WD: yes.
            {"child_id": "A", "strategy_date": "2019-04-18", "child_seen_date": "2019-04-23"},
            # -> Wed 24 Apr: 18, 23 = 2 WD: no.
            {"child_id": "B", "strategy_date": "2019-04-18", "child_seen_date": "2019-04-24"},
            # First of the month, seen same day = 0 WD: yes.
            {"child_id": "C", "strategy_date": "2019-04-01", "child_seen_date": "2019-04-01"},
            # Last of the month, seen next day = 1 WD: yes, counted in April (start month).
            {"child_id": "D", "strategy_date": "2019-04-30", "child_seen_date": "2019-05-01"},
            # Not seen: denominator only.
            {"child_id": "E", "strategy_date": "2019-04-10"},
        ]
    )
    rows, members = run("P07", tables, "2019-04", "2019-05")
    check(rows, "2019-04", 3, 5, 60.0)
    check(rows, "2019-05", 0, 0, None)
    assert in_numerator(members, "2019-04") == ["A|2019-04-18", "C|2019-04-01", "D|2019-04-30"]


def test_p08_s47_completed_within_15_working_days_ve_day():
    tables = tables_from(
        s47=[
            # Fri 24 Apr 2020 -> Fri 15 May: 24 Apr (1), 27-30 Apr (4), 1 May (1), 4-7 May (4; 8 May VE Day),
            # 11-14 May (4) = 14 WD: yes.
            {"child_id": "A", "strategy_date": "2020-04-24", "completed_date": "2020-05-15"},
            # -> Mon 18 May: + 15 May = 15 WD: yes (exactly 15; 16 without VE Day).
            {"child_id": "B", "strategy_date": "2020-04-24", "completed_date": "2020-05-18"},
            # -> Tue 19 May: 16 WD: no.
            {"child_id": "C", "strategy_date": "2020-04-24", "completed_date": "2020-05-19"},
            # Tue 26 May -> Sun 31 May (last day): 26-29 = 4 WD: yes, May.
            {"child_id": "D", "strategy_date": "2020-05-26", "completed_date": "2020-05-31"},
            # Still open: not counted.
            {"child_id": "E", "strategy_date": "2020-05-01"},
        ]
    )
    rows, _ = run("P08", tables, "2020-05", "2020-06")
    check(rows, "2020-05", 3, 4, 75.0)  # A, B, D of A, B, C, D
    check(rows, "2020-06", 0, 0, None)


def test_p09_icpc_within_15_working_days_excludes_icpc_before_s47():
    tables = tables_from(
        s47=[
            # 24 Apr -> 18 May 2020 = 15 WD (see P08): yes.
            {"child_id": "A", "strategy_date": "2020-04-24", "icpc_date": "2020-05-18"},
            # 24 Apr -> 19 May = 16 WD: no.
            {"child_id": "B", "strategy_date": "2020-04-24", "icpc_date": "2020-05-19"},
            # ICPC dated before its S47: excluded from numerator and denominator.
            {"child_id": "C", "strategy_date": "2020-05-12", "icpc_date": "2020-05-10"},
            # No ICPC: not counted.
            {"child_id": "D", "strategy_date": "2020-05-01"},
            # Fri 29 May -> Mon 1 Jun (first day of June) = 1 WD: yes, June.
            {"child_id": "E", "strategy_date": "2020-05-29", "icpc_date": "2020-06-01"},
            # Same day = 0 WD: yes, May.
            {"child_id": "F", "strategy_date": "2020-05-20", "icpc_date": "2020-05-20"},
        ]
    )
    rows, members = run("P09", tables, "2020-05", "2020-07")
    check(rows, "2020-05", 2, 3, 66.7)  # A, F of A, B, F
    check(rows, "2020-06", 1, 1, 100.0)  # E
    check(rows, "2020-07", 0, 0, None)
    assert "C|2020-05-12" not in set(members["record_id"])


def test_p10_s47_leading_to_icpc():
    tables = tables_from(
        s47=[
            # ICPC held after the S47 completed: still "led to an ICPC".
            {"child_id": "A", "strategy_date": "2019-03-20", "completed_date": "2019-04-05", "icpc_date": "2019-04-20"},
            {"child_id": "B", "strategy_date": "2019-04-01", "completed_date": "2019-04-30", "icpc_not_required": True},
            {"child_id": "C", "strategy_date": "2019-04-01", "completed_date": "2019-04-12"},
            # Completed 31 March: March.
            {"child_id": "D", "strategy_date": "2019-03-01", "completed_date": "2019-03-31", "icpc_date": "2019-03-29"},
        ]
    )
    rows, _ = run("P10", tables, "2019-03", "2019-05")
    check(rows, "2019-04", 1, 3, 33.3)  # A of A, B, C
    check(rows, "2019-03", 1, 1, 100.0)  # D
    check(rows, "2019-05", 0, 0, None)


def test_p11_second_or_subsequent_plans_r12m():
    tables = tables_from(
        cp_plans=[
            # A: a plan in 2010 (however long ago) makes the 1 Apr 2019 plan a repeat.
            {"child_id": "A", "cp_start": "2010-01-05", "cp_end": "2011-01-01", "initial_category": "Neglect", "latest_category": "Neglect"},
            {"child_id": "A", "cp_start": "2019-04-01", "initial_category": "Neglect", "latest_category": "Neglect"},
            # B: 31 Mar 2019 falls outside Apr 2019-Mar 2020 (the day before its first day), inside Apr 2018-Mar 2019.
            {"child_id": "B", "cp_start": "2019-03-31", "cp_end": "2019-06-01", "initial_category": "Neglect", "latest_category": "Neglect"},
            # C: two plans in the year: first new, second a repeat (events, the child counts twice).
            {"child_id": "C", "cp_start": "2019-06-15", "cp_end": "2019-09-01", "initial_category": "Neglect", "latest_category": "Neglect"},
            {"child_id": "C", "cp_start": "2019-12-01", "initial_category": "Neglect", "latest_category": "Neglect"},
            # D: a first plan on 30 Apr 2020 (last day of April).
            {"child_id": "D", "cp_start": "2020-04-30", "initial_category": "Neglect", "latest_category": "Neglect"},
        ]
    )
    rows, members = run("P11", tables, "2019-01", "2020-04")
    # Mar 2020 (Apr 2019-Mar 2020): A(2019-04-01) yes, C1 no, C2 yes -> 2/3.
    check(rows, "2020-03", 2, 3, 66.7)
    # Apr 2020 (May 2019-Apr 2020): A's plan drops out; C1 no, C2 yes, D no -> 1/3.
    check(rows, "2020-04", 1, 3, 33.3)
    # Mar 2019 (Apr 2018-Mar 2019): B only, a first plan -> 0/1 = 0%, which is data, not "no data".
    check(rows, "2019-03", 0, 1, 0.0)
    # Jan 2019 (Feb 2018-Jan 2019): no plans started -> no data.
    check(rows, "2019-01", 0, 0, None)
    assert in_numerator(members, "2020-03") == ["A|2019-04-01", "C|2019-12-01"]


def test_p12_plans_ended_lasting_2_years_r12m():
    cat = {"initial_category": "Neglect", "latest_category": "Neglect"}
    tables = tables_from(
        cp_plans=[
            {"child_id": "A", "cp_start": "2018-03-15", "cp_end": "2020-03-15", **cat},  # exactly 2 years: yes
            {"child_id": "B", "cp_start": "2018-03-16", "cp_end": "2020-03-15", **cat},  # one day short: no
            {"child_id": "D", "cp_start": "2017-01-01", "cp_end": "2019-04-01", **cat},  # first day of Mar-2020 window: yes
            {"child_id": "E", "cp_start": "2017-01-01", "cp_end": "2019-03-31", **cat},  # 12 months + 1 day back: out
            {"child_id": "F", "cp_start": "2015-01-01", **cat},  # still open: not ended
        ]
    )
    rows, _ = run("P12", tables, "2020-03", "2020-04")
    check(rows, "2020-03", 2, 3, 66.7)  # A, D of A, B, D
    check(rows, "2020-04", 1, 2, 50.0)  # May 2019-Apr 2020: A of A, B


CP_SNAPSHOT = dict(
    cp_plans=[
        {"child_id": "A", "cp_start": "2020-01-01", "initial_category": "Neglect", "latest_category": "Neglect"},
        {"child_id": "B", "cp_start": "2020-01-01", "initial_category": "Neglect", "latest_category": "Neglect"},
        # C's plan ends on the last day of May: closed at the May month end.
        {"child_id": "C", "cp_start": "2020-01-01", "cp_end": "2020-05-31", "initial_category": "Neglect", "latest_category": "Neglect"},
        # D's plan starts on the last day of May: open at the month end; no visit yet.
        {"child_id": "D", "cp_start": "2020-05-31", "initial_category": "Neglect", "latest_category": "Neglect"},
        # E has two overlapping open plans (a data error): one child.
        {"child_id": "E", "cp_start": "2020-01-01", "initial_category": "Neglect", "latest_category": "Neglect"},
        {"child_id": "E", "cp_start": "2020-02-01", "initial_category": "Neglect", "latest_category": "Neglect"},
    ],
    visits=[
        # Month end Sun 31 May 2020. Fri 15 May -> 31 May: 15, 18-22, 26-29 (25 May holiday) = 10 WD: in time.
        {"child_id": "A", "visit_date": "2020-05-15", "visit_type": "CP", "seen_alone": True},
        # After the May month end: ignored for May, A's last visit for June.
        {"child_id": "A", "visit_date": "2020-06-01", "visit_type": "CP", "seen_alone": False},
        # Thu 14 May -> 31 May = 11 WD: late.
        {"child_id": "B", "visit_date": "2020-05-14", "visit_type": "CP", "seen_alone": False},
        # A CIN visit does not count as a CP visit.
        {"child_id": "B", "visit_date": "2020-05-29", "visit_type": "CIN", "seen_alone": True},
        {"child_id": "C", "visit_date": "2020-05-29", "visit_type": "CP", "seen_alone": True},
        # Fri 29 May -> 31 May = 1 WD: in time; seen alone blank -> not seen alone.
        {"child_id": "E", "visit_date": "2020-05-29", "visit_type": "CP"},
    ],
)


def test_p13_cp_visits_within_10_working_days():
    rows, members = run("P13", tables_from(**CP_SNAPSHOT), "2020-05", "2020-06")
    # May: children A, B, D, E on a plan (C closed on 31 May). In time: A (10 WD), E (1 WD).
    check(rows, "2020-05", 2, 4, 50.0)
    assert in_numerator(members, "2020-05") == ["A", "E"]
    # June (month end Tue 30 Jun): A's last visit Mon 1 Jun -> 21 WD (1-5, 8-12, 15-19, 22-26, 29 Jun);
    # B 14 May, E 29 May, D none: nobody in time.
    check(rows, "2020-06", 0, 4, 0.0)


def test_p14_cp_seen_alone_at_last_visit():
    rows, members = run("P14", tables_from(**CP_SNAPSHOT), "2020-05", "2020-06")
    # May: A's last CP visit (15 May) seen alone; B's (14 May) not; D no visit; E blank.
    check(rows, "2020-05", 1, 4, 25.0)
    # June: A's last visit is now 1 June (not alone).
    check(rows, "2020-06", 0, 4, 0.0)


def test_p15_cp_review_conferences_in_timescale():
    cat = {"initial_category": "Neglect", "latest_category": "Neglect"}
    tables = tables_from(
        cp_plans=[
            {"child_id": "A", "cp_start": "2019-01-10", **cat},
            {"child_id": "B", "cp_start": "2019-01-31", "cp_end": "2019-09-01", **cat},
            {"child_id": "C", "cp_start": "2019-07-01", "cp_end": "2019-10-01", **cat},
            {"child_id": "D", "cp_start": "2019-07-02", **cat},
        ],
        cp_reviews=[
            # A: first due 10 Apr 2019 (start + 3 months), held that day: on time (April).
            {"child_id": "A", "cp_start": "2019-01-10", "review_date": "2019-04-10"},
            # A: second due 10 Oct 2019 (+6 months), held 20 Oct: late (October).
            {"child_id": "A", "cp_start": "2019-01-10", "review_date": "2019-10-20"},
            # A: third due 20 Apr 2020 (6 months after the review actually held), not held, plan open:
            # missed (April 2020).
            # B: first due 30 Apr 2019 (31 Jan + 3 months, clipped), held early on 25 Apr: on time (April).
            # B's next (25 Oct 2019) is not due: the plan ended 1 Sep 2019.
            {"child_id": "B", "cp_start": "2019-01-31", "review_date": "2019-04-25"},
            # C: first due 1 Oct 2019, plan ended that day with no review: not due.
            # D: first due 2 Oct 2019, plan open, no review: missed (October).
        ],
    )
    rows, members = run("P15", tables, "2019-04", "2020-04")
    check(rows, "2019-04", 2, 2, 100.0)  # A first, B first
    check(rows, "2019-05", 0, 0, None)
    check(rows, "2019-10", 0, 2, 0.0)  # A second (late), D first (missed)
    check(rows, "2020-04", 0, 1, 0.0)  # A third (missed)
    assert rows["denominator"].sum() == 5
    assert sorted(members["record_id"]) == [
        "A|2019-01-10|2019-04-10", "A|2019-01-10|2019-10-10", "A|2019-01-10|2020-04-20",
        "B|2019-01-31|2019-04-30", "D|2019-07-02|2019-10-02",
    ]


def test_p16_cin_visits_excludes_cp_and_cla():
    cin = lambda child, end=None: {"child_id": child, "cin_start": "2019-01-01", "cin_end": end, "primary_need": "N1"}  # noqa: E731
    cat = {"initial_category": "Neglect", "latest_category": "Neglect"}
    tables = tables_from(
        cin_episodes=[cin("A"), cin("B"), cin("C"), cin("D"), cin("E"), cin("F", "2019-04-30"), cin("G")],
        cp_plans=[
            {"child_id": "C", "cp_start": "2019-02-01", **cat},  # on a plan at month end: excluded
            {"child_id": "E", "cp_start": "2019-02-01", "cp_end": "2019-04-30", **cat},  # plan closed 30 Apr: stays in
        ],
        cla_periods=[{"child_id": "D", "cla_start": "2019-03-01", "legal_status": "C2"}],  # looked after: excluded
        visits=[
            # Month end Tue 30 Apr 2019; 1-29 Apr has 19 WD (Easter 19 and 22 Apr out).
            # Fri 29 Mar -> 30 Apr = 1 + 19 = 20 WD: in time.
            {"child_id": "A", "visit_date": "2019-03-29", "visit_type": "CIN"},
            # Thu 28 Mar -> 30 Apr = 21 WD: late.
            {"child_id": "B", "visit_date": "2019-03-28", "visit_type": "CIN"},
            {"child_id": "C", "visit_date": "2019-04-29", "visit_type": "CIN"},
            {"child_id": "D", "visit_date": "2019-04-29", "visit_type": "CIN"},
            # Visit on the month end itself = 0 WD: in time.
            {"child_id": "E", "visit_date": "2019-04-30", "visit_type": "CIN"},
            # Only a CP-type visit: no CIN visit, not in time.
            {"child_id": "G", "visit_date": "2019-04-29", "visit_type": "CP"},
        ],
    )
    rows, members = run("P16", tables, "2019-04", "2019-04")
    check(rows, "2019-04", 2, 4, 50.0)  # A, E of A, B, E, G (F closed on 30 Apr)
    assert in_numerator(members, "2019-04") == ["A", "E"]


def test_p25_cp_medicals_r12m():
    tables = tables_from(
        s47=[
            {"child_id": "A", "strategy_date": "2019-04-01", "physical_abuse_disclosed": True, "cp_medical_date": "2019-04-02"},
            # 31 Mar 2019: the day before the first day of Apr 2019-Mar 2020: out.
            {"child_id": "B", "strategy_date": "2019-03-31", "physical_abuse_disclosed": True, "cp_medical_date": "2019-04-01"},
            # Last day of the window, no medical.
            {"child_id": "C", "strategy_date": "2020-03-31", "physical_abuse_disclosed": True},
            # Not disclosed / blank: not in the cohort.
            {"child_id": "D", "strategy_date": "2019-10-01", "physical_abuse_disclosed": False, "cp_medical_date": "2019-10-02"},
            {"child_id": "E", "strategy_date": "2019-10-01"},
        ]
    )
    rows, _ = run("P25", tables, "2018-02", "2020-04")
    check(rows, "2020-03", 1, 2, 50.0)  # Apr 2019-Mar 2020: A (medical) of A, C
    check(rows, "2020-04", 0, 1, 0.0)  # May 2019-Apr 2020: C only
    check(rows, "2018-02", 0, 0, None)  # Mar 2017-Feb 2018: none


def test_p26_drps_count():
    tables = tables_from(
        drps=[
            {"drp_id": "1", "raised_date": "2019-04-01", "raised_by": "IRO"},
            {"drp_id": "2", "raised_date": "2019-04-30", "raised_by": "CP chair"},
            {"drp_id": "3", "raised_date": "2019-04-15", "raised_by": "Other"},  # not by an IRO/chair
            {"drp_id": "4", "raised_date": "2019-05-01", "raised_by": "IRO"},
        ]
    )
    rows, _ = run("P26", tables, "2019-04", "2019-06")
    check(rows, "2019-04", 2, None, 2)
    check(rows, "2019-05", 1, None, 1)
    check(rows, "2019-06", 0, None, 0)  # a count of none is 0 (a count has no denominator)
