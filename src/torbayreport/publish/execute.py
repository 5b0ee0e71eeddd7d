"""The execution steps of a build: check the inputs, prepare the report folder once, run every
notebook with papermill, and record the manifest. :func:`torbayreport.publish.pipeline.build_month`
(the one orchestrator) calls them in order.

Why these steps: a monthly report is only trustworthy if it can be rebuilt exactly, and only
useful if a failure is loud and precise. So a build

* calls ``torbayreport.publish.prepare.prepare`` ONCE into ``build/<month>/<audience>/`` (data are loaded and
  every KPI is computed once; notebooks only read those artefacts through their ``build_root``
  parameter),
* checks the parameters we pass against ``papermill.inspect_notebook`` first — papermill itself only
  *warns* about an unknown name, which would let a typo silently fall back to a default month,
* executes the notebooks (up to ``jobs`` at once in separate processes, because papermill/zmq
  kernel start-up is not reliable from threads of one interpreter); each process keeps one kernel
  per notebook folder and runs its notebooks in it one after another, its namespace reset in
  between (:mod:`torbayreport.publish.kernels`), so the imports are paid once per process; the
  processes themselves are :mod:`torbayreport.publish.pool`'s (started and warmed early by a build),
* stops an audience's build at its first failing notebook with its name, cell and error, keeping the failed executed
  notebook for inspection,
* writes ``manifest.json`` (sha256 of every input file, parameters, package versions, git commit,
  timings, build id) and ``build.log``.

Rendering is :mod:`torbayreport.publish.render`; :mod:`torbayreport.publish.multi` joins the
two and publishes each audience's result atomically.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import logging
import platform
import re
import shutil
import subprocess
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Callable

from torbayreport import config
from torbayreport.io import sha256_file
from torbayreport.publish.errors import BuildError
from torbayreport.publish.pool import NotebookPool, execute_one

#: Parameters every report notebook declares in its ``parameters`` cell: the ``build`` command's
#: flags (``--month --audience --data --params --build-root``), so a notebook reads like the CLI.
NOTEBOOK_PARAMETERS = ("month", "audience", "data", "params", "build_root")

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

log = logging.getLogger("torbayreport.build")


class NotebookFailedError(BuildError):
    """A notebook raised while executing. Carries where, so the analyst can open the right cell."""

    def __init__(self, notebook: str, cell_index: int | None, exec_count: int | None, ename: str,
                 evalue: str, executed_path: Path, traceback_text: str = ""):
        self.notebook = notebook
        self.cell_index = cell_index
        self.exec_count = exec_count
        self.ename = ename
        self.evalue = evalue
        self.executed_path = executed_path
        self.traceback_text = traceback_text
        where = f"cell {cell_index}" if cell_index is not None else "an unknown cell"
        if exec_count is not None:
            where += f" (In [{exec_count}])"
        super().__init__(
            f"notebook '{notebook}' failed at {where}: {ename}: {evalue}\n"
            f"the failed executed notebook is kept for inspection at {executed_path}"
        )


# --------------------------------------------------------------------------------------- checks

def check_month(month: str) -> str:
    """Return ``month`` if it is a real ``YYYY-MM`` month, else raise a BuildError saying so."""
    if not isinstance(month, str) or not _MONTH_RE.match(month):
        raise BuildError(f"month must be written YYYY-MM (e.g. 2020-12); got {month!r}")
    return month


def check_audience(audience: str, project_dir: Path | str | None = None) -> config.Audience:
    """The declared audience (``_quarto.yml``), or a BuildError listing the declared ones."""
    try:
        return config.audience(audience, project_dir)
    except config.ConfigError as exc:
        raise BuildError(str(exc)) from None


def notebooks_for(audience: str, notebooks_dir: Path, project_dir: Path | str | None = None) -> dict[str, Path]:
    """The notebooks of one audience, in chapter order (a chapter the audience leaves out is not
    executed, so nothing in it can leak); a missing notebook is an error."""
    check_audience(audience, project_dir)
    try:
        names = config.audience_chapters(audience, project_dir)
    except config.ConfigError as exc:
        raise BuildError(str(exc)) from None
    found = {n: Path(notebooks_dir) / f"{n}.ipynb" for n in names}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        raise BuildError("notebook(s) not found: " + ", ".join(missing))
    return found


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Raise if we would pass a parameter the notebook's ``parameters`` cell does not declare.

    papermill only logs a warning for an unknown name and runs on with the notebook's default, so a
    typo such as ``monht`` would silently build the wrong month.
    """
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise BuildError(f"{notebook}: no cell tagged 'parameters' (papermill needs one to inject values)")
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise BuildError(
            f"{notebook.name}: unknown parameter(s) {', '.join(unknown)}; "
            f"its parameters cell declares {', '.join(sorted(declared))}"
        )


# ------------------------------------------------------------------------------ provenance

def hash_files(paths: dict[str, Path]) -> dict[str, str]:
    """sha256 of each labelled file (sorted by label so the manifest is stable)."""
    return {label: sha256_file(p) for label, p in sorted(paths.items())}


