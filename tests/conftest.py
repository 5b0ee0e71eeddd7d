"""Real builds of the committed sample, made once per test session and shared by every test
that needs a built report: tests/e2e (content, audiences, disclosure), tests/notebooks (the
executed notebooks' shape and public outputs) and tests/render/test_accessibility.py.

Why here, in the root conftest: a build starts a kernel per notebook (about half a minute per
audience on a 2-core machine), and a session fixture is made once per *definition*; a fixture
imported into a test module is a second definition and would build again. So the fixtures live
here once and no test module imports them.

Two slow runs start in the background when the session begins, each only if a selected test
needs it, so that they use the second core while the first minutes of one-core unit tests run:
the two session builds (``session_builds``, tests/session_builds.py) and nbval (``nbval_run``).
The fixtures that read them wait for them; whatever is still running when the session ends is
stopped. Both share one chart folder (``chart_cache``).

The suite runs in two pytest-xdist workers (pyproject's addopts; one test file per worker at a
time), and a session fixture is made once per worker: the background runs and the chart folder
are therefore made once per *run*, in a folder both workers see (:func:`shared_folder`).

Other work several test files would each repeat is done once here too: the sample's tables loaded
(``sample_tables``), its prepared folders as the session build's prepare step wrote them
(``sample_prepared``), and one ``prepare`` of its public folder to compare other ways of preparing
with (``sample_public_prepare``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from tests.session_builds import AUDIENCES, MONTH  # the session builds' month and audiences

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

needs_sample = pytest.mark.skipif(not (SAMPLE / "contacts.csv").is_file(), reason="no data/sample in this checkout")


class Built:
    """One audience's build: paths plus the rendered text, read once."""

    def __init__(self, result):
        self.result = result
        self.html_path = Path(result.html)
        self.pdf_path = Path(result.pdf)
        self.stage_dir = Path(result.stage_dir)
        self.html = self.html_path.read_text(encoding="utf-8")
        self.pdf_pages = [page.extract_text() for page in pypdf.PdfReader(self.pdf_path).pages]

    @property
    def pdf_text(self) -> str:
        return "\n".join(self.pdf_pages)

    @property
    def html_text(self) -> str:
        """The HTML's visible text: tags removed, a few entities decoded, spaces folded."""
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.S | re.I)
        body = re.sub(r"<[^>]+>", " ", body)
        body = body.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
        return " ".join(body.split())


#: where a build keeps its chart cache, relative to its build root: the notebooks' ``build_root``
#: parameter is ``<build root>/.work`` and ``ReportContext.chart_cache`` is ``<that>/charts``
CHARTS_IN_BUILD_ROOT = Path(".work") / "charts"


@pytest.fixture(scope="session")
def chart_cache(tmp_path_factory) -> Path:
    """One chart folder for every real build of the session (and the nbval run).

    Why: drawing the ~50 SPC charts is most of a build's notebook time, and a chart's cache key is
    the content it shows plus the drawing code (report/chartcache.py), so a chart that two builds
    show alike (internal and public, nbval's "Run all" and the session build) can be drawn once.
    A chart whose data, labels or code differ has another key and is drawn for its own build.
    """
    folder, _ = shared_folder(tmp_path_factory, "charts")
    return folder


def shared_folder(tmp_path_factory, name: str) -> tuple[Path, bool]:
    """A folder every process of this test run sees, and whether this process made it.

    Why: ``python3 -m pytest`` runs the tests in two pytest-xdist worker processes (pyproject's
    addopts), and a session fixture is made once per *process*. What must happen once per run
    (the session builds, the nbval run, the chart folder) goes into a folder beside the workers'
    own temporary folders: the first worker to make it starts the work (the "owner"), the other
    reads what the work writes there. Without xdist the process is the only one, and the owner."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    try:
        folder.mkdir()
    except FileExistsError:
        return folder, False
    return folder, True


#: Runs a command and writes its exit code to a file, so that a process that did not start the
#: command (another xdist worker) can tell it has ended: ``python -c RECORD_EXIT <file> <command...>``.
RECORD_EXIT = ("import os, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
               "open(sys.argv[1] + '.tmp', 'w').write(str(code)); os.replace(sys.argv[1] + '.tmp', sys.argv[1]); "
               "sys.exit(code)")


class Background:
    """A slow command run once per test run in ``folder``, in the background from the session's
    start; its output goes to files there (a pipe nobody reads could fill and stall it).

    Only the owner of ``folder`` (see :func:`shared_folder`) starts it; every process can wait for
    it through the exit-code file. At the owner's session end a run still going is stopped, except
    under xdist, where the other worker may still be waiting for it: then it is let finish."""

    def __init__(self, folder: Path, owner: bool, command: list[str], env: dict | None = None):
        self.folder, self.owner = folder, owner
        self.stdout, self.stderr, self.exit_file = folder / "stdout.txt", folder / "stderr.txt", folder / "exit-code"
        self.process = None
        if owner:
            with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", RECORD_EXIT, str(self.exit_file), *command],
                    cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)

    def returncode(self) -> int | None:
        """The command's exit code once it has ended, else None."""
        if self.process is not None and self.process.poll() is not None and not self.exit_file.is_file():
            return self.process.returncode  # the recorder itself was stopped
        return int(self.exit_file.read_text()) if self.exit_file.is_file() else None

    def wait(self, timeout: float) -> int:
        import time

        deadline = time.monotonic() + timeout
        while (code := self.returncode()) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.folder.name} took over {timeout} s")
            time.sleep(0.2)
        return code

    def stop(self, session=None) -> None:
        """End the run if it is still going; under xdist first let it finish (the other worker may
        be waiting for it), unless the session is stopping early (``-x``, ``--maxfail``)."""
        if self.process is None:
            return
        stopping = session is not None and bool(session.shouldstop or session.shouldfail)
        if os.environ.get("PYTEST_XDIST_WORKER") and not stopping and self.process.poll() is None:
            try:
                self.process.wait(timeout=1800)
            except subprocess.TimeoutExpired:
                pass
        _stop(self.process)


