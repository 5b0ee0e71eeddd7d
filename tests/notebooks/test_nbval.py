"""The notebooks as an analyst opens them, checked by nbval (``pytest --nbval-lax notebooks/``).

Why in addition to the papermill runs in test_notebooks.py: nbval executes the committed notebook
cell by cell, exactly as "Run all" in Jupyter would with the default parameters, so a notebook
that only works when the build injects parameters fails here. ``--nbval-lax`` checks that every
cell runs without error (the notebooks are committed without outputs, so there is nothing to
compare). Run in a subprocess because nbval is a pytest plugin collecting .ipynb files, and the
suite's own collection is limited to tests/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "sample" / "contacts.csv").is_file(),
                                reason="no data/sample in this checkout")


@pytest.mark.slow
def test_every_notebook_runs_under_nbval_lax(tmp_path):
    env = {**os.environ, "TORBAYREPORT_CACHE": str(tmp_path / "cache")}
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", *map(str, notebooks)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout.splitlines()[-1]
