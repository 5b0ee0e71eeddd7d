"""The safe pieces of ``disclose`` wired into report and publish (issue 11), checked without a build.

Each test feeds a hostile value to the one place it becomes markdown, CSV or a refusal, and checks
what pandoc (the renderer the build uses) makes of it, or what the file holds. The end-to-end
proof through real builds is tests/e2e/test_hostile.py.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pypandoc
import pytest

from torbayreport.publish import prepare
from torbayreport.publish.render import ReportMeta
from torbayreport.publish.render_pandoc import _PANDOC_FROM, _metadata_file
from torbayreport.report import tables
from torbayreport.report.context import ReportContext


def _html(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "html5", format=_PANDOC_FROM, extra_args=["--wrap=none"])


# ----------------------------------------------------------------------------- markdown

def test_a_hostile_table_cell_prints_as_typed_and_stays_one_cell():
    frame = pd.DataFrame({"Team": ["SAT <img src=x onerror=alert(1)> | @cite", "Permanence"], "n": ["2", "3"]})
    html = _html(tables.markdown_table(frame))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; | @cite" in html
    assert html.count("<tr") == 3  # header + two rows: the pipe did not open a new column or row
    assert "<cite" not in html and 'class="citation"' not in html


def _context(**commentary) -> ReportContext:
    meta = {"title": "Report <script>alert(1)</script>", "la": {"name": "Torbay \\alpha @la"},
            "window": {"start": "2020-01", "end": "2020-12"}, "as_at": "2021-01-08",
            "commentary": {"summary": commentary.get("summary"), "pillars": {"practice": commentary.get("pillar")},
                           "kpis": {"P04": commentary.get("kpi")}}, "summary_sentences": ["One sentence."]}
    return ReportContext(folder=None, month=pd.Period("2020-12", "M"), audience="internal", meta=meta,
                         metrics=_NO_METRICS.copy(), findings=pd.DataFrame())


#: a report month with no measures: the summary still prints the analyst's text
_NO_METRICS = pd.DataFrame({"month": pd.Series([], dtype="period[M]"), "kpi_id": pd.Series([], dtype=str),
                            "pillar": pd.Series([], dtype=str), "title": pd.Series([], dtype=str)})


def test_commentary_title_and_name_are_inert_but_keep_light_formatting():
    ctx = _context(summary="<script>alert('s')</script> *really* [source](https://example.org/x)",
                   pillar="- first\n- second <b>bold</b>", kpi="$x$ \\input{y} [bad](javascript:alert(1))")
    summary = _html(ctx.executive_summary())
    assert "<script" not in summary and "&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt;" in summary.replace("'", "&#39;")
    assert "<em>really</em>" in summary and '<a href="https://example.org/x">source</a>' in summary
    pillar = _html(ctx.pillar_commentary("practice"))
    assert pillar.count("<li>") == 2 and "&lt;b&gt;bold&lt;/b&gt;" in pillar
    kpi = _html(ctx.commentary("P04"))
    assert "$x$ \\input{y} [bad](javascript:alert(1))" in kpi and "<a " not in kpi and "math" not in kpi
    title = _html(ctx.title_block())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title and "Torbay \\alpha @la" in title


def test_missing_commentary_still_says_so():
    ctx = _context()
    assert "No commentary was provided for this month." in ctx.commentary("P04")
    assert ctx.pillar_commentary("practice") == "No commentary was provided for this month."


def test_pandoc_metadata_values_are_literal(tmp_path):
    meta = ReportMeta(title="<script>alert(1)</script>", council="Torbay *x* @c", month="2020-12",
                      audience="public", as_at="8 January 2021", build_id="abc", built_at="1 December 2026 00:00 UTC")
    opts = {"lang": "en-GB", "toc_title": "Contents"}
    values = json.loads(_metadata_file(tmp_path, meta, opts).read_text(encoding="utf-8"))
    assert values["title"] == "\\<script\\>alert\\(1\\)\\<\\/script\\>"
    assert values["council"] == "Torbay \\*x\\* \\@c"
    assert values["lang"] == "en-GB"  # the project's declared language (_quarto.yml), not free text


def test_a_quote_in_the_title_cannot_end_an_html_attribute(tmp_path):
    from torbayreport.publish.render import _render_html_pandoc, project_options

    (tmp_path / "report.md").write_text("Body.\n", encoding="utf-8")
    meta = ReportMeta(title='x" http-equiv="refresh', council='T" onerror="alert(1)', month="2020-12",
                      audience="public", as_at="8 January 2021", build_id="abc", built_at="1 December 2026 00:00 UTC")
    opts = project_options()
    _render_html_pandoc(tmp_path, meta, opts, tmp_path / "out.html")
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    description = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert description and "&quot; http-equiv=&quot;refresh" in description.group(1)
    assert 'onerror="' not in html and 'http-equiv="refresh"' not in html


# ----------------------------------------------------------------------------- CSV

def test_csvs_from_arrow_backed_text_are_neutralised_and_read_back(tmp_path):
    from torbayreport.disclose import csvsafe

    frame = pd.DataFrame({"lead": pd.Series(["=HYPERLINK(\"x\")", "-2+3", "DCS", None], dtype="string[pyarrow]"),
                          "n": [1, -2, 3, 4]})
    path = csvsafe.write_csv(frame, tmp_path / "plan_overdue.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["lead,n", "\"'=HYPERLINK(\"\"x\"\")\",1", "'-2+3,-2", "DCS,3", ",4"]
    back = csvsafe.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    assert list(back["lead"].fillna("")) == ["=HYPERLINK(\"x\")", "-2+3", "DCS", ""]


# ----------------------------------------------------------------------------- the one guard

def test_prepare_keeps_no_guard_of_its_own():
    # the public table is blanked by disclose.blank_for_public and the outputs checked by
    # disclose.guard_public_outputs: prepare holds no second copy of either
    assert not hasattr(prepare, "guard_public") and not hasattr(prepare, "_scan_for_identifiers")


def test_pipeline_guard_refuses_in_one_line_through_disclose(tmp_path):
    from torbayreport.io.schema import tables_from
    from torbayreport.io.write import write_csv_folder
    from torbayreport.publish import pipeline
    from torbayreport.publish.pipeline import IdentifierLeakError, guard_public_outputs

    data = tmp_path / "data"
    write_csv_folder(tables_from(staff=[{"worker_id": "W0366", "worker_name": "George Jackson", "role": "Social worker",
                                         "team": "SAT 1", "employment": "Permanent", "fte": 1.0,
                                         "start_date": "2015-01-01", "case_holding": True, "asye": False}]), data)
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "context.json").write_text(json.dumps({"as_at": "2021-01-08", "window": {"start": "2020-01", "end": "2020-12"}}))
    page = tmp_path / "report.html"
    page.write_text("<p>Allocated to Jackson, George; worker W-0366.</p>")
    with pytest.raises(IdentifierLeakError) as raised:
        guard_public_outputs([page], data_dir=data, stage_dir=stage)
    assert "\n" not in str(raised.value) and "report.html" in str(raised.value)
    assert not hasattr(pipeline, "_searchable_text")
