""""How we compare" in a council's own report: ``build --region FILE`` (issue 14, part 4).

One small real build (3 synthetic councils, 6 months, scale 0.05): the regional table from
``region`` over the councils, then the first council's public report with ``--region``. The
public identifier guard runs on it as on every public build (the build publishes only if it
passes, and it scans every CSV of the build folder, so the chapter's CSV too). The expected
figures come from the council's own public report (its disclosed metrics.csv), never from the
comparison code.

What is real: ``prepare`` (the council's metrics, disclosure and the chapter's CSV), the "how we
compare" notebook as committed, the chapter order, rendering and the identifier guard. The other
chapters are one-line stand-ins (as in tests/publish/test_revisions_build.py): the behaviour under
test is this chapter's, and executing the other six real notebooks cost most of the build's time.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from torbayreport import config
from torbayreport.publish.execute import BuildError
from torbayreport.publish.pipeline import build_month

from .conftest import MONTH


CHAPTER = "how_we_compare"
PARAMETERS = 'month = "2020-12"\naudience = "internal"\ndata = ""\nparams = ""\nbuild_root = ""'


def _notebooks(folder):
    """The committed "how we compare" notebook and a one-line stand-in for every other chapter."""
    folder.mkdir()
    for name in config.audience_chapters("public", provided=("region",)):
        if name == CHAPTER:
            shutil.copy(config.NOTEBOOKS_DIR / f"{name}.ipynb", folder / f"{name}.ipynb")
            continue
        cells = [new_markdown_cell(f"# {name.title()}"), new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                 new_markdown_cell("Stand-in chapter.")]
        notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                      "display_name": "Python 3"}})
        nbformat.write(notebook, str(folder / f"{name}.ipynb"))
    return folder


@pytest.fixture(scope="module")
def public_build(good_run, region_root, tmp_path_factory):
    _, _, region_out, _ = good_run
    code = sorted(p.name for p in region_root.iterdir() if p.is_dir())[0]
    root = tmp_path_factory.mktemp("hwc")
    result = build_month(MONTH, audience="public", data_dir=region_root / code, params_file=region_root / f"{code}.yaml",
                         out_dir=root / "reports", build_root=root / "build", progress=False, jobs=2,
                         notebooks_dir=_notebooks(root / "notebooks"), region=region_out / "region.parquet")
    table = pd.read_parquet(region_out / "region.parquet")
    return code, result, table


def _chapter(result) -> pd.DataFrame:
    return pd.read_csv(result.stage_dir / "how_we_compare.csv", dtype=str, keep_default_na=False)


def test_the_chapter_is_in_the_public_report(public_build):
    _, result, _ = public_build
    assert (result.stage_dir / "executed" / "how_we_compare.ipynb").is_file()
    html = " ".join(result.html.read_text(encoding="utf-8").split())  # pandoc wraps long lines
    assert "How we compare" in html and "Statistical neighbours (average)" in html
    import pypdf

    pdf_text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(result.pdf).pages)
    assert "How we compare" in pdf_text
    # chapter order as _quarto.yml declares it: after quality, before the appendix
    names = json.loads(result.manifest_path.read_text())["notebooks"]
    assert names.index("how_we_compare") == names.index("quality") + 1


def test_the_council_value_is_what_its_own_public_report_shows(public_build):
    code, result, _ = public_build
    chapter = _chapter(result).set_index("KPI")
    own = pd.read_csv(result.stage_dir / "metrics.csv", dtype=str, keep_default_na=False)
    own = own[own["month"] == MONTH].set_index("kpi_id")
    council = chapter.columns[1]  # headed by the council's name
    shown = own.loc[chapter.index, "value_display"]
    ok = own.loc[chapter.index, "value"] != ""
    assert (chapter.loc[ok[ok].index, council] == shown[ok]).all()
    withheld = own.index[(own["value_suppressed"] == "True") & (own["value"] == "")]
    assert len(withheld), "the small synthetic council should have some withheld figures"
    assert set(chapter.loc[withheld, council]) == {"[c]"}
    assert set(chapter.loc[withheld, "Rank in region"]) == {""} and set(chapter.loc[withheld, "Quarter"]) == {""}


def test_a_withheld_figure_appears_nowhere_in_the_chapter(public_build):
    """The council's unrounded-then-formatted value of every withheld KPI is absent from its row."""
    from torbayreport.disclose.formatting import format_value
    from torbayreport.metrics import REGISTRY

    code, result, table = public_build
    chapter = _chapter(result).set_index("KPI")
    mine = table[(table["la_code"].astype(str) == code) & (table["month"].astype(str) == MONTH)]
    hidden = mine[(mine["availability"] == "ok") & mine["public_suppressed"].astype("boolean").fillna(True)]
    assert len(hidden)
    for row in hidden.itertuples():
        secret = format_value(row.value, row.unit, REGISTRY[row.kpi_id].decimals)
        cells = set(chapter.loc[row.kpi_id].drop(["Measure"]))
        assert secret not in cells, f"{row.kpi_id}: the withheld {secret} is shown"


def test_a_missing_regional_table_stops_the_build_before_anything_runs(region_root, tmp_path):
    code = sorted(p.name for p in region_root.iterdir() if p.is_dir())[0]
    with pytest.raises(BuildError, match="regional table not found"):
        build_month(MONTH, audience="public", data_dir=region_root / code, build_root=tmp_path,
                    out_dir=tmp_path / "reports", progress=False, region=tmp_path / "nowhere.parquet")
    assert not (tmp_path / MONTH).exists()


def test_internal_rows_show_what_public_rows_withhold(good_run, region_root, tmp_path):
    """prepare's region CSV for each audience (no build): the internal chapter shows the council's
    value where the public one shows [c], and both have one row per KPI of the regional table."""
    from torbayreport.publish.prepare import write_region_compare

    _, _, region_out, _ = good_run
    code = sorted(p.name for p in region_root.iterdir() if p.is_dir())[0]
    rows = {}
    for audience in ("internal", "public"):
        path = write_region_compare(region_out / "region.csv", month=MONTH, audience=audience,
                                    params_file=region_root / f"{code}.yaml", out_dir=tmp_path / audience)
        rows[audience] = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("KPI")
    table = pd.read_parquet(region_out / "region.parquet")
    assert list(rows["public"].index) == list(dict.fromkeys(table["kpi_id"]))
    council = rows["public"].columns[1]
    withheld = rows["public"].index[rows["public"][council] == "[c]"]
    assert len(withheld)
    assert "[c]" not in set(rows["internal"].loc[withheld, council])
