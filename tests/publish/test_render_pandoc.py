"""torbayreport.publish.render_pandoc: the markdown read once into pandoc's JSON AST, both writers
reading it; and the report.lua filter's rules on the paths issue 13 made faster.

The reference for "the same output" is pandoc reading the markdown itself with the options the
renderer used before issue 13 (one pandoc call per format, ``-f markdown...`` and the metadata file
on the HTML call): what the renderer produces must be those bytes.
"""

from __future__ import annotations

import base64
import re
import subprocess
import threading
from pathlib import Path

import pytest

from torbayreport.publish import render_pandoc
from torbayreport.publish.render import ReportMeta, project_options, render_report
from torbayreport.publish.render_pandoc import (
    _PANDOC_FROM,
    PANDOC_RTS,
    _metadata_file,
    _pandoc,
    _pandoc_rts,
    _render_html_pandoc,
    _render_pdf_typst,
    pandoc_ast,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

# The shapes the report's notebooks write (a measure's heading, reading, chart, <details> table and
# compact table; labelled tables; declared widths) and the places they could also sit (a quote, a
# list item, a div, a note), with text that must stay inert.
DOC = r"""# Chapter \<script\>alert(1)\</script\>

## Measure A

The reading of measure A.

![Chart of A: 85 per cent, up from 80.](figures/c.png)

<details class="chart-data"><summary>Show the figures
in this chart</summary>

| Month | Value |
|:--|--:|
| Jan 2020 | 12 |

: Figures {#chartdata-a}

</details>

::: chart-compact
::: {.widths widths="8 6.5 10"}
| Month | Value | Target |
|:--|--:|--:|
| Jan | 1 | 2 |
:::
:::

## Measure B

Reading B.

*No chart: too few months.*

**Actions by RAG rating.**

| Name | Definition |
|:--|:--|
| supercalifragilisticexpialidociouswordx | short |
| x | ![an image in a cell](figures/c.png) and text |

> ## Quote header
>
> Para in quote.
>
> *Emph in quote.*
>
> ::: chart-compact
> compact in a quote
> :::

- item one

  **Strong in a list.**

  | t | u |
  |--|--|
  | 1 | 2 |

- item two ![inline](figures/c.png) image

::: outer
## Nested header

Nested reading.

![Nested chart](figures/c.png)

::: chart-compact
| m | v |
|--|--|
| 1 | 2 |
:::
:::

A note.[^1] =SUM(A1) \@x

[^1]: Note with ![image in a note](figures/c.png).

| Wide | table | with | many | columns | that | exceed | the | line | capacity | surely | yes |
|--|--|--|--|--|--|--|--|--|--|--|--|
| Some long cell text here that goes on and on | b | c | d | e | f | g | h | i | j | k | l |
| averyveryveryverylongunbrokenwordover30chars | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 |
"""


def _meta() -> ReportMeta:
    return ReportMeta(title='Report "x" <b>', council="Torbay *x* @c", month="2020-12", audience="public",
                      as_at="8 January 2021", build_id="abc", built_at="1 December 2026 00:00 UTC")


def _work(tmp_path: Path, text: str = DOC) -> Path:
    work = tmp_path / "work"
    (work / "figures").mkdir(parents=True)
    (work / "figures" / "c.png").write_bytes(PNG)
    (work / "report.md").write_text(text, encoding="utf-8")
    return work


def _pandoc_from_markdown(work: Path, args: list, out: Path) -> bytes:
    """The pre-issue-13 call: pandoc reads report.md itself (no JSON AST, no runtime options)."""
    subprocess.run([_pandoc(), "report.md", "-f", _PANDOC_FROM, *map(str, args), "-o", str(out)],
                   cwd=work, check=True, capture_output=True)
    return out.read_bytes()


def test_html_from_the_shared_ast_is_the_html_pandoc_writes_from_the_markdown(tmp_path):
    work, opts, meta = _work(tmp_path), project_options(), _meta()
    _render_html_pandoc(work, meta, opts, tmp_path / "new.html")
    args = ["-t", "html5", "--standalone", "--metadata-file", _metadata_file(work, meta, opts),
            "--resource-path", work, "--template", opts["html_template"], "--embed-resources",
            "--toc", f"--toc-depth={opts['toc_depth']}", "--number-sections"]
    for css in opts["html"]["css"]:
        args += ["--css", css]
    for lua in opts["lua_filters"]:
        args += ["--lua-filter", lua]
    expected = _pandoc_from_markdown(work, args, tmp_path / "old.html")
    assert (tmp_path / "new.html").read_bytes() == expected
    html = expected.decode()
    # the filter's HTML rules held on the way (so the comparison is not between two empty pages)
    assert "compact in a quote" not in html and "Target" not in html     # compact tables dropped
    assert html.count('class="long-words"') == 2                         # 39- and 44-character words
    assert 'scope="col"' in html and "&lt;script&gt;" in html and "<script>" not in html


def test_typst_body_from_the_shared_ast_is_the_body_pandoc_writes_from_the_markdown(tmp_path):
    work, opts = _work(tmp_path), project_options()
    _render_pdf_typst(work, _meta(), opts, tmp_path / "new.pdf")
    args = ["-t", "typst", "--resource-path", work]
    for lua in opts["lua_filters"]:
        args += ["--lua-filter", lua]
    expected = _pandoc_from_markdown(work, args, tmp_path / "old.typ")
    assert (work / "body.typ").read_bytes() == expected
    body = expected.decode()
    # the Typst rules: a reading + chart + compact table kept together; the reading before the
    # "no chart" line and a bold table label made sticky (in a list item too); the <details> table gone
    assert body.count("#chart-with-data(") == 2
    assert body.count("#block(sticky: true)[") == 4
    assert "Jan 2020" not in body
    assert (tmp_path / "new.pdf").read_bytes().startswith(b"%PDF")


def test_the_markdown_is_read_once_per_render_and_again_when_it_changes(tmp_path, monkeypatch):
    calls = []
    real_run = render_pandoc._run

    def counting_run(cmd, cwd, what):
        calls.append([str(c) for c in cmd])
        return real_run(cmd, cwd, what)

    monkeypatch.setattr(render_pandoc, "_run", counting_run)
    work = _work(tmp_path / "a")
    opts, meta = project_options(), _meta()
    # the two formats on two threads, as render_report runs them
    threads = [threading.Thread(target=f, args=(work, meta, opts, tmp_path / name))
               for f, name in ((_render_html_pandoc, "r.html"), (_render_pdf_typst, "r.pdf"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reads = [c for c in calls if "report.md" in c]
    assert len(reads) == 1 and reads[0][reads[0].index("-t") + 1] == "json"
    writers = [c for c in calls if "report.md" not in c]
    assert sorted(c[c.index("-t") + 1] for c in writers) == ["html5", "typst"]
    assert all(c[c.index("-f") + 1] == "json" for c in writers)
    first = pandoc_ast(work, meta, opts)
    assert len([c for c in calls if "report.md" in c]) == 1      # asked again: the same file, not read again
    (work / "report.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    second = pandoc_ast(work, meta, opts)
    assert second != first and "New text" not in first.read_text() and "New" in second.read_text()


def test_render_report_renders_the_html_and_pdf_from_one_read(tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    calls = []
    real_run = render_pandoc._run
    monkeypatch.setattr(render_pandoc, "_run", lambda cmd, cwd, what: (calls.append(what), real_run(cmd, cwd, what)))
    nb = new_notebook()
    nb.metadata["papermill"] = {"exception": False}
    nb.cells = [new_markdown_cell("# Chapter\n\nText.")]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    result = render_report({"chapter": path}, tmp_path / "out", "r", _meta(), renderer="pandoc")
    assert set(result.outputs) == {"html", "pdf"}
    assert sorted(calls) == ["pandoc (HTML)", "pandoc (Typst)", "pandoc (reading the markdown)"]
    assert not [w for w in render_pandoc._AST_LOCKS if "torbayreport-render-" in w]  # its lock not kept


def test_runtime_options_are_used_only_when_pandoc_accepts_them(tmp_path):
    assert _pandoc_rts(_pandoc()) == PANDOC_RTS    # the pypandoc binary accepts them (-rtsopts)
    refuses = tmp_path / "pandoc-without-rtsopts"
    refuses.write_text('#!/bin/sh\ncase "$1" in +RTS) echo "Most RTS options are disabled" >&2; exit 1;; esac\n'
                       'echo "pandoc 3"\n')
    refuses.chmod(0o755)
    assert _pandoc_rts(str(refuses)) == ()


@pytest.mark.parametrize("word, long_words", [("a" * 30, False), ("a" * 31, True), ("é" * 30, False)])
def test_html_tables_with_a_word_over_30_characters_may_break_words(tmp_path, word, long_words):
    work = _work(tmp_path, f"| Name | Value |\n|:--|--:|\n| {word} | 1 |\n")
    _render_html_pandoc(work, _meta(), project_options(), tmp_path / "t.html")
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert bool(re.search(r'<table[^>]*class="long-words"', html)) is long_words
