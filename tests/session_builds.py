"""The session's real builds of the sample (internal, then public), run in a subprocess that
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


def build(audience: str, root: Path, charts: Path, sample: Path):
    from torbayreport.publish.pipeline import build_month

    from tests.conftest import build_root_with

    folder = root / audience
    folder.mkdir(parents=True)
    return build_month(MONTH, audience=audience, data_dir=sample, out_dir=folder / "reports",
                       build_root=build_root_with(charts, folder / "build"), jobs=2, progress=False)


def main(root: Path, charts: Path, sample: Path) -> int:
    for audience in AUDIENCES:
        try:
            result = build(audience, root, charts, sample)
        except Exception as exc:  # noqa: BLE001 - reported to the fixture that waits for it
            (root / f"{audience}.error").write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
            return 1
        partial = root / f"{audience}.pickle.tmp"
        partial.write_bytes(pickle.dumps(result))
        partial.replace(root / f"{audience}.pickle")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:4])))