def input_files(data_dir: Path, params_files: list[Path], notebooks: dict[str, Path]) -> dict[str, Path]:
    """Every file a build reads, labelled: data files, params files and notebook templates."""
    files: dict[str, Path] = {}
    for p in sorted(Path(data_dir).rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(data_dir).parts):
            files[f"data/{p.relative_to(data_dir).as_posix()}"] = p
    for p in params_files:
        files[f"params/{p.name}"] = p
    for name, p in notebooks.items():
        files[f"notebooks/{p.name}"] = p
    return files


def package_versions() -> dict[str, str | None]:
    """Versions of the code that shapes the output (None when a package is not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("torbayreport", "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbclient",
                 "ipykernel", "pypandoc-binary", "typst", "tabulate", "pyyaml"):
        try:
            versions[dist] = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    except Exception:  # noqa: BLE001 - provenance is best effort: record absence, do not fail
        versions["pandoc"] = None
    quarto = shutil.which("quarto")
    versions["quarto"] = None
    if quarto:
        try:
            versions["quarto"] = subprocess.run([quarto, "--version"], capture_output=True, text=True,
                                                timeout=60).stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            pass
    return versions


def git_commit(root: Path = config.PROJECT_ROOT) -> dict | None:
    """The commit the code was built from and whether the work tree had changes (None outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "dirty": bool(dirty)}


def make_build_id(month: str, audience: str, hashes: dict, parameters: dict, versions: dict,
                  git: dict | None) -> str:
    """A content-derived id: same inputs, parameters and code give the same id.

    Reproducibility promise: a rebuild of unchanged inputs is recognisably the same build; only the
    declared build timestamp differs.
    """
    payload = json.dumps({"month": month, "audience": audience, "inputs": hashes,
                          "parameters": parameters, "versions": versions, "git": git},
                         sort_keys=True, default=str)
    return f"{month}-{audience[:3]}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


# ------------------------------------------------------------------------------- execution

def attach_log(log_path: Path, mode: str = "a") -> logging.Handler:
    """Send the toolkit's log records to ``log_path`` until the handler is detached."""
    handler = logging.FileHandler(log_path, mode=mode, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("torbayreport")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def stage_dir_for(build_root: Path | str, month: str, audience: str) -> Path:
    return Path(build_root) / month / audience


def check_inputs(month: str, audience: str, *, data_dir, params_file, jobs: int, notebooks_dir,
                 project_dir) -> tuple[Path, Path, list[Path], dict[str, Path]]:
    """Everything a build can refuse before it touches the build folder: the month, the audience,
    ``--jobs``, the data folder, the parameters (one loader: a wrong key or type stops here) and the
    audience's notebooks. Returns (data_dir, params_file, every params file read, notebooks)."""
    check_month(month)
    check_audience(audience, project_dir)
    if jobs < 1:
        raise BuildError(f"--jobs must be at least 1; got {jobs}")
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise BuildError(f"data path not found (expected a folder of extracts): {data_dir}")
    if params_file is not None:
        params_file = Path(params_file).resolve()
        if not params_file.is_file():
            raise BuildError(f"params file not found: {params_file}")
    try:
        params_files = config.load_params(params_file, month).files
    except config.ParamsError as exc:
        raise BuildError(str(exc)) from None
    notebooks = notebooks_for(audience, Path(notebooks_dir or config.NOTEBOOKS_DIR).resolve(), project_dir)
    return data_dir, params_file or params_files[0].resolve(), params_files, notebooks


def fresh_stage(build_root: Path | str, month: str, audience: str) -> Path:
    """``build/<month>/<audience>/`` emptied (build artefacts only; published reports live elsewhere)."""
    stage = stage_dir_for(build_root, month, audience).resolve()
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "executed").mkdir(parents=True)
    return stage


def run_prepare(prepare: Callable | None, *, month: str, audience: str, data_dir: Path, params_file: Path,
                stage: Path, as_at=None) -> None:
    """Compute the report folder once (:func:`torbayreport.publish.prepare.prepare`, or a test's
    stand-in; ``as_at``, the ``--as-at`` date, is passed only when given)."""
    from torbayreport.publish.prepare import prepare as prepare_folder

    extra = {"as_at": as_at} if as_at is not None else {}
    try:
        (prepare or prepare_folder)(month=month, audience=audience, data_dir=data_dir,
                                    params_file=params_file, out_dir=stage, **extra)
    except BuildError:
        raise
    except Exception as exc:  # bad extracts, bad params: the message already names file/row/column
        log.exception("prepare failed")
        raise BuildError(f"preparing the {month} {audience} context failed: {exc}") from exc


