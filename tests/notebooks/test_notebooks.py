"""Every report notebook as the build executed it against data/sample, and what it shows.

Why the build's executed notebooks rather than executing them again: each notebook is executed
once per test session (issue 13). The session builds of tests/conftest.py run them exactly as
``torbayreport build`` does (papermill, parameters injected after the ``parameters`` cell), for
both audiences; nbval (test_nbval.py) runs them as an analyst's "Run all" with the default
parameters (``build_root = ""``: the path that prepares the context itself). Here we check the
executed outputs: every figure is a markdown image *with alt text* (no bare ``image/png``), the
chapter heading and the ``parameters`` cell are in place, and a public run shows no child or
worker identifier.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from torbayreport import config

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "data" / "sample"
NAMES = tuple(config.chapters())
PUBLIC = tuple(config.audience_chapters("public"))
IMAGE_MD = re.compile(r"!\[([^\]\n]+)\]\(data:image/png;base64,[A-Za-z0-9+/=]+\)")
# the build command's flags (publish.execute.NOTEBOOK_PARAMETERS), with the analyst's defaults
DEFAULTS = {"month": "2020-12", "audience": "internal", "data": "../data/sample", "params": "", "build_root": ""}


def _executed(build, name: str) -> nbformat.NotebookNode:
    """The notebook as the session's build of the sample executed it (tests/conftest.py)."""
    return nbformat.read(build.stage_dir / "executed" / f"{name}.ipynb", as_version=4)


def _outputs(nb, mime: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                value = data[mime]
                found.append("".join(value) if isinstance(value, list) else value)
    return found


def _check_shape(nb, name: str) -> None:
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# "), f"{name}: the chapter title is not the first heading"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    declared = dict(re.findall(r'^(\w+) = "([^"]*)"', params[0].source, flags=re.M))
    assert declared == DEFAULTS
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert not _outputs(nb, "image/png"), f"{name}: a figure was shown without alt text"


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_declares_what_the_build_passes(name):
    """papermill reads the parameters statically; a line it cannot parse becomes an unknown parameter."""
    import papermill

    declared = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    assert {k: v["default"].strip('"') for k, v in declared.items()} == DEFAULTS


@pytest.mark.parametrize("name", NAMES)
def test_internal_notebook_shows_its_chapter(name, internal_build):
    nb = _executed(internal_build, name)
    _check_shape(nb, name)
    markdown = _outputs(nb, "text/markdown")
    assert markdown, f"{name}: showed nothing"
    for text in markdown:
        if "data:image" in text:
            # a chart is the image, then (optionally) its figures in a closed <details> table
            image, _, data_table = text.strip().partition("\n\n")
            match = IMAGE_MD.fullmatch(image)
            assert match, f"{name}: a figure output is not exactly ![alt](data:image/png;base64,...)"
            assert len(match.group(1)) > 40
            assert not data_table or data_table.startswith("<details"), f"{name}: a chart's data table is not a <details>"
    if name in ("leadership", "practice", "workforce", "quality"):
        assert any(IMAGE_MD.fullmatch(t.strip().partition("\n\n")[0]) for t in markdown), f"{name}: no chart drawn"
        assert any("Analyst's commentary" in t for t in markdown)


@pytest.fixture(scope="module")
def sample_identifiers(sample_tables):
    """The sample's identifiers (children, workers, dates of birth), indexed once for the module
    from the session's loaded sample (tests/conftest.py): the same for every chapter."""
    from torbayreport.disclose import IdentifierIndex, sensitive_values

    tables_ = sample_tables
    # Plan due dates are printed legitimately and may equal a young child's date of birth by chance.
    due = pd.to_datetime(tables_["plan_actions"]["due_date"]).dropna()
    allow = set(due.dt.strftime("%d %b %Y")) | set(due.dt.strftime("%Y-%m-%d"))
    return IdentifierIndex(sensitive_values(tables_), allow=allow)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_notebook_shows_no_identifiers(name, public_build, sample_identifiers):
    nb = _executed(public_build, name)
    _check_shape(nb, name)
    index = sample_identifiers
    shown = _outputs(nb, "text/markdown") + _outputs(nb, "text/plain")
    # alt text is checked; the base64 image data itself is not text a reader sees
    text = json.dumps([re.sub(r"\(data:image/png;base64,[^)]*\)", "(image)", t) for t in shown])
    hits = index.find(text)
    assert not hits, f"{name}: identifiers in the public outputs: {hits[:5]}"


def test_parameter_names_are_the_build_commands_flags():
    from torbayreport.publish.execute import NOTEBOOK_PARAMETERS

    assert tuple(DEFAULTS) == NOTEBOOK_PARAMETERS
    for name in NOTEBOOK_PARAMETERS:
        flag = "--" + name.replace("_", "-")
        assert flag in _build_help(), f"{name}: no {flag} flag on `torbayreport build`"


def _build_help() -> str:
    import contextlib
    import io

    from torbayreport.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["build", "--help"])
    return out.getvalue()


def test_ad_hoc_notebook_declares_the_same_parameters():
    import papermill

    declared = papermill.inspect_notebook(str(NOTEBOOKS / "ad_hoc_questions.ipynb"))
    assert {k: v["default"].strip('"') for k, v in declared.items()} == DEFAULTS
