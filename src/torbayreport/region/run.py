"""Run the region on Dask: one task per council, results streamed back as they finish.

Why ``dask.distributed``: it is an existing, well-tested distributed engine with a local cluster
for one machine and the same API for a real cluster (``dask scheduler`` + ``dask worker`` on other
hosts, reached by ``--scheduler tcp://HOST:8786``). The toolkit adds no scheduling of its own.

Local cluster: worker *processes* with one thread each (``processes=True, threads_per_worker=1``):
pandas work holds the GIL, so threads would not run councils in parallel, and a process per worker
gives each its own memory to measure. Starting a local cluster costs a second or two (process
spawn and imports), paid once per run. The dashboard takes a free port (":0"), so parallel runs never collide.

Scheduling: councils are submitted largest data folder first (Dask runs higher ``priority``
first), so the biggest council does not start last and leave one worker idle at the end.
Results are taken with ``as_completed`` and released at once: the client holds only the small
per-council results. A task that dies with its worker (memory, a crash) becomes that council's
failure; the others carry on.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from torbayreport.region.sources import CouncilSource
from torbayreport.region.task import CouncilResult, run_council

DEFAULT_WORKERS = 2


@dataclass
class RegionRun:
    """Every council's result, in LA-code order, and how the run went."""

    results: list[CouncilResult] = field(default_factory=list)
    cluster_start_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> list[CouncilResult]:
        return [r for r in self.results if r.status == "ok"]

    @property
    def failed(self) -> list[CouncilResult]:
        return [r for r in self.results if r.status != "ok"]

    def metrics(self) -> pd.DataFrame:
        """Every computed council's tidy metrics with ``la_code`` first."""
        frames = [r.metrics for r in self.ok]
        if not frames:
            return pd.DataFrame(columns=["la_code", "month", "kpi_id", "numerator", "denominator", "value", "unit",
                                         "availability"])
        out = pd.concat(frames, ignore_index=True)
        return out[["la_code", *[c for c in out.columns if c != "la_code"]]]

    def public(self) -> pd.DataFrame | None:
        """Every computed council's public-suppression flags for the report month (or None)."""
        frames = [r.public for r in self.ok if r.public is not None]
        return pd.concat(frames, ignore_index=True) if frames else None

    def findings(self) -> pd.DataFrame:
        frames = [r.findings for r in self.results if r.findings is not None and len(r.findings)]
        if not frames:
            from torbayreport.io.findings import FINDING_COLUMNS

            return pd.DataFrame(columns=["la_code", *FINDING_COLUMNS])
        return pd.concat(frames, ignore_index=True)


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = DEFAULT_WORKERS) -> Iterator:
    """A ``distributed.Client``: to ``scheduler`` if given, else a local cluster of ``workers``
    single-threaded worker processes (closed on exit)."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file()) if path.is_dir() else 0


def run_region(
    client,
    sources: Iterable[CouncilSource],
    month: str,
    months: int,
    kpi_ids: list[str] | None = None,
    on_result: Callable[[CouncilResult], None] | None = None,
    threshold: int | None = None,
) -> RegionRun:
    """Submit one :func:`~torbayreport.region.task.run_council` per council, gather as they finish."""
    import time

    from distributed import as_completed

    began = time.perf_counter()
    token = uuid.uuid4().hex[:8]
    futures = {}
    for source in sources:
        future = client.submit(run_council, source.code, str(source.data), month, months, kpi_ids, threshold,
                               key=f"council-{source.code}-{token}", pure=False, retries=0,
                               priority=_folder_bytes(source.data) // 1024)
        futures[future] = source
    results = []
    for future in as_completed(list(futures)):
        source = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died or the task could not run
            from torbayreport.region.task import _message

            text = f"the worker running this council failed: {type(exc).__name__}: {exc}"
            result = CouncilResult(source.code, "failed", text, None, _message(source.code, text, "worker_failed"),
                                   0.0, float("nan"), "")
        future.release()
        results.append(result)
        if on_result is not None:
            on_result(result)
    return RegionRun(sorted(results, key=lambda r: r.code), seconds=time.perf_counter() - began)
