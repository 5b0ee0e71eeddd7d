"""Data coverage: availability per (KPI, month), count-column fallbacks on short history, reasons.

Known answers worked out by hand from the fixtures below. The Annex A count columns
(referrals_last_12m, previous_cp_plans, placements_last_12m) are optional canonical columns the io
layer adds when a workbook carries them; the fixtures add them after ``tables_from`` so the tests
do not depend on the schema knowing them.
"""

from __future__ import annotations

import math

import pandas as pd

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.io.schema import tables_from
from torbayreport.metrics import compute
from torbayreport.metrics.coverage import coverage_table, reason, reasons
from torbayreport.metrics.windows import month_window


def _rows(tables, kpi_id, start, end=None):
    metrics = compute(tables, month_window(start, end or start), [kpi_id])
    return metrics.set_index(metrics["month"].astype(str))


def _referrals_may_2020(with_counts: bool):
    # 20 referrals in May 2020, the first month of the extract; 11 of them have a count of earlier
    # referrals in the last 12 months above 0 (counts 1, 2, 1, 3, 1, 1, 2, 1, 4, 1, 1), 9 have 0.
    counts = [1, 2, 1, 3, 1, 1, 2, 1, 4, 1, 1] + [0] * 9
    rows = [
        {"referral_id": f"R{i}", "child_id": f"C{i}", "referral_date": f"2020-05-{i + 1:02d}",
         "referral_source": "1A", "referral_nfa": False}
        for i in range(20)
    ]
    tables = tables_from(referrals=rows)
    if with_counts:
        tables["referrals"] = tables["referrals"].assign(referrals_last_12m=pd.array(counts, dtype="Int64"))
    return tables


def test_p02_short_history_uses_the_count_column():
    rows = _rows(_referrals_may_2020(with_counts=True), "P02", "2020-05")
    # 11 of 20 referrals have referrals_last_12m > 0: 11 / 20 = 55.0%
    assert rows.loc["2020-05", ["numerator", "denominator", "value"]].tolist() == [11, 20, 55.0]
    assert rows.loc["2020-05", "availability"] == "ok"


def test_p02_short_history_without_counts_has_no_value_and_says_why():
    tables = _referrals_may_2020(with_counts=False)
    rows = _rows(tables, "P02", "2020-05")
    assert rows.loc["2020-05", "availability"] == "short_history"
    assert math.isnan(rows.loc["2020-05", "value"])  # never 0%: the history cannot show re-referrals
    assert reason("P02", "2020-05", "short_history", tables) == (
        "needs 12 months of history before the month (referrals (referrals.referral_date)); "
        "the extracts start in May 2020"
    )


def test_p02_history_long_enough_ignores_the_count_column():
    # History from May 2019: June 2020 is covered (12 months back is June 2019). The only June 2020
    # referral has a count of 5 but no earlier referral in the records: from history it is not a
    # re-referral (0 of 1), so the count column is not used where the history suffices.
    rows = [
        {"referral_id": "A1", "child_id": "A", "referral_date": "2019-05-02", "referral_source": "1A", "referral_nfa": False},
        {"referral_id": "B1", "child_id": "B", "referral_date": "2020-06-10", "referral_source": "1A", "referral_nfa": False},
    ]
    tables = tables_from(referrals=rows)
    tables["referrals"] = tables["referrals"].assign(referrals_last_12m=pd.array([0, 5], dtype="Int64"))
    out = _rows(tables, "P02", "2020-05", "2020-06")
    assert out.loc["2020-06", ["numerator", "denominator", "value", "availability"]].tolist() == [0, 1, 0.0, "ok"]
    # May 2020 is just covered (2020-05 minus 12 months = 2019-05, where the history starts) but has no referral
    assert out.loc["2020-05", "availability"] == "no_events"


