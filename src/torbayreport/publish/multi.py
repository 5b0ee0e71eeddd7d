"""One month's report for one or several audiences in one build (:func:`build_audiences`).

Why one orchestrated build rather than a loop of one-audience builds: the audiences of a month
read the same extracts and the same metrics, and differ only in what disclosure lets through. So
the data are loaded and every KPI computed and assessed once (``prepare.compute_month``), each
audience's folder is written from that (``prepare.write_audience``), and every audience's
notebooks run on ONE pool of ``jobs`` kernels (the second audience's notebooks fill the gaps the
first leaves). Then each audience renders and publishes exactly as a single build did: one lock
per month and audience, a staging folder swapped in by rename, the identifier check for an
audience with disclosure, and a failed audience leaves its last good report (and build folder)
untouched while the others still publish. :func:`.pipeline.build_month` is the one-audience case.

Each costly step is looked up first in the content-addressed cache (:mod:`.cache`); a chapter's
notebook key covers only what that chapter can read (:mod:`.keys`). Each audience's build.log gets
the shared steps and its own, never another audience's lines.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from torbayreport.io import sha256_file
from torbayreport.publish.cache import StepCache, code_version, copy_tree_into, digest, template_hashes, tree_hashes
from torbayreport.publish.execute import (
    BuildError,
    NotebookFailedError,
    attach_log,
    check_audience,
    check_inputs,
    check_parameters,
    detach_log,
    fresh_stage,
    hash_files,
    manifest_for,
    run_prepare,
    run_tasks,
    stage_dir_for,
    write_manifest,
)
from torbayreport.publish.guardrails import BuildInterrupted, build_lock, build_time, check_out_dir, terminate_as_error
from torbayreport.publish.keys import inputs_without_commentary, notebook_keys
from torbayreport.publish.pool import NotebookPool
from torbayreport.publish.pipeline import (
    CACHE_DIR,
    DEFAULT_DATA_DIR,
    RENDER_RECORD,
    STAGE_OWN,
    WORK_DIR,
    BuildResult,
    _input_hashes,
    _portable_parameters,
    _prepare_region,
    _previous_metrics,
    _progress,
    _publish,
    _qualname,
    _read_json,
    _report_meta,
    _unexpected,
    _with_region_chapters,
    guard_public_outputs,
    report_stem,
)
from torbayreport.publish.render import quarto_binary, render_report
from torbayreport.report import chartcache

log = logging.getLogger("torbayreport.pipeline")

#: the audience whose step is running (None: a step shared by every audience of the build)
_CURRENT = contextvars.ContextVar("torbayreport_build_audience", default=None)


class _OnlyAudience(logging.Filter):
    """Keep an audience's build.log to the shared steps and its own."""

    def __init__(self, audience: str):
        super().__init__()
        self.audience = audience

    def filter(self, record: logging.LogRecord) -> bool:
        current = _CURRENT.get()
        return current is None or current == self.audience


@contextmanager
def _as(audience: str | None):
    token = _CURRENT.set(audience)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@dataclass
class _Build:
    """One audience's build in progress."""

    audience: str
    reader: object
    notebooks: dict[str, Path]
    stage: Path | None = None
    handler: logging.Handler | None = None
    destination: Path | None = None
    staging: Path | None = None
    parameters: dict = field(default_factory=dict)
    hashes: dict = field(default_factory=dict)
    artefacts: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    executed: dict = field(default_factory=dict)
    notebook_seconds: dict = field(default_factory=dict)
    todo: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    reused: dict = field(default_factory=lambda: {"prepare": False, "notebooks": [], "render": False})
    error: BuildError | None = None
    result: BuildResult | None = None


