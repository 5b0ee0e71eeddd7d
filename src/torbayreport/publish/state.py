"""One audience's build in progress (:class:`Build`) and the routing of log records to the
audiences' build.logs (:func:`as_audience`), shared by :mod:`.multi` (the orchestrator) and
:mod:`.schedule` (the notebook step).

Why: each audience's build.log gets the steps shared by the build and its own, never another
audience's lines; the step that is running says whose it is through a context variable, which
also holds on the thread that collects notebook results (:mod:`.schedule`).
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from torbayreport.publish.errors import BuildError

if TYPE_CHECKING:
    from torbayreport.publish.pipeline import BuildResult

log = logging.getLogger("torbayreport.pipeline")

#: the audience whose step is running (None: a step shared by every audience of the build)
_CURRENT = contextvars.ContextVar("torbayreport_build_audience", default=None)


class OnlyAudience(logging.Filter):
    """Keep an audience's build.log to the shared steps and its own."""

    def __init__(self, audience: str):
        super().__init__()
        self.audience = audience

    def filter(self, record: logging.LogRecord) -> bool:
        current = _CURRENT.get()
        return current is None or current == self.audience


@contextmanager
def as_audience(audience: str | None):
    token = _CURRENT.set(audience)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@dataclass
class Build:
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


def live(builds: list[Build]) -> list[Build]:
    return [b for b in builds if b.error is None]


def fail(b: Build, exc: BuildError) -> None:
    with as_audience(b.audience):
        log.error("build failed: %s", exc)
    b.error = exc
