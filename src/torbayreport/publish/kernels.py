"""Long-lived notebook kernels: one per notebook folder and process, reused by the chapters that
process executes one after another (issue 13).

Why: starting a kernel and importing torbayreport, pandas and matplotlib (the "kernel floor") costs
about 2.4 s, and a two-audience build executes 13 chapters. With a fresh kernel per chapter that
floor is paid 13 times; with one kernel per pool worker it is paid once per worker, because the
imports stay in the kernel's ``sys.modules``. A pool worker even pays it before its first notebook
is due: it starts its kernel and imports :data:`WARM_IMPORTS` in it while the build prepares the
data (:func:`warm`, called by :mod:`.pool`).

What keeps a reused kernel as trustworthy as a fresh one:

* before every notebook but the first (and after warming), the kernel runs :data:`RESET_CODE` without storing history:
  open pyplot figures are closed and IPython's ``reset(new_session=True)`` empties the user
  namespace (no variable of one chapter reaches the next), the ``Out`` cache and the execution
  counter, so the first cell is ``In [1]`` again and the executed notebook reads exactly as from a
  fresh kernel;
* a kernel that died, or whose reset failed, is replaced by a new one;
* after a failed notebook the caller :meth:`Kernels.discard` s the kernel (a kernel left mid-cell,
  e.g. after a timeout, is not to be trusted);
* every kernel is shut down when its owner closes: ``run_tasks`` closes its own set when it runs in
  the main process; a spawned pool worker closes its set at process exit through
  ``multiprocessing.util.Finalize`` (``atexit`` handlers do not run in multiprocessing children).

papermill hands extra keyword arguments to its engine and on to nbclient's client, and nbclient
leaves alone a kernel whose manager it did not create (``owns_km``); :class:`SharedKernelEngine`
is papermill's nbclient engine plus one thing: it closes the client's channels after each
notebook (nbclient only does so for kernels it owns), so no sockets pile up in a worker.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing.util
import os
import shutil
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop
from nbclient.util import run_sync      # the event-loop runner nbclient itself uses
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as papermill_logger
from papermill.utils import merge_kwargs, remove_args

log = logging.getLogger("torbayreport.build")

#: The kernel every report notebook runs in.
KERNEL_NAME = "python3"
#: As nbclient starts its own kernels: IPython history in memory, so parallel kernels never
#: contend for one sqlite history file.
EXTRA_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
#: Run (without storing history) before each notebook in a kernel that already ran one. It leaves
#: no name behind: ``reset`` clears the namespace last.
RESET_CODE = (
    "(lambda plt: plt is not None and plt.close('all'))"
    "(__import__('sys').modules.get('matplotlib.pyplot'))\n"
    "get_ipython().reset(new_session=True)\n"
)
#: What every report notebook's first cell imports (``from torbayreport.publish import
#: load_context``: pandas, matplotlib's Agg canvas, the report's chart and table code) and IPython's
#: display; a pool worker imports them in its kernel while the build prepares (:func:`warm`).
WARM_IMPORTS = ("torbayreport.publish.prepare", "torbayreport.report.context", "IPython.display")
WARM_CODE = f"import importlib\nfor _name in {WARM_IMPORTS!r}:\n    importlib.import_module(_name)\n"
#: The name under which :class:`SharedKernelEngine` is registered with papermill.
ENGINE_NAME = "torbayreport-shared-kernel"
#: The longest Unix socket path (``sun_path`` is 108 bytes on Linux, with its terminating NUL).
MAX_SOCKET_PATH = 107
#: Finalizers with a higher priority run first; this one runs before multiprocessing's own.
FINALIZE_PRIORITY = 10


class KernelResetError(RuntimeError):
    """A reused kernel did not reset cleanly; it is replaced, never used as it is."""


class SharedKernelEngine(NBClientEngine):
    """papermill's nbclient engine for a kernel manager passed in as ``km``: identical arguments,
    plus the client's channels closed after the notebook (the kernel itself stays up)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=papermill_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, **final_kwargs)
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
                client.kc = None


papermill_engines.register(ENGINE_NAME, SharedKernelEngine)


