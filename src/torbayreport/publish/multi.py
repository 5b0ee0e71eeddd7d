"""One month's report for one or several audiences in one build (:func:`build_audiences`).

Why one orchestrated build rather than a loop of one-audience builds: the audiences of a month
read the same extracts and the same metrics, and differ only in what disclosure lets through. So
the data are loaded and every KPI computed and assessed once (``prepare.compute_month``), each
audience's folder is written from that (``prepare.write_audience``), and every audience's
notebooks run on ONE pool of ``jobs`` kernels (the second audience's notebooks fill the gaps the
first leaves). The pool's workers start and warm their kernels while the data are prepared, and
shut them down in the background (:mod:`.pool`). Each audience renders as soon as its own
notebooks are done, while the next audience's still run (:mod:`.schedule`), and publishes exactly
as a single build did: one lock
per month and audience, a staging folder swapped in by rename, the identifier check for an
audience with disclosure, and a failed audience leaves its last good report (and build folder)
untouched while the others still publish. :func:`.pipeline.build_month` is the one-audience case.

Each costly step is looked up first in the content-addressed cache (:mod:`.cache`); a chapter's
notebook key covers only what that chapter can read (:mod:`.keys`). Each audience's build.log gets
the shared steps and its own, never another audience's lines.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from torbayreport.io import sha256_file
from torbayreport.publish.cache import StepCache, code_version, copy_tree_into, digest, template_hashes
from torbayreport.publish.execute import (
    BuildError,
    attach_log,
    check_audience,
    check_inputs,
    check_parameters,
    detach_log,
    fresh_stage,
    hash_files,
    manifest_for,
    run_prepare,
    stage_dir_for,
    write_manifest,
)
from torbayreport.publish.guardrails import (BuildInterrupted, build_lock, build_time, check_out_dir,
                                              raise_if_interrupted, terminate_as_error)
from torbayreport.publish.keys import inputs_without_commentary
from torbayreport.publish.pool import NotebookPool
from torbayreport.publish.schedule import execute_all, execute_rendering_meanwhile
from torbayreport.publish.state import Build, OnlyAudience, as_audience, fail, live
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
        builds.append(Build(audience, reader, notebooks))
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


def _build_locked(month: str, builds: list[Build], *, data_dir: Path, params_file: Path, params_files,
                  out_dir: Path, build_root: Path, jobs: int, progress: bool, project_dir, prepare, renderer: str,
                  extra_parameters, timeout: int, force: bool, started_at: dt.datetime, region, as_at
                  ) -> list[BuildResult]:
    work_root = build_root / WORK_DIR
    cache = StepCache(build_root / CACHE_DIR, force=force)
    for b in builds:
        b.stage = fresh_stage(work_root, month, b.audience)
        b.handler = attach_log(b.stage / "build.log", mode="w")
        b.handler.addFilter(OnlyAudience(b.audience))
        b.destination = out_dir / month / b.audience
        b.staging = b.destination.parent / f".staging-{b.audience}-{uuid.uuid4().hex[:8]}"
    label = f"{month} {'+'.join(b.audience for b in builds)}"
    pool = NotebookPool(jobs) if jobs > 1 else None
    try:
        with _progress(progress, label) as notify:
            common = _input_hashes(data_dir, params_files, {})
            code = code_version()
            if pool is not None and any(cache.get("prepare", _prepare_key(
                    b, month, common=common, code=code, params_file=params_file, prepare=prepare, as_at=as_at)) is None
                    for b in builds):
                # the data must be prepared, so the notebooks will run: the workers start and warm
                # their kernels meanwhile (not on a rebuild that reuses everything)
                pool.start(sum(len(b.notebooks) for b in builds), log_dir=builds[0].stage / "executed",
                           warm_folders=sorted({str(p.parent) for b in builds for p in b.notebooks.values()}))
            for b in builds:
                with as_audience(b.audience):
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
            if pool is not None and pool.started:
                log.info("started %d notebook worker(s); their kernels warm up while the data are prepared",
                         pool.workers)

            notify("stage", name="prepare")
            shared = _prepare_all(month, builds, cache=cache, common=common, code=code, data_dir=data_dir,
                                  params_file=params_file, out_dir=out_dir, prepare=prepare, region=region, as_at=as_at)

            notify("stage", name="execute", total=sum(len(b.notebooks) for b in builds))

            def render(b: Build) -> None:
                with as_audience(b.audience):
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
                        fail(b, exc)

            execute = dict(cache=cache, code=code, jobs=jobs, timeout=timeout, notify=notify)
            if pool is not None and len(live(builds)) > 1:
                execute_rendering_meanwhile(live(builds), render, pool=pool, **execute)
            else:
                execute_all(live(builds), pool=pool, **execute)
                if pool is not None:
                    pool.release()      # the workers end their kernels while the report renders
                notify("stage", name="render")
                for b in live(builds):
                    render(b)
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


# ---------------------------------------------------------------------------------- prepare

def _prepare_all(month: str, builds: list[Build], *, cache: StepCache, common: dict, code: str, data_dir: Path,
                 params_file: Path, out_dir: Path, prepare, region, as_at):
    """Each audience's folder from the cache, else written from one shared computation (the
    default prepare) or by the test's stand-in; returns the shared computation when one was made."""
    shared = None
    for b in builds:
        with as_audience(b.audience):
            try:
                shared = _prepare_one(b, month, cache=cache, common=common, code=code, data_dir=data_dir,
                                      params_file=params_file, out_dir=out_dir, prepare=prepare, region=region,
                                      as_at=as_at, shared=shared, who=" and ".join(o.audience for o in builds))
            except BuildInterrupted:
                raise
            except _SharedFailed as exc:   # the data or params cannot be read: no audience can be built
                for other in live(builds):
                    fail(other, exc.error)
                return None
            except BuildError as exc:
                fail(b, exc)
    return shared


class _SharedFailed(Exception):
    def __init__(self, error: BuildError):
        super().__init__(str(error))
        self.error = error


def _prepare_key(b: Build, month: str, *, common: dict, code: str, params_file: Path, prepare, as_at) -> str:
    """The cache key of an audience's prepared folder."""
    # the default prepare's folder is reused across a commentary change (its commentary refreshed)
    inputs = common if prepare is not None else inputs_without_commentary(common, params_file=params_file, month=month)
    return digest({"month": month, "audience": b.audience, "inputs": inputs, "code": code,
                   "prepare": _qualname(prepare), "as_at": None if as_at is None else str(as_at)})


def _prepare_one(b: Build, month: str, *, cache: StepCache, common: dict, code: str, data_dir: Path,
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
            with as_audience(None):
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


# --------------------------------------------------------------------------- render, publish

def _render_and_publish(b: Build, *, month: str, cache: StepCache, code: str, common: dict, data_dir: Path,
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
    meta_key = {k: v for k, v in vars(meta).items()
                if k not in ("built_at", "built_epoch") or os.environ.get("SOURCE_DATE_EPOCH")}
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
    raise_if_interrupted()
    _publish(staging, b.destination)
    log.info("published %s (reused: prepare %s, %d notebook(s), render %s)", b.destination, b.reused["prepare"],
             len(b.reused["notebooks"]), b.reused["render"])
    b.result = BuildResult(month, b.audience, {fmt: b.destination / path.name for fmt, path in outputs.items()},
                           b.destination / f"{stem}.manifest.json", b.stage, manifest["build_id"], renderer_used,
                           manifest["timings_seconds"], manifest["notebook_seconds"], b.reused)
