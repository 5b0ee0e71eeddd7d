"""Incremental builds (issue 13): a rebuild with nothing changed reuses every step; a change to
any kind of input (data, params, commentary, notebook, template, code) changes what is rebuilt
and the output; ``force`` rebuilds everything.

One small project (one fixture chapter, so a build starts one kernel) is built once and then
changed step by step; each test reads the previous state, so they run in file order.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from torbayreport.publish import cache as cache_module

from .build_project import MONTH, build, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1609459200")   # 2021-01-01 00:00 UTC: the HTML differs only by content
    proj = make_project(tmp_path_factory.mktemp("incremental"))
    proj["first"] = build(proj)
    yield proj
    mp.undo()


def _html(result) -> str:
    """The HTML with white space folded (pandoc wraps long table cells)."""
    return " ".join(result.html.read_text(encoding="utf-8").split())


def _rebuild(project):
    before = _html(project["first"]) if "last" not in project else _html(project["last"])
    result = build(project)
    project["last"] = result
    return before, result


def test_first_build_reuses_nothing_and_records_it(project):
    first = project["first"]
    assert first.reused == {"prepare": False, "notebooks": [], "render": False}
    manifest = json.loads(first.manifest_path.read_text())
    assert manifest["reused"] == first.reused
    assert "[2 rows; Fixtureshire; first text]" in _html(first)


def test_rebuild_with_nothing_changed_reuses_every_step(project):
    before, result = _rebuild(project)
    assert result.reused == {"prepare": True, "notebooks": ["summary"], "render": True}
    assert json.loads(result.manifest_path.read_text())["reused"] == result.reused
    assert _html(result) == before
    assert result.pdf.is_file()


def test_a_data_change_rebuilds_and_shows(project):
    (project["data"] / "extract.csv").open("a").write("C3,2020-12-20\n")
    before, result = _rebuild(project)
    assert result.reused == {"prepare": False, "notebooks": [], "render": False}
    assert "[3 rows; Fixtureshire; first text]" in _html(result) and _html(result) != before


def test_a_params_change_rebuilds_and_shows(project):
    project["params"].write_text("la:\n  name: Otherborough\n")
    before, result = _rebuild(project)
    assert result.reused["prepare"] is False and result.reused["notebooks"] == []
    assert "Otherborough" in _html(result) and _html(result) != before


def test_a_commentary_change_rebuilds_and_shows(project):
    (project["params"].parent / f"{MONTH}.yaml").write_text(f'month: "{MONTH}"\ncommentary:\n  L01: second text\n')
    before, result = _rebuild(project)
    assert result.reused["prepare"] is False and result.reused["render"] is False
    assert "second text" in _html(result) and "first text" not in _html(result)


def test_a_notebook_change_reexecutes_it_but_reuses_the_prepared_folder(project):
    path = project["notebooks"] / "summary.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("An edited closing paragraph."))
    nbformat.write(nb, path)
    before, result = _rebuild(project)
    assert result.reused == {"prepare": True, "notebooks": [], "render": False}
    assert "An edited closing paragraph." in _html(result)


def test_a_template_change_rerenders_only(project):
    css = project["project"] / "assets" / "report.css"
    css.write_text(css.read_text() + "\n.edited-template-rule { color: #000; }\n")
    before, result = _rebuild(project)
    assert result.reused == {"prepare": True, "notebooks": ["summary"], "render": False}
    assert "edited-template-rule" in _html(result) and "edited-template-rule" not in before


def test_a_code_change_rebuilds_every_step(project, monkeypatch):
    import torbayreport.publish.multi as multi

    monkeypatch.setattr(multi, "code_version", lambda: "another code version")
    _, result = _rebuild(project)
    assert result.reused == {"prepare": False, "notebooks": [], "render": False}


def test_force_rebuilds_every_step_and_gives_the_same_report(project):
    before = _html(project["last"])
    result = build(project, force=True)
    assert result.reused == {"prepare": False, "notebooks": [], "render": False}
    assert _html(result) == before          # SOURCE_DATE_EPOCH: same inputs, same bytes


def test_code_version_is_the_hash_of_the_source_files(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("X = 1\n")
    (package / "notes.bin").write_bytes(b"\0")
    first = cache_module.code_version(package)
    assert cache_module.code_version(package) == first
    (package / "notes.bin").write_bytes(b"\1")           # not source: no change
    assert cache_module.code_version(package) == first
    (package / "a.py").write_text("X = 2\n")
    assert cache_module.code_version(package) != first
