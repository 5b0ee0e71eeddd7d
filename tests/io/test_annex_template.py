"""Annex A as councils send it: Ofsted's template layout in .xlsx/.xls/.ods, and SSD headers.

Fixture: ``annex_template.py`` (hand-built from the official header list, with the template's
quirks); expected counts and values are read off its ``LISTS`` by hand.
"""

import datetime as dt

import pandas as pd
import pytest

from tests.io import annex_template as t
from torbayreport.io import load

WRITERS = {"xlsx": t.write_xlsx, "xls": t.write_xls, "ods": t.write_ods}


def build(tmp_path, kind: str, **options):
    ssd = kind == "ssd"
    suffix = "xlsx" if ssd else kind
    path = tmp_path / f"annex_a.{suffix}"
    WRITERS[suffix](path, t.sheets(ssd=ssd, **options))
    return path


@pytest.fixture(scope="module", params=["xlsx", "xls", "ods", "ssd"])
def loaded(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    build(folder, request.param)
    return load(folder)


def test_every_row_of_every_list_is_loaded(loaded):
    counts = {name: len(frame) for name, frame in loaded.tables.items() if len(frame)}
    assert counts == t.EXPECTED_ROWS


def test_only_finding_is_where_the_care_leavers_month_came_from(loaded):
    assert [(f.code, f.severity, f.column) for f in loaded.findings] == [("as_at", "warning", "Month")]
    assert "2024-04-30" in loaded.findings[0].message and "latest event date" in loaded.findings[0].message


def test_care_leavers_are_placed_in_the_as_at_month(loaded):
    leavers = loaded.tables["care_leavers"]
    assert leavers["child_id"].tolist() == ["C2", "C5"]
    assert leavers["month"].tolist() == [pd.Period("2024-04", "M")] * 2  # latest event 2024-04-30 (List 7 review)
    assert leavers["in_touch"].tolist() == ["Yes", "Refused"]
    assert leavers["accommodation_suitable"].tolist() == [True, False]
    assert (loaded.as_at, loaded.as_at_source) == (pd.Timestamp(t.LATEST_EVENT), "latest event date")


def test_count_columns_are_carried(loaded):
    assert loaded.tables["referrals"]["referrals_last_12m"].tolist() == [0, 2]  # C1, C4 (List 3)
    s47 = loaded.tables["s47"]
    assert (s47["s47_last_12m"].tolist(), s47["icpc_last_12m"].tolist()) == ([1], [0])
    assert loaded.tables["cp_plans"]["previous_cp_plans"].tolist() == [1]
    assert loaded.tables["cla_periods"]["placements_last_12m"].tolist() == [2]
    assert str(loaded.tables["referrals"]["referrals_last_12m"].dtype) == "Int64"


def test_values_read_the_same_in_every_format(loaded):
    cla = loaded.tables["cla_periods"].iloc[0]
    assert (cla["child_id"], cla["cla_start"], cla["cla_end"], cla["legal_status"], cla["reason_ceased"]) == (
        "C2", pd.Timestamp("2023-03-01"), pd.Timestamp("2024-03-15"), "C2", "E13")
    visits = loaded.tables["visits"]
    assert sorted(zip(visits["visit_type"], visits["visit_date"].dt.date)) == [
        ("CIN", dt.date(2024, 1, 20)), ("CLA", dt.date(2023, 10, 1)), ("CP", dt.date(2024, 2, 15))]
    children = loaded.tables["children"].set_index("child_id")
    assert children.loc["C3", "gender"] == "Not stated" and pd.isna(children.loc["C3", "date_of_birth"])
    assert children.loc["C2", "disability"]  # List 8 'a) Yes'
    assert loaded.tables["assessments"]["needs_support"].tolist() == [True]  # the curly-apostrophe header


def test_front_sheet_date_is_the_as_at_date(tmp_path):
    build(tmp_path, "xlsx", front_date=dt.datetime(2024, 5, 15))
    result = load(tmp_path, as_at="2024-05-31")
    assert (result.as_at, result.as_at_source) == (pd.Timestamp("2024-05-15"), "front sheet")
    assert result.tables["care_leavers"]["month"].tolist() == [pd.Period("2024-05", "M")] * 2
    conflict = [f for f in result.findings if f.code == "as_at_conflict"]
    assert len(conflict) == 1 and "2024-05-31" in conflict[0].message


def test_given_as_at_date_is_used_without_a_front_sheet_date(tmp_path):
    build(tmp_path, "xlsx")
    result = load(tmp_path, as_at=dt.date(2024, 6, 3))
    assert (result.as_at, result.as_at_source) == (pd.Timestamp("2024-06-03"), "given")
    assert result.tables["care_leavers"]["month"].tolist() == [pd.Period("2024-06", "M")] * 2
    assert [f.code for f in result.findings] == ["as_at"]


def test_council_alias_maps_a_local_header(tmp_path):
    book = t.sheets()
    book["List_1"][1][5] = "Contact Recvd"  # the LA's own wording for 'Date of Contact'
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    assert any(f.code == "missing_column" for f in load(tmp_path).findings)
    result = load(tmp_path, aliases={"Contact Recvd": "contact_date", "Nonsense": "no_such_column"})
    assert len(result.tables["contacts"]) == 3
    assert [f.code for f in result.findings if f.code != "as_at"] == ["unknown_alias"]


def test_dates_after_a_stated_as_at_date_are_reported(tmp_path):
    build(tmp_path, "xlsx", front_date=dt.datetime(2024, 4, 1))
    result = load(tmp_path)
    late = sorted((f.file, f.row, f.column) for f in result.findings if f.code == "after_as_at")
    # only List 7's review conference (2024-04-30, sheet row 3) is after 2024-04-01
    assert late == [("annex_a.xlsx[List_7]", 3, "Date of latest review conference")]


def test_no_two_columns_of_a_list_share_a_spelling():
    """So a header can only be ambiguous through a council's own alias (reported, not guessed)."""
    from torbayreport.io.annex_spec import ALL_LISTS, list_spec

    for n in ALL_LISTS:
        keys = [k for h in list_spec(n).headers for k in h.keys]
        assert len(keys) == len(set(keys)), n


@pytest.mark.parametrize("name, number", [("List 1", 1), ("List_10", 10), ("LIST 3 - Referrals", 3), ("list11", 11),
                                          ("List 12", None), ("Contacts", None), ("Checklist 1", None)])
def test_sheet_names_that_name_a_list(name, number):
    from torbayreport.io.annex_spec import list_number

    assert list_number(name) == number
