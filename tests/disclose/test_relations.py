"""Relation builders, and the months-and-rolling-total differencing cases (note §B3 item 5)."""

import pandas as pd
import pytest

from torbayreport.disclose import DisclosureError, audit, rolling_relations, sum_relations, suppress

MONTHS = pd.period_range("2019-04", "2020-04", freq="M")  # 13 months
# x1..x13 = monthly counts, hand-picked; x1 = 3 is the small one.
X = [3, 9, 14, 22, 0, 11, 8, 17, 6, 30, 12, 10, 7]


def test_twelve_months_and_their_total():
    # R12M at 2020-03 = x1..x12 = 142 (3+9+14+22+0+11+8+17+6+30+12+10). Only x1 = 3 is small;
    # its partner is the smallest non-zero other month, 6 (the 0 is skipped): 3 + 6 = 9 -> [0, 9].
    monthly = pd.Series(X[:12], index=MONTHS[:12])
    totals = pd.Series([142], index=MONTHS[11:12])
    t = rolling_relations(monthly, totals, window=12, name="P11")
    s = suppress(t)
    assert s.primary == {("P11", "2019-04", "monthly")}
    assert s.secondary == {("P11", "2019-12", "monthly")}
    iv = audit(t, s).intervals
    assert (iv[("P11", "2019-04", "monthly")].lower, iv[("P11", "2019-04", "monthly")].upper) == (0, 9)


def test_successive_rolling_totals_difference_attack():
    # Months x1..x13 printed with R12M for 2020-03 (x1..x12 = 142) and 2020-04 (x2..x13 = 146).
    # R(04) - R(03) = x13 - x1, so hiding x1 with x9 alone is not enough: x9 is then the only
    # hidden cell of R(04) and comes back as 146 - 140 = 6, and x1 = 9 - 6 = 3.
    monthly = pd.Series(X, index=MONTHS)
    totals = pd.Series([142, 146], index=MONTHS[11:13])
    t = rolling_relations(monthly, totals, window=12, name="P11")
    x = {i + 1: ("P11", str(m), "monthly") for i, m in enumerate(MONTHS)}
    with pytest.raises(DisclosureError) as err:
        audit(t, {x[1], x[9]})
    assert {c for c, _, _ in err.value.problems} == {x[1], x[9]}
    # The heuristic: pass 1 hides x9 (6) for R(03); pass 2 hides x13 (7, smallest non-zero of
    # x2..x13 other than x9) for R(04). Then x1 + x9 = 9 and x9 + x13 = 13 (146 - 133):
    # x1 in [0, 9], x9 in [0, 9], x13 = 4 + x1 in [4, 13].
    s = suppress(t)
    assert [st.cell for st in s.steps] == [x[9], x[13]] and s.passes == 2
    got = {c: (iv.lower, iv.upper) for c, iv in audit(t, s).intervals.items()}
    assert got == {x[1]: (0, 9), x[9]: (0, 9), x[13]: (4, 13)}


def test_rolling_totals_alone_have_withheld_months_and_are_not_pinned():
    # Only R12M totals printed (the tidy table's case): 40, 3, 42 for three consecutive months.
    # The monthly counts are withheld unknowns w >= 0. By hand the hidden 3 can be anything in
    # [0, 82]: max when w(m-11) = 40, w(m) = 42 and every other month 0 (R(m-1) = 40, R(m+1) = 42).
    months = pd.period_range("2020-01", "2020-03", freq="M")
    totals = pd.Series([40, 3, 42], index=months)
    t = rolling_relations(pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M")), totals, name="P22")
    assert sum(v is None for v in t.values.values()) == 14  # 2019-02 .. 2020-03
    s = suppress(t)
    assert s.suppressed == {("P22", "2020-02", "rolling")}  # no secondary: each window has 12 unknowns
    iv = audit(t, s).intervals[("P22", "2020-02", "rolling")]
    assert (iv.lower, iv.upper) == (0, 82)


def test_months_and_year_to_date_total():
    # Apr..Jun 10, 4, 9 with YTD 23: the 4 is primary, the 9 its partner; 4 + 9 = 13 -> [0, 13].
    frame = pd.DataFrame(
        {
            "kpi_id": ["P02"] * 4,
            "month": ["Apr", "May", "Jun", "YTD"],
            "cell": [("P02", m, "numerator") for m in ("Apr", "May", "Jun", "YTD")],
            "value": [10, 4, 9, 23],
        }
    )
    t = sum_relations(frame, group_by=["kpi_id"], part="month", total="YTD", kind="period-total")
    s = suppress(t)
    assert s.suppressed == {("P02", "May", "numerator"), ("P02", "Jun", "numerator")}
    iv = audit(t, s).intervals[("P02", "May", "numerator")]
    assert (iv.lower, iv.upper) == (0, 13)


def test_sum_relations_needs_one_total_per_group():
    frame = pd.DataFrame({"g": ["a", "a"], "part": ["x", "y"], "cell": ["ax", "ay"], "value": [1, 2]})
    with pytest.raises(ValueError, match="expected one part == 'All' row, found 0"):
        sum_relations(frame, group_by=["g"], part="part", total="All")
