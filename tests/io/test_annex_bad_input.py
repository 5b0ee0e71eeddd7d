"""Bad Annex A workbooks: each gives a finding naming file, sheet, row and column, and either the load
goes on with what it can trust or it stops with one LoadError; no row disappears uncounted."""

import datetime as dt
import zipfile

import pytest

from tests.io import annex_template as t
from torbayreport.io import LoadError, load


def only(findings, code):
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, findings
    return hits[0]


def test_title_row_and_no_header_row_stops_naming_the_sheet(tmp_path):
    book = t.sheets()
    book["List_1"] = [["List 1: Contacts"], ["C1", "a) Male", "a) WBRI", None, None, dt.datetime(2024, 1, 2), "q) 6: Police"]]
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    f = only(result.findings, "no_header_row")
    assert (f.severity, f.file, f.column) == ("error", "annex_a.xlsx[List_1]", "Child Unique ID")
    assert "1 row(s) not read" in f.message  # the data row under the title is counted
    with pytest.raises(LoadError, match=r"annex_a.xlsx\[List_1\]"):
        result.raise_for_errors()


def test_two_sheets_claiming_one_list_stop(tmp_path):
    book = t.sheets()
    book["Referrals (copy)"] = book["List_3"][1:]  # the same list again, named by topic
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    f = only(result.findings, "duplicate_sheet")
    assert f.severity == "error" and "'List_3' and 'Referrals (copy)'" in f.message
    assert not result.ok


def test_header_matching_two_columns_is_not_read(tmp_path):
    book = t.sheets()
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    # a council alias that makes 'Referral Source' mean the referral date too
    result = load(tmp_path, aliases={"Referral Source": "referral_date"})
    f = only(result.findings, "ambiguous_header")
    assert (f.file, f.row, f.column) == ("annex_a.xlsx[List_3]", 2, "Referral Source")
    assert "'referral_date'" in f.message and "'referral_source'" in f.message
    missing = only(result.findings, "missing_column")  # so the required column is missing: stop
    assert (missing.file, missing.column) == ("annex_a.xlsx[List_3]", "Referral Source")


def test_second_column_for_one_field_is_reported_and_the_first_read(tmp_path):
    book = t.sheets()
    for row in book["List_1"][1:]:
        row.append(row[5])
    book["List_1"][1][-1] = "date of contact"
    book["List_1"][2][-1] = dt.datetime(1999, 1, 1)
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    f = only(result.findings, "duplicate_column")
    assert (f.file, f.row, f.column) == ("annex_a.xlsx[List_1]", 2, "date of contact")
    assert "column 6" in f.message and "column 8" in f.message
    assert result.tables["contacts"]["contact_date"].min() == dt.datetime(2024, 1, 2)


def test_xls_that_is_really_html_says_so(tmp_path):
    (tmp_path / "annex_a.xls").write_text("<html><body><table><tr><td>Child Unique ID</td></tr></table></body></html>")
    result = load(tmp_path)
    f = only(result.findings, "file_unreadable")
    assert (f.severity, f.file) == ("error", "annex_a.xls") and "HTML" in f.message and "save it as .xlsx" in f.message


def test_password_protected_workbook_says_so(tmp_path):
    # What Excel writes for a protected .xlsx: an OLE compound file (magic D0CF11E0A1B11AE1) holding an
    # 'EncryptionInfo' stream (MS-OFFCRYPTO 2.3.4); here only those bytes, enough for the check.
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    (tmp_path / "annex_a.xlsx").write_bytes(header + "EncryptionInfo".encode("utf-16-le") + bytes(512))
    f = only(load(tmp_path).findings, "file_unreadable")
    assert f.severity == "error" and "password-protected" in f.message


def test_corrupt_workbook_is_an_error_not_a_traceback(tmp_path):
    t.write_xlsx(tmp_path / "whole.xlsx", t.sheets())
    data = (tmp_path / "whole.xlsx").read_bytes()
    (tmp_path / "whole.xlsx").unlink()
    (tmp_path / "annex_a.xlsx").write_bytes(data[: len(data) // 2])  # truncated in transfer
    f = only(load(tmp_path).findings, "file_unreadable")
    assert f.severity == "error" and f.file == "annex_a.xlsx"
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as z:  # a zip that is no workbook
        z.writestr("readme.txt", "hello")
    (tmp_path / "annex_a.xlsx").write_bytes((tmp_path / "ok.zip").read_bytes())
    (tmp_path / "ok.zip").unlink()
    assert only(load(tmp_path).findings, "file_unreadable").severity == "error"


def test_list_9_with_no_dates_anywhere_stops_and_counts_its_rows(tmp_path):
    book = t.sheets()
    for name in [f"List_{n}" for n in range(1, 9)]:
        book[name] = book[name][:2]  # title and header only: no event dates in the workbook
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    f = only(result.findings, "no_as_at")
    assert (f.severity, f.file, f.column) == ("error", "annex_a.xlsx[List_9]", "Month")
    assert "2 care leaver row(s)" in f.message
    # the same workbook with the as-at date given loads every care leaver
    assert len(load(tmp_path, as_at="2024-03-31").tables["care_leavers"]) == 2


def test_blank_key_rows_are_counted_with_sheet_row_and_column(tmp_path):
    book = t.sheets()
    book["List_1"][3][5] = None  # second contact (sheet row 4) has no date
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    f = only(result.findings, "row_excluded")
    assert (f.file, f.row, f.column) == ("annex_a.xlsx[List_1]", 4, "Date of Contact")
    assert len(result.tables["contacts"]) == 2


def test_workbook_with_the_wrong_extension_is_read_by_its_content(tmp_path):
    t.write_xlsx(tmp_path / "annex_a.xls", t.sheets())  # .xlsx bytes under an .xls name
    result = load(tmp_path)
    assert [f.code for f in result.findings] == ["as_at"] and len(result.tables["contacts"]) == 3


def test_empty_template_is_not_an_error(tmp_path):
    book = t.sheets()
    for name in [f"List_{n}" for n in range(1, 10)]:
        book[name] = book[name][:2]  # Ofsted's blank template: title and header rows only
    t.write_xlsx(tmp_path / "annex_a.xlsx", book)
    result = load(tmp_path)
    assert result.findings == [] and result.as_at is None
    assert all(len(frame) == 0 for frame in result.tables.values())
