"""The notebook step of a build: each audience's notebooks looked up in the cache, the rest run
on one pool of kernels, longest first, and (with several audiences on a pool) each audience handed
on to render as soon as its own notebooks are done (:func:`execute_rendering_meanwhile`).

Why a module of its own: the orchestrator (:mod:`.multi`) reads as the list of steps; the order
in which notebooks run and what overlaps with what is the part tuned for time (issue 13).
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from typing import Callable

from torbayreport.publish.cache import StepCache, tree_hashes
from torbayreport.publish.execute import NotebookFailedError, run_tasks, stage_dir_for
from torbayreport.publish.keys import notebook_keys
from torbayreport.publish.pipeline import NOTEBOOK_SECONDS, STAGE_OWN, _read_json, _write_json
from torbayreport.publish.pool import NotebookPool
from torbayreport.publish.state import Build, as_audience, fail
from torbayreport.report import chartcache

log = logging.getLogger("torbayreport.pipeline")


def _seconds(value) -> float:
    return float(value) if isinstance(value, (int, float)) and value > 0 else 0.0


def _learned(cache: StepCache) -> dict:
    """The latest seconds per ``audience/chapter`` in this build folder ({} if none or unreadable:
    the cache may be deleted or damaged at any time, and this only orders the work)."""
    try:
        return _read_json(cache.root / NOTEBOOK_SECONDS)
    except (OSError, ValueError):
        return {}


def execute_all(builds: list[Build], *, cache: StepCache, code: str, jobs: int, timeout: int, notify,
                pool: NotebookPool | None = None, ready: Callable | None = None) -> None:
    """Every audience's notebooks not in the cache, on one pool of ``jobs`` kernels (the last
    build's times order them, see below); each finished notebook is cached at once. ``ready(b)``
    is called for each audience as soon as all its notebooks have run (so it can render while
    another audience's notebooks still run); a failed audience is not passed."""
    t0 = time.perf_counter()
    tasks, groups, owner, expected = {}, {}, {}, {}
    many = len(builds) > 1
    learned = _learned(cache)
    for b in builds:
        with as_audience(b.audience):
            b.artefacts = tree_hashes(b.stage, exclude=STAGE_OWN)
            keyed_parameters = {k: v for k, v in b.parameters.items() if k != "build_root"}
            b.keys = notebook_keys(b.notebooks, notebook_hashes={n: b.hashes[f"notebooks/{p.name}"]
                                                                  for n, p in b.notebooks.items()},
                                   parameters=keyed_parameters, artefacts=b.artefacts, stage=b.stage, code=code)
            b.executed = {name: b.stage / "executed" / path.name for name, path in b.notebooks.items()}
            # the last published build's times (build/<month>/<audience>/ beside build/.work/), else
            # the latest times of any build in this build folder
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
                    expected[label] = _seconds((last.get("notebook_seconds") or {}).get(name)) or _seconds(
                        learned.get(label))
    left = {b.audience: len(b.todo) for b in builds}

    def done(b: Build) -> None:
        b.timings["execute"] = time.perf_counter() - t0
        with as_audience(b.audience):
            log.info("notebooks: %d run, %d reused from the cache", len(b.todo), len(b.reused["notebooks"]))
            log.info("%s", chartcache.summary(b.stage))
        left.pop(b.audience)
        if ready is not None and b.error is None:
            ready(b)

    for b in builds:
        if not left[b.audience]:
            done(b)
    # audience by audience, each longest first (chapter order among equals): the short notebooks
    # fill the gaps at the end, and the second audience's chapter starts after the first's, so it
    # finds the charts both show already drawn (report/chartcache.py) instead of drawing them too
    rank = {b.audience: i for i, b in enumerate(builds)}
    order = sorted(tasks, key=lambda label: (rank[groups[label]], -expected[label]))
    for result in run_tasks({label: tasks[label] for label in order}, jobs=jobs, timeout=timeout, groups=groups,
                            pool=pool):
        b, name = owner[result["name"]]
        with as_audience(b.audience):
            b.notebook_seconds[name] = round(result["seconds"], 3)
            if result["ok"]:
                log.info("executed %s in %.2f s", name, result["seconds"])
                notify("notebook", name=f"{b.audience}/{name}" if many else name, seconds=result["seconds"])
                cache.put_file("notebooks", b.keys[name], b.executed[name])
                learned[result["name"]] = round(result["seconds"], 3)
            else:
                log.error("notebook %s failed at cell %s: %s: %s\n%s", name, result["cell_index"],
                          result["ename"], result["evalue"], result["traceback"])
                if b.error is None:
                    fail(b, NotebookFailedError(name, result["cell_index"], result["exec_count"], result["ename"],
                                                 result["evalue"], b.executed[name], result["traceback"]))
        left[b.audience] -= 1
        if not left[b.audience] and b.error is None:
            done(b)
    for b in builds:
        if b.audience in left:       # failed: the notebooks not started after its failure never report
            done(b)
    if tasks:
        try:
            _write_json(cache.root / NOTEBOOK_SECONDS, learned)
        except OSError as exc:      # only the next build's order is lost: say so, go on
            log.warning("could not record the notebook times in %s: %s", cache.root, exc)


def execute_rendering_meanwhile(builds: list[Build], render: Callable, *, pool: NotebookPool, **execute) -> None:
    """Several audiences on a pool: the notebooks are run and collected on a thread, and each
    audience is rendered (``render(b)``) on this thread as soon as its notebooks are done, while the
    next audience's notebooks still run. The render stays on the calling (main) thread because
    SIGTERM raises there, and the render's clean-up (its temporary folder) must run where it is
    interrupted; on any failure the pool is closed (queued notebooks cancelled) before returning."""
    ready: queue.Queue = queue.Queue()

    def collect() -> None:
        try:
            execute_all(builds, pool=pool, ready=ready.put, **execute)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread below
            ready.put(exc)
        finally:
            pool.release()      # the workers end their kernels while the last report renders
            ready.put(None)

    collector = threading.Thread(target=collect, name="torbayreport-notebooks", daemon=True)
    collector.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            render(item)
    finally:
        pool.close()
        collector.join()
