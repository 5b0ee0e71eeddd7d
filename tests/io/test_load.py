"""One test per kind of bad CSV input: each finding names the file, the row as the user sees it
(header = line 1, first data row = line 2) and the column."""

from pathlib import Path

import pandas as pd
import pytest

from torbayreport.io import LoadError, load
from torbayreport.io.rules import RULES

CHILDREN_HEADER = "child_id,gender,ethnicity,date_of_birth,disability\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def only(findings, code):
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, findings
    return hits[0]


def test_missing_required_column_is_an_error(tmp_path):
    write(tmp_path, "children.csv", "child_id,ethnicity\nC1,WBRI\n")
    result = load(tmp_path)
    f = only(result.findings, "missing_column")
    assert (f.severity, f.file, f.row, f.column) == ("error", "children.csv", None, "gender")
    assert not result.ok
    with pytest.raises(LoadError, match="children.csv.*gender"):
        result.raise_for_errors()


def test_bad_date_is_reported_and_required_date_row_excluded(tmp_path):
    write(tmp_path, "contacts.csv",
          "child_id,contact_date,contact_source,decision_date\n"
          "C1,2024-01-02,6,not a date\n"
          "C2,31/02/2024,6,\n")
    result = load(tmp_path)
    bad = [f for f in result.findings if f.code == "bad_date"]
    assert sorted((f.file, f.row, f.column) for f in bad) == [("contacts.csv", 2, "decision_date"),
                                                       ("contacts.csv", 3, "contact_date")]
    excluded = only(result.findings, "row_excluded")
    assert (excluded.file, excluded.row, excluded.column) == ("contacts.csv", 3, "contact_date")
    assert "excluded" in excluded.message
    assert result.tables["contacts"]["child_id"].tolist() == ["C1"]  # row 2 kept, decision date blank
    assert result.tables["contacts"]["decision_date"].isna().all()
    assert result.ok  # data-quality warnings, not errors


def test_end_before_start(tmp_path):
    write(tmp_path, "cin_episodes.csv",
          "child_id,cin_start,cin_end,primary_need\n"
          "C1,2024-01-10,2024-03-01,N1\n"
          "C2,10/01/2024,09/01/2024,N2\n")
    result = load(tmp_path)
    f = only(result.findings, "date_order")
    assert (f.file, f.row, f.column) == ("cin_episodes.csv", 3, "cin_end")
    assert len(result.tables["cin_episodes"]) == 2  # kept, only reported


def test_duplicate_key_keeps_first_and_names_it(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER + "C1,Male,WBRI,,\nC2,Female,WBRI,,\nC1,Male,WBRI,,\n")
    result = load(tmp_path)
    f = only(result.findings, "duplicate_key")
    assert (f.file, f.row, f.column) == ("children.csv", 4, "child_id")
    assert "row 2" in f.message and "excluded" in f.message
    assert result.tables["children"]["child_id"].tolist() == ["C1", "C2"]


def test_unknown_code(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER + "C1,a) Male,WBRI,,\nC2,Martian,WBRI,,\n")
    result = load(tmp_path)
    f = only(result.findings, "unknown_code")
    assert (f.file, f.row, f.column) == ("children.csv", 3, "gender")
    assert "'Martian'" in f.message
    assert result.tables["children"]["gender"].tolist() == ["Male", pd.NA]


def test_empty_file_is_an_error(tmp_path):
    write(tmp_path, "staff.csv", "")
    f = only(load(tmp_path).findings, "file_empty")
    assert (f.severity, f.file, f.row, f.column) == ("error", "staff.csv", None, None)


def test_header_only_file_is_fine(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER)
    result = load(tmp_path)
    assert result.findings == [] and len(result.tables["children"]) == 0


def test_unknown_column_and_file_are_warnings(tmp_path):
    write(tmp_path, "children.csv", "child_id,Gender,ethnicity,shoe_size\nC1,M,WBRI,9\n")
    write(tmp_path, "notes.csv", "a\n1\n")
    result = load(tmp_path)
    f = only(result.findings, "unknown_column")
    assert (f.severity, f.file, f.row, f.column) == ("warning", "children.csv", 1, "shoe_size")
    assert only(result.findings, "unknown_file").file == "notes.csv"
    assert result.ok and result.tables["children"]["gender"].tolist() == ["Male"]


def test_blank_required_value_kept_and_reported(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER + "C1,,WBRI,,\n")
    result = load(tmp_path)
    f = only(result.findings, "blank_required")
    assert (f.file, f.row, f.column) == ("children.csv", 2, "gender")
    assert len(result.tables["children"]) == 1


def test_sensitive_values_are_not_echoed(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER + "C1,Male,WBRI,born yesterday,\n")
    f = only(load(tmp_path).findings, "bad_date")
    assert "born yesterday" not in f.message and f.column == "date_of_birth"


def test_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope")


def test_empty_folder_is_an_error(tmp_path):
    assert only(load(tmp_path).findings, "no_input").severity == "error"


def test_every_table_returned_in_canonical_dtypes(tmp_path):
    write(tmp_path, "children.csv", CHILDREN_HEADER)
    result = load(tmp_path)
    from torbayreport.io.schema import SCHEMA
    for table in SCHEMA:
        assert result.tables[table.name].dtypes.to_dict() == table.empty_frame().dtypes.to_dict()


def test_findings_frame_and_rule_registry():
    assert {"missing_column", "bad_date", "date_order", "duplicate_key", "unknown_code", "file_empty",
            "missing_sheet", "unknown_column"} <= set(RULES)
    assert all(r.severity in ("error", "warning") for r in RULES.values())