def build_audiences(month: str, *, audiences, data_dir: Path | str = DEFAULT_DATA_DIR,
                    params_file: Path | str | None = None, out_dir: Path | str = "reports",
                    build_root: Path | str = "build", jobs: int = 1, progress: bool = True,
                    notebooks_dir: Path | str | None = None, project_dir: Path | str | None = None,
                    prepare: Callable | None = None, renderer: str = "auto", extra_parameters: dict | None = None,
                    timeout: int = 600, force: bool = False, region: Path | str | None = None,
                    as_at=None) -> list[BuildResult]:
    """Build ``month`` for every audience in ``audiences`` (see the module docstring); return one
    :class:`.pipeline.BuildResult` per audience, in order.

    The arguments are :func:`.pipeline.build_month`'s; ``as_at`` is ``--as-at`` (the extracts'
    date, overriding the params'). ``prepare``: a test's stand-in for the prepare step, called
    once per audience (only the default prepare shares its computation between audiences). On
    failure raises the first audience's BuildError after the others have published; it carries
    ``published`` (the results that were) and ``failures`` (audience -> error).
    """
    started_at = build_time()
    audiences = list(dict.fromkeys(audiences))
    if not audiences:
        raise BuildError("no audience to build")
    builds = []
    for audience in audiences:
        data_dir_, params_file_, params_files, notebooks = check_inputs(
            month, audience, data_dir=data_dir, params_file=params_file, jobs=jobs, notebooks_dir=notebooks_dir,
            project_dir=project_dir)
        reader = check_audience(audience, project_dir)
        if region is not None:
            notebooks = _with_region_chapters(notebooks, audience, region, notebooks_dir, project_dir)
        builds.append(_Build(audience, reader, notebooks))
    check_out_dir(out_dir, month)
    build_root = Path(build_root).resolve()
    with ExitStack() as held:
        for audience in sorted(audiences):   # one order for every build: two builds cannot deadlock
            held.enter_context(build_lock(build_root, month, audience))
        held.enter_context(terminate_as_error())
        try:
            return _build_locked(month, builds, data_dir=data_dir_, params_file=params_file_,
                                 params_files=params_files, out_dir=Path(out_dir), build_root=build_root, jobs=jobs,
                                 progress=progress, project_dir=project_dir, prepare=prepare, renderer=renderer,
                                 extra_parameters=extra_parameters, timeout=timeout, force=force,
                                 started_at=started_at, region=region, as_at=as_at)
        except BuildError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line for the analyst, the traceback in build.log
            log.exception("build failed")
            raise BuildError(_unexpected(exc, data_dir_)) from exc


