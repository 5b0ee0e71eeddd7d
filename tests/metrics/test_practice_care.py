"""Known-answer tests for the looked-after / care-leaver / edge-of-care KPIs P17–P24, P27a, P27b.

Expected numbers are worked out by hand in the comments (bank holidays used: Good Friday
19 Apr 2019, Easter Monday 22 Apr 2019, 6 and 27 May 2019). Working days: start day is day 0.
"""

import pandas as pd

from torbayreport.io.schema import tables_from

from .known_answers import check, in_numerator, run


def cla(child, start, end=None):
    return {"child_id": child, "cla_start": start, "cla_end": end, "legal_status": "C2"}


def test_p17_cla_visited_within_42_days():
    tables = tables_from(
        cla_periods=[
            cla("A", "2019-01-01"), cla("B", "2019-01-01"),
            cla("C", "2019-01-01", "2019-04-30"),  # ends on the month end: not looked after at it
            cla("D", "2019-04-30"),  # starts on the month end: looked after, no visit yet
            cla("E", "2019-01-01"), cla("F", "2019-01-01"),
        ],
        visits=[
            # Month end 30 Apr 2019. 19 Mar -> 30 Apr = 12 + 30 = 42 calendar days: in time.
            {"child_id": "A", "visit_date": "2019-03-19", "visit_type": "CLA"},
            # 18 Mar = 43 days: late.
            {"child_id": "B", "visit_date": "2019-03-18", "visit_type": "CLA"},
            {"child_id": "C", "visit_date": "2019-04-29", "visit_type": "CLA"},
            # Only a CP-type visit: not a CLA visit.
            {"child_id": "E", "visit_date": "2019-04-29", "visit_type": "CP"},
            # F: 1 Apr (29 days) counts; the 1 May visit is after the month end.
            {"child_id": "F", "visit_date": "2019-04-01", "visit_type": "CLA"},
            {"child_id": "F", "visit_date": "2019-05-01", "visit_type": "CLA"},
        ],
    )
    rows, members = run("P17", tables, "2019-04", "2019-04")
    check(rows, "2019-04", 2, 5, 40.0)  # A, F of A, B, D, E, F
    assert in_numerator(members, "2019-04") == ["A", "F"]


def test_p18_cla_reviews_in_timescale():
    tables = tables_from(
        cla_periods=[
            cla("A", "2019-04-01"),
            cla("B", "2019-04-18", "2019-06-30"),
            cla("C", "2018-01-01", "2019-01-01"),
            cla("C", "2019-05-01"),
            cla("D", "2019-04-15", "2019-05-13"),
        ],
        cla_reviews=[
            # A: start Mon 1 Apr 2019. April has 20 WD (22 weekdays less 19 and 22 Apr), so the 20th working
            # day after the start is Wed 1 May: first review due 1 May, held 1 May -> on time (May).
            {"child_id": "A", "review_date": "2019-05-01"},
            # A: second due 3 months after the first held = 1 Aug; held 1 Aug -> on time (August).
            {"child_id": "A", "review_date": "2019-08-01"},
            # A: third due 6 months later = 1 Feb 2020; held Mon 3 Feb -> late (February 2020).
            {"child_id": "A", "review_date": "2020-02-03"},
            # B: start Thu 18 Apr = day 0; 23-26 Apr (1-4), 29-30 Apr (5-6), 1-3 May (7-9), 7-10 May (10-13;
            # 6 May holiday), 13-17 May (14-18), 20 May (19), 21 May (20): due Tue 21 May; held 22 May -> late.
            # B's second (22 Aug) is not due: the period ended 30 Jun.
            {"child_id": "B", "review_date": "2019-05-22"},
            # C: a review in the first period (2018) and one between periods (belongs to none).
            {"child_id": "C", "review_date": "2018-06-01"},
            {"child_id": "C", "review_date": "2019-01-05"},
            # C's second period: start Wed 1 May; 2-3 May (1-2), 7-10 (3-6), 13-17 (7-11), 20-24 (12-16),
            # 28-31 (17-20; 27 May holiday): due Fri 31 May (last day of May); no review held -> missed (May).
            # D: start 15 Apr, first due 16 May, but care ended 13 May -> not due.
        ],
    )
    rows, members = run("P18", tables, "2019-04", "2020-03")
    check(rows, "2019-04", 0, 0, None)
    check(rows, "2019-05", 1, 3, 33.3)  # A first (on time), B first (late), C first (missed)
    check(rows, "2019-08", 1, 1, 100.0)  # A second
    check(rows, "2020-02", 0, 1, 0.0)  # A third (late)
    assert rows["denominator"].sum() == 5
    may = members[members["month"] == pd.Period("2019-05", "M")]
    assert sorted(may["record_id"]) == ["A|2019-04-01|2019-05-01", "B|2019-04-18|2019-05-21", "C|2019-05-01|2019-05-31"]