def build_root_with(charts: Path, root: Path) -> Path:
    """``root`` as a build root whose chart cache is the session's ``charts`` folder (a symlink).

    Only the chart folder is shared: each build keeps its own stage folders and step cache, so no
    two builds write the same file and no test sees another's reused steps."""
    link = root / CHARTS_IN_BUILD_ROOT
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(charts, target_is_directory=True)
    return root


class SessionBuilds(Background):
    """The internal and public builds of the sample, made by ``python -m tests.session_builds`` in the
    background from the start of the session (see that module for why), once per test run;
    ``result(audience)`` waits for that audience's build and gives its ``BuildResult``, or raises
    with the build's error."""

    def __init__(self, folder: Path, owner: bool, charts: Path):
        super().__init__(folder, owner, [sys.executable, "-m", "tests.session_builds", str(folder), str(charts),
                                         str(SAMPLE)])

    def result(self, audience: str, timeout: float = 1800):
        import pickle
        import time

        done, error = self.folder / f"{audience}.pickle", self.folder / f"{audience}.error"
        deadline = time.monotonic() + timeout
        while not done.is_file():
            if error.is_file():
                raise RuntimeError(f"the session's {audience} build failed: {error.read_text()}")
            code = self.returncode()
            if code is not None and not done.is_file():
                raise RuntimeError(f"the session builds stopped (exit {code}) before the {audience} build: "
                                   f"{self.stdout.read_text()[-2000:]}{self.stderr.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the session's {audience} build took over {timeout} s")
            time.sleep(0.2)
        return pickle.loads(done.read_bytes())


def _stop(process: subprocess.Popen) -> None:
    """End a background run (and what it started: its own process group) if it is still going."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


#: fixtures that read the session builds
SESSION_BUILD_FIXTURES = {"internal_build", "public_build", "sample_prepared"}


def _uses_session_builds(item) -> bool:
    """Whether a test reads the session builds (by fixture name, or in a folder whose tests ask for
    them through ``request.getfixturevalue``)."""
    return bool(SESSION_BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))) \
        or _rel(item).startswith(SLOW_PATHS)


@pytest.fixture(scope="session", autouse=True)
def session_builds(request, tmp_path_factory, chart_cache):
    """Started when the session begins if any selected test reads the builds (else None)."""
    if not (SAMPLE / "contacts.csv").is_file() or not any(map(_uses_session_builds, request.session.items)):
        yield None
        return
    builds = SessionBuilds(*shared_folder(tmp_path_factory, "session-builds"), chart_cache)
    yield builds
    builds.stop(request.session)


@pytest.fixture(scope="session")
def internal_build(session_builds) -> Built:
    """The internal report of the sample's 2020-12, built once per session."""
    if session_builds is None:
        pytest.skip("no data/sample in this checkout")
    return Built(session_builds.result("internal"))


@pytest.fixture(scope="session")
def public_build(session_builds) -> Built:
    """The public report of the sample's 2020-12, built once per session (its charts that show the
    same as the internal report's are drawn once, see ``chart_cache``)."""
    if session_builds is None:
        pytest.skip("no data/sample in this checkout")
    return Built(session_builds.result("public"))