def _build_locked(month: str, builds: list[_Build], *, data_dir: Path, params_file: Path, params_files,
                  out_dir: Path, build_root: Path, jobs: int, progress: bool, project_dir, prepare, renderer: str,
                  extra_parameters, timeout: int, force: bool, started_at: dt.datetime, region, as_at
                  ) -> list[BuildResult]:
    work_root = build_root / WORK_DIR
    cache = StepCache(build_root / CACHE_DIR, force=force)
    for b in builds:
        b.stage = fresh_stage(work_root, month, b.audience)
        b.handler = attach_log(b.stage / "build.log", mode="w")
        b.handler.addFilter(_OnlyAudience(b.audience))
        b.destination = out_dir / month / b.audience
        b.staging = b.destination.parent / f".staging-{b.audience}-{uuid.uuid4().hex[:8]}"
    label = f"{month} {'+'.join(b.audience for b in builds)}"
    pool = NotebookPool(jobs) if jobs > 1 else None
    try:
        with _progress(progress, label) as notify:
            common = _input_hashes(data_dir, params_files, {})
            code = code_version()
            for b in builds:
                with _as(b.audience):
                    log.info("build %s %s: data %s, params %s, %d notebook(s), jobs %d%s%s", month, b.audience,
                             data_dir, params_file, len(b.notebooks), jobs, " (forced)" if force else "",
                             f", with {', '.join(o.audience for o in builds if o is not b)}" if len(builds) > 1 else "")
                    t0 = time.perf_counter()
                    b.parameters = {"month": month, "audience": b.audience, "data": str(data_dir),
                                    "params": str(params_file), "build_root": str(work_root)}
                    b.parameters.update(extra_parameters or {})
                    for path in b.notebooks.values():
                        check_parameters(path, b.parameters)
                    b.hashes = dict(sorted({**common, **hash_files(
                        {f"notebooks/{p.name}": p for p in b.notebooks.values()})}.items()))
                    b.timings["check_parameters"] = time.perf_counter() - t0

            if pool is not None and any(cache.get("prepare", _prepare_key(
                    b, month, common=common, code=code, params_file=params_file, prepare=prepare, as_at=as_at)) is None
                    for b in builds):
                # the data must be prepared, so the notebooks will run: the workers start and warm
                # their kernels meanwhile (not on a rebuild that reuses everything)
                pool.start(sum(len(b.notebooks) for b in builds), log_dir=builds[0].stage / "executed",
                           warm_folders=sorted({str(p.parent) for b in builds for p in b.notebooks.values()}))
                log.info("started %d notebook worker(s); their kernels warm up while the data are prepared",
                         pool.workers)
            notify("stage", name="prepare")
            shared = _prepare_all(month, builds, cache=cache, common=common, code=code, data_dir=data_dir,
                                  params_file=params_file, out_dir=out_dir, prepare=prepare, region=region, as_at=as_at)

            notify("stage", name="execute", total=sum(len(b.notebooks) for b in builds))
            _execute_all(_live(builds), cache=cache, code=code, jobs=jobs, timeout=timeout, notify=notify, pool=pool)
            if pool is not None:
                pool.release()      # the workers end their kernels while the reports render

            notify("stage", name="render")
            for b in _live(builds):
                with _as(b.audience):
                    try:
                        _render_and_publish(b, month=month, cache=cache, code=code, common=common, data_dir=data_dir,
                                            params_files=params_files, jobs=jobs, started_at=started_at,
                                            project_dir=project_dir, renderer=renderer, region=region,
                                            tables=shared.tables if shared is not None else None, notify=notify)
                        # the build folder beside its report at once: a later audience's failure
                        # cannot leave this one's published report without its build folder
                        final_stage = stage_dir_for(build_root, month, b.audience)
                        final_stage.parent.mkdir(parents=True, exist_ok=True)
                        _publish(b.stage, final_stage)
                        b.result.stage_dir = final_stage
                    except BuildInterrupted:
                        raise
                    except BuildError as exc:
                        _fail(b, exc)
            notify("done")
    finally:
        if pool is not None:
            pool.close()
        for b in builds:
            if b.handler is not None:
                detach_log(b.handler)
            if b.staging is not None and b.staging.exists():
                shutil.rmtree(b.staging, ignore_errors=True)
    results = [b.result for b in builds if b.error is None]
    failed = [b for b in builds if b.error is not None]
    if failed:
        error = failed[0].error
        error.published = results
        error.failures = {b.audience: b.error for b in failed}
        raise error
    return results


def _live(builds: list[_Build]) -> list[_Build]:
    return [b for b in builds if b.error is None]


def _fail(b: _Build, exc: BuildError) -> None:
    with _as(b.audience):
        log.error("build failed: %s", exc)
    b.error = exc


# ---------------------------------------------------------------------------------- prepare

def _prepare_all(month: str, builds: list[_Build], *, cache: StepCache, common: dict, code: str, data_dir: Path,
                 params_file: Path, out_dir: Path, prepare, region, as_at):
    """Each audience's folder from the cache, else written from one shared computation (the
    default prepare) or by the test's stand-in; returns the shared computation when one was made."""
    shared = None
    for b in builds:
        with _as(b.audience):
            try:
                shared = _prepare_one(b, month, cache=cache, common=common, code=code, data_dir=data_dir,
                                      params_file=params_file, out_dir=out_dir, prepare=prepare, region=region,
                                      as_at=as_at, shared=shared, who=" and ".join(o.audience for o in builds))
            except BuildInterrupted:
                raise
            except _SharedFailed as exc:   # the data or params cannot be read: no audience can be built
                for other in _live(builds):
                    _fail(other, exc.error)
                return None
            except BuildError as exc:
                _fail(b, exc)
    return shared


