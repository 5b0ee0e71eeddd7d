"""Torbay-sized volumes at scale 1 (figures from the brief / seeds), each within +-25%.

Expected values are the brief's Torbay figures, not outputs of the generator: per month about 650
contacts, 160 referrals, 150 assessments, 45 S47s, 20 ICPCs; about 250 children on CP plans and
360 looked after at month end; about 95 case-holding social worker FTE; ~40% agency in autumn 2019
(the October 2019 monitoring letter: "40% of frontline staff are not permanent").
"""

import pandas as pd
import pytest

MONTHS = pd.period_range("2018-01", "2020-12", freq="M")
MONTH_ENDS = MONTHS.to_timestamp(how="end").normalize()


def _monthly_flow(frame, col):
    return frame[col].dt.to_period("M").value_counts().reindex(MONTHS, fill_value=0)


def _open_at(frame, start, end):
    return pd.Series([((frame[start] <= d) & (frame[end].isna() | (frame[end] > d))).sum() for d in MONTH_ENDS],
                     index=MONTHS)


@pytest.mark.parametrize("table,col,expected", [
    ("contacts", "contact_date", 650),
    ("referrals", "referral_date", 160),
    ("assessments", "assessment_start", 150),
    ("s47", "strategy_date", 45),
    ("s47", "icpc_date", 20),
])
def test_monthly_flows(torbay, table, col, expected):
    mean = _monthly_flow(torbay[table], col).mean()
    assert 0.75 * expected <= mean <= 1.25 * expected, mean


@pytest.mark.parametrize("table,start,end,expected", [
    ("cp_plans", "cp_start", "cp_end", 250),
    ("cla_periods", "cla_start", "cla_end", 360),
])
def test_month_end_counts(torbay, table, start, end, expected):
    counts = _open_at(torbay[table], start, end)
    assert counts.between(0.75 * expected, 1.25 * expected).all(), counts.describe()


def _sw(torbay):
    st = torbay["staff"]
    return st[st["case_holding"].astype(bool)]


def test_case_holding_fte(torbay):
    sw = _sw(torbay)
    fte = pd.Series([sw.loc[(sw.start_date <= d) & (sw.end_date.isna() | (sw.end_date > d)), "fte"].sum()
                     for d in MONTH_ENDS], index=MONTHS)
    assert fte.between(0.75 * 95, 1.25 * 95).all(), fte.describe()


def test_agency_share_autumn_2019(torbay):
    sw = _sw(torbay)
    shares = []
    for d in pd.to_datetime(["2019-09-30", "2019-10-31", "2019-11-30"]):
        inpost = sw[(sw.start_date <= d) & (sw.end_date.isna() | (sw.end_date > d))]
        shares.append(inpost.loc[inpost.employment == "Agency", "fte"].sum() / inpost["fte"].sum())
    share = sum(shares) / 3
    assert 0.30 <= share <= 0.50, share