def test_p19_health_assessments_by_age():
    dob = lambda child, d: {"child_id": child, "gender": "Male", "ethnicity": "WBRI", "date_of_birth": d}  # noqa: E731
    tables = tables_from(
        children=[
            dob("A", "2014-05-01"),  # 4 at 30 Apr 2019 (5 the next day): 6-month rule
            dob("B", "2014-04-30"),  # 5 on 30 Apr 2019: 12-month rule
            dob("C", "2014-05-01"),  # 4: 6-month rule
            dob("D", "2010-01-01"), dob("E", "2010-01-01"),
            dob("F", None),  # no date of birth: the stricter 6-month rule
            dob("G", "2009-01-01"),
        ],
        cla_periods=[
            cla("A", "2019-01-01"), cla("B", "2019-01-01"), cla("C", "2019-01-01"),
            cla("D", "2019-04-03"),  # 27 days in care at 30 Apr: not in the cohort
            cla("E", "2019-04-02"),  # 28 days: in the cohort
            cla("F", "2018-01-01"), cla("G", "2018-01-01"),
        ],
        health_assessments=[
            {"child_id": "A", "assessment_date": "2018-10-30"},  # exactly 6 months before 30 Apr: up to date
            {"child_id": "B", "assessment_date": "2018-05-01"},  # within 12 months: up to date
            {"child_id": "C", "assessment_date": "2018-10-29"},  # 6 months + 1 day: out of date
            {"child_id": "D", "assessment_date": "2019-04-20"},
            # E: none.
            {"child_id": "F", "assessment_date": "2018-06-30"},  # 10 months: fails the 6-month rule
            {"child_id": "G", "assessment_date": "2019-05-01"},  # after the month end: ignored -> none
        ],
    )
    rows, members = run("P19", tables, "2019-04", "2019-04")
    check(rows, "2019-04", 2, 6, 33.3)  # A, B of A, B, C, E, F, G
    assert in_numerator(members, "2019-04") == ["A", "B"]