class _SharedFailed(Exception):
    def __init__(self, error: BuildError):
        super().__init__(str(error))
        self.error = error


def _prepare_key(b: _Build, month: str, *, common: dict, code: str, params_file: Path, prepare, as_at) -> str:
    """The cache key of an audience's prepared folder."""
    # the default prepare's folder is reused across a commentary change (its commentary refreshed)
    inputs = common if prepare is not None else inputs_without_commentary(common, params_file=params_file, month=month)
    return digest({"month": month, "audience": b.audience, "inputs": inputs, "code": code,
                   "prepare": _qualname(prepare), "as_at": None if as_at is None else str(as_at)})


def _prepare_one(b: _Build, month: str, *, cache: StepCache, common: dict, code: str, data_dir: Path,
                 params_file: Path, out_dir: Path, prepare, region, as_at, shared, who: str):
    from torbayreport.publish import prepare as preparing

    t0 = time.perf_counter()
    key = _prepare_key(b, month, common=common, code=code, params_file=params_file, prepare=prepare, as_at=as_at)
    entry = cache.get("prepare", key)
    if entry is not None:
        copy_tree_into(entry, b.stage)
        if prepare is None:
            preparing.refresh_commentary(b.stage, month=month, params_file=params_file)
        b.reused["prepare"] = True
    elif prepare is not None:
        run_prepare(prepare, month=month, audience=b.audience, data_dir=data_dir, params_file=params_file,
                    stage=b.stage, as_at=as_at)
        cache.put_tree("prepare", key, b.stage, exclude=STAGE_OWN)
    else:
        if shared is None:
            with _as(None):
                t1 = time.perf_counter()
                shared = _compute(preparing, month, data_dir, params_file, as_at, who)
                b.timings["prepare_shared"] = time.perf_counter() - t1
                log.info("loaded the data and computed the metrics once in %.2f s", b.timings["prepare_shared"])
        try:
            preparing.write_audience(shared, audience=b.audience, out_dir=b.stage)
        except BuildError:
            raise
        except Exception as exc:  # noqa: BLE001 - a disclosure refusal: the message names what to fix
            log.exception("prepare failed")
            raise BuildError(f"preparing the {month} {b.audience} context failed: {exc}") from exc
        cache.put_tree("prepare", key, b.stage, exclude=STAGE_OWN)
    # not cached with prepare: cheap, and their content keys the notebooks through the artefacts
    if region is not None:
        _prepare_region(region, month=month, audience=b.audience, params_file=params_file, stage=b.stage)
    _previous_metrics(out_dir, month, b.audience, b.stage)
    b.timings["prepare"] = time.perf_counter() - t0
    log.info("prepared context in %.2f s%s", b.timings["prepare"], " (reused)" if b.reused["prepare"] else "")
    return shared


def _compute(preparing, month: str, data_dir: Path, params_file: Path, as_at, who: str):
    try:
        return preparing.compute_month(month=month, data_dir=data_dir, params_file=params_file, as_at=as_at)
    except Exception as exc:  # noqa: BLE001 - bad extracts, bad params: the message names file/row/column
        log.exception("prepare failed")
        raise _SharedFailed(BuildError(f"preparing the {month} {who} context failed: {exc}")) from exc


# ---------------------------------------------------------------------------------- execute

