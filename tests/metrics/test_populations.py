"""The shared month-end child populations (metrics.populations): the union of open spells and the
children open on one spell only, worked out by hand on a three-month window."""

from __future__ import annotations

from torbayreport.io.schema import tables_from
from torbayreport.metrics import populations
from torbayreport.metrics.populations import open_children, open_only
from torbayreport.metrics.windows import month_window

MONTHS = month_window("2020-01", "2020-03")  # month ends 31 Jan, 29 Feb, 31 Mar 2020


def spells():
    """By hand, open at each month end (start <= month end < end):
    CIN  E (listed first) from 10 Mar: Mar;  A from 5 Jan, no end: Jan Feb Mar;  B 2 Jan to 1 Mar:
         Jan Feb;  D from 20 Feb: Feb Mar.
    CP   A 10 Feb to 15 Mar: Feb;  C from 31 Mar: Mar (a start on the month end counts).
    CLA  D from 1 Feb: Feb Mar (D also has its CIN episode from Feb);  B 31 Jan to 31 Jan: never
         (it ends on the month end it started, so it is closed at that month end)."""
    return tables_from(
        cin_episodes=[
            {"child_id": "E", "cin_start": "2020-03-10", "primary_need": "N1"},
            {"child_id": "A", "cin_start": "2020-01-05", "primary_need": "N1"},
            {"child_id": "B", "cin_start": "2020-01-02", "cin_end": "2020-03-01", "primary_need": "N1"},
            {"child_id": "D", "cin_start": "2020-02-20", "primary_need": "N1"},
        ],
        cp_plans=[
            {"child_id": "A", "cp_start": "2020-02-10", "cp_end": "2020-03-15", "initial_category": "Neglect",
             "latest_category": "Neglect"},
            {"child_id": "C", "cp_start": "2020-03-31", "initial_category": "Neglect", "latest_category": "Neglect"},
        ],
        cla_periods=[
            {"child_id": "D", "cla_start": "2020-02-01", "legal_status": "C2"},
            {"child_id": "B", "cla_start": "2020-01-31", "cla_end": "2020-01-31", "legal_status": "C2"},
        ],
    )


def pairs(frame):
    return [(str(m), c) for m, c in zip(frame["month"], frame["child_id"])]


def test_open_children_counts_each_child_once_a_month_in_first_seen_order():
    tables = spells()
    got = pairs(open_children(tables, MONTHS))
    # Jan: A, B (CIN).  Feb: A (CIN and CP, once), B, D (CIN and CLA, once).  Mar: A, D, E, C —
    # within a month, children in the order first seen going month by month (CIN, then CP, then
    # CLA within a month): E, listed first, is first seen in March, after A and D.
    assert got == [("2020-01", "A"), ("2020-01", "B"), ("2020-02", "A"), ("2020-02", "B"), ("2020-02", "D"),
                   ("2020-03", "A"), ("2020-03", "D"), ("2020-03", "E"), ("2020-03", "C")]
    assert list(open_children(tables, MONTHS).columns) == ["month", "month_end", "child_id"]


def test_open_only_leaves_out_children_open_on_the_other_spells_that_month():
    tables = spells()
    got = open_only(tables, MONTHS, "cin_episodes", "cp_plans", "cla_periods")
    # CIN open (above) less CP or CLA open the same month end: Feb loses A (CP) and D (CLA), Mar
    # loses D (CLA); A is back in Mar (the plan ended 15 Mar). In the CIN snapshot's order: within
    # a month, by the child's first CIN record, so E (listed first) leads March.
    assert pairs(got) == [("2020-01", "A"), ("2020-01", "B"), ("2020-02", "B"), ("2020-03", "E"), ("2020-03", "A")]
    assert got["month_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-01-31", "2020-01-31", "2020-02-29", "2020-03-31", "2020-03-31"]
    # with nothing to leave out it is the spell's own snapshot, in its order
    assert pairs(open_only(tables, MONTHS, "cin_episodes")) == pairs(open_children(tables, MONTHS, "cin_episodes"))


def test_populations_are_the_same_inside_and_outside_a_run():
    tables = spells()
    outside = pairs(open_children(tables, MONTHS)), pairs(open_only(tables, MONTHS, "cin_episodes", "cla_periods"))
    with populations.reuse():  # kept for the run: the second call must answer the same
        for _ in range(2):
            assert (pairs(open_children(tables, MONTHS)), pairs(open_only(tables, MONTHS, "cin_episodes", "cla_periods"))) == outside


def test_staff_records_in_post_counts_the_records_a_merge_would_repeat_by():
    import numpy as np
    import pandas as pd

    from torbayreport.metrics import keys
    from torbayreport.metrics.populations import staff_records_in_post

    def record(worker, start, end=None):
        return dict(worker_id=worker, role="Social worker", team="T", employment="Permanent", fte=1.0,
                    start_date=start, end_date=end, case_holding=True, asye=False)

    # W1 has two records in post in Feb (a second post from 1 Feb), one in Jan; W2 left on 31 Jan
    # (a last day on the month end: gone by then); W3 is not on the staff list.
    tables = tables_from(staff=[record("W1", "2019-01-01"), record("W1", "2020-02-01"), record("W2", "2019-05-01", "2020-01-31")])
    jan, feb = (int(p.ordinal) for p in MONTHS[:2])
    with keys.run():
        (workers,) = keys.codes(pd.Series(["W1", "W1", "W2", "W3"], dtype="string"))
        got = staff_records_in_post(np.array([jan, feb, jan, feb]), workers, tables, MONTHS)
    assert got.tolist() == [1, 2, 0, 0]
