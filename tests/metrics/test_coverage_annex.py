"""Coverage on an Annex A workbook alone: a table read from the workbook has history only from the
extract's period start, and a table of each child's latest event only has none before the as-at
month (issue 10: P20 read 0% and "ok" because the most recent placement's old start date looked
like a long history).

The fixture is a small council built by hand, written with ``write_annex_a`` and loaded without
the supplement CSVs the writer puts beside the workbook (what a council with only the workbook
Ofsted asked for has). Expected values worked out by hand in each test from the fixture below.

* Lists 1 and 3 (contacts, referrals) start on 10 June 2020: the extract's period starts June 2020.
* A: looked after since 1 March 2015; placements from 1 Mar 2015 (to 31 Jan 2020), 1 Feb 2020 (to
  30 Jun), 1 Jul 2020 (to 31 Oct) and 1 Nov 2020 (open) - four placements in the 12 months to
  December 2020 (the first ends 31 January 2020, inside the year). The workbook keeps only the
  one from 1 November 2020.
* B: looked after since 5 January 2019, one placement from then (open).
* C: a child protection plan from 1 September 2020; D: one from 1 March 2017 (both open).
* E: a care leaver aged 20, in touch and suitably housed in November and December 2020 (List 9
  is a snapshot: the workbook holds December's row).
* Assessments: C's from 2 March 2020 (authorised 20 May 2020, listed because it is recent) and
  A's from 16 June 2020 (authorised 1 July 2020).
* Latest event in the workbook: A's CLA visit on 10 December 2020, so the as-at date is
  10 December 2020 (no Front_Sheet, none given) and December 2020 is the extract's month.
"""

from __future__ import annotations

import copy
import functools
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.io import load, tables_from, write_annex_a
from torbayreport.metrics import compute
from torbayreport.metrics.coverage import history_start, reason
from torbayreport.metrics.windows import month_window

