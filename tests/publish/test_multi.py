"""Several audiences in one build (issue 13): one prepare, one pool, each audience published with
the guarantees of a single build.

A small fixture project (one chapter, the stand-in prepare of build_project.py) is built for both
audiences, then one audience's notebook is made to fail; the tests run in file order. The sharing
of the default prepare is checked on the sample with a one-cell chapter.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json

import nbformat
import pytest

from torbayreport.publish import multi
from torbayreport.publish import prepare as preparing
from torbayreport.publish.execute import NotebookFailedError

from ..conftest import SAMPLE, needs_sample
from .build_project import MONTH, make_project, text_prepare

AUDIENCES = ["internal", "public"]


def _build_all(project, **overrides):
    kwargs = dict(audiences=AUDIENCES, data_dir=project["data"], params_file=project["params"],
                  out_dir=project["out"], build_root=project["build"], jobs=2, progress=False,
                  notebooks_dir=project["notebooks"], project_dir=project["project"], prepare=text_prepare,
                  renderer="pandoc")
    kwargs.update(overrides)
    return multi.build_audiences(MONTH, **kwargs)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    proj = make_project(tmp_path_factory.mktemp("multi"))
    proj["first"] = _build_all(proj)
    return proj


def test_both_audiences_are_published_from_one_build(project):
    results = project["first"]
    assert [r.audience for r in results] == AUDIENCES
    for result in results:
        assert result.html.is_file() and result.pdf.is_file()
        assert result.html.parent == project["out"] / MONTH / result.audience
        manifest = json.loads(result.manifest_path.read_text())
        assert manifest["audience"] == result.audience
        assert manifest["charts"] == {"drawn": 0, "reused": 0}   # the fixture chapter draws no cached chart
        assert manifest["timings_seconds"]["execute"] > 0


def test_each_build_log_has_its_own_lines_and_the_chart_summary(project):
    for result in project["first"]:
        other = next(a for a in AUDIENCES if a != result.audience)
        text = (result.stage_dir / "build.log").read_text()
        assert f"build {MONTH} {result.audience}:" in text and f"build {MONTH} {other}:" not in text
        assert "charts: 0 reused from the chart cache, 0 drawn" in text
        assert f"published {project['out'] / MONTH / result.audience}" in text


def test_a_second_build_reuses_every_step_of_every_audience(project):
    results = _build_all(project)
    assert [r.reused for r in results] == [{"prepare": True, "notebooks": ["summary"], "render": True}] * 2


def test_one_audience_failing_leaves_its_last_report_and_the_other_publishes(project):
    public_html = project["out"] / MONTH / "public" / next(
        p.name for p in (project["out"] / MONTH / "public").glob("*.html"))
    before = public_html.read_bytes()
    path = project["notebooks"] / "summary.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'if audience == "public":\n    raise RuntimeError("injected failure for the public audience")'))
    nb.cells.append(nbformat.v4.new_markdown_cell("A paragraph added after the failure was injected."))
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailedError) as raised:
        _build_all(project)
    error = raised.value
    assert set(error.failures) == {"public"} and "injected failure" in str(error)
    [internal] = error.published
    assert internal.audience == "internal"
    assert "A paragraph added after the failure was injected." in internal.html.read_text(encoding="utf-8")
    assert public_html.read_bytes() == before            # the last good public report is untouched
    assert not list((project["out"] / MONTH).glob(".staging-*"))


# ------------------------------------------------------------------ the default prepare, shared

@pytest.mark.slow
def test_write_audience_from_one_computation_equals_a_prepare_per_audience(tmp_path, sample_public_prepare):
    # ``sample_public_prepare``: prepare(public) of the sample with the default params, made once
    # for the session (tests/conftest.py); the default params are what ``params_file=None`` reads
    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    shared = preparing.compute_month(month=MONTH, data_dir=SAMPLE)
    preparing.write_audience(shared, audience="internal", out_dir=tmp_path / "internal")
    preparing.write_audience(shared, audience="public", out_dir=tmp_path / "shared-public")
    public = sample_public_prepare
    files = sorted(p.relative_to(public) for p in public.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(tmp_path / "shared-public")
                                     for p in (tmp_path / "shared-public").rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(public, tmp_path / "shared-public", files, shallow=False)
    assert mismatch == [] and errors == []


@pytest.mark.slow
@needs_sample
def test_the_default_prepare_loads_and_computes_once_for_both_audiences(tmp_path, monkeypatch):
    calls = []
    original = preparing.compute_month

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(preparing, "compute_month", counting)
    proj = make_project(tmp_path)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    parameters = nbformat.v4.new_code_cell('month = ""\naudience = ""\ndata = ""\nparams = ""\nbuild_root = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("print(month, audience)")]
    nbformat.write(nb, proj["notebooks"] / "summary.ipynb")
    # one job: the two one-cell notebooks run in turn in one kernel (two would start two for nothing)
    results = _build_all(proj, data_dir=SAMPLE, params_file=None, prepare=None, as_at=dt.date(2021, 1, 9), jobs=1)
    assert len(calls) == 1 and calls[0]["as_at"] == dt.date(2021, 1, 9)
    for result in results:
        context = json.loads((result.stage_dir / "context.json").read_text())
        assert context["audience"] == result.audience and context["as_at"] == "2021-01-09"
    assert (results[0].stage_dir / "exceptions").is_dir() and not (results[1].stage_dir / "exceptions").exists()
