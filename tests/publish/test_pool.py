"""The build's notebook pool (issue 13): workers that start and warm their kernels before any
notebook is due, are let go without being waited for, and leave nothing behind; and, with
several audiences, an audience that renders while another's notebooks still run.

No timings are asserted (the machine is shared): each test checks an observable consequence. A
warmed kernel already holds the report's modules when a notebook's first cell runs, yet the
notebook reads as if from a fresh kernel; overlapping is checked by a notebook that can only
finish once the other audience's report has been published.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from torbayreport.publish import execute, kernels
from torbayreport.publish.pool import NotebookPool

from .build_project import MONTH, make_project, text_prepare
from .test_kernels import _gone, _notebook, _pid, _tasks

pytestmark = pytest.mark.slow         # every test here starts kernels


def test_a_warm_pool_hands_out_a_kernel_that_holds_the_imports_but_reads_as_fresh(tmp_path, monkeypatch):
    """Counted by hand (as in test_kernels): parameters (1), injected parameters (2), import json
    (3), record (4), then the cells below (5), (6), and ``2 + 2`` is the 7th, Out[7] = 4."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))      # the spawned worker's socket folder
    (tmp_path / "tmp").mkdir()
    folder = tmp_path / "notebooks"
    folder.mkdir()
    warmed = [m for m in kernels.WARM_IMPORTS if m.startswith("torbayreport")]
    _notebook(folder / "first.ipynb",
              f"import sys\nassert all(m in sys.modules for m in {warmed!r}), 'the kernel was not warmed'",
              "assert not {'importlib', '_name'} & set(globals()), 'a name of the warm-up leaked'",
              "2 + 2")
    out = tmp_path / "out"
    out.mkdir()
    pool = NotebookPool(jobs=1)
    try:
        pool.start(1, warm_folders=[folder], log_dir=out)
        results = list(execute.run_tasks(_tasks(folder, ["first"], out), jobs=1, timeout=120, pool=pool))
        assert [r["ok"] for r in results] == [True], results
    finally:
        pool.close()
    nb = nbformat.read(out / "first.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4, 5, 6, 7]
    assert code[-1].outputs[0].data["text/plain"] == "4"
    assert len(list(out.glob("kernel-*.stderr.log"))) == 1    # its start-up noise: in a file, not the console
    assert _gone(_pid(out, "first")["pid"], wait=1.0)          # close() waited for the kernel's shutdown
    left = [p.name for p in (tmp_path / "tmp").iterdir()]
    assert not [n for n in left if n.startswith("torbayreport-kernels-") or n.endswith(".json")], left


def test_a_released_pool_finishes_its_work_and_close_leaves_no_kernel(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("a", "b", "c"):
        _notebook(folder / f"{name}.ipynb", "1")
    out = tmp_path / "out"
    out.mkdir()
    pool = NotebookPool(jobs=2)
    try:
        pool.start(3, warm_folders=[folder], log_dir=out)
        results = {r["name"]: r for r in execute.run_tasks(_tasks(folder, ["a", "b", "c"], out), jobs=2,
                                                             timeout=120, pool=pool)}
        pool.release()
        pool.release()                                             # twice is harmless
    finally:
        pool.close()
        pool.close()
    assert all(r["ok"] for r in results.values()), results
    pids = {_pid(out, n)["pid"] for n in ("a", "b", "c")}
    assert 1 <= len(pids) <= 2                                     # one kernel per worker, reused
    assert all(_gone(p, wait=1.0) for p in pids)


WAITING_CELL = """\
import time
from pathlib import Path
if audience == "public":    # finishes only once the internal report is published
    deadline = time.monotonic() + 90
    while not Path(wait_for).is_file():
        assert time.monotonic() < deadline, "the internal report was not published while this notebook ran"
        time.sleep(0.1)
print(audience, "done")
"""


def test_the_first_audience_is_published_while_the_second_audiences_notebooks_still_run(tmp_path):
    from torbayreport.publish import multi

    project = make_project(tmp_path)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    parameters = nbformat.v4.new_code_cell(
        'month = ""\naudience = ""\ndata = ""\nparams = ""\nbuild_root = ""\nwait_for = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell(WAITING_CELL)]
    nbformat.write(nb, project["notebooks"] / "summary.ipynb")
    internal_html = project["out"] / MONTH / "internal" / f"fixtureshire-children-{MONTH}-internal.html"
    results = multi.build_audiences(
        MONTH, audiences=["internal", "public"], data_dir=project["data"], params_file=project["params"],
        out_dir=project["out"], build_root=project["build"], jobs=2, progress=False,
        notebooks_dir=project["notebooks"], project_dir=project["project"], prepare=text_prepare,
        renderer="pandoc", extra_parameters={"wait_for": str(internal_html)})
    assert [r.audience for r in results] == ["internal", "public"]
    assert results[0].html == internal_html
    assert "public done" in (results[1].stage_dir / "executed" / "summary.ipynb").read_text()
    # the order of the notebooks is remembered for the next build, chapter by audience
    learned = json.loads((project["build"] / ".cache" / "notebook-seconds.json").read_text())
    assert sorted(learned) == ["internal/summary", "public/summary"]
