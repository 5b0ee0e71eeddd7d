"""Annex A workbook: exact round trip, determinism, sheet-name and header-drift handling."""

import openpyxl
import pandas as pd

from torbayreport.io import load, write_annex_a
from torbayreport.io.schema import SCHEMA


def assert_same_tables(result, tables):
    for name, frame in tables.items():
        expected = frame.sort_values(list(SCHEMA[name].key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(result.tables[name], expected, obj=name)


def edit(path, func):
    wb = openpyxl.load_workbook(path)
    func(wb)
    wb.save(path)


def test_round_trip_is_exact(annex_a_folder, tables):
    result = load(annex_a_folder)
    assert result.findings == []
    assert_same_tables(result, tables)
    assert any(s.kind == "annex_a" for s in result.sources)


def test_workbook_layout(annex_a_folder):
    tmp_path = annex_a_folder
    wb = openpyxl.load_workbook(tmp_path / "annex_a.xlsx")
    assert wb.sheetnames == [f"List {n}" for n in range(1, 12)]
    rows = list(wb["List 1"].iter_rows(values_only=True))
    assert rows[0][:7] == ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                           "Date of Contact", "Contact Source")
    assert rows[1][1] == "a) Male" and rows[1][6] == "q) 6: Police"
    assert rows[1][5].date().isoformat() == "2024-01-02"  # a real Excel date, not text
    assert wb["List 10"].max_row == 1 and wb["List 11"].max_row == 1
    # what Annex A lacks travels in CSVs: contact decision dates, non-latest visits
    assert (tmp_path / "contacts.csv").exists() and (tmp_path / "visits.csv").exists()


def test_byte_deterministic(tmp_path, tables, annex_a_written):
    a = annex_a_written  # the session's write of the same content (another build of the tables)
    b = write_annex_a(tables, tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_sheet_named_by_topic_is_recognised_by_its_headers(annex_a_folder, tables):
    tmp_path = annex_a_folder
    edit(tmp_path / "annex_a.xlsx", lambda wb: setattr(wb["List 3"], "title", "Referrals"))
    result = load(tmp_path)
    assert result.findings == []
    assert_same_tables(result, tables)


def test_unrecognisable_sheet_is_an_error_naming_what_was_expected(annex_a_folder):
    tmp_path = annex_a_folder

    def spoil(wb):
        ws = wb["List 3"]
        ws.title = "Notes"
        for cell in ws[1]:
            cell.value = None
        ws["A1"] = "Notes for the inspector"

    edit(tmp_path / "annex_a.xlsx", spoil)
    result = load(tmp_path)
    errors = [f for f in result.findings if f.code == "missing_sheet"]
    assert len(errors) == 1 and errors[0].severity == "error" and errors[0].file == "annex_a.xlsx"
    assert "List 3" in errors[0].message and "'Notes'" in errors[0].message
    unknown = [f for f in result.findings if f.code == "unknown_sheet"]
    assert len(unknown) == 1 and "'Notes'" in unknown[0].message
    assert not result.ok


def test_header_drift_is_tolerated(annex_a_folder, tables):
    tmp_path = annex_a_folder

    def drift(wb):
        l1, l3, l8 = wb["List 1"], wb["List 3"], wb["List 8"]
        l1["A1"], l1["B1"], l1["E1"], l1["F1"] = "child unique id ", "GENDER", "Age", "Date of Contact  "
        l3["F1"] = "Date of Referral"
        for cell in l8[1]:
            if cell.value and "Missing" in cell.value:
                cell.value = cell.value.replace("'", "\u2018", 1).replace("'", "\u2019", 1)
            if cell.value and cell.value.startswith("Unaccompanied"):
                cell.value = cell.value.replace("(Y/N)", "(Y/N))")
    edit(tmp_path / "annex_a.xlsx", drift)
    result = load(tmp_path)
    assert result.findings == []
    assert_same_tables(result, tables)


def test_bad_cells_in_workbook_are_located_by_sheet_row_and_header(annex_a_folder):
    tmp_path = annex_a_folder

    def spoil(wb):
        wb["List 1"]["F3"] = "31/02/2024"  # second contact: Date of Contact
        wb["List 7"]["H2"] = "z) Boredom"  # Initial Category of Abuse

    edit(tmp_path / "annex_a.xlsx", spoil)
    result = load(tmp_path)
    bad = [f for f in result.findings if f.code == "bad_date"][0]
    assert (bad.file, bad.row, bad.column) == ("annex_a.xlsx[List 1]", 3, "Date of Contact")
    excluded = [f for f in result.findings if f.code == "row_excluded"][0]
    assert (excluded.file, excluded.row, excluded.column) == ("annex_a.xlsx[List 1]", 3, "Date of Contact")
    code = [f for f in result.findings if f.code == "unknown_code"][0]
    assert (code.file, code.row, code.column) == ("annex_a.xlsx[List 7]", 2, "Initial Category of Abuse")


def test_missing_required_header_is_an_error(annex_a_folder):
    tmp_path = annex_a_folder
    edit(tmp_path / "annex_a.xlsx", lambda wb: wb["List 1"].__setitem__("G1", "Where it came from"))
    result = load(tmp_path)
    f = [f for f in result.findings if f.code == "missing_column"][0]
    assert (f.severity, f.file, f.column) == ("error", "annex_a.xlsx[List 1]", "Contact Source")


def test_referral_id_derived_when_absent(annex_a_folder):
    tmp_path = annex_a_folder
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "annex_a.xlsx")["List 3"][1]]
    assert "Referral ID" not in header  # the sample uses the derived form, so no extension column
    (tmp_path / "referrals.csv").unlink(missing_ok=True)
    ids = load(tmp_path).tables["referrals"]["referral_id"].tolist()
    assert ids == ["C1-R20240103", "C4-R20240201"]


def test_round_trip_of_synthetic_data(tmp_path):
    """Extra check on a small generator sample, when the generator is present (not a dependency)."""
    import pytest

    synth = pytest.importorskip("torbayreport.synth")
    if not hasattr(synth, "generate"):
        pytest.skip("synthetic generator not available")
    tables = synth.generate(seed=3, scale=0.05, start="2019-01", end="2019-12")
    write_annex_a(tables, tmp_path)
    result = load(tmp_path)
    assert result.ok
    for name, frame in tables.items():
        expected = SCHEMA[name].coerce(frame).sort_values(list(SCHEMA[name].key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(result.tables[name], expected, obj=name)
