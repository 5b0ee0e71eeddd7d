"""Date, bool and code parsing, with expected values worked out by hand."""

import pandas as pd
import pytest

from torbayreport.io.codes import coerce_value
from torbayreport.io.parse import parse_bool, parse_date, parse_datetime, parse_month


def _s(values):
    return pd.Series(values, dtype="string")


def test_dates_iso_uk_serial_and_blank():
    parsed, bad = parse_date(_s(["2024-01-03", "03/01/2024", "3/1/2024", "45000", "", None, "2024-01-03 00:00:00"]))
    # Excel serial 45000: 44927 = 2023-01-01, +30 = 31 Jan, +28 = 28 Feb, +15 = 15 Mar 2023
    expected = pd.to_datetime(["2024-01-03", "2024-01-03", "2024-01-03", "2023-03-15", None, None, "2024-01-03"])
    assert list(parsed) == list(expected)
    assert not bad.any()


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "tomorrow", "3/1/24", "12/25/2024"])
def test_unparseable_dates_are_flagged_not_guessed(value):
    parsed, bad = parse_date(_s([value]))
    assert parsed.isna().all() and bad.all()


def test_datetimes_keep_the_time():
    parsed, bad = parse_datetime(_s(["01/05/2023 22:15", "2023-05-02T08:00", "45000.5"]))
    assert list(parsed) == [pd.Timestamp("2023-05-01 22:15"), pd.Timestamp("2023-05-02 08:00"),
                            pd.Timestamp("2023-03-15 12:00")]
    assert not bad.any()


def test_months():
    parsed, bad = parse_month(_s(["2024-03", "03/2024", "2024-03-15", "March"]))
    assert list(parsed[:3]) == [pd.Period("2024-03", "M")] * 3
    assert list(bad) == [False, False, False, True]


def test_month_edges():
    # By hand from PLAUSIBLE_DATES (1920-01-01 .. 2099-12-31): the first of 1920-01 and of 2099-12
    # are inside, of 1919-12 and 2100-01 outside; month 0 and 13 do not exist; 9999-12 is the
    # open-end sentinel (and beyond nanosecond timestamps); "3/2020" is MM/YYYY with one digit.
    values = ["1920-01", "2099-12", "1919-12", "2100-01", "2020-00", "2020-13", "9999-12", "3/2020", "12/2099", "0000-01"]
    parsed, bad = parse_month(_s(values))
    expected = [pd.Period("1920-01", "M"), pd.Period("2099-12", "M"), None, None, None, None, None,
                pd.Period("2020-03", "M"), pd.Period("2099-12", "M"), None]
    assert [None if pd.isna(p) else p for p in parsed] == expected
    assert list(bad) == [e is None for e in expected]


def test_bools():
    parsed, bad = parse_bool(_s(["Y", "No", "a) Yes", "b) No", "c) Unknown", "True", "0", "", "maybe"]))
    assert parsed.tolist() == [True, False, True, False, pd.NA, True, False, pd.NA, pd.NA]
    assert bad.tolist() == [False] * 8 + [True]


@pytest.mark.parametrize("raw, codelist, code", [
    ("a) Male", "gender", "Male"), ("Male", "gender", "Male"), ("M", "gender", "Male"), ("m", "gender", "Male"),
    ("b) Female", "gender", "Female"), ("c) Not stated/recorded", "gender", "Not stated"),
    ("a) 1A: Individual", "source", "1A"), ("q) 6: Police", "source", "6"), ("6", "source", "6"),
    ("a) Neglect", "abuse_category", "Neglect"), ("NEG", "abuse_category", "Neglect"),
    ("e) Multiple/not recommended", "abuse_category", "Multiple"),
    ("C2: FCO", "legal_status", "C2"), ("k) P1: Placed with own parents", "placement_type", "P1"),
    ("b) PR1: Own provision", "provider", "PR1"), ("N1 - Abuse or neglect", "primary_need", "N1"),
    ("RC8 - Case closed after assessment, no further action", "closure_reason", "RC8"),
    ("a) Relevant child", "eligibility", "Relevant"), ("d) Refu", "in_touch", "Refused"),
    ("a) Yes", "in_touch", "Yes"), ("s) REFU", "ethnicity", "REFU"), ("  wbri ", "ethnicity", "WBRI"),
    ("F1: Full time in higher education", "activity", "F1"), ("RI", "grade", "Requires improvement"),
])
def test_code_coercion(raw, codelist, code):
    assert coerce_value(raw, codelist) == code


@pytest.mark.parametrize("raw, codelist", [("Martian", "gender"), ("Z9", "placement_type"), ("11", "source")])
def test_unknown_codes_are_not_guessed(raw, codelist):
    assert coerce_value(raw, codelist) is None
