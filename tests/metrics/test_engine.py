"""The engine's arithmetic: counting members, no value on a zero denominator, counts, rounding.

KPIs here are built directly (not registered) so the catalogue is untouched.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from torbayreport.metrics.engine import METRIC_COLUMNS, compute_one
from torbayreport.metrics.registry import KPI, Members, Totals
from torbayreport.metrics.windows import month_window

WINDOW = month_window("2020-01", "2020-03")


def make_kpi(compute, unit="percent", decimals=1):
    return KPI(id="T", title="t", pillar="quality", ref="0", polarity="up", unit=unit, grain="records",
               window="flow", definition="test", compute=compute, decimals=decimals)


def members_of(rows):
    frame = pd.DataFrame(rows, columns=["month", "record_id", "in_numerator"])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    return Members(frame)


def by_month(rows):
    return rows.set_index(rows["month"].astype(str))


def test_members_are_counted_and_zero_denominator_gives_no_value():
    # Jan: 1 of 3 -> 33.333 -> 33.3; Feb: nobody -> 0/0 -> NaN (not 0%, not 100%); Mar: 2 of 3 -> 66.7;
    # a member in April is outside the window and ignored.
    data = [("2020-01", "a", True), ("2020-01", "b", False), ("2020-01", "c", False),
            ("2020-03", "a", True), ("2020-03", "b", True), ("2020-03", "c", False), ("2020-04", "z", True)]
    rows, members = compute_one(make_kpi(lambda t, m: members_of(data)), {}, WINDOW)
    assert list(rows.columns) == METRIC_COLUMNS
    rows = by_month(rows)
    assert rows.loc["2020-01", ["numerator", "denominator", "value"]].tolist() == [1, 3, 33.3]
    assert rows.loc["2020-02", ["numerator", "denominator"]].tolist() == [0, 0]
    assert math.isnan(rows.loc["2020-02", "value"])
    assert rows.loc["2020-03", "value"] == 66.7
    assert len(members) == 6


def test_count_unit_has_no_denominator():
    data = [("2020-01", "a", True), ("2020-01", "b", True), ("2020-03", "c", True)]
    rows = by_month(compute_one(make_kpi(lambda t, m: members_of(data), unit="count"), {}, WINDOW)[0])
    assert rows["numerator"].tolist() == [2, 0, 1]
    assert rows["value"].tolist() == [2, 0, 1]  # a month with no events is a real 0 for a count
    assert rows["denominator"].isna().all()
    assert (rows["unit"] == "count").all()


def test_totals_ratio_and_missing_month():
    frame = pd.DataFrame({"month": pd.PeriodIndex(["2020-01", "2020-02"], freq="M"),
                          "numerator": [37.0, 5.0], "denominator": [2.5, 0.0]})
    rows = by_month(compute_one(make_kpi(lambda t, m: Totals(frame), unit="ratio"), {}, WINDOW)[0])
    assert rows.loc["2020-01", "value"] == 14.8  # 37 / 2.5
    assert math.isnan(rows.loc["2020-02", "value"])  # denominator 0
    assert math.isnan(rows.loc["2020-03", "value"])  # month absent from the totals


@pytest.mark.parametrize(
    "num, den, expected",
    [(1, 8, 12.5), (1, 6, 16.7), (2, 3, 66.7), (1, 7, 14.3), (5, 5, 100.0), (0, 4, 0.0), (999, 1000, 99.9)],
)
def test_percent_is_rounded_to_one_decimal(num, den, expected):
    # 1/8 = 12.5 exactly; 1/6 = 16.666…; 2/3 = 66.666…; 1/7 = 14.2857…; 999/1000 = 99.9
    frame = pd.DataFrame({"month": pd.PeriodIndex(["2020-01"], freq="M"), "numerator": [num], "denominator": [den]})
    rows = compute_one(make_kpi(lambda t, m: Totals(frame)), {}, month_window("2020-01", "2020-01"))[0]
    assert rows["value"].iloc[0] == expected
    assert np.isclose(rows["value"].iloc[0] * 10, round(rows["value"].iloc[0] * 10))
