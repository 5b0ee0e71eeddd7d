"""The notebook worker processes of a build (issue 13): started before they are needed, warmed
while ``prepare`` runs, and let go without being waited for.

Why: a first build used to spend about 2 s between "prepare done" and the first notebook (spawning
the pool, importing papermill, starting a kernel and importing torbayreport, pandas and matplotlib
in it), and about 1.2 s after the last notebook (each worker shutting its kernel down while the
build waited for the pool to end) before it could render. None of that needs the prepared folder,
so :class:`NotebookPool` does the first part while ``prepare`` runs (:meth:`NotebookPool.start`
with ``warm_folders``) and the second part while the report renders (:meth:`NotebookPool.release`).

A worker process imports this module to run :func:`execute_one` and :func:`warm`, so the module
is kept light: the standard library at the top, papermill and jupyter inside the functions, and
never the data stack (pandas, scipy, matplotlib; about 1.4 CPU s per worker). The notebooks' own
imports happen in the kernels, where they are paid once per worker (:mod:`.kernels`).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from torbayreport.publish.errors import BuildError

#: Seconds a kernel may take to start (or to reset, when it is reused).
KERNEL_START_TIMEOUT = 120

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@contextmanager
def _stderr_to(path: Path, mode: str = "wb"):
    """File descriptor 2 sent to ``path`` for the block: a kernel started inside it writes its
    start-up and shutdown noise ("running over TCP without encryption") there for its whole life,
    not to the analyst's console."""
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with open(path, mode) as noise:
        os.dup2(noise.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)