def execute_notebooks(notebooks: dict[str, Path], executed_dir: Path, parameters: dict, *, jobs: int,
                      timeout: int, notify) -> tuple[dict[str, Path], dict[str, float]]:
    """Execute every notebook (up to ``jobs`` at once); (executed paths, seconds per notebook).

    Raises :class:`NotebookFailedError` for the first failure, keeping the failed notebook.
    """
    executed = {name: executed_dir / path.name for name, path in notebooks.items()}
    seconds: dict[str, float] = {}
    failure = None
    for result in _run_all(notebooks, executed, parameters, jobs, timeout):
        seconds[result["name"]] = round(result["seconds"], 3)
        if result["ok"]:
            log.info("executed %s in %.2f s", result["name"], result["seconds"])
            notify("notebook", name=result["name"], seconds=result["seconds"])
        elif failure is None:
            failure = result
            log.error("notebook %s failed at cell %s: %s: %s\n%s", result["name"], result["cell_index"],
                      result["ename"], result["evalue"], result["traceback"])
    if failure is not None:
        raise NotebookFailedError(failure["name"], failure["cell_index"], failure["exec_count"],
                                  failure["ename"], failure["evalue"], executed[failure["name"]],
                                  failure["traceback"])
    return executed, seconds


def manifest_for(*, month: str, audience: str, started_at: dt.datetime, parameters: dict, data_dir: Path,
                 params_files: list[Path], notebooks: dict[str, Path], timings: dict, notebook_seconds: dict,
                 jobs: int, hashes: dict | None = None) -> dict:
    """The build's provenance: input hashes, parameters, versions, git commit, timings and its id.

    ``hashes``: the input hashes taken when the build started (the pipeline hashes once, before
    preparing, so a data folder that changes or vanishes mid-build cannot change the record)."""
    if hashes is None:
        hashes = hash_files(input_files(data_dir, sorted(params_files), notebooks))
    versions = package_versions()
    git = git_commit()
    return {
        "build_id": make_build_id(month, audience, hashes, parameters | {"build_root": None}, versions, git),
        "built_at": started_at.isoformat(timespec="seconds"),
        "month": month,
        "audience": audience,
        "parameters": parameters,
        "inputs": hashes,
        "versions": versions,
        "git": git,
        "notebooks": list(notebooks),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "notebook_seconds": notebook_seconds,
        "jobs": jobs,
    }


def detach_log(handler: logging.Handler) -> None:
    logging.getLogger("torbayreport").removeHandler(handler)
    handler.close()


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def _run_all(notebooks: dict[str, Path], executed: dict[str, Path], parameters: dict, jobs: int,
             timeout: int):
    """Yield one result per notebook; stop scheduling new notebooks after the first failure."""
    tasks = {name: (src, executed[name], parameters) for name, src in notebooks.items()}
    yield from run_tasks(tasks, jobs=jobs, timeout=timeout)


def run_tasks(tasks: dict[str, tuple[Path, Path, dict]], *, jobs: int, timeout: int,
              groups: dict[str, str] | None = None, pool: NotebookPool | None = None):
    """Execute ``tasks`` (label -> (notebook, executed path, parameters)) on ``jobs`` kernels, in
    the given order, and yield one result dict per task as it finishes (its ``name`` is the
    label). After a failure no further task of the same group starts (``groups``: label -> group,
    e.g. the audience, so one audience's failure does not stop another's notebooks; by default all
    tasks are one group). Tasks already running finish: a kernel cannot be stopped cleanly mid-cell.

    ``pool``: the build's :class:`.pool.NotebookPool` (perhaps already started and warm while the
    build prepared); the caller releases and closes it. Without one, or with one not yet started
    when a single kernel will do (``jobs`` 1 or one task), the kernels are this call's own: with
    one job they run in this process, otherwise on a pool made here, and either way they are shut
    down before this returns (or when the caller stops early)."""
    groups = groups or {label: "" for label in tasks}
    args = {label: (label, str(src), str(target), parameters, str(Path(src).parent), timeout)
            for label, (src, target, parameters) in tasks.items()}
    failed: set[str] = set()
    if not tasks:
        return
    if (pool is None or not pool.started) and (jobs == 1 or len(tasks) == 1):
        from torbayreport.publish.kernels import Kernels

        kernels = Kernels()     # this call's own: shut down below, even if the caller stops early
        try:
            for label in tasks:
                if groups[label] in failed:
                    continue
                result = execute_one(*args[label], kernels=kernels)
                if not result["ok"]:
                    failed.add(groups[label])
                yield result
        finally:
            kernels.close(now=True)     # in this process: a graceful exit would delay the render
        return
    own = pool is None
    if own:
        pool = NotebookPool(jobs)
    pool.start(len(tasks))
    try:
        futures = {pool.submit(execute_one, *args[label]): label for label in tasks}
        for future in cf.as_completed(futures):
            try:
                result = future.result()
            except cf.CancelledError:
                continue
            if not result["ok"] and groups[futures[future]] not in failed:
                failed.add(groups[futures[future]])
                for other, label in futures.items():
                    if groups[label] == groups[futures[future]]:
                        other.cancel()
            yield result
    finally:
        if own:
            pool.close()
