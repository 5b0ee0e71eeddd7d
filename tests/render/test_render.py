"""torbayreport.publish.render: executed notebooks -> markdown -> HTML + PDF, without starting any kernel.

The "executed" notebooks here are built in memory with the outputs papermill would have stored, so
these tests are quick and exercise every rule of the notebook -> markdown step directly.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import nbformat
import pypdf
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from torbayreport.publish.render import (
    RenderError,
    ReportMeta,
    check_html,
    notebook_to_markdown,
    project_options,
    quarto_binary,
    render_report,
)
from torbayreport.publish.render_pandoc import _typst_value

# A 1x1 PNG (a valid image typst and pandoc both accept).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
ALT = "Bar chart of visits in time, Fixtureshire, December 2020: 85 per cent, up from 80."
TABLE = "| Measure | Value | RAG |\n|:--|--:|:--|\n| Visits in time | 85.0% | Green |\n| Audits good | [c] | Red |"


def executed_notebook(title: str, *, figure: str | None = None, extra_outputs=()) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: parameters + injected-parameters cells, outputs stored."""
    nb = new_notebook()
    nb.metadata["papermill"] = {"exception": False, "parameters": {"month": "2020-12"}}
    params = new_code_cell('month = "2020-12"')
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell('# Parameters\nmonth = "2020-12"\nbuild_dir = "/secret/path"')
    injected.metadata["tags"] = ["injected-parameters"]
    shown = new_code_cell("display(Markdown(table))", outputs=[
        new_output("stream", name="stdout", text="debug print\n"),
        new_output("stream", name="stderr", text="UserWarning: noisy\n"),
        new_output("display_data", data={"text/markdown": TABLE, "text/plain": "<Markdown>"}),
        *extra_outputs,
    ])
    figure_md = figure if figure is not None else f"![{ALT}](data:image/png;base64,{PNG_B64})"
    chart = new_code_cell("display(Markdown(chart))", outputs=[
        new_output("display_data", data={"text/markdown": figure_md, "text/plain": "<Markdown>"})])
    nb.cells = [new_markdown_cell(f"# {title}\n\nWhat this chapter covers."), params, injected,
                new_markdown_cell("## Key figures"), shown, new_markdown_cell("## Trend"), chart]
    return nb


