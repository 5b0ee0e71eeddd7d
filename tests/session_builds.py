"""The session's real builds of the sample (both audiences in one build), run in a subprocess that
tests/conftest.py starts when the session begins: ``python -m tests.session_builds ROOT CHARTS``.

Why a subprocess started early: the two builds take about a minute of machine time, and the
first minutes of a session are one-core unit tests, so on a 2-core machine the builds run beside
them almost for free. Why not a thread: a build installs a SIGTERM handler (only the main thread
may) and runs its notebooks in a spawned process pool (which needs a ``__main__`` guard, below).

Each result is pickled to ``ROOT/<audience>.pickle`` (a ``BuildResult``: paths and names only);
an error is written to ``ROOT/<audience>.error`` as one line and the process exits 1.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

MONTH = "2020-12"
AUDIENCES = ("internal", "public")
#: the builds' build root inside the session folder (tests/conftest.py ``sample_prepared`` reads its
#: step cache, ``<build root>/.cache/prepare/<key>/``: what the prepare step wrote)
BUILD_ROOT = "build"


def build(root: Path, charts: Path, sample: Path):
    """Both audiences in one build (``build_audiences``: one prepare, one pool of 2 kernels)."""
    from torbayreport.publish.multi import build_audiences

    from tests.conftest import build_root_with

    return build_audiences(MONTH, audiences=AUDIENCES, data_dir=sample, out_dir=root / "reports",
                           build_root=build_root_with(charts, root / BUILD_ROOT), jobs=2, progress=False)


def main(root: Path, charts: Path, sample: Path) -> int:
    try:
        results = build(root, charts, sample)
    except Exception as exc:  # noqa: BLE001 - reported to the fixture that waits for it
        failures = getattr(exc, "failures", None) or {audience: exc for audience in AUDIENCES}
        for audience, error in failures.items():
            (root / f"{audience}.error").write_text(f"{type(error).__name__}: {error}", encoding="utf-8")
        results = getattr(exc, "published", None) or []
        status = 1
    else:
        status = 0
    for result in results:
        partial = root / f"{result.audience}.pickle.tmp"
        partial.write_bytes(pickle.dumps(result))
        partial.replace(root / f"{result.audience}.pickle")
    return status


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:4])))
