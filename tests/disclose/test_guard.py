"""The one public guard over output files: each file type read field by field, one allow-list."""

from __future__ import annotations

import json

import pytest

from torbayreport.disclose import DisclosureError
from torbayreport.disclose.guard import find_leaks, guard_public_outputs, public_index, searchable_text
from torbayreport.disclose.identifiers import FIELD
from torbayreport.io.schema import tables_from


def tables(**more):
    # child C000001 born 18 June 2013 (issue 11's example), C000002 born 2 May 2019, worker W0007 Ruth Cox
    return tables_from(
        **more,
        children=[{"child_id": "C000001", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2013-06-18"},
                  {"child_id": "C000002", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2019-05-02"}],
        staff=[{"worker_id": "W0007", "worker_name": "Ruth Cox", "role": "SW", "team": "SAT 1",
                "employment": "Permanent", "fte": 1.0, "start_date": "2019-01-07", "end_date": None,
                "case_holding": True, "asye": False}],
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_html_reads_visible_text_attributes_and_entities(tmp_path):
    page = write(tmp_path, "report.html", (
        '<p>Allocated to Ruth <em>Cox</em>.</p>'
        '<img alt="chart of C-000001" src="data:image/png;base64,QzAwMDAwMQ==">'
        "<p>&#67;&#48;00001 again</p><!-- W0007 in a comment -->"
    ))
    text = searchable_text(page)
    assert "Ruth  Cox" in text or "Ruth Cox" in text
    leaks = find_leaks([page], public_index(tables()))
    assert leaks == ["report.html: 'Ruth Cox'", "report.html: 'C000001'", "report.html: 'C000001'",
                     "report.html: 'W0007'"]


def test_html_table_cells_are_separate_fields(tmp_path):
    page = write(tmp_path, "report.html", "<table><tr><td>Ruth</td><td>Cox</td></tr></table>")
    assert find_leaks([page], public_index(tables())) == []


def test_csv_is_scanned_cell_by_cell(tmp_path):
    # issue 11: a lead ending "=2+5" next to a 2019 date was read as 2/5/2019 (a date of birth
    # here); split across cells, "Ruth" and "Cox" are two fields, not a name
    sheet = write(tmp_path, "plan_changes.csv", "lead,due,first,last\n\"'=2+5\",2019-07-01,Ruth,Cox\n")
    assert find_leaks([sheet], public_index(tables())) == []
    assert FIELD in searchable_text(sheet)


def test_csv_date_of_birth_column_is_read_with_its_header(tmp_path):
    sheet = write(tmp_path, "x.csv", "kpi,date_of_birth\nP01,18/06/2013\n")
    assert find_leaks([sheet], public_index(tables())) == ["x.csv: 'date of birth 2013-06-18'"]
    other = write(tmp_path, "y.csv", "kpi,meeting\nP01,18/06/2013\n")
    assert find_leaks([other], public_index(tables())) == []


def test_notebooks_and_json_string_by_string(tmp_path):
    notebook = {"cells": [{"cell_type": "markdown", "source": ["Worker W-0007 ", "was\n", "born 18 June 2013"]},
                          {"cell_type": "code", "source": [], "outputs": [
                              {"data": {"image/png": "QzAwMDAwMQ==C000001", "text/plain": ["<Figure>"]}}]}]}
    nb = write(tmp_path, "01-summary.ipynb", json.dumps(notebook))
    leaks = find_leaks([nb], public_index(tables()))
    assert leaks == ["01-summary.ipynb: 'W0007'", "01-summary.ipynb: 'date of birth 2013-06-18'"]
    manifest = write(tmp_path, "report.manifest.json", json.dumps({"a": "C0000", "b": "01", "c": ["ok"]}))
    assert find_leaks([manifest], public_index(tables())) == []  # two fields, not "C000001"


@pytest.mark.parametrize("extractor", ["pdftotext", "pypdf"])
def test_pdf_text(tmp_path, monkeypatch, extractor):
    """poppler's pdftotext when installed, pypdf otherwise: both find the name on page 2."""
    import shutil

    import typst

    if extractor == "pdftotext" and shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (.ci/run installs it)")
    if extractor == "pypdf":
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(typst.compile(b"Page one.\n#pagebreak()\nAllocated worker: Cox, Ruth. Next review soon."))
    assert find_leaks([pdf], public_index(tables())) == ["report.pdf: 'Ruth Cox'"]


def test_guard_raises_naming_files_and_uses_one_allow_list(tmp_path):
    # 2019-05-02 is C000002's date of birth *and* a plan due date: on the allow-list it needs a
    # birth word to count; C000001's date of birth is not on it, so an id nearby ties it as well
    with_plan = tables(plan_actions=[{"action_id": "A1", "due_date": "2019-05-02"}])
    clean = write(tmp_path, "report.html", "<p>Actions due 2 May 2019 and 02/05/2019 by W 0008.</p>")
    guard_public_outputs([clean], with_plan, as_at="2021-01-08", window=("2020-01", "2020-12"))
    leaky = write(tmp_path, "summary.csv", "text\nCox R. reviewed C-000001\nthe child born 2 May 2019\n")
    with pytest.raises(DisclosureError, match=r"summary.csv: 'Ruth Cox'; summary.csv: 'C000001'; "
                                              r"summary.csv: 'date of birth 2019-05-02'") as err:
        guard_public_outputs([clean, leaky], with_plan, as_at="2021-01-08", window=("2020-01", "2020-12"))
    assert len(err.value.problems) == 3
    # without the plan table, the due date is not on the allow-list: the id nearby does not matter
    # (W 0008 is no one here) and no birth word: still clean
    guard_public_outputs([clean], tables(), as_at="2021-01-08", window=("2020-01", "2020-12"))