def write(nb, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def chapters(tmp_path):
    folder = tmp_path / "executed"
    folder.mkdir()
    return {name: write(executed_notebook(title), folder / f"{name}.ipynb")
            for name, title in [("summary", "Summary"), ("practice", "Practice")]}


def meta(audience="internal") -> ReportMeta:
    return ReportMeta(title="Performance report", council="Fixtureshire", month="2020-12", audience=audience,
                      as_at="6 January 2021", build_id="2020-12-int-abc123", built_at="2021-01-07T09:00:00+00:00")


# ------------------------------------------------------------------------------ notebook -> markdown

def test_markdown_keeps_headings_tables_and_figures_and_drops_code_and_streams(tmp_path):
    path = write(executed_notebook("Summary"), tmp_path / "summary.ipynb")
    figures = tmp_path / "figures"
    figures.mkdir()
    text = notebook_to_markdown(path, figures, "01-summary")
    assert text.startswith("# Summary")
    assert "## Key figures" in text and TABLE in text
    assert f"![{ALT}](figures/01-summary-fig01.png)" in text
    assert (figures / "01-summary-fig01.png").read_bytes() == PNG
    for leak in ("debug print", "UserWarning", "/secret/path", "display(", 'month = "2020-12"'):
        assert leak not in text


def test_bare_image_output_is_refused(tmp_path):
    bare = new_output("display_data", data={"image/png": PNG_B64, "text/plain": "<Figure>"})
    path = write(executed_notebook("Summary", extra_outputs=[bare]), tmp_path / "summary.ipynb")
    with pytest.raises(RenderError, match="summary: cell 4 shows a figure without alt text"):
        notebook_to_markdown(path, tmp_path, "x")


def test_figure_with_empty_alt_is_refused(tmp_path):
    nb = executed_notebook("Summary", figure=f"![](data:image/png;base64,{PNG_B64})")
    with pytest.raises(RenderError, match="no alt text|empty alt text"):
        notebook_to_markdown(write(nb, tmp_path / "s.ipynb"), tmp_path, "x")


def test_failed_notebook_is_refused(tmp_path):
    nb = executed_notebook("Summary")
    nb.metadata["papermill"]["exception"] = True
    with pytest.raises(RenderError, match="failed when executed"):
        notebook_to_markdown(write(nb, tmp_path / "s.ipynb"), tmp_path, "x")


def test_unexecuted_template_is_refused(tmp_path):
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Summary"), new_code_cell("1 + 1")]
    with pytest.raises(RenderError, match="unexecuted template"):
        notebook_to_markdown(write(nb, tmp_path / "s.ipynb"), tmp_path, "x")


def test_error_output_is_refused(tmp_path):
    error = new_output("error", ename="ValueError", evalue="boom", traceback=[])
    nb = executed_notebook("Summary", extra_outputs=[error])
    with pytest.raises(RenderError, match="ValueError: boom"):
        notebook_to_markdown(write(nb, tmp_path / "s.ipynb"), tmp_path, "x")


# ------------------------------------------------------------------------------------ options

def test_options_come_from_quarto_yml():
    opts = project_options()
    assert opts["lang"] == "en-GB"
    assert opts["typst"]["papersize"] == "a4"
    assert opts["html"]["embed_resources"] is True
    assert opts["toc"] is True
    assert opts["markings"] == {"internal": "OFFICIAL-SENSITIVE", "public": "OFFICIAL"}
    fonts = opts["typst"]["font_paths"][0]
    assert (fonts / "Carlito-Regular.ttf").is_file() and (fonts / "OFL.txt").is_file()


@pytest.mark.parametrize("value, expected", [
    ("2.2cm", "2.2cm"), ("11pt", "11pt"), ("1.1", '"1.1"'), (None, "none"), (True, "true"),
    ({"x": "2cm", "top": "1in"}, "(x: 2cm, top: 1in)"), ('say "hi"', '"say \\"hi\\""'),
])
def test_typst_values(value, expected):
    assert _typst_value(value) == expected


# ---------------------------------------------------------------------------------- rendering

def test_render_pandoc_path_makes_checked_html_and_a4_pdf(chapters, tmp_path):
    out = tmp_path / "out"
    result = render_report(chapters, out, "fixtureshire-children-2020-12-public", meta("public"),
                           renderer="pandoc")
    assert result.renderer == "pandoc+typst"
    assert result.html == out / "fixtureshire-children-2020-12-public.html"
    assert check_html(result.html) == []
    html = result.html.read_text()
    assert len(re.findall(r'<img\b[^>]*\balt="' + re.escape(ALT) + '"', html)) == 2
    assert html.count("<table>") == 2 and "<th" in html
    reader = pypdf.PdfReader(result.pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "1 Summary" in text and "2 Practice" in text and "Visits in time" in text and "[c]" in text
    assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text        # public marking
    assert "Overview and Scrutiny Board (public)" in reader.pages[0].extract_text()
    assert "debug print" not in text and "/secret/path" not in text


def test_pdf_embeds_only_the_bundled_font(chapters, tmp_path):
    result = render_report(chapters, tmp_path, "r", meta(), renderer="pandoc")
    fonts = set()
    for page in pypdf.PdfReader(result.pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Carlito" in f or "DejaVu" in f for f in fonts), fonts


@pytest.mark.skipif(quarto_binary() is None, reason="no quarto binary on PATH (pandoc + typst path is used)")
def test_render_quarto_path(chapters, tmp_path):
    result = render_report(chapters, tmp_path, "r", meta(), renderer="quarto")
    assert result.renderer == "quarto" and result.pdf.is_file() and check_html(result.html) == []


def test_quarto_renderer_without_binary_is_a_clear_error(chapters, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match="no quarto binary"):
        render_report(chapters, tmp_path, "r", meta(), renderer="quarto")


# --------------------------------------------------------------------------------- html checks

GOOD = '<html lang="en-GB"><body><img src="data:image/png;base64,AA" alt="A chart"><a href="https://x.org">x</a></body></html>'


@pytest.mark.parametrize("html, problem", [
    ('<html lang="en"><body></body></html>', "lang"),
    ('<html lang="en-GB"><img src="data:image/png;base64,AA"></html>', "no alt text"),
    ('<html lang="en-GB"><img src="x.png" alt=" "></html>', "no alt text"),
    ('<html lang="en-GB"><script src="https://cdn.example/mathjax.js"></script></html>', "remote resource"),
    ('<html lang="en-GB"><link rel="stylesheet" href="//fonts.example/css"></html>', "remote resource"),
    ('<html lang="en-GB"><style>@font-face{src:url("https://f.example/a.woff")}</style></html>', "CSS url()"),
])
def test_check_html_finds_problems(tmp_path, html, problem):
    path = tmp_path / "r.html"
    path.write_text(html)
    assert any(problem in p for p in check_html(path))


def test_check_html_accepts_a_clean_page_with_a_hyperlink(tmp_path):
    path = tmp_path / "r.html"
    path.write_text(GOOD)
    assert check_html(path) == []
