"""Revised figures end to end: two builds whose inputs differ in last month's visits (issue 12, item 6).

The sample data are copied; November 2020 is built and published (with its metrics CSV); then a
child protection visit dated 27 November 2020 is added for every child on a plan at the end of
November -- late recording -- and December is built. The December summary must list P13 (CP
visits within 10 working days) for November with both figures.

Known answer, by the P13 definition (metrics/practice_protection.py): with a CP visit on Friday
27 November, one working day before the month end (Monday 30 November), every child on a plan at
the November month end was visited within 10 working days, so P13 for November becomes 100%.
The figure as published is whatever the first build published (read from its CSV).

The report project is a copy of reports/ declaring the summary chapter only, and that chapter is
the real notebook's code (load the context, ``ctx.revised_figures()``), so each build starts one
kernel, while ``prepare`` (the real metrics), the templates and rendering are the real ones.
"""

from __future__ import annotations

import shutil

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from torbayreport import config
from torbayreport.publish.outputs import read_published_metrics
from torbayreport.publish.pipeline import build_month

SAMPLE = config.PROJECT_ROOT / "data" / "sample"
PARAMETERS = 'month = "2020-12"\naudience = "internal"\ndata = ""\nparams = ""\nbuild_root = ""'


CHAPTERS = ["summary"]


def _project(folder):
    """reports/ copied, with the summary as its one chapter (no optional chapter, nothing left out)."""
    shutil.copytree(config.REPORT_PROJECT_DIR, folder)
    spec = yaml.safe_load((folder / "_quarto.yml").read_text(encoding="utf-8"))
    ours = spec["torbayreport"]
    ours["chapters"], ours["optional-chapters"] = CHAPTERS, {}
    for audience in ours["audiences"].values():
        audience["leave-out"] = []
    (folder / "_quarto.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return folder


def _notebooks(folder):
    """The summary chapter: its parameters, then the summary notebook's own two calls."""
    folder.mkdir()
    cells = [new_markdown_cell("# Summary"), new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
             new_code_cell("from torbayreport.publish import load_context\n"
                           "ctx = load_context(month=month, audience=audience, data=data, params=params, "
                           "build_root=build_root)"),
             new_code_cell("ctx.revised_figures()")]
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                  "display_name": "Python 3"}})
    nbformat.write(notebook, str(folder / "summary.ipynb"))
    return folder


def _add_late_cp_visits(data):
    plans = pd.read_csv(data / "cp_plans.csv", parse_dates=["cp_start", "cp_end"])
    month_end = pd.Timestamp("2020-11-30")
    on_plan = plans[(plans["cp_start"] <= month_end) & (plans["cp_end"].isna() | (plans["cp_end"] > month_end))]
    visits = pd.read_csv(data / "visits.csv", dtype=str)
    late = pd.DataFrame({"child_id": on_plan["child_id"].unique(), "visit_date": "2020-11-27",
                         "visit_type": "CP", "seen_alone": "Y"})
    pd.concat([visits, late], ignore_index=True).to_csv(data / "visits.csv", index=False)
    return len(late)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    if not (SAMPLE / "visits.csv").is_file():
        pytest.skip("no sample data (torbayreport demo generates it)")
    root = tmp_path_factory.mktemp("revisions")
    data = root / "data"
    shutil.copytree(SAMPLE, data)
    notebooks = _notebooks(root / "notebooks")
    common = dict(audience="internal", data_dir=data, out_dir=root / "reports", build_root=root / "build",
                  progress=False, notebooks_dir=notebooks, project_dir=_project(root / "project"), renderer="pandoc")
    november = build_month("2020-11", **common)
    added = _add_late_cp_visits(data)
    december = build_month("2020-12", **common)
    return {"november": november, "december": december, "added": added}


def test_the_published_folder_holds_the_metrics_csv_and_the_workbook(two_builds):
    outputs = two_builds["november"].outputs
    assert outputs["metrics-csv"].name == "torbay-children-2020-11-internal-metrics.csv"
    assert outputs["xlsx"].is_file() and outputs["metrics-csv"].is_file()


def test_late_visits_show_p13_for_november_as_revised_with_both_figures(two_builds):
    assert two_builds["added"] > 0
    published = read_published_metrics(two_builds["november"].outputs["metrics-csv"])
    before = published.loc[(published["kpi_id"] == "P13") & (published["month"] == "2020-11"), "value"].item()
    assert before < 99.5  # the sample has children seen late in November, so the revision is real
    html = two_builds["december"].html.read_text(encoding="utf-8")
    section = html[html.index("Revised figures"):]
    row = section[section.index("P13"):]
    row = row[:row.index("</tr>")]
    assert f"{before:.1f}%" in row and "100.0%" in row
    assert "November 2020" in section


def test_a_month_without_a_published_predecessor_says_so(two_builds):
    html = two_builds["november"].html.read_text(encoding="utf-8")
    assert "No published report for October 2020 was found" in html
