"""England & Wales working days: the shipped bank holidays and the elapsed-working-days rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from torbayreport.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)


def shipped(year):
    return {d.strftime("%Y-%m-%d") for d in bank_holidays() if d.year == year}


def test_shipped_list_matches_the_holidays_package_2010_2030():
    holidays = pytest.importorskip("holidays")
    expected = {
        pd.Timestamp(d)
        for d in holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
        if d.weekday() < 5  # the shipped list holds weekday holidays (substitute days are weekdays)
    }
    assert set(bank_holidays()) == expected


@pytest.mark.parametrize(
    "year, dates",
    [
        (2019, {"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25",
                "2019-12-26"}),
        # 2020: the early May bank holiday moved from Monday 4 May to Friday 8 May (VE Day 75)
        (2020, {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25",
                "2020-12-28"}),
        # 2022: 3 Jan substitute, Spring bank holiday 2 Jun + Platinum Jubilee 3 Jun, State Funeral 19 Sep,
        # Christmas substitutes 26 and 27 Dec
        (2022, {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29",
                "2022-09-19", "2022-12-26", "2022-12-27"}),
        # 2023: Coronation 8 May
        (2023, {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28",
                "2023-12-25", "2023-12-26"}),
    ],
)
def test_known_bank_holidays_by_year(year, dates):
    assert shipped(year) == dates


def test_every_year_has_at_least_eight_weekday_holidays():
    counts = pd.Series(bank_holidays().year).value_counts()
    assert set(counts.index) == set(range(FIRST_YEAR, LAST_YEAR + 1))
    assert (counts >= 8).all()


def test_2020_05_04_is_a_working_day_and_05_08_is_not():
    assert list(is_working_day(["2020-05-04", "2020-05-08", "2020-05-09"])) == [True, False, False]


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2019-04-17", "2019-04-17", 0),  # same day = 0
        ("2019-04-18", "2019-04-23", 1),  # Thu -> Tue over Easter (Fri 19 and Mon 22 are holidays)
        ("2019-04-18", "2019-04-24", 2),
        ("2019-04-17", "2019-04-24", 3),
        ("2020-05-07", "2020-05-11", 1),  # Thu -> Mon over VE Day
        ("2020-05-22", "2020-05-26", 1),  # Fri -> Tue over the spring bank holiday 25 May
        ("2020-05-22", "2020-05-29", 4),
        ("2019-04-20", "2019-04-23", 0),  # Saturday start counts from Tuesday 23 (next working day)
        ("2019-04-20", "2019-04-24", 1),
        ("2019-04-13", "2019-04-15", 0),  # Saturday -> Monday = 0
        ("2019-04-15", "2019-04-12", -1),  # end before start is negative
        ("2019-04-01", "2019-04-29", 18),  # April 2019: 20 working days; 1 Apr (day 0) .. 29 Apr
    ],
)
def test_elapsed_working_days(start, end, expected):
    assert working_days_between(start, end)[0] == expected


def test_within_n_means_elapsed_le_n_and_missing_is_nan():
    elapsed = working_days_between(pd.Series(pd.to_datetime(["2019-04-18", "2019-04-18", None])),
                                   pd.Series(pd.to_datetime(["2019-04-23", "2019-04-24", "2019-04-24"])))
    assert list(elapsed[:2] <= 1) == [True, False]
    assert math.isnan(elapsed[2])


def test_add_working_days_round_trips_over_holidays():
    out = add_working_days(["2019-04-18", "2020-05-07", "2019-04-20"], 1)
    assert list(out.strftime("%Y-%m-%d")) == ["2019-04-23", "2020-05-11", "2019-04-24"]
    assert np.array_equal(working_days_between(["2019-04-18", "2020-05-07"], out[:2]), [1.0, 1.0])
