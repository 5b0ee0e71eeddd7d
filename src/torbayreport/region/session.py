"""One regional run from start to finish: prepare (read the small inputs), execute (Dask), write.

Why separate from the CLI: the tests and the benchmark drive exactly what the command does, and
the command only adds progress lines and exit codes.

What is read on the client (small): the folder list, the region's params, each council's params
file (a council whose params file is broken is left out with the file's error, like broken
extracts) and the neighbour sets. Everything else is read on the workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from torbayreport.region.run import DEFAULT_WORKERS, RegionRun, dask_client, run_region
from torbayreport.region.sources import Discovery, discover
from torbayreport.region.task import CouncilResult, _message

__all__ = ["prepare", "execute", "Plan", "Outcome", "DEFAULT_WORKERS"]


@dataclass
class Plan:
    discovery: Discovery
    region_params: dict
    params_by_la: dict[str, dict]
    names: dict[str, str]
    neighbours: pd.DataFrame | None
    kpi_ids: list[str] | None
    months: int
    refused: list[CouncilResult] = field(default_factory=list)

    @property
    def threshold(self) -> int:
        """The public small-number threshold, the same for every council (the region's params)."""
        return int(self.region_params["disclosure"]["threshold"])


@dataclass
class Outcome:
    run: RegionRun
    table: pd.DataFrame | None
    cluster_seconds: float
    paths: list[Path]


def _known_names() -> dict[str, str]:
    from torbayreport.synth.councils import la_codes

    table = la_codes()
    return dict(zip(table["code"], table["name"]))


def prepare(data_root, *, params=None, neighbours=None, kpi_ids=None, months=None) -> Plan:
    """Read and check the small inputs; ``ValueError``/``FileNotFoundError`` name what is wrong."""
    from torbayreport.assess.params import load_params
    from torbayreport.config import ParamsError, defaults_path
    from torbayreport.metrics import REGISTRY
    from torbayreport.region.neighbours import load_neighbours

    discovery = discover(data_root)
    if kpi_ids:
        unknown = sorted(set(kpi_ids) - set(REGISTRY))
        if unknown:
            raise ValueError(f"unknown KPI id(s): {', '.join(unknown)}")
    defaults = defaults_path()
    region_layers = [Path(params)] if params else []
    if params and not Path(params).is_file():
        raise FileNotFoundError(f"params file not found: {params}")
    region_params = load_params(defaults, overrides=region_layers)
    months = int(months or region_params["report"]["window_months"])
    known = _known_names()
    params_by_la, names, refused = {}, {}, []
    for council in discovery.councils:
        names[council.code] = known.get(council.code, council.code)
        layers = region_layers + ([council.params] if council.params else [])
        try:
            merged = load_params(defaults, overrides=layers)
        except ParamsError as exc:
            text = f"params file cannot be used: {exc}"
            refused.append(CouncilResult(council.code, "failed", text, None,
                                         _message(council.code, text, "params"), 0.0, float("nan"), "client"))
            continue
        params_by_la[council.code] = merged
        la = merged.get("la") or {}
        if council.params and la.get("name"):
            names[council.code] = str(la["name"])
        if council.params and la.get("code") and str(la["code"]) != council.code:
            text = f"{council.params}: la code {la['code']!r} does not match the folder name {council.code}"
            refused.append(CouncilResult(council.code, "failed", text, None,
                                         _message(council.code, text, "params"), 0.0, float("nan"), "client"))
            del params_by_la[council.code]
    path = neighbours or discovery.neighbours
    sets = load_neighbours(path) if path else None
    return Plan(discovery, region_params, params_by_la, names, sets, list(kpi_ids) if kpi_ids else None, months, refused)


def execute(plan: Plan, month: str, out: Path, *, scheduler: str | None = None, workers: int | None = None,
            on_result: Callable[[CouncilResult], None] | None = None, client=None) -> Outcome:
    """Compute every council on Dask, build the regional table and write the outputs.

    ``client``: an open ``distributed.Client`` to reuse (tests, benchmarks); otherwise one is
    opened for ``scheduler`` or a local cluster of ``workers`` and closed at the end.
    """
    from torbayreport.region.table import regional_table
    from torbayreport.region.write import write_frame

    for result in plan.refused:
        if on_result is not None:
            on_result(result)
    todo = [c for c in plan.discovery.councils if c.code in plan.params_by_la]
    began = time.perf_counter()
    if client is None:
        with dask_client(scheduler, workers or DEFAULT_WORKERS) as opened:
            started = time.perf_counter() - began
            run = run_region(opened, todo, month, plan.months, plan.kpi_ids, on_result, plan.threshold)
    else:
        started = 0.0
        run = run_region(client, todo, month, plan.months, plan.kpi_ids, on_result, plan.threshold)
    run.results = sorted(run.results + plan.refused, key=lambda r: r.code)
    run.cluster_start_seconds = started

    out = Path(out)
    paths = []
    table = None
    metrics = run.metrics()
    if run.ok:
        table = regional_table(metrics, region_params=plan.region_params,
                               params_by_la={r.code: plan.params_by_la[r.code] for r in run.ok},
                               names=plan.names, neighbours=plan.neighbours, public=run.public())
        paths += write_frame(metrics, out, "metrics")
        paths += write_frame(table, out, "region")
    paths += write_frame(councils_frame(run, plan.names), out, "councils", parquet=False)
    paths += write_frame(run.findings(), out, "findings", parquet=False)
    return Outcome(run, table, started, paths)


def councils_frame(run: RegionRun, names: dict[str, str]) -> pd.DataFrame:
    """One row per council: how its run went (councils.csv)."""
    rows = []
    for r in run.results:
        sev = r.findings["severity"] if r.findings is not None and len(r.findings) else pd.Series(dtype=str)
        rows.append({"la_code": r.code, "la_name": names.get(r.code, r.code), "status": r.status, "reason": r.reason,
                     "rows": 0 if r.metrics is None else len(r.metrics), "errors": int((sev == "error").sum()),
                     "warnings": int((sev == "warning").sum()), "seconds": round(r.seconds, 3),
                     "cpu_seconds": round(r.cpu_seconds, 3),
                     "peak_rss_mb": round(r.peak_rss_mb, 1), "worker": r.worker})
    return pd.DataFrame(rows, columns=["la_code", "la_name", "status", "reason", "rows", "errors", "warnings",
                                       "seconds", "cpu_seconds", "peak_rss_mb", "worker"])
