"""Range and reference checks declared in schema.yaml (issue 11), and the two parse fixes.

Expected values worked out by hand from the CSV text in each test."""

from pathlib import Path

import pandas as pd

from torbayreport.io import load
from torbayreport.io.parse import parse_date
from torbayreport.io.schema import SCHEMA

STAFF = "worker_id,role,team,employment,fte,start_date,case_holding,asye\n"


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def codes_at(findings, code):
    return sorted((f.file, f.row, f.column) for f in findings if f.code == code)


def test_every_numeric_column_declares_a_range():
    numeric = [c for t in SCHEMA for c in t.columns.values() if c.dtype in ("int", "float")]
    assert numeric and all(c.min is not None and c.max is not None and c.min < c.max for c in numeric)


def test_non_finite_and_out_of_range_fte_never_reach_the_metrics(tmp_path):
    rows = ["W1,Social worker,T1,Permanent,inf,2020-01-01,Y,N", "W2,Social worker,T1,Permanent,1e308,2020-01-01,Y,N",
            "W3,Social worker,T1,Permanent,-1,2020-01-01,Y,N", "W4,Social worker,T1,Permanent,99999,2020-01-01,Y,N",
            "W5,Social worker,T1,Permanent,0.8,2020-01-01,Y,N"]
    write(tmp_path, "staff.csv", STAFF + "\n".join(rows) + "\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "out_of_range") == [("staff.csv", r, "fte") for r in (2, 3, 4, 5)]
    messages = [f.message for f in result.findings if f.code == "out_of_range"]
    assert "not a finite number" in messages[0] and "outside the plausible range 0 to 1.5" in messages[2]
    staff = result.tables["staff"].set_index("worker_id")
    assert staff["fte"].isna().sum() == 4 and staff.loc["W5", "fte"] == 0.8  # rows kept, values blank
    assert codes_at(result.findings, "blank_required") == []  # one finding per cell, not two
    assert result.ok  # warnings


def test_count_columns_are_ranged_and_whole(tmp_path):
    write(tmp_path, "referrals.csv",
          "referral_id,child_id,referral_date,referral_source,referral_nfa,referrals_last_12m\n"
          "R1,C1,2024-01-03,6,N,3\nR2,C2,2024-01-04,6,N,-1\nR3,C3,2024-01-05,6,N,inf\nR4,C4,2024-01-06,6,N,\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "out_of_range") == [("referrals.csv", 3, "referrals_last_12m")]
    assert codes_at(result.findings, "bad_number") == [("referrals.csv", 4, "referrals_last_12m")]
    assert result.tables["referrals"]["referrals_last_12m"].tolist() == [3, pd.NA, pd.NA, pd.NA]


def test_csv_folder_without_count_columns_still_loads(tmp_path):
    write(tmp_path, "cp_plans.csv", "child_id,cp_start,initial_category,latest_category\nC1,2024-01-01,Neglect,Neglect\n")
    result = load(tmp_path)
    assert result.findings == [] and result.tables["cp_plans"]["previous_cp_plans"].isna().all()


def test_dates_after_the_as_at_date_are_reported_due_dates_are_not(tmp_path):
    write(tmp_path, "contacts.csv", "child_id,contact_date,contact_source\nC1,2024-06-30,6\nC2,2024-07-01,6\n")
    write(tmp_path, "complaints.csv", "complaint_id,received_date,due_date,stage\nK1,2024-06-20,2024-07-18,1\n")
    result = load(tmp_path, as_at="2024-06-30")
    f = [f for f in result.findings if f.code == "after_as_at"]
    assert [(x.file, x.row, x.column, x.severity) for x in f] == [("contacts.csv", 3, "contact_date", "warning")]
    assert len(result.tables["contacts"]) == 2  # kept
    assert not [x for x in load(tmp_path).findings if x.code == "after_as_at"]  # no as-at date, no check


def test_visits_and_allocations_must_name_a_known_child_and_worker(tmp_path):
    write(tmp_path, "children.csv", "child_id,gender,ethnicity\nC1,Male,WBRI\n")
    write(tmp_path, "staff.csv", STAFF + "W1,Social worker,T1,Permanent,1,2020-01-01,Y,N\n")
    write(tmp_path, "visits.csv", "child_id,visit_date,visit_type\nC1,2024-01-02,CIN\nC9,2024-01-03,CIN\n")
    write(tmp_path, "allocations.csv", "child_id,worker_id,alloc_start\nC1,W1,2024-01-01\nC1,W7,2024-02-01\n")
    write(tmp_path, "cla_reviews.csv", "child_id,review_date\nC8,2024-01-05\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "unknown_reference") == [
        ("allocations.csv", 3, "worker_id"), ("cla_reviews.csv", 2, "child_id"), ("visits.csv", 3, "child_id")]
    assert len(result.tables["visits"]) == 2 and result.ok  # rows kept


def test_id_mangled_by_excel_is_reported_and_not_guessed(tmp_path):
    write(tmp_path, "children.csv", "child_id,gender,ethnicity\n123456,Male,WBRI\n1.23457E+05,Male,WBRI\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "mangled_id") == [("children.csv", 3, "child_id")]
    assert codes_at(result.findings, "row_excluded") == [("children.csv", 3, "child_id")]
    assert result.tables["children"]["child_id"].tolist() == ["123456"]


def test_implausible_excel_serials_are_bad_dates():
    # 1 would be 1899-12-31 and 2024 would be 1905-07-16; 45000 is 2023-03-15 (see test_parse)
    parsed, bad = parse_date(pd.Series(["1", "2024", "45000"], dtype="string"))
    assert bad.tolist() == [True, True, False] and parsed.iloc[2] == pd.Timestamp("2023-03-15")


def test_bare_one_in_a_date_column_is_a_finding(tmp_path):
    write(tmp_path, "contacts.csv", "child_id,contact_date,contact_source,decision_date\nC1,2024-01-02,6,1\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "bad_date") == [("contacts.csv", 2, "decision_date")]
    assert result.tables["contacts"]["decision_date"].isna().all()


def test_unclosed_quote_is_reported_at_its_line(tmp_path):
    lines = ["child_id,gender,ethnicity"] + [f"C{i},Male,WBRI" for i in range(1, 100)] + ['C100,"Male,WBRI', "C101,Male,WBRI"]
    write(tmp_path, "children.csv", "\n".join(lines) + "\n")
    f = [f for f in load(tmp_path).findings if f.code == "file_unreadable"][0]
    # header = line 1, C1..C99 = lines 2..100, so the open quote is on line 101
    assert f.row == 101 and "line 101" in f.message and "row 100" not in f.message


def test_dates_outside_the_plausible_span_are_bad_dates():
    parsed, bad = parse_date(pd.Series(["1900-01-01", "9999-12-31", "1920-01-01", "2099-12-31"], dtype="string"))
    assert bad.tolist() == [True, True, False, False] and parsed.iloc[3] == pd.Timestamp("2099-12-31")


def test_workbook_date_cells_beyond_pandas_range_are_findings_not_blanks():
    import datetime as dt

    from torbayreport.io.workbook import column_text

    text = column_text([dt.date(9999, 12, 31), dt.datetime(2024, 1, 2, 9, 30), dt.date(2024, 1, 3), "", 1.0, 2.5])
    assert text.tolist() == ["9999-12-31", "2024-01-02T09:30", "2024-01-03", pd.NA, "1", "2.5"]
    assert parse_date(text.iloc[:1])[1].all()  # so it is reported as a bad date


def test_open_end_sentinel_date_in_a_csv_is_a_finding_not_a_crash(tmp_path):
    write(tmp_path, "cin_episodes.csv", "child_id,cin_start,cin_end,primary_need\nC1,2024-01-10,9999-12-31,N1\n")
    result = load(tmp_path)
    assert codes_at(result.findings, "bad_date") == [("cin_episodes.csv", 2, "cin_end")]
    assert result.tables["cin_episodes"]["cin_end"].isna().all()
