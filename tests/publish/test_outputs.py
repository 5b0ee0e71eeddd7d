"""publish.outputs: the metrics CSV and the Excel workbook published beside the report.

Built from a small prepared folder written here by hand (two KPIs, two months, one exception
list), so every expected cell below is read off the fixture, not produced by the code under test.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from torbayreport.publish.outputs import published_metrics, read_published_metrics, write_metrics_csv, write_workbook

FORMULA = '=HYPERLINK("http://evil.example","click")'
ABOUT = {"Council": "Fixtureshire Council", "Build id": "2020-12-int-abc123"}


@pytest.fixture
def artefacts(tmp_path):
    folder = tmp_path / "prepared"
    (folder / "exceptions").mkdir(parents=True)
    pd.DataFrame({
        "month": ["2020-11", "2020-12", "2020-11", "2020-12"],
        "kpi_id": ["P13", "P13", "L01", "L01"],
        "title": ["CP visits", "CP visits", FORMULA, FORMULA],
        "pillar": ["practice", "practice", "leadership", "leadership"],
        "unit": ["percent", "percent", "ratio", "ratio"],
        "numerator": [184, 3, 1185, 1190],
        "denominator": [195, 4, 76.6, 77.2],
        "value": [94.4, 75.0, 15.5, 15.4],
        "rag": ["Green", "Red", "Green", "Green"],
        "spc_mean": [90.0, 90.0, 16.0, 16.0],
        "value_suppressed": [False, True, False, False],
        "numerator_suppressed": [False, True, False, False],
        "denominator_suppressed": [False, True, False, False],
    }).to_csv(folder / "metrics.csv", index=False)
    pd.DataFrame({"child_id": ["C000013"], "team": ["-1+2"], "last_visit": ["2020-11-02"]}).to_csv(
        folder / "exceptions" / "cp_visits_overdue.csv", index=False)
    return folder


def _sheet(path, name):
    return openpyxl.load_workbook(path)[name]


def test_internal_workbook_has_scorecard_metrics_and_exception_lists_with_frozen_headers(artefacts, tmp_path):
    path = write_workbook(artefacts, "internal", "2020-12", ABOUT, tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Scorecard", "Metrics", "cp_visits_overdue"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    card = book["Scorecard"]
    header = [c.value for c in card[1]]
    assert header[:3] == ["KPI", "Measure", "Pillar"]
    p13 = {h: c for h, c in zip(header, card[2])}
    assert p13["KPI"].value == "P13" and p13["Value"].value == 75.0 and p13["Value"].number_format == "0.0"
    assert p13["Numerator"].value == 3 and p13["Numerator"].number_format == "#,##0"
    l01 = {h: c for h, c in zip(header, card[3])}
    assert l01["Denominator"].value == 77.2 and l01["Denominator"].number_format == "#,##0.0"  # FTE
    metrics = book["Metrics"]
    assert "availability" in [c.value for c in metrics[1]] and "spc_mean" in [c.value for c in metrics[1]]
    overdue = book["cp_visits_overdue"]
    assert overdue["C2"].value == dt.datetime(2020, 11, 2) and overdue["C2"].number_format == "d mmm yyyy"


def test_formula_like_text_arrives_as_text(artefacts, tmp_path):
    path = write_workbook(artefacts, "internal", "2020-12", ABOUT, tmp_path / "m.xlsx")
    card = _sheet(path, "Scorecard")
    cell = card["B3"]                                   # L01's measure name is the formula text
    assert cell.value == FORMULA and cell.data_type == "s" and cell.quotePrefix
    team = _sheet(path, "cp_visits_overdue")["B2"]
    assert team.value == "-1+2" and team.data_type == "s"
    # and in the XML itself: an inline string, never an <f> (formula) element
    import zipfile

    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml


def test_public_outputs_carry_no_exception_lists_no_spc_limits_and_blank_suppressed_values(artefacts, tmp_path):
    path = write_workbook(artefacts, "public", "2020-12", ABOUT, tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Scorecard", "Metrics"]
    header = [c.value for c in book["Metrics"][1]]
    assert "spc_mean" not in header
    frame = published_metrics(artefacts, "public")
    p13_december = frame[(frame["kpi_id"] == "P13") & (frame["month"] == "2020-12")].iloc[0]
    assert pd.isna(p13_december["value"]) and pd.isna(p13_december["numerator"]) and pd.isna(p13_december["rag"])


def test_metrics_csv_round_trips_and_neutralises_formulas(artefacts, tmp_path):
    path = write_metrics_csv(artefacts, "internal", tmp_path / "x-metrics.csv")
    raw = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw                          # neutralised on disk
    back = read_published_metrics(path)
    assert set(back["title"]) == {"CP visits", FORMULA}  # restored when the next build reads it
    assert list(back["month"]) == ["2020-11", "2020-12", "2020-11", "2020-12"]