def test_p11_short_history_uses_previous_plans_count():
    # Plans starting Jan-May 2020, the extract's first plan in January 2020: far short of the
    # 35 months P11 needs. previous_cp_plans 0, 2, 1, 0 -> 2 repeats of 4 plans in the 12 months
    # to May 2020 = 50.0%. In February only the January plan (count 0) has started: 0 of 1.
    plans = [
        {"child_id": "A", "cp_start": "2020-01-15"},
        {"child_id": "B", "cp_start": "2020-03-02"},
        {"child_id": "C", "cp_start": "2020-04-20"},
        {"child_id": "D", "cp_start": "2020-05-31"},
    ]
    tables = tables_from(cp_plans=plans)
    tables["cp_plans"] = tables["cp_plans"].assign(previous_cp_plans=pd.array([0, 2, 1, 0], dtype="Int64"))
    rows = _rows(tables, "P11", "2020-02", "2020-05")
    assert rows.loc["2020-05", ["numerator", "denominator", "value", "availability"]].tolist() == [2, 4, 50.0, "ok"]
    assert rows.loc["2020-02", ["numerator", "denominator", "value", "availability"]].tolist() == [0, 1, 0.0, "ok"]


def test_p20_count_column_answers_only_the_extract_month():
    # Four children looked after since March 2020; A-C placed from then, D placed 30 June 2020: the
    # latest date in the KPI's sources is 30 June 2020, so June 2020 is the extract month.
    # placements_last_12m 3, 1, 5, 0 -> 2 of 4 children with 3+ = 50.0% in June; May is short of
    # history (placements start March 2020, 11 months back from May is June 2019) and has no count.
    cla = [{"child_id": c, "cla_start": "2020-03-01"} for c in "ABCD"]
    placements = [{"child_id": c, "placement_start": "2020-03-01", "placement_type": "U1"} for c in "ABC"]
    placements.append({"child_id": "D", "placement_start": "2020-06-30", "placement_type": "U1"})
    tables = tables_from(cla_periods=cla, placements=placements)
    tables["cla_periods"] = tables["cla_periods"].assign(placements_last_12m=pd.array([3, 1, 5, 0], dtype="Int64"))
    rows = _rows(tables, "P20", "2020-05", "2020-06")
    assert rows.loc["2020-06", ["numerator", "denominator", "value", "availability"]].tolist() == [2, 4, 50.0, "ok"]
    assert rows.loc["2020-05", "availability"] == "short_history"
    assert math.isnan(rows.loc["2020-05", "value"])


def test_missing_column_is_missing_source_with_its_name():
    # Contacts supplied, but with no decision dates at all: P01 cannot be measured (not 0%).
    contacts = [{"child_id": "A", "contact_date": "2020-05-04", "contact_source": "1A"}]
    tables = tables_from(contacts=contacts)
    rows = _rows(tables, "P01", "2020-05")
    assert rows.loc["2020-05", "availability"] == "missing_source"
    assert math.isnan(rows.loc["2020-05", "value"])
    assert reason("P01", "2020-05", "missing_source", tables) == (
        "not in this month's extracts: contacts (contacts.decision_date) not supplied"
    )


def test_empty_table_is_missing_source_and_denominator_zero_is_no_events():
    tables = tables_from(lado=[{"lado_id": "A", "referral_date": "2020-04-01", "considered_date": "2020-04-01"}])
    lado = _rows(tables, "L08", "2020-04", "2020-05")
    assert lado["availability"].tolist() == ["ok", "no_events"]
    assert lado.loc["2020-04", "value"] == 100.0 and math.isnan(lado.loc["2020-05", "value"])
    assert (_rows(tables, "P26", "2020-04")["availability"] == "missing_source").all()  # no DRP table


def test_reasons_and_coverage_table():
    tables = _referrals_may_2020(with_counts=False)
    metrics = compute(tables, month_window("2020-05", "2020-06"), ["P02", "P03"])
    words = reasons(metrics, tables)
    assert words[metrics["availability"] == "ok"].eq("").all()
    table = coverage_table(metrics, tables).set_index("kpi_id")
    # P03 (referrals ending in NFA): May has 20 referrals -> ok; June none -> no_events
    assert table.loc["P03", ["months_ok", "months", "first_ok", "last_ok"]].tolist() == [1, 2, "2020-05", "2020-05"]
    assert table.loc["P02", "months_ok"] == 0 and table.loc["P02", "history_from"] == "2020-05"
    assert "the extracts start in May 2020" in table.loc["P02", "not_available"]