async def _run_quietly(km: AsyncKernelManager, code: str, timeout: float) -> dict:
    """Run ``code`` in the kernel without storing history or keeping output; the reply's content."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        reply = await kc.execute_interactive(code, store_history=False, allow_stdin=False,
                                             timeout=timeout, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
    return reply.get("content", {})


async def _reset(km: AsyncKernelManager, timeout: float) -> None:
    content = await _run_quietly(km, RESET_CODE, timeout)
    if content.get("status") != "ok":
        raise KernelResetError(f"resetting the kernel failed: {content.get('ename')}: {content.get('evalue')}")


def warm(km: AsyncKernelManager, timeout: float) -> None:
    """Import :data:`WARM_IMPORTS` in a new kernel (while the build prepares, :mod:`.pool`). The
    names it binds do not reach a notebook: :meth:`Kernels.get` resets a running kernel before
    handing it out. An import that fails here fails again, visibly, in the notebook."""
    run_sync(_run_quietly)(km, WARM_CODE, timeout)


def _alive(km: AsyncKernelManager) -> bool:
    return km.has_kernel and run_sync(km.is_alive)()


class Kernels:
    """The kernels of one owner (a pool worker, or ``run_tasks`` in the main process), one per
    notebook folder (the folder is the kernel's working directory)."""

    def __init__(self) -> None:
        self._managers: dict[str, AsyncKernelManager] = {}
        self._socket_dir: str | None = None
        self._numbers = itertools.count(1)

    def _new_manager(self) -> AsyncKernelManager:
        """A kernel manager that talks to its kernel over Unix sockets in a folder of this owner's.

        Why not TCP (jupyter_client's default): it picks free ports by binding and releasing them,
        and the kernel binds them a moment later; on a machine where other builds and test runs
        start kernels at the same time another process can take a port in between, and the kernel
        then hangs instead of exiting, so the notebook waited the whole start timeout (120 s) before
        failing ("Address already in use" in its stderr log). Socket files named by this owner
        cannot collide. TCP is kept only when the temporary folder's path is too long for a socket.
        """
        if self._socket_dir is None:
            self._socket_dir = tempfile.mkdtemp(prefix="torbayreport-kernels-")
        prefix = os.path.join(self._socket_dir, f"k{next(self._numbers)}")
        if len(prefix) + 3 > MAX_SOCKET_PATH:          # "-N" per channel
            return AsyncKernelManager(kernel_name=KERNEL_NAME)
        return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=prefix)

    def get(self, cwd: str, timeout: float) -> AsyncKernelManager:
        """A kernel ready for a new notebook in ``cwd``: the running one, reset, or a new one."""
        km = self._managers.get(cwd)
        if km is not None:
            if _alive(km):
                try:
                    run_sync(_reset)(km, timeout)
                    return km
                except Exception as exc:  # noqa: BLE001 - any failure to reset: start afresh
                    log.warning("kernel in %s did not reset (%s); starting a new one", cwd, exc)
            else:
                log.warning("kernel in %s died; starting a new one", cwd)
            self.discard(cwd)
        km = self._new_manager()
        self._managers[cwd] = km
        run_sync(km.start_kernel)(cwd=cwd, extra_arguments=list(EXTRA_ARGUMENTS))
        return km

    def discard(self, cwd: str, now: bool = True) -> None:
        """Shut the kernel of ``cwd`` down (at once by default: it may be mid-cell)."""
        km = self._managers.pop(cwd, None)
        if km is None:
            return
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=now)
        except Exception as exc:  # noqa: BLE001 - shutting down is best effort; say so, go on
            log.warning("shutting down the kernel in %s failed: %s", cwd, exc)

    def close(self, now: bool = False) -> None:
        """Shut every kernel down: gracefully by default (each finished its notebook), or at once
        with ``now`` (an idle kernel whose notebook is written has nothing left to save, and a
        graceful exit costs about a second that the caller would wait for)."""
        for cwd in list(self._managers):
            self.discard(cwd, now=now)
        if self._socket_dir is not None:     # each kernel removed its sockets; the folder remains
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    def __len__(self) -> int:
        return len(self._managers)


_process_kernels: Kernels | None = None


def process_kernels() -> Kernels:
    """This process's kernels, shut down when the process exits (a spawned pool worker runs
    ``multiprocessing.util`` finalizers on its way out; it does not run ``atexit``)."""
    global _process_kernels
    if _process_kernels is None:
        _process_kernels = Kernels()
        multiprocessing.util.Finalize(_process_kernels, _process_kernels.close, exitpriority=FINALIZE_PRIORITY)
    return _process_kernels


def settle_interrupted_loop() -> None:
    """Cancel what an interrupted notebook left pending on this thread's event loop.

    When SIGTERM's exception breaks out of nbclient's loop mid-notebook (one job, main process),
    nbclient's polling tasks stay pending on the loop that ``run_sync`` reuses; shutting the kernel
    down would wake them into a "Task exception was never retrieved" traceback on the console.
    Call this before :meth:`Kernels.discard` on that path."""
    loop = ensure_event_loop()
    if loop.is_running():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def engine_kwargs(km: Any) -> dict:
    """The extra ``papermill.execute_notebook`` arguments that run a notebook in ``km``."""
    return {"engine_name": ENGINE_NAME, "km": km}