def test_p20_three_or_more_placements_in_12_months():
    p = lambda child, start, end=None, kind="U1": {  # noqa: E731
        "child_id": child, "placement_start": start, "placement_end": end, "placement_type": kind, "provider": "PR1"
    }
    tables = tables_from(
        cla_periods=[cla("A", "2018-01-01"), cla("B", "2018-01-01"), cla("C", "2019-05-01"),
                     cla("D", "2018-01-01", "2020-03-31"), cla("E", "2018-01-01")],
        placements=[
            # Mar 2020: the 12 months are 1 Apr 2019 - 31 Mar 2020.
            # A: the first placement ends on 1 Apr 2019 (first day of the year) so it counts: 3 -> yes.
            p("A", "2018-01-01", "2019-04-01"), p("A", "2019-04-01", "2019-10-01"), p("A", "2019-10-01"),
            # B: the first ends 31 Mar 2019, the day before the year: 2 -> no.
            p("B", "2018-01-01", "2019-03-31"), p("B", "2019-03-31", "2019-10-01"), p("B", "2019-10-01"),
            # C: a temporary (T1, hospital) placement is not a move: 2 -> no.
            p("C", "2019-05-01", "2019-06-01"), p("C", "2019-06-01", "2019-06-10", "T1"), p("C", "2019-06-10"),
            # D: left care on 31 Mar 2020, so not looked after at the month end despite 4 placements.
            p("D", "2019-05-01", "2019-06-01"), p("D", "2019-06-01", "2019-07-01"),
            p("D", "2019-07-01", "2019-08-01"), p("D", "2019-08-01", "2020-03-31"),
            # E: no placements recorded: 0 -> no.
        ],
    )
    rows, members = run("P20", tables, "2020-03", "2020-04")
    check(rows, "2020-03", 1, 4, 25.0)  # A of A, B, C, E
    # Apr 2020 (1 May 2019 - 30 Apr 2020): A's first placement drops out -> 2: nobody.
    check(rows, "2020-04", 0, 4, 0.0)
    assert in_numerator(members, "2020-03") == ["A"]


def test_p21_long_term_stability():
    dob = lambda child, d: {"child_id": child, "gender": "Female", "ethnicity": "WBRI", "date_of_birth": d}  # noqa: E731
    p = lambda child, start, end=None, kind="U1": {  # noqa: E731
        "child_id": child, "placement_start": start, "placement_end": end, "placement_type": kind, "provider": "PR1"
    }
    tables = tables_from(
        children=[dob("A", "2010-01-01"), dob("B", "2010-01-01"), dob("C", "2010-01-01"),
                  dob("D", "2004-03-31"), dob("E", "2004-04-01"), dob("F", None), dob("G", "2010-01-01")],
        cla_periods=[
            # Month end 31 Mar 2020; 2.5 years (30 months) before is 30 Sep 2017.
            cla("A", "2017-09-30"),  # exactly 2.5 years: in the cohort
            cla("B", "2017-01-01"),
            cla("C", "2017-10-01"),  # a day short of 2.5 years: not in the cohort
            cla("D", "2015-01-01"),  # 16 on 31 Mar 2020: not under 16
            cla("E", "2015-01-01"),  # 15 (16 on 1 Apr): under 16
            cla("F", "2015-01-01"),  # no date of birth: cannot be placed in the age band
            cla("G", "2016-01-01"),
        ],
        placements=[
            p("A", "2018-03-31"),  # + 2 years = 31 Mar 2020 <= month end: stable
            p("B", "2018-04-01"),  # + 2 years = 1 Apr 2020: not yet
            p("C", "2017-10-01"),
            p("D", "2015-01-01"),
            p("E", "2015-01-01", "2019-12-01"), p("E", "2019-12-01", kind="A4"),  # placed for adoption: counts
            p("F", "2015-01-01"),
            p("G", "2016-01-01", "2020-03-31"),  # ended on the month end, no current placement: not stable
        ],
    )
    rows, members = run("P21", tables, "2020-03", "2020-03")
    check(rows, "2020-03", 2, 4, 50.0)  # A, E of A, B, E, G
    assert sorted(members["record_id"]) == ["A", "B", "E", "G"]
    assert in_numerator(members, "2020-03") == ["A", "E"]


def test_p22_re_entering_care_within_12_months_r12m():
    tables = tables_from(
        cla_periods=[
            # A: previous period ended 1 Mar 2019, new one starts 1 Dec 2019 (9 months): re-entry.
            cla("A", "2018-01-01", "2019-03-01"), cla("A", "2019-12-01"),
            # B: previous ended 1 Jun 2018, new one 2 Jun 2019 = 12 months + 1 day: not a re-entry.
            cla("B", "2017-01-01", "2018-06-01"), cla("B", "2019-06-02"),
            # C: first period, starting on the first day of the Mar-2020 12 months (1 Apr 2019).
            cla("C", "2019-04-01"),
            # D: a first period in May 2019, then a new period the day the first ended: re-entry.
            cla("D", "2019-05-01", "2019-06-01"), cla("D", "2019-06-01"),
        ]
    )
    rows, members = run("P22", tables, "2020-03", "2020-04")
    check(rows, "2020-03", 2, 5, 40.0)  # A2, D2 of A2, B2, C, D1, D2
    check(rows, "2020-04", 2, 4, 50.0)  # May 2019-Apr 2020: C drops out
    assert in_numerator(members, "2020-03") == ["A|2019-12-01", "D|2019-06-01"]