def execute_one(name: str, source: str, target: str, parameters: dict, cwd: str, timeout: int,
                kernels=None) -> dict:
    """Run one notebook in the kernel ``kernels`` keeps for ``cwd`` (by default this process's
    own set, as in a pool worker; module-level so a process pool can pickle it). A failed
    notebook's kernel is discarded: the next notebook gets a new one.

    Returns a plain dict (papermill's exception objects do not pickle reliably across processes).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from torbayreport.publish import kernels as kernel_pool

    kernels = kernels if kernels is not None else kernel_pool.process_kernels()
    started = time.perf_counter()
    # the except clauses run inside the redirect: a discarded kernel's noise goes to the file too
    with _stderr_to(Path(target).with_suffix(".stderr.log")):
        try:
            km = kernels.get(cwd, KERNEL_START_TIMEOUT)
            papermill.execute_notebook(source, target, parameters=parameters, cwd=cwd, progress_bar=False,
                                       log_output=False, kernel_name=kernel_pool.KERNEL_NAME, language="python",
                                       execution_timeout=timeout, start_timeout=KERNEL_START_TIMEOUT,
                                       **kernel_pool.engine_kwargs(km))
        except PapermillExecutionError as exc:
            kernels.discard(cwd)
            _stop_if_interrupted(kernel_pool)
            return {"name": name, "ok": False, "seconds": time.perf_counter() - started,
                    "cell_index": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename,
                    "evalue": exc.evalue, "traceback": _ANSI_RE.sub("", "\n".join(exc.traceback or []))}
        except BuildError:      # SIGTERM in the main process (guardrails): stop the build, not one notebook
            kernel_pool.settle_interrupted_loop()
            kernels.discard(cwd)
            raise
        except Exception as exc:  # noqa: BLE001 - kernel death, timeout, bad JSON: report, do not hang
            kernels.discard(cwd)
            _stop_if_interrupted(kernel_pool)
            return {"name": name, "ok": False, "seconds": time.perf_counter() - started, "cell_index": None,
                    "exec_count": None, "ename": type(exc).__name__, "evalue": str(exc), "traceback": ""}
        _stop_if_interrupted(kernel_pool)
        return {"name": name, "ok": True, "seconds": time.perf_counter() - started}


def _stop_if_interrupted(kernel_pool) -> None:
    """A SIGTERM whose exception library code swallowed mid-notebook still stops the build (one
    job: the notebook ran in the main process, where the handler is)."""
    guardrails = sys.modules.get("torbayreport.publish.guardrails")  # no handler in a process without it
    if guardrails is None:
        return
    try:
        guardrails.raise_if_interrupted()
    except BuildError:
        kernel_pool.settle_interrupted_loop()
        raise


def warm(folders: tuple[str, ...], log_dir: str) -> None:
    """A worker's initializer: start its kernel in each notebook folder and import the report's
    modules in it (:func:`.kernels.warm`), so its first notebook finds a ready kernel.

    Warming only saves time: if it fails, the kernel is dropped and the first notebook starts one
    as before (an initializer that raised would break the whole pool)."""
    from torbayreport.publish import kernels as kernel_pool

    kernels = kernel_pool.process_kernels()
    for cwd in folders:
        try:
            with _stderr_to(Path(log_dir) / f"kernel-{os.getpid()}.stderr.log", "ab"):
                kernel_pool.warm(kernels.get(cwd, KERNEL_START_TIMEOUT), KERNEL_START_TIMEOUT)
        except Exception:  # noqa: BLE001 - see above: not an error, only no head start
            kernels.discard(cwd)


def _noop() -> None:
    """Submitted once per worker by :meth:`NotebookPool.start`, so that every worker is spawned
    (and warms) at once: a process pool otherwise spawns its workers as work arrives."""


class NotebookPool:
    """Up to ``jobs`` spawned worker processes; each keeps one kernel per notebook folder and runs
    its notebooks in it one after another (:mod:`.kernels`).

    spawn, not fork: the parent may hold threads (rich's live display), and forking those is
    unsafe. The owner calls :meth:`start` (early, with ``warm_folders``, or when the first notebook
    is submitted), :meth:`release` when no more notebooks will come, and :meth:`close` at the end
    in a ``finally`` (it also stops a pool after a failure or SIGTERM: queued notebooks are
    cancelled, the running ones finish, and each worker shuts its kernels down as it exits).
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.workers = 0
        self._executor: cf.ProcessPoolExecutor | None = None
        self._releaser: threading.Thread | None = None
        self._lock = threading.Lock()    # release (the notebook thread) and close (the main thread)

    @property
    def started(self) -> bool:
        return self._executor is not None

    def start(self, tasks: int, *, warm_folders=(), log_dir: Path | str | None = None) -> None:
        """Spawn ``min(jobs, tasks)`` workers (no-op once started). With ``warm_folders`` (and
        ``log_dir`` for the kernels' stderr) every worker is spawned now and starts and warms a
        kernel in each folder, in the background: this returns at once."""
        if self._executor is not None:
            return
        self.workers = max(1, min(self.jobs, tasks))
        extra = {}
        if warm_folders and log_dir is not None:
            extra = {"initializer": warm, "initargs": (tuple(str(f) for f in warm_folders), str(log_dir))}
        self._executor = cf.ProcessPoolExecutor(max_workers=self.workers,
                                                mp_context=multiprocessing.get_context("spawn"), **extra)
        if extra:
            for _ in range(self.workers):
                self._executor.submit(_noop)

    def submit(self, fn, *args) -> cf.Future:
        return self._executor.submit(fn, *args)

    def release(self) -> None:
        """No more notebooks will come: the workers shut their kernels down and exit in the
        background (about 1 s) while the caller goes on; :meth:`close` waits for them."""
        with self._lock:
            if self._executor is None or self._releaser is not None:
                return
            self._releaser = threading.Thread(target=self._executor.shutdown, kwargs={"wait": True},
                                              name="torbayreport-pool-release", daemon=True)
            self._releaser.start()

    def close(self) -> None:
        """End the pool and wait for its workers to exit (each shuts its kernels down first);
        notebooks not yet started are cancelled. Safe to call more than once."""
        with self._lock:
            if self._executor is None:
                return
            if self._releaser is None:
                self._executor.shutdown(wait=True, cancel_futures=True)
            else:
                self._releaser.join()
            self._executor = None
            self._releaser = None
