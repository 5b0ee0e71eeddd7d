"""The notebooks as an analyst opens them, checked by nbval (``pytest --nbval-lax notebooks/``).

Why in addition to the papermill runs of the session builds: nbval executes the committed
notebook cell by cell, exactly as "Run all" in Jupyter would with the default parameters, so a
notebook that only works when the build injects parameters fails here. ``--nbval-lax`` checks
that every cell runs without error (the notebooks are committed without outputs, so there is
nothing to compare). Run in a subprocess because nbval is a pytest plugin collecting .ipynb
files, and the suite's own collection is limited to tests/.

The subprocess is started when the session begins (``nbval_run`` in tests/conftest.py) so that it
runs beside the suite's one-core tests; this test waits for it and checks its result. Its
context is prepared by "Run all" itself (``build_root = ""``), into its own TORBAYREPORT_CACHE;
its charts share the session's chart folder (a chart is drawn once per content).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "sample" / "contacts.csv").is_file(),
                                reason="no data/sample in this checkout")


@pytest.mark.slow
def test_every_notebook_runs_under_nbval_lax(nbval_run):
    assert nbval_run is not None, "the session did not start the nbval run (tests/conftest.py nbval_run)"
    assert len(nbval_run.notebooks) >= 7
    code, stdout, stderr = nbval_run.wait(timeout=900)
    assert code == 0, stdout[-4000:] + stderr[-2000:]
    assert " passed" in stdout and "failed" not in stdout.splitlines()[-1]