def test_p23_plo_within_12_or_16_weeks():
    tables = tables_from(
        plo=[
            # 1 Jan -> 26 Mar 2019: 30 (rest of Jan) + 28 + 26 = 84 days: in time.
            {"child_id": "A", "plo_start": "2019-01-01", "plo_end": "2019-03-26"},
            # 85 days: late.
            {"child_id": "B", "plo_start": "2019-01-01", "plo_end": "2019-03-27"},
            # Complex: 5 Dec 2018 -> 27 Mar 2019 = 26 + 31 + 28 + 27 = 112 days: in time.
            {"child_id": "C", "plo_start": "2018-12-05", "plo_end": "2019-03-27", "complex": True},
            # Complex, 113 days: late.
            {"child_id": "D", "plo_start": "2018-12-04", "plo_end": "2019-03-27", "complex": True},
            # Ongoing: not counted.
            {"child_id": "E", "plo_start": "2019-02-01"},
            # Concluded 1 April (first day): April; 31 days, complex flag blank -> 12 weeks: in time.
            {"child_id": "F", "plo_start": "2019-03-01", "plo_end": "2019-04-01"},
        ]
    )
    rows, _ = run("P23", tables, "2019-03", "2019-05")
    check(rows, "2019-03", 2, 4, 50.0)  # A, C of A, B, C, D
    check(rows, "2019-04", 1, 1, 100.0)
    check(rows, "2019-05", 0, 0, None)


def test_p24_homeless_16_17_assessed_r12m():
    tables = tables_from(
        homeless_16_17=[
            {"young_person_id": "Y1", "presented_date": "2019-04-01", "assessed_date": "2019-04-03"},
            # The same young person again: each presentation counts.
            {"young_person_id": "Y1", "presented_date": "2019-09-01"},
            # 31 Mar 2019: outside Apr 2019 - Mar 2020.
            {"young_person_id": "Y2", "presented_date": "2019-03-31", "assessed_date": "2019-04-01"},
            # Last day of the 12 months, assessed after the month end.
            {"young_person_id": "Y3", "presented_date": "2020-03-31", "assessed_date": "2020-04-02"},
        ]
    )
    rows, _ = run("P24", tables, "2020-03", "2020-04")
    check(rows, "2020-03", 2, 3, 66.7)  # Y1 (Apr), Y3 of Y1 (Apr), Y1 (Sep), Y3
    check(rows, "2020-04", 1, 2, 50.0)  # May 2019-Apr 2020: Y1 (Sep), Y3


def _care_leaver_tables():
    dob = lambda child, d: {"child_id": child, "gender": "Male", "ethnicity": "WBRI", "date_of_birth": d}  # noqa: E731

    def row(child, eligibility="Former relevant", in_touch="Yes", suitable=None, activity=None, month="2019-04"):
        return {"child_id": child, "month": month, "eligibility": eligibility, "in_touch": in_touch,
                "accommodation_suitable": suitable, "activity": activity}

    return tables_from(
        children=[dob("A", "2000-04-30"), dob("B", "2000-05-01"), dob("C", "1997-05-01"), dob("D", "1997-04-30"),
                  dob("E", "1999-01-01"), dob("F", "1999-01-01"), dob("G", "1999-01-01"), dob("H", None),
                  dob("I", "1999-01-01")],
        care_leavers=[
            # Month end 30 Apr 2019.
            row("A", suitable=True, activity="F2"),  # 19 that day: in; suitable, EET
            row("B", suitable=True, activity="F1"),  # 18 (19 on 1 May): out
            row("C", suitable=False, activity="G4"),  # 21 (22 on 1 May): in; neither
            row("D", suitable=True, activity="F1"),  # 22: out
            row("E", in_touch="No", suitable=True, activity="F1"),  # not in touch: out
            row("F"),  # in touch, suitability and activity blank: denominator only
            row("G", eligibility="Qualifying", suitable=True, activity="F1"),  # qualifying: out
            row("H", suitable=True, activity="F1"),  # no date of birth: out
            row("I", suitable=True, activity="G5"),  # suitable, not EET
            row("A", suitable=False, activity="F1", month="2019-05"),
        ],
    )


