"""torbayreport.publish.execute: checks that stop a bad build early, provenance, and notebook execution."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from torbayreport import config
from torbayreport.publish.execute import (
    BuildError,
    NotebookFailedError,
    check_month,
    check_parameters,
    make_build_id,
    notebooks_for,
)
from torbayreport.publish.pipeline import build_month

from .build_fixtures import MONTH, NOTEBOOKS, fake_prepare, make_data


@pytest.mark.parametrize("bad", ["2020-13", "2020-00", "202012", "20-12", "2020-1", "Dec 2020", "", None])
def test_bad_month_strings_are_refused(bad):
    with pytest.raises(BuildError, match="YYYY-MM"):
        check_month(bad)


def test_good_month_passes():
    assert check_month("2020-12") == "2020-12"


def test_unknown_audience_is_refused(tmp_path):
    with pytest.raises(BuildError, match="unknown audience 'board'"):
        build_month(MONTH, audience="board", data_dir=make_data(tmp_path / "d"), build_root=tmp_path,
                    notebooks_dir=NOTEBOOKS, prepare=fake_prepare, progress=False)


def test_missing_data_path_is_refused(tmp_path):
    with pytest.raises(BuildError, match="data path not found"):
        build_month(MONTH, audience="internal", data_dir=tmp_path / "nowhere", build_root=tmp_path,
                    notebooks_dir=NOTEBOOKS, prepare=fake_prepare, progress=False)


def test_chapter_order_comes_from_quarto_yml():
    from torbayreport import config

    for audience in config.audiences():
        assert list(notebooks_for(audience, NOTEBOOKS)) == config.audience_chapters(audience)


def test_a_chapter_an_audience_leaves_out_is_never_run():
    for audience in config.audiences().values():
        assert not set(audience.leave_out) & set(notebooks_for(audience.name, NOTEBOOKS))
    assert "exceptions" in config.audience("public").leave_out      # reports/_quarto.yml


def test_missing_notebook_is_an_error(tmp_path):
    shutil.copy(NOTEBOOKS / "summary.ipynb", tmp_path / "summary.ipynb")
    with pytest.raises(BuildError, match="leadership.ipynb"):
        notebooks_for("public", tmp_path)


def test_unknown_parameter_name_is_an_error_not_a_warning():
    with pytest.raises(BuildError, match=r"summary.ipynb: unknown parameter\(s\) monht"):
        check_parameters(NOTEBOOKS / "summary.ipynb", {"month": MONTH, "monht": MONTH})


def test_unknown_parameter_stops_the_build_before_any_kernel(tmp_path):
    calls = []

    def spy_prepare(**kwargs):
        calls.append(kwargs)

    with pytest.raises(BuildError, match="unknown parameter"):
        build_month(MONTH, audience="internal", data_dir=make_data(tmp_path / "d"), build_root=tmp_path / "b",
                    notebooks_dir=NOTEBOOKS, prepare=spy_prepare, extra_parameters={"audeince": "public"},
                    out_dir=tmp_path / "reports", progress=False)
    assert calls == []
    assert not list((tmp_path / "b").rglob("*.ipynb"))


def test_build_id_is_content_derived():
    args = ("2020-12", "internal", {"data/a.csv": "ab"}, {"month": "2020-12"}, {"pandas": "3"}, None)
    assert make_build_id(*args) == make_build_id(*args)
    changed = ("2020-12", "internal", {"data/a.csv": "ac"}, {"month": "2020-12"}, {"pandas": "3"}, None)
    assert make_build_id(*changed) != make_build_id(*args)
    assert make_build_id(*args).startswith("2020-12-int-")


# ------------------------------------------------------------------ against the shared built month

def test_executed_notebooks_are_kept(fixture_build):
    executed = fixture_build["result"].stage_dir / "executed"
    names = sorted(p.stem for p in executed.glob("*.ipynb"))
    assert names == sorted(config.audience_chapters("internal"))
    nb = json.loads((executed / "summary.ipynb").read_text())
    assert nb["metadata"]["papermill"]["parameters"]["month"] == MONTH
    # the notebooks ran in the work folder build/.work/, swapped into build/<month>/<audience>/ on success
    assert nb["metadata"]["papermill"]["parameters"]["build_root"] == str(
        fixture_build["result"].stage_dir.parent.parent / ".work")


def test_manifest_records_inputs_parameters_versions_and_timings(fixture_build):
    result = fixture_build["result"]
    manifest = json.loads(result.manifest_path.read_text())
    expected = hashlib.sha256((fixture_build["data"] / "extract.csv").read_bytes()).hexdigest()
    assert manifest["inputs"]["data/extract.csv"] == expected
    assert manifest["inputs"]["notebooks/practice.ipynb"] == hashlib.sha256(
        (NOTEBOOKS / "practice.ipynb").read_bytes()).hexdigest()
    assert "params/defaults.yaml" in manifest["inputs"]
    assert manifest["parameters"]["month"] == MONTH and manifest["parameters"]["audience"] == "internal"
    for package in ("torbayreport", "pandas", "numpy", "papermill", "matplotlib", "typst", "pandoc"):
        assert manifest["versions"][package], package
    assert set(manifest["timings_seconds"]) >= {"prepare", "execute", "render"}
    assert set(manifest["notebook_seconds"]) == set(manifest["notebooks"])
    assert manifest["build_id"] == result.build_id
    assert manifest["built_at"].endswith("+00:00")
    assert (result.stage_dir / "build.log").read_text().count("executed ") == len(config.audience_chapters("internal"))


def test_failing_notebook_stops_the_build_and_keeps_the_last_report(fixture_build, tmp_path):
    from torbayreport.publish.pipeline import build_month

    good = fixture_build["result"]
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good.html, good.pdf)}
    broken = make_data(tmp_path / "broken")          # the fixture practice notebook raises on this
    with pytest.raises(NotebookFailedError) as caught:
        build_month(MONTH, audience="internal", data_dir=broken, out_dir=fixture_build["root"] / "reports",
                    build_root=tmp_path / "staging", jobs=1, progress=False, notebooks_dir=NOTEBOOKS,
                    prepare=fake_prepare, renderer="pandoc")
    error = caught.value
    message = str(error)
    assert "notebook 'practice'" in message
    assert "cell 3" in message            # 0 heading, 1 parameters, 2 injected parameters, 3 the raise
    assert "RuntimeError: injected failure" in message
    assert error.executed_path.is_file()
    failed = json.loads(error.executed_path.read_text())
    assert failed["metadata"]["papermill"]["exception"] is True
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good.html, good.pdf)}
    assert after == before
    leftovers = [p.name for p in good.html.parent.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert "failed" in (tmp_path / "staging" / ".work" / MONTH / "internal" / "build.log").read_text()
    assert not (tmp_path / "staging" / MONTH / "internal").exists()   # nothing swapped in
