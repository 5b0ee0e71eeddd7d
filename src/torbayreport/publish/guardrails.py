"""What keeps a build from hurting the last good report: one build per month and audience at a
time, SIGTERM turned into an ordinary failure (so every ``finally`` cleans up), the output folder
checked before any notebook runs, a reproducible build time, and paths in the manifest that do
not reveal the analyst's machine.

Why a module of its own: these are the promises of issue 11 ("a failed build never overwrites the
last good report", "no raw traceback") and each is small, but the orchestrator
(:mod:`.pipeline`) should read as the list of steps, not as signal and lock plumbing.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from torbayreport import config
from torbayreport.publish.execute import BuildError


class BuildLockedError(BuildError):
    """Another build of the same month and audience holds the lock."""


class BuildInterrupted(BuildError):
    """The build was stopped by SIGTERM (or SIGINT); nothing was published."""


def build_time() -> dt.datetime:
    """The build time shown in and embedded into the report: ``SOURCE_DATE_EPOCH`` when set (the
    reproducible-builds convention, so two builds of the same inputs are byte-identical), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970; got {epoch!r}") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def check_out_dir(out_dir: Path | str, month: str) -> Path:
    """The folder reports are published into, refused before any work if it (or the month folder
    inside it) exists but is not a folder, or cannot be created."""
    out = Path(out_dir)
    for path in (out, out / month):
        if path.exists() and not path.is_dir():
            raise BuildError(f"--out must be a folder, but {path} is a file")
    try:
        (out / month).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {out / month}: {exc.strerror or exc}") from None
    if not os.access(out / month, os.W_OK):
        raise BuildError(f"the output folder {out / month} is not writable")
    return out


@contextmanager
def build_lock(build_root: Path | str, month: str, audience: str):
    """Hold ``build/<month>/.<audience>.lock`` for the build; a second build of the same month and
    audience stops at once with "a build of 2020-12/public is already running (pid N)".

    ``flock`` rather than a pid file alone: the kernel releases the lock when the holder dies, so a
    killed build never leaves a stale lock behind; the pid written inside is only for the message.
    """
    folder = Path(build_root) / month
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the build folder {folder}: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise BuildError(f"--build-root must be a folder, but {folder} is not")
    path = folder / f".{audience}.lock"
    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise BuildLockedError(f"a build of {month}/{audience} is already running (pid {pid})") from None
        raise BuildError(f"cannot lock {path}: {exc.strerror or exc}") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield path
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def terminate_as_error():
    """While the build runs, SIGTERM raises :class:`BuildInterrupted` in the main thread, so every
    ``finally`` and ``with`` (staging folder, render temporary folder, lock) cleans up as for any
    other failure. Outside the main thread (a test runner's worker) signals cannot be set: no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        _stopped_by.append(signal.Signals(signum).name)
        raise BuildInterrupted(_interrupted_message(signal.Signals(signum).name))

    _stopped_by.clear()
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stopped_by.clear()


#: The signal that stopped the build, once the handler has run (cleared when a build starts).
_stopped_by: list[str] = []


def _interrupted_message(name: str) -> str:
    return f"the build was stopped ({name}); nothing was published"


def raise_if_interrupted() -> None:
    """Raise :class:`BuildInterrupted` if a SIGTERM arrived during this build.

    Why, when the handler raises already: the handler raises wherever the main thread happens to
    be, and that can be library code that catches broad exceptions (an asyncio callback inside
    nbclient's loop, a kernel client's clean-up), so the exception can be swallowed and the build
    would carry on and publish. The steps call this at their boundaries (after each notebook,
    before publishing), so a swallowed SIGTERM still stops the build before anything is published."""
    if _stopped_by:
        raise BuildInterrupted(_interrupted_message(_stopped_by[-1]))


def portable_path(path: Path | str, data_dir: Path | str | None = None) -> str:
    """``path`` as the manifest records it: relative to the project, else a file in the data folder
    as ``<data>/…``, else its name alone, so a published manifest holds no local absolute path."""
    path = Path(path).resolve()
    root = Path(config.PROJECT_ROOT).resolve()
    if path == root or root in path.parents:
        return path.relative_to(root).as_posix() or "."
    if data_dir is not None:
        data_dir = Path(data_dir).resolve()
        if data_dir in path.parents:
            return f"<data>/{path.relative_to(data_dir).as_posix()}"
    return path.name
