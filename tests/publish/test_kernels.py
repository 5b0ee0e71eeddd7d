"""Kernels reused across notebooks (issue 13): one kernel per process and notebook folder runs its
notebooks one after another, with nothing leaking from one notebook into the next, a fresh kernel
after a failure, and no kernel process left behind.

The notebooks here are built in the test: each writes the pid of the kernel that ran it, so the
test checks *its own* kernels (other builds may run kernels on the same machine at the same time,
so counting every ``ipykernel_launcher`` process would not be a fair test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from torbayreport.publish import execute
from torbayreport.publish.kernels import Kernels

pytestmark = pytest.mark.slow         # every test here starts kernels

ROOT = Path(__file__).resolve().parents[2]


def _notebook(path: Path, *cells: str) -> Path:
    """A notebook with a tagged parameters cell (``pid_file``) followed by ``cells``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('pid_file = "pid.txt"')
    params.metadata["tags"] = ["parameters"]
    record = nbformat.v4.new_code_cell(
        "import os\nfrom pathlib import Path\n"
        "written = Path(pid_file).write_text(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd()}))")
    nb.cells = [params, nbformat.v4.new_code_cell("import json"), record,
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _tasks(folder: Path, names, out: Path) -> dict:
    out.mkdir(exist_ok=True)
    return {n: (folder / f"{n}.ipynb", out / f"{n}.ipynb", {"pid_file": str(out / f"{n}.pid")}) for n in names}


def _pid(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.pid").read_text())


def _gone(pid: int, wait: float = 10.0) -> bool:
    """True once no process ``pid`` exists (shutdown reaps the kernel; allow it a moment)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture()
def folder(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "first.ipynb", "secret = 41", "secret + 1", "import matplotlib.pyplot as plt\nfig = plt.figure()")
    _notebook(nbs / "second.ipynb",
              "assert 'secret' not in globals() and 'fig' not in globals(), 'a variable leaked'",
              "import sys\nassert 'matplotlib.pyplot' not in sys.modules or not sys.modules['matplotlib.pyplot'].get_fignums()",
              "2 + 2")
    _notebook(nbs / "broken.ipynb", "secret = 1", "raise ValueError('chapter data missing')")
    return nbs


def _run(tasks, jobs=1, groups=None):
    return {r["name"]: r for r in execute.run_tasks(tasks, jobs=jobs, timeout=60, groups=groups)}


def test_one_kernel_runs_the_notebooks_in_turn_with_nothing_leaking(folder, tmp_path):
    out = tmp_path / "out"
    results = _run(_tasks(folder, ["first", "second"], out))
    assert all(r["ok"] for r in results.values()), results
    first, second = _pid(out, "first"), _pid(out, "second")
    assert first["pid"] == second["pid"]                          # reused, not restarted
    assert first["cwd"] == second["cwd"] == str(folder)           # started in the notebook folder
    assert _gone(first["pid"])                                     # shut down when run_tasks ended


def test_the_second_notebook_reads_as_if_from_a_fresh_kernel(folder, tmp_path):
    """Execution counts start at In [1] in every notebook: the reset starts a new IPython session.
    Counted by hand: parameters (1), injected parameters (2), import json (3), record (4), then the
    cells of ``second``: assert (5), assert (6), ``2 + 2`` (7) whose result is Out[7] = 4."""
    out = tmp_path / "out"
    _run(_tasks(folder, ["first", "second"], out))
    nb = nbformat.read(out / "second.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4, 5, 6, 7]
    result = code[-1].outputs[0]
    assert (result.output_type, result.execution_count, result.data["text/plain"]) == ("execute_result", 7, "4")
    first = nbformat.read(out / "first.ipynb", as_version=4)
    assert [o.execution_count for c in first.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "execute_result"] == [6]           # ``secret + 1`` is the 6th code cell


def test_a_failed_notebook_is_reported_and_its_kernel_is_not_reused(folder, tmp_path):
    out = tmp_path / "out"
    tasks = _tasks(folder, ["broken", "second"], out)
    results = _run(tasks, groups={"broken": "a", "second": "b"})
    broken = results["broken"]
    assert (broken["ok"], broken["ename"], broken["evalue"], broken["cell_index"]) == (
        False, "ValueError", "chapter data missing", 5)           # 0 params, 1 injected, 2 json, 3 record, 4, 5
    assert results["second"]["ok"], results["second"]
    bad, good = _pid(out, "broken")["pid"], _pid(out, "second")["pid"]
    assert bad != good
    assert _gone(bad) and _gone(good)


def test_a_pool_of_workers_reuses_kernels_and_leaves_none_behind(folder, tmp_path):
    out = tmp_path / "out"
    for copy in ("third", "fourth"):
        (folder / f"{copy}.ipynb").write_bytes((folder / "second.ipynb").read_bytes())
    names = ["first", "second", "third", "fourth"]
    results = _run(_tasks(folder, names, out), jobs=2)
    assert all(r["ok"] for r in results.values()), results
    pids = {_pid(out, n)["pid"] for n in names}
    assert 1 <= len(pids) <= 2                                     # at most one kernel per worker
    assert all(_gone(p) for p in pids)                             # each worker shut its kernel down


def test_a_dead_kernel_is_replaced(tmp_path):
    kernels = Kernels()
    try:
        km = kernels.get(str(tmp_path), 60)
        dead = km.provisioner.process.pid
        km.provisioner.process.kill()
        km.provisioner.process.wait()
        replacement = kernels.get(str(tmp_path), 60).provisioner.process.pid
        assert replacement != dead
        assert len(kernels) == 1
    finally:
        kernels.close()
    assert _gone(replacement)


SIGTERM_SCRIPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from tests.publish.test_kernels import _notebook, _tasks
    from torbayreport.publish import execute
    from torbayreport.publish.guardrails import BuildInterrupted, terminate_as_error

    def main():
        root, jobs = Path(sys.argv[1]), int(sys.argv[2])
        nbs = root / "notebooks"
        nbs.mkdir()
        _notebook(nbs / "a.ipynb", "import os, signal, time\\nos.kill(int(os.environ['BUILD_PID']), signal.SIGTERM)\\ntime.sleep(2)")
        _notebook(nbs / "b.ipynb", "1")
        os.environ["BUILD_PID"] = str(os.getpid())      # the kernels inherit it
        try:
            with terminate_as_error():
                for result in execute.run_tasks(_tasks(nbs, ["a", "b"], root / "out"), jobs=jobs, timeout=60,
                                                groups={"a": "a", "b": "b"}):
                    print("result", result["name"], result["ok"])
        except BuildInterrupted as exc:
            print("error:", exc)

    if __name__ == "__main__":      # spawned pool workers import this script again
        main()
""")


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigterm_while_a_notebook_runs_stops_the_build_and_leaves_no_kernel(tmp_path, jobs):
    script = tmp_path / "build.py"
    script.write_text(SIGTERM_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run([sys.executable, str(script), str(tmp_path), str(jobs)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert "error: the build was stopped (SIGTERM); nothing was published" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    pids = [_pid(tmp_path / "out", p.stem)["pid"] for p in (tmp_path / "out").glob("*.pid")]
    assert pids                                                     # the signalling notebook ran
    assert all(_gone(p) for p in pids)