def _execute_all(builds: list[_Build], *, cache: StepCache, code: str, jobs: int, timeout: int, notify,
                 pool: NotebookPool | None = None) -> None:
    """Every audience's notebooks not in the cache, on one pool of ``jobs`` kernels (the last
    build's times order them, see below); each finished notebook is cached at once."""
    t0 = time.perf_counter()
    tasks, groups, owner, expected = {}, {}, {}, {}
    many = len(builds) > 1
    for b in builds:
        with _as(b.audience):
            b.artefacts = tree_hashes(b.stage, exclude=STAGE_OWN)
            keyed_parameters = {k: v for k, v in b.parameters.items() if k != "build_root"}
            b.keys = notebook_keys(b.notebooks, notebook_hashes={n: b.hashes[f"notebooks/{p.name}"]
                                                                  for n, p in b.notebooks.items()},
                                   parameters=keyed_parameters, artefacts=b.artefacts, stage=b.stage, code=code)
            b.executed = {name: b.stage / "executed" / path.name for name, path in b.notebooks.items()}
            # the last published build's times (build/<month>/<audience>/ beside build/.work/)
            last = _read_json(stage_dir_for(b.stage.parents[2], b.stage.parent.name, b.audience) / "manifest.json")
            for name, path in b.notebooks.items():
                hit = cache.get("notebooks", b.keys[name])
                if hit is not None:
                    shutil.copy2(hit, b.executed[name])
                    b.reused["notebooks"].append(name)
                    b.notebook_seconds[name] = 0.0
                    notify("notebook", name=f"{b.audience}/{name}" if many else name, seconds=0.0)
                else:
                    b.todo[name] = path
                    label = f"{b.audience}/{name}"
                    tasks[label] = (path, b.executed[name], b.parameters)
                    groups[label] = b.audience
                    owner[label] = (b, name)
                    expected[label] = float((last.get("notebook_seconds") or {}).get(name) or 0.0)
    # audience by audience, each longest first (chapter order among equals): the short notebooks
    # fill the gaps at the end, and the second audience's chapter starts after the first's, so it
    # finds the charts both show already drawn (report/chartcache.py) instead of drawing them too
    rank = {b.audience: i for i, b in enumerate(builds)}
    order = sorted(tasks, key=lambda label: (rank[groups[label]], -expected[label]))
    for result in run_tasks({label: tasks[label] for label in order}, jobs=jobs, timeout=timeout, groups=groups,
                            pool=pool):
        b, name = owner[result["name"]]
        with _as(b.audience):
            b.notebook_seconds[name] = round(result["seconds"], 3)
            if result["ok"]:
                log.info("executed %s in %.2f s", name, result["seconds"])
                notify("notebook", name=f"{b.audience}/{name}" if many else name, seconds=result["seconds"])
                cache.put_file("notebooks", b.keys[name], b.executed[name])
            else:
                log.error("notebook %s failed at cell %s: %s: %s\n%s", name, result["cell_index"],
                          result["ename"], result["evalue"], result["traceback"])
                if b.error is None:
                    _fail(b, NotebookFailedError(name, result["cell_index"], result["exec_count"], result["ename"],
                                                 result["evalue"], b.executed[name], result["traceback"]))
    seconds = time.perf_counter() - t0
    for b in builds:
        b.timings["execute"] = seconds
        with _as(b.audience):
            log.info("notebooks: %d run, %d reused from the cache", len(b.todo), len(b.reused["notebooks"]))
            log.info("%s", chartcache.summary(b.stage))


# --------------------------------------------------------------------------- render, publish