KIDS = "ABCD"
LEAVER = {"child_id": "E", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2000-05-01"}  # 20 in late 2020


def _tables(with_counts: bool) -> dict[str, pd.DataFrame]:
    children = [{"child_id": c, "gender": "Female", "ethnicity": "WBRI", "date_of_birth": "2010-01-01"} for c in KIDS]
    placements = [
        {"child_id": "A", "placement_start": "2015-03-01", "placement_end": "2020-01-31", "placement_type": "U4"},
        {"child_id": "A", "placement_start": "2020-02-01", "placement_end": "2020-06-30", "placement_type": "U6"},
        {"child_id": "A", "placement_start": "2020-07-01", "placement_end": "2020-10-31", "placement_type": "K2"},
        {"child_id": "A", "placement_start": "2020-11-01", "placement_type": "U4"},
        {"child_id": "B", "placement_start": "2019-01-05", "placement_type": "U4"},
    ]
    tables = tables_from(
        children=[*children, LEAVER],
        care_leavers=[{"child_id": "E", "month": m, "eligibility": "Former relevant", "in_touch": "Yes",
                       "accommodation_suitable": True, "activity": "F2"} for m in ("2020-11", "2020-12")],
        contacts=[{"child_id": "A", "contact_date": "2020-06-10", "contact_source": "6"},
                  {"child_id": "C", "contact_date": "2020-08-20", "contact_source": "2A"}],
        referrals=[{"referral_id": "A-2020-06-15", "child_id": "A", "referral_date": "2020-06-15",
                    "referral_source": "6", "referral_nfa": False}],
        cla_periods=[{"child_id": "A", "cla_start": "2015-03-01", "legal_status": "C2"},
                     {"child_id": "B", "cla_start": "2019-01-05", "legal_status": "C2"}],
        placements=placements,
        cp_plans=[{"child_id": "C", "cp_start": "2020-09-01", "initial_category": "Neglect", "latest_category": "Neglect"},
                  {"child_id": "D", "cp_start": "2017-03-01", "initial_category": "Neglect", "latest_category": "Neglect"}],
        assessments=[{"child_id": "C", "assessment_start": "2020-03-02", "authorised_date": "2020-05-20"},
                     {"child_id": "A", "assessment_start": "2020-06-16", "authorised_date": "2020-07-01"}],
        visits=[{"child_id": "A", "visit_date": "2020-10-01", "visit_type": "CLA"},
                {"child_id": "A", "visit_date": "2020-12-10", "visit_type": "CLA"},
                {"child_id": "B", "visit_date": "2020-11-20", "visit_type": "CLA"}],
    )
    # the referral id the workbook derives (no Referral ID column): keep the fixture's consistent
    tables["referrals"]["referral_id"] = tables["referrals"]["referral_id"].astype("string")
    if with_counts:
        # what the workbook's count columns say: A had 4 placements in the last 12 months, B 1;
        # C's plan is her second (one previous plan), D's her first
        tables["cla_periods"]["placements_last_12m"] = pd.array([4, 1], dtype="Int64")
        tables["cp_plans"]["previous_cp_plans"] = pd.array([1, 0], dtype="Int64")
    return tables


def _annex_only(tmp_path, with_counts: bool):
    """The fixture council's workbook alone, loaded: each test gets its own copy of one load per
    module and variant (writing and loading the workbook is most of these tests' time; ``tmp_path``
    is kept so the call sites read as before)."""
    return copy.deepcopy(_loaded(with_counts, csv=False))


@functools.cache
def _loaded(with_counts: bool, csv: bool):
    """``write_annex_a`` then ``load``, once per variant: with the supplement CSVs the writer puts
    beside the workbook (``csv``), or the workbook alone. Callers copy it (``copy.deepcopy``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_annex_a(_tables(with_counts), folder)
        if not csv:
            for path in folder.glob("*.csv"):
                path.unlink()
        loaded = load(folder)
    assert loaded.ok, loaded.errors
    return loaded


def _rows(tables, kpi_id, start="2020-06", end="2020-12"):
    metrics = compute(tables, month_window(start, end), [kpi_id])
    return metrics.set_index(metrics["month"].astype(str))


def test_the_loader_says_where_each_table_came_from(tmp_path):
    loaded = _annex_only(tmp_path, with_counts=False)
    assert loaded.as_at == pd.Timestamp("2020-12-10") and loaded.as_at_source == "latest event date"
    origins = loaded.origins
    # Lists 1 and 3 start on 10 June 2020: every list's table has history from June 2020
    assert (origins["cla_periods"].origin, origins["cla_periods"].history_from) == ("annex_a", pd.Period("2020-06", "M"))
    assert not origins["cla_periods"].latest_only
    # the most recent placement only: no history before the as-at month
    assert (origins["placements"].history_from, origins["placements"].latest_only) == (pd.Period("2020-12", "M"), True)
    assert origins["visits"].latest_only and origins["cp_reviews"].latest_only
    # tables the workbook does not feed
    assert origins["staff"].origin == "none"
    # the placements' own dates reach back to 2019 (B's placement), but that is not a history
    assert history_start("placements.placement_start", loaded.tables) == pd.Period("2020-12", "M")
    assert history_start("cp_plans.cp_start", loaded.tables) == pd.Period("2020-06", "M")


def test_p20_on_the_workbook_alone_is_short_history_not_0_percent(tmp_path):
    loaded = _annex_only(tmp_path, with_counts=False)
    # One placement per child in the workbook: counted from it, A and B each have 1 placement,
    # 0 of 2 with 3+ = 0% (the bug). The placements are latest-only: no month has the history.
    rows = _rows(loaded.tables, "P20")
    assert (rows["availability"] == "short_history").all(), rows[["numerator", "denominator", "availability"]]
    assert rows["value"].isna().all()
    assert reason("P20", "2020-12", "short_history", loaded.tables) == (
        "needs 11 months of history before the month (placements (placements.placement_start)); "
        "the Annex A workbook holds only the latest of each child's placements, as at 10 December 2020")


def test_p20_uses_the_count_column_in_the_extract_month(tmp_path):
    loaded = _annex_only(tmp_path, with_counts=True)
    rows = _rows(loaded.tables, "P20")
    # December 2020 (the as-at month) from placements_last_12m: A 4 (3+), B 1 -> 1 of 2 = 50.0%;
    # the count is as at the extract date, so the earlier months stay short of history
    assert rows.loc["2020-12", ["numerator", "denominator", "value", "availability"]].tolist() == [1, 2, 50.0, "ok"]
    assert (rows.drop(index="2020-12")["availability"] == "short_history").all()


def test_p20_from_the_full_history_agrees_with_the_count(tmp_path):
    # The same council with the supplement CSVs (every placement): the rows are a real history, so
    # P20 is counted from it: A's 4 placements in the 12 months to December 2020 -> 1 of 2 = 50.0%,
    # the figure the count column gives above.
    loaded = copy.deepcopy(_loaded(with_counts=False, csv=True))
    assert loaded.origins["placements"].origin == "annex_a+csv" and loaded.origins["placements"].history_from is None
    rows = _rows(loaded.tables, "P20", "2020-12")
    assert rows.loc["2020-12", ["numerator", "denominator", "value", "availability"]].tolist() == [1, 2, 50.0, "ok"]


def test_p11_plan_history_starts_at_the_period_not_at_an_old_open_plan(tmp_path):
    # D's plan from March 2017 made the plan history look 3 years long, so C's September 2020
    # plan read as a first plan: 0 of 1 = 0%, "ok". The lists hold plans open in the period
    # (from June 2020), not every earlier plan: short of the 35 months P11 needs.
    plain = _annex_only(tmp_path, with_counts=False)
    rows = _rows(plain.tables, "P11")
    assert (rows["availability"] == "short_history").all() and rows["value"].isna().all()
    assert reason("P11", "2020-12", "short_history", plain.tables).endswith("the extracts start in June 2020")
    # with List 7's 'number of previous plans': C's plan (1 previous) is a repeat; D's 2017 plan
    # did not start in the 12 months -> 1 of 1 = 100.0% from September to December 2020
    counted = _rows(_annex_only(tmp_path, with_counts=True).tables, "P11")
    assert counted.loc["2020-12", ["numerator", "denominator", "value", "availability"]].tolist() == [1, 1, 100.0, "ok"]
    assert counted.loc["2020-08", "availability"] == "no_events"


@pytest.mark.parametrize("kpi_id", ["P13", "P14", "P15", "P16", "P17", "P18", "P19", "P21"])
def test_latest_event_measures_are_not_counted_from_latest_only_rows(tmp_path, kpi_id):
    # visits, reviews, health assessments and placements are each child's latest only: the months
    # before the extract's would count children as not visited/reviewed whose visit was simply
    # overwritten by a later one (A's October visit is gone), so no month is counted from them
    rows = _rows(_annex_only(tmp_path, with_counts=False).tables, kpi_id)
    assert set(rows["availability"]) <= {"short_history", "missing_source"}, rows["availability"]
    assert rows["value"].isna().all()


def test_look_back_measures_on_the_workbook_alone_never_read_0_percent_ok(tmp_path):
    # every KPI with a look-back, on the workbook alone: no month is "ok" at exactly 0% unless its
    # history reaches back far enough from June 2020 (none of these does by December 2020)
    tables = _annex_only(tmp_path, with_counts=False).tables
    metrics = compute(tables, month_window("2020-06", "2020-12"))
    looked_back = {k for k, kpi in torbayreport.metrics.REGISTRY.items() if kpi.history and kpi.history[1] >= 6}
    suspicious = metrics[metrics["kpi_id"].isin(looked_back) & (metrics["availability"] == "ok")]
    assert suspicious.empty, suspicious


def test_flow_measures_before_the_period_are_not_counted(tmp_path):
    # May 2020 is before the lists' period (June 2020): C's assessment authorised in May is
    # listed, but the others authorised in May are not - one of them is not the month's figure.
    # From June the lists cover the month: July has A's assessment (1 of 1 within 45 working days).
    tables = _annex_only(tmp_path, with_counts=False).tables
    rows = _rows(tables, "P04", "2020-05", "2020-07")
    assert rows["availability"].tolist() == ["short_history", "no_events", "ok"]
    assert rows.loc["2020-07", ["numerator", "denominator", "value"]].tolist() == [1, 1, 100.0]
    assert reason("P04", "2020-05", "short_history", tables) == (
        "before the extracts' period: the Annex A lists start in June 2020")


def test_care_leavers_are_a_snapshot_at_the_extract_month(tmp_path):
    # List 9 is each care leaver as at the extract date: December's figure stands (E: 1 of 1 in
    # suitable accommodation = 100.0%); November's row is not in the workbook, so November is not
    # counted (it would be "no care leavers" otherwise), and says why
    tables = _annex_only(tmp_path, with_counts=False).tables
    rows = _rows(tables, "P27a", "2020-11", "2020-12")
    assert rows.loc["2020-12", ["numerator", "denominator", "value", "availability"]].tolist() == [1, 1, 100.0, "ok"]
    assert rows.loc["2020-11", "availability"] == "short_history"
    assert reason("P27a", "2020-11", "short_history", tables) == (
        "before the extract's month: the Annex A workbook holds care leavers only as at 10 December 2020")
    # with the supplement CSV (November's row), November is counted from the rows
    full = _rows(copy.deepcopy(_loaded(with_counts=False, csv=True)).tables, "P27a", "2020-11", "2020-12")
    assert full["availability"].tolist() == ["ok", "ok"]


def test_a_stray_early_date_does_not_claim_years_of_history(tmp_path):
    # 2002 typed for 2020 on one contact. With 8 contacts a month from June to December 2020 (the
    # median month: 8; a quarter of it: 2), June 2002's single date is not where the period
    # starts: the history still starts in June 2020, and the date is a located finding. List 1 is
    # in (child, date) order: A's 15 contacts fill sheet rows 2-16, so B's 2002 contact is row 17.
    tables = _tables(with_counts=False)
    extra = [{"child_id": c, "contact_date": f"2020-{m:02d}-{d:02d}", "contact_source": "6"}
             for m in range(6, 13) for c in KIDS for d in (12, 14)]
    extra.append({"child_id": "B", "contact_date": "2002-06-11", "contact_source": "6"})
    contacts = pd.concat([tables["contacts"], tables_from(contacts=extra)["contacts"]], ignore_index=True)
    tables["contacts"] = contacts
    folder = tmp_path / "stray"
    write_annex_a(tables, folder)
    for csv in folder.glob("*.csv"):
        csv.unlink()
    loaded = load(folder)
    assert loaded.origins["cp_plans"].history_from == pd.Period("2020-06", "M")
    stray = [f for f in loaded.findings if f.code == "period_outlier"]
    assert [(f.file, f.row, f.column) for f in stray] == [("annex_a.xlsx[List 1]", 17, "Date of Contact")]
    assert stray[0].message.startswith("1 date(s) in 2002-06 (e.g. 2002-06-11), before the lists' period, which starts in 2020-06")
    rows = _rows(loaded.tables, "P11")
    assert (rows["availability"] == "short_history").all()
