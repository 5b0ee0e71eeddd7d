"""One month's report end to end (:func:`build_month`): the steps of :mod:`.execute` (check,
prepare, run the notebooks, manifest), then :mod:`.render`, then publish. The orchestration itself
is :func:`.multi.build_audiences` (one or several audiences on one prepare and one pool); this
module holds the one-audience entry point and the steps it shares (publish swap, identifier guard,
previous month's metrics, progress display, the demo's sample and month).

Why a separate module: the data flow runs execute -> render, so the steps that join them sit after
both. The swap (``_publish``) is where the "a failed build never replaces the last good report"
promise is kept: :func:`.multi.build_audiences` renders into a staging folder next to the
destination and swaps it in by ``rename`` only after every format exists and the HTML has passed
its checks.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from torbayreport.publish.execute import BuildError, hash_files, input_files
from torbayreport.publish.guardrails import portable_path
from torbayreport.publish.meta import ReportMeta, report_meta
from torbayreport.publish.render import RENDERERS, Outputs
from torbayreport.report.frames import PREVIOUS_METRICS

log = logging.getLogger("torbayreport.pipeline")

DEFAULT_DATA_DIR = Path("data/sample")


@dataclass
class BuildResult(Outputs):
    month: str
    audience: str
    outputs: dict[str, Path]    # format name -> published file
    manifest_path: Path         # the copy published beside the report
    stage_dir: Path             # build/<month>/<audience>/: executed notebooks, artefacts, build.log
    build_id: str
    renderer: str
    timings: dict = field(default_factory=dict)
    notebook_seconds: dict = field(default_factory=dict)
    reused: dict = field(default_factory=dict)   # steps taken from the cache (manifest "reused")


def report_stem(slug: str, month: str, audience: str) -> str:
    """``<la-slug>-children-<YYYY-MM>-<audience>`` — the file name of both outputs."""
    return f"{slug}-children-{month}-{audience}"


def build_month(month: str, *, audience: str, data_dir: Path | str = DEFAULT_DATA_DIR,
                params_file: Path | str | None = None, out_dir: Path | str = "reports",
                build_root: Path | str = "build", jobs: int = 1, progress: bool = True,
                notebooks_dir: Path | str | None = None, project_dir: Path | str | None = None,
                prepare: Callable | None = None, renderer: str = "auto",
                extra_parameters: dict | None = None, timeout: int = 600, force: bool = False,
                region: Path | str | None = None, as_at=None) -> BuildResult:
    """Build ``reports/<month>/<audience>/<slug>-children-<month>-<audience>.<format>`` for every format.

    The one-audience case of :func:`.multi.build_audiences` (the one orchestrator): check the inputs, prepare the report folder once, execute the notebooks,
    write the manifest, render, check a disclosed report for identifiers, publish. Each costly step
    is looked up first in the content-addressed cache (:mod:`.cache`; ``force`` ignores it), and the
    manifest's ``reused`` says which steps were. Raises BuildError (or its NotebookFailedError /
    RenderError) with a message fit for the analyst, never another exception; on any failure
    (SIGTERM included) the previously published report AND the previous ``build/<month>/<audience>/``
    are left untouched: the new build works in ``build/.work/<month>/<audience>/`` (kept there on
    failure for inspection) and is swapped in only when it succeeds. One build per month and
    audience at a time (:func:`.guardrails.build_lock`). ``prepare`` and ``notebooks_dir`` let tests
    build with fixture notebooks; ``extra_parameters`` are passed to every notebook and checked like
    the standard ones. ``region``: the regional table (``torbayreport region``'s region.parquet/.csv),
    which adds the optional chapter that requires it ("how we compare"). ``as_at``: ``--as-at``.

    The one-audience case of :func:`.multi.build_audiences` (which builds several audiences on one
    prepare and one pool of notebook kernels).
    """
    from torbayreport.publish.multi import build_audiences

    return build_audiences(month, audiences=[audience], data_dir=data_dir, params_file=params_file, out_dir=out_dir,
                           build_root=build_root, jobs=jobs, progress=progress, notebooks_dir=notebooks_dir,
                           project_dir=project_dir, prepare=prepare, renderer=renderer,
                           extra_parameters=extra_parameters, timeout=timeout, force=force, region=region,
                           as_at=as_at)[0]


def _unexpected(exc: Exception, data_dir: Path) -> str:
    """One line for an error no step turned into a BuildError (a vanished folder, a full disk)."""
    if not Path(data_dir).is_dir():
        return f"the data folder {data_dir} disappeared during the build; nothing was published"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"the build failed unexpectedly ({type(exc).__name__}: {text}); nothing was published"


#: where a build works before it is swapped into build/<month>/<audience>/, and the step cache
WORK_DIR = ".work"
CACHE_DIR = ".cache"
#: files of the stage folder that are the build's own, not prepared artefacts
STAGE_OWN = ("executed", "build.log", "manifest.json")
RENDER_RECORD = "render.json"
#: in the cache folder: the latest seconds of each audience's chapters (``internal/practice``), by
#: which the next build, of any month, starts its longest notebooks first
NOTEBOOK_SECONDS = "notebook-seconds.json"


def _qualname(func: Callable | None) -> str:
    return "default" if func is None else f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', func)}"


def _input_hashes(data_dir: Path, params_files, notebooks: dict[str, Path]) -> dict[str, str]:
    try:
        return hash_files(input_files(data_dir, sorted(params_files), notebooks))
    except OSError as exc:
        raise BuildError(f"cannot read the inputs: {exc.filename or ''} {exc.strerror or exc}".strip()) from None


def _portable_parameters(parameters: dict, data_dir: Path) -> dict:
    """The notebook parameters with every path relative to the project or the data folder."""
    out = dict(parameters)
    for key in ("data", "params", "build_root"):
        if out.get(key):
            out[key] = portable_path(out[key], data_dir)
    return out


def _with_region_chapters(notebooks: dict[str, Path], audience: str, region, notebooks_dir, project_dir) -> dict:
    """The audience's notebooks with the chapters ``--region`` adds (``optional-chapters`` in _quarto.yml)."""
    from torbayreport import config

    if not Path(region).is_file():
        raise BuildError(f"regional table not found: {region} (region.parquet or region.csv from `torbayreport region`)")
    folder = Path(notebooks_dir or config.NOTEBOOKS_DIR).resolve()
    names = config.audience_chapters(audience, project_dir, provided=("region",))
    found = {n: notebooks.get(n, folder / f"{n}.ipynb") for n in names}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        raise BuildError("notebook(s) not found: " + ", ".join(missing))
    return found


def _prepare_region(region, *, month: str, audience: str, params_file, stage: Path) -> None:
    """The audience-safe "how we compare" CSV in the build folder (the regional table read once)."""
    from torbayreport.publish.prepare import write_region_compare

    try:
        write_region_compare(region, month=month, audience=audience, params_file=params_file, out_dir=stage)
    except (OSError, ValueError, KeyError) as exc:
        raise BuildError(f"the regional table {region} cannot be used for this build: {exc}") from exc


class IdentifierLeakError(BuildError):
    """A public output would carry a child or worker identifier; the report is not published."""


def guard_public_outputs(paths: list[Path], *, data_dir: Path | str, stage_dir: Path | str, tables=None) -> None:
    """Refuse to publish a public report if any identifier from the input data appears in ``paths``.

    The last check on the files that actually leave the building (HTML, PDF text, executed
    notebooks, CSVs, manifest): text reaches a public report from places ``prepare`` did not
    write (notebook markdown, chart alt text, file metadata). The check itself is the one public
    guard, ``disclose.guard_public_outputs`` (identifiers in every spelling, dates of birth only
    when tied to a child, the report's own dates allowed); here it gets the input tables and the
    window ``prepare`` recorded, and its refusal becomes the pipeline's one-line error. ``tables``:
    the input tables when the build already loaded them (else they are loaded from ``data_dir``).
    """
    from torbayreport.disclose import DisclosureError
    from torbayreport.disclose import guard_public_outputs as guard
    from torbayreport.io import load

    context = _read_json(Path(stage_dir) / "context.json")
    window = context.get("window") or {}
    try:
        if tables is None:  # read as prepare read them: the council's header aliases and as-at date
            aliases = ((context.get("params") or {}).get("extracts") or {}).get("aliases") or None
            given = context.get("as_at") if context.get("as_at_source") == "given" else None
            tables = load(Path(data_dir), as_at=given, aliases=aliases).tables
        guard(paths, tables, as_at=context.get("as_at"), window=(window.get("start"), window.get("end")))
    except DisclosureError as exc:
        raise IdentifierLeakError(f"the public report was not published: {exc}") from exc


def _publish(staging: Path, destination: Path) -> None:
    """Swap the freshly rendered folder into place with renames on one filesystem.

    The old report is moved aside first and deleted only after the new one is in place, so at no
    moment is the destination a half-written folder.
    """
    old = None
    if destination.exists():
        old = destination.parent / f".old-{destination.name}-{uuid.uuid4().hex[:8]}"
        os.replace(destination, old)
    try:
        os.replace(staging, destination)
    except OSError:
        if old is not None:
            os.replace(old, destination)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- report metadata

def _report_meta(stage_dir: Path, manifest: dict) -> tuple[ReportMeta, str]:
    """Cover-page facts, from the context.json ``prepare`` wrote (one source: the Params it read)."""
    context = _read_json(stage_dir / "context.json")
    return report_meta(context, manifest, artefacts=stage_dir), context["la"]["slug"]


def _previous_metrics(out_dir: Path, month: str, audience: str, stage: Path) -> None:
    """Copy the previous month's published ``<stem>-metrics.csv`` for the same audience into the
    stage as ``report.context.PREVIOUS_METRICS`` (the summary's "Revised figures" reads it), or leave none there when that month was never published."""
    import pandas as pd

    (stage / PREVIOUS_METRICS).unlink(missing_ok=True)
    previous = str(pd.Period(month, freq="M") - 1)
    slug = (_read_json(stage / "context.json").get("la") or {}).get("slug", "")
    suffix = RENDERERS["metrics-csv"][0]
    published = out_dir / previous / audience / f"{report_stem(slug, previous, audience)}{suffix}"
    if published.is_file():
        shutil.copy(published, stage / PREVIOUS_METRICS)
        log.info("previous month's published metrics: %s", published)


def _write_json(path: Path, data: dict) -> None:
    """Write ``data`` whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return data if isinstance(data, dict) else {}


# -------------------------------------------------------------------------------- progress

@contextmanager
def _progress(enabled: bool, label: str):
    """A rich progress display driven by ``notify(event, **info)`` calls from the stages."""
    if not enabled:
        yield lambda event, **info: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), transient=False) as bar:
        task = bar.add_task(f"{label}: checking", total=None)

        def notify(event: str, **info) -> None:
            if event == "stage" and info.get("name") == "execute":
                bar.update(task, description=f"{label}: notebooks", total=info.get("total"), completed=0)
            elif event == "stage":
                bar.update(task, description=f"{label}: {info.get('name')}")
            elif event == "notebook":
                bar.advance(task)
                bar.console.print(f"  {info['name']} executed in {info['seconds']:.1f} s")
            elif event == "done":
                bar.update(task, description=f"{label}: done")

        yield notify


# ------------------------------------------------------------------------------------ demo

def latest_month(data_dir: Path | str) -> str:
    """The last month of the extracts' reporting period (:func:`torbayreport.metrics.period.data_period`)."""
    from torbayreport.io import load
    from torbayreport.metrics.period import data_period

    _, last = data_period(load(Path(data_dir)).tables)
    if last is None:
        raise BuildError(f"{data_dir}: no contacts or referrals, so no reporting period to build")
    return str(last)


def ensure_sample(data_dir: Path | str = DEFAULT_DATA_DIR) -> bool:
    """Generate the synthetic sample into ``data_dir`` if it is missing; True if it was generated."""
    data_dir = Path(data_dir)
    if data_dir.is_dir() and any(data_dir.glob("*.csv")):
        return False
    from torbayreport.io.write import write_csv_folder
    from torbayreport.synth import generate

    write_csv_folder(generate(), data_dir)
    return True