def _render_and_publish(b: _Build, *, month: str, cache: StepCache, code: str, common: dict, data_dir: Path,
                        params_files, jobs: int, started_at: dt.datetime, project_dir, renderer: str, region,
                        tables, notify) -> None:
    """The manifest, the render (cached), the identifier check (disclosure audiences) and the swap
    into ``reports/<month>/<audience>/``; fills ``b.result``."""
    notebook_seconds = {name: b.notebook_seconds[name] for name in b.notebooks}
    manifest = manifest_for(month=month, audience=b.audience, started_at=started_at, parameters=b.parameters,
                            data_dir=data_dir, params_files=params_files, notebooks=b.notebooks, timings=b.timings,
                            notebook_seconds=notebook_seconds, jobs=jobs, hashes=b.hashes)
    manifest["parameters"] = _portable_parameters(b.parameters, data_dir)
    manifest["reused"] = b.reused
    manifest["charts"] = chartcache.counts(b.stage)
    if region is not None:  # provenance of the comparison: which regional table
        manifest["region"] = {"file": Path(region).name, "sha256": sha256_file(Path(region))}
    manifest_path = b.stage / "manifest.json"
    write_manifest(manifest_path, manifest)
    log.info("manifest %s (build id %s)", manifest_path, manifest["build_id"])

    meta, slug = _report_meta(b.stage, manifest)
    stem = report_stem(slug, month, b.audience)
    staging = b.staging
    staging.mkdir()
    t0 = time.perf_counter()
    meta_key = {k: v for k, v in vars(meta).items() if k != "built_at" or os.environ.get("SOURCE_DATE_EPOCH")}
    render_key = digest({"executed": {n: sha256_file(p) for n, p in b.executed.items()}, "meta": meta_key,
                         "artefacts": b.artefacts,  # the workbook and metrics CSV read them directly
                         "stem": stem, "templates": template_hashes(project_dir), "renderer": renderer,
                         "quarto": renderer != "pandoc" and quarto_binary() is not None, "code": code})
    entry = cache.get("render", render_key)
    if entry is not None and (entry / RENDER_RECORD).is_file():
        record = _read_json(entry / RENDER_RECORD)
        for name in record["outputs"].values():
            shutil.copy2(entry / name, staging / name)
        outputs = {fmt: staging / name for fmt, name in record["outputs"].items()}
        renderer_used = record["renderer"]
        b.reused["render"] = True
    else:
        rendered = render_report(b.executed, staging, stem, meta, project_dir=project_dir, renderer=renderer)
        outputs, renderer_used = dict(rendered.outputs), rendered.renderer
        (staging / RENDER_RECORD).write_text(json.dumps({
            "renderer": renderer_used, "outputs": {fmt: p.name for fmt, p in outputs.items()}}))
        cache.put_tree("render", render_key, staging)
        (staging / RENDER_RECORD).unlink()
    b.timings["render"] = time.perf_counter() - t0
    manifest["timings_seconds"] = {k: round(v, 3) for k, v in b.timings.items()}
    manifest["renderer"] = renderer_used
    manifest["outputs"] = {fmt: path.name for fmt, path in outputs.items()}
    write_manifest(manifest_path, manifest)
    shutil.copy(manifest_path, staging / f"{stem}.manifest.json")
    if b.reader.disclosure:
        notify("stage", name=f"identifier check ({b.audience})")
        # the pass is stored with the render it checked: same outputs, same data, same verdict
        guard_key = digest({"render": render_key, "inputs": common})
        if cache.get("guard", guard_key) is None:
            try:
                guard_public_outputs(
                    [rendered_file for rendered_file in sorted(staging.iterdir()) if rendered_file.is_file()]
                    + sorted(b.stage.rglob("*.ipynb")) + sorted(b.stage.glob("*.csv"))
                    + [manifest_path, b.stage / "context.json"],
                    data_dir=data_dir, stage_dir=b.stage, tables=tables)
            except BuildError:
                raise
            except Exception as exc:  # noqa: BLE001 - the data folder changed under the build
                raise BuildError(f"the identifier check could not read the data folder {data_dir}: "
                                 f"{_unexpected(exc, data_dir)}") from exc
            (cache.root / "guard").mkdir(parents=True, exist_ok=True)
            cache.path("guard", guard_key).write_text("passed\n")
    _publish(staging, b.destination)
    log.info("published %s (reused: prepare %s, %d notebook(s), render %s)", b.destination, b.reused["prepare"],
             len(b.reused["notebooks"]), b.reused["render"])
    b.result = BuildResult(month, b.audience, {fmt: b.destination / path.name for fmt, path in outputs.items()},
                           b.destination / f"{stem}.manifest.json", b.stage, manifest["build_id"], renderer_used,
                           manifest["timings_seconds"], manifest["notebook_seconds"], b.reused)