@pytest.fixture(scope="session")
def sample_prepared(session_builds, tmp_path_factory) -> dict[str, Path]:
    """The sample's 2020-12 report folder for each audience as the session build's prepare step
    wrote it (its step-cache entry: what ``prepare`` wrote, before any notebook ran), copied so no
    test can touch the cache. {audience: folder}.

    Why: preparing the sample costs a data load and every KPI (several CPU seconds per audience);
    the session build has done it already, with the default params, as ``torbayreport build``
    does. That the build's shared computation writes what ``prepare`` writes is checked in
    tests/publish/test_multi.py and test_prepare.py (against a ``prepare`` of their own)."""
    import json
    import shutil

    from torbayreport.publish.pipeline import CACHE_DIR

    from tests.session_builds import BUILD_ROOT

    if session_builds is None:
        pytest.skip("no data/sample in this checkout")
    for audience in AUDIENCES:
        session_builds.result(audience)   # both built: their prepare entries are complete
    entries = {}
    for entry in sorted((session_builds.folder / BUILD_ROOT / CACHE_DIR / "prepare").iterdir()):
        if (entry / "context.json").is_file():
            entries[json.loads((entry / "context.json").read_text())["audience"]] = entry
    assert set(entries) == set(AUDIENCES), f"the session build's prepare entries: {sorted(entries)}"
    root = tmp_path_factory.mktemp("sample-prepared")
    return {audience: Path(shutil.copytree(entry, root / audience)) for audience, entry in entries.items()}


@pytest.fixture(scope="session")
def sample_tables() -> dict:
    """The sample's tables as ``torbayreport.io.load`` reads them, loaded once for the session's
    identifier checks (tests/e2e/test_hostile.py, tests/notebooks, tests/publish/test_prepare.py).
    Read only: a test that changes a table must copy it first."""
    from torbayreport.io import load

    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    return load(SAMPLE).tables


@pytest.fixture(scope="session")
def sample_public_prepare(tmp_path_factory) -> Path:
    """``prepare`` of the sample's 2020-12 public folder with the default params, made once for the
    tests that compare another way of preparing with it (tests/publish/test_multi.py, test_prepare.py)."""
    from torbayreport.publish.prepare import prepare

    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    return prepare(month=MONTH, audience="public", data_dir=SAMPLE, params_file=ROOT / "params" / "defaults.yaml",
                   out_dir=tmp_path_factory.mktemp("sample-public-prepare"))


NOTEBOOKS = ROOT / "notebooks"
#: the test that waits for the nbval run (tests/notebooks/test_nbval.py)
NBVAL_TEST = "tests/notebooks/test_nbval.py::test_every_notebook_runs_under_nbval_lax"


class NbvalRun(Background):
    """``pytest --nbval-lax notebooks/*.ipynb`` started in the background when the session begins,
    once per test run.

    Why in the background: nbval runs the notebooks one after the other in a kernel of their own
    (about a minute of one core) beside the suite's other tests. ``wait`` gives (returncode,
    stdout, stderr). ``-n 0``: the run itself is one process (pyproject's addopts ask for xdist).
    """

    def __init__(self, folder: Path, owner: bool, charts: Path):
        self.notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
        cache = folder / "cache"  # TORBAYREPORT_CACHE: the context nbval's "Run all" prepares ...
        if owner:
            (cache / "charts").parent.mkdir(parents=True, exist_ok=True)
            (cache / "charts").symlink_to(charts, target_is_directory=True)  # ... and its charts beside it
        super().__init__(folder, owner, [sys.executable, "-m", "pytest", "--nbval-lax", "-n", "0", "-p",
                                         "no:cacheprovider", "-q", *map(str, self.notebooks)],
                         env={**os.environ, "TORBAYREPORT_CACHE": str(cache)})

    def wait(self, timeout: float) -> tuple[int, str, str]:
        code = super().wait(timeout)
        return code, self.stdout.read_text(), self.stderr.read_text()


@pytest.fixture(scope="session", autouse=True)
def nbval_run(request, tmp_path_factory, chart_cache):
    """The background nbval run when its test is part of this session (else None)."""
    wanted = any(item.nodeid == NBVAL_TEST for item in request.session.items)
    if not wanted or not (SAMPLE / "contacts.csv").is_file():
        yield None
        return
    run = NbvalRun(*shared_folder(tmp_path_factory, "nbval"), chart_cache)
    yield run
    run.stop(request.session)


#: fixtures that start notebook kernels; a test using one is marked ``slow`` (``-m "not slow"``
#: gives a quick run; the README's one command still runs everything)
SLOW_FIXTURES = {"internal_build", "public_build", "fixture_build", "project", "built", "sample_prepared",
                 "sample_public_prepare"}
#: folders whose tests read the builds (some through ``request.getfixturevalue``, invisible above)
SLOW_PATHS = ("e2e/", "notebooks/", "render/test_accessibility.py")


def _rel(item) -> str:
    """The test file's path relative to tests/ ("" outside it)."""
    tests_dir = Path(__file__).parent
    path = Path(str(item.fspath))
    return path.relative_to(tests_dir).as_posix() if tests_dir in path.parents else ""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or _rel(item).startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)