def test_p27a_care_leavers_suitable_accommodation():
    rows, members = run("P27a", _care_leaver_tables(), "2019-04", "2019-06")
    check(rows, "2019-04", 2, 4, 50.0)  # A, I of A, C, F, I
    check(rows, "2019-05", 0, 1, 0.0)  # A
    check(rows, "2019-06", 0, 0, None)
    assert in_numerator(members, "2019-04") == ["A", "I"]


def test_p27b_care_leavers_in_eet():
    rows, members = run("P27b", _care_leaver_tables(), "2019-04", "2019-06")
    check(rows, "2019-04", 1, 4, 25.0)  # A (F2) of A, C, F, I
    check(rows, "2019-05", 1, 1, 100.0)  # A (F1)
    check(rows, "2019-06", 0, 0, None)


def test_age_at_counts_completed_years_with_leap_days_and_missing_dates():
    from torbayreport.metrics.practice_common import age_at

    born = pd.Series(pd.to_datetime(["2004-02-29", "2004-02-29", "2010-03-31", "2010-03-31", None, "2001-06-15"]))
    on = pd.Series(pd.to_datetime(["2020-02-28", "2020-02-29", "2020-03-30", "2020-03-31", "2020-01-31", None]))
    # worked by hand: born 29 Feb 2004 is still 15 on 28 Feb 2020 and 16 on 29 Feb; born 31 Mar
    # 2010 is 9 the day before the 10th birthday and 10 on it; a missing date gives no age
    got = age_at(born, on)
    assert str(got.dtype) == "Int64"
    assert got.tolist()[:4] == [15, 16, 9, 10] and got.isna().tolist() == [False] * 4 + [True, True]


def test_within_working_days_on_month_ends_matches_the_count_per_row():
    import numpy as np

    from torbayreport.calendar import working_days_between
    from torbayreport.metrics.practice_common import within_working_days

    # by hand (England and Wales): Fri 18 Dec 2020 to Thu 31 Dec 2020 is 7 working days (21-24,
    # 29-31 Dec; 25 and 28 Dec are bank holidays), Fri 11 Dec is 12; 10 Jan 2021 is after the end
    start = pd.Series(pd.to_datetime(["2020-12-18", "2020-12-11", "2021-01-10", None, "2020-12-01"] * 4))
    end = pd.Series(pd.to_datetime(["2020-12-31"] * 19 + [None]))
    got = within_working_days(start, end, 10)
    assert got[:5].tolist() == [True, False, True, False, False] and not got[-1]
    assert not within_working_days(start, end, 10, not_before_start=True)[2]
    # many rows over few month ends (the threshold path) agree with the per-row count, both sides
    rng = np.random.default_rng(11)
    ends = pd.period_range("2018-01", "2020-12", freq="M").to_timestamp(how="end").normalize()
    end = pd.Series(ends[rng.integers(0, len(ends), 5_000)])
    start = pd.Series(end.to_numpy() - pd.to_timedelta(rng.integers(-30, 120, 5_000), "D").to_numpy())
    for limit in (0, 1, 10, 20):
        expected = working_days_between(start.to_numpy(), end.to_numpy()) <= limit
        assert (within_working_days(start, end, limit) == expected).all()
