"""Time the whole KPI catalogue over 36 months: vectorised engine vs. a month-by-month baseline,
then how load + metrics scale with the size of the authority.

Why: the engine computes every KPI for all months of the window at once: ids become run-wide int
codes (metrics.keys), records are expanded to the months they belong to as int64 month ordinals
only where each (record, month) is a member anyway, "as at each month end, look back N days" is
one searchsorted over sorted (id, time) keys (the queries searched in sorted order), "distinct
workers in 12 months" is a difference array over merged month ranges, and the shared
populations (open children, staff in post, caseloads) are built once per run — the open
children kept as int32 (row, month, child) triples, from which the union and P16's "in need
only" children are built with one id take, no spell table copied. Snapshot tools instead recompute each month separately; that
per-month baseline (the same KPI functions, called once per one-month window) stays here as the
yardstick. This script prints figures and ratios; it asserts nothing about speed.

Part 1 — vectorised vs per-month at scales 1 and 10 (same numbers checked), with the five slowest
KPIs of the vectorised run (a KPI that first builds a shared population, e.g. the open children
at each month end, is charged for it; the others reuse it). Both timed runs start warm: the
catalogue is first run once, untimed, over a one-month window, so one-time costs (imports, Arrow
kernel set-up, holiday tables) are charged to neither.

Part 2 — scaling: for each scale a fresh process unpickles the synthetic tables ("load") and runs
the catalogue ("metrics"), and reports both times and its peak resident memory (ru_maxrss).
Synthetic tables are generated once per scale and kept in --cache (scale 50 is 11.5 M rows and
about 40 s to generate).

    python benchmarks/bench_metrics.py                        # parts 1 and 2 (scales 1, 10, 50)
    python benchmarks/bench_metrics.py --scaling 1 10         # skip scale 50
    python benchmarks/bench_metrics.py --scales 1 --scaling   # part 1 at scale 1 only, no part 2
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from torbayreport.metrics import REGISTRY, compute
from torbayreport.metrics import populations
from torbayreport.metrics.engine import compute_one
from torbayreport.metrics.windows import month_window


def synthetic_tables(scale: float, start: str, end: str, cache: Path | None = None) -> Mapping[str, pd.DataFrame]:
    """The generator's canonical tables, read from ``cache`` when generated before."""
    path = cache / f"synth-{scale:g}-{start}-{end}.pkl" if cache else None
    if path is not None and path.is_file():
        with path.open("rb") as handle:
            return pickle.load(handle)
    from torbayreport.synth import generate

    data = generate(scale=scale, start=start, end=end)
    tables = dict(data.tables if hasattr(data, "tables") else data)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return tables


def vectorised(tables, months) -> tuple[pd.DataFrame, dict[str, float]]:
    """The engine's catalogue run, KPI by KPI as :func:`engine.compute` does, timing each (CPU s)."""
    frames, seconds = [], {}
    with populations.reuse():
        for kpi_id, kpi in REGISTRY.items():
            began = time.process_time()
            rows, _ = compute_one(kpi, tables, months, covered=True)
            seconds[kpi_id] = time.process_time() - began
            frames.append(rows)
    return pd.concat(frames, ignore_index=True), seconds


def month_by_month(tables, months) -> pd.DataFrame:
    """The naive baseline: the engine called once per month with a one-month window."""
    return pd.concat([compute(tables, months[i : i + 1]) for i in range(len(months))], ignore_index=True)


def same_numbers(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["kpi_id", "month"]
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    cols = ["numerator", "denominator", "value"]
    return bool(
        (a[key].astype(str).to_numpy() == b[key].astype(str).to_numpy()).all()
        and np.allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), equal_nan=True)
    )


def part_one(scales, months, cache, start, end) -> None:
    print(f"Part 1: {len(REGISTRY)} KPIs x {len(months)} months ({start} to {end}), vectorised vs per-month")
    print("(wall seconds, and CPU seconds of this process: on a shared machine CPU time is the steadier figure)")
    print("load average (1, 5, 15 min) at the start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"{'scale':>5}  {'rows':>10}  {'vectorised s':>12}  {'(cpu)':>6}  {'per-month s':>11}  {'(cpu)':>6}  "
        f"{'ratio':>5}  {'(cpu)':>5}  same  five slowest KPIs (cpu s)"
    )
    for scale in scales:
        tables = synthetic_tables(scale, start, end, cache)
        rows = sum(len(frame) for frame in tables.values())
        compute(tables, months[:1])  # warm-up, untimed (see the module docstring)
        began, cpu = time.perf_counter(), time.process_time()
        fast_out, seconds = vectorised(tables, months)
        fast, fast_cpu = time.perf_counter() - began, time.process_time() - cpu
        began, cpu = time.perf_counter(), time.process_time()
        slow_out = month_by_month(tables, months)
        slow, slow_cpu = time.perf_counter() - began, time.process_time() - cpu
        slowest = sorted(seconds.items(), key=lambda item: -item[1])[:5]
        print(
            f"{scale:>5g}  {rows:>10,}  {fast:>12.2f}  {fast_cpu:>6.2f}  {slow:>11.2f}  {slow_cpu:>6.2f}  "
            f"{slow / fast:>4.1f}x  {slow_cpu / fast_cpu:>4.1f}x  "
            f"{'yes ' if same_numbers(fast_out, slow_out) else 'NO  '}  "
            + ", ".join(f"{k} {v:.2f}" for k, v in slowest)
        )
        del tables, fast_out, slow_out


def _measure(scale: float, start: str, end: str, cache: Path) -> dict:
    """Run in a fresh process: load the cached tables, compute the catalogue, report peak memory."""
    import resource

    began = time.perf_counter()
    tables = synthetic_tables(scale, start, end, cache)
    loaded, cpu = time.perf_counter(), time.process_time()
    compute(tables, month_window(start, end))
    done = time.perf_counter()
    return {
        "scale": scale,
        "rows": sum(len(frame) for frame in tables.values()),
        "load_s": loaded - began,
        "metrics_s": done - loaded,
        "metrics_cpu_s": time.process_time() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def part_two(scales, cache, start, end) -> None:
    print("\nPart 2: scaling (fresh process per scale; load = unpickle the cached synthetic tables)")
    print("load average (1, 5, 15 min) at the start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'scale':>5}  {'rows':>11}  {'load s':>7}  {'metrics s':>9}  {'(cpu)':>6}  {'s per M rows':>12}  {'peak MB':>8}")
    for scale in scales:
        if not (cache / f"synth-{scale:g}-{start}-{end}.pkl").is_file():  # generate once, in its own process
            subprocess.run([sys.executable, __file__, "--generate", str(scale), "--start", start, "--end", end,
                            "--cache", str(cache)], check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(scale), "--start", start, "--end", end, "--cache", str(cache)],
            check=True, capture_output=True, text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_m = (r["load_s"] + r["metrics_s"]) / (r["rows"] / 1e6)
        print(
            f"{r['scale']:>5g}  {r['rows']:>11,}  {r['load_s']:>7.2f}  {r['metrics_s']:>9.2f}  {r['metrics_cpu_s']:>6.2f}  "
            f"{per_m:>12.2f}  {r['peak_mb']:>8.0f}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="*", default=[1, 10], help="part 1 scales (none: skip)")
    parser.add_argument("--scaling", type=float, nargs="*", default=[1, 10, 50], help="part 2 scales (none: skip)")
    parser.add_argument("--start", default="2018-01")
    parser.add_argument("--end", default="2020-12")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/torbayreport-bench"))
    parser.add_argument("--generate", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate is not None:
        synthetic_tables(args.generate, args.start, args.end, args.cache)
        return 0
    if args.measure is not None:
        print(json.dumps(_measure(args.measure, args.start, args.end, args.cache)))
        return 0
    months = month_window(args.start, args.end)
    if args.scales:
        part_one(args.scales, months, args.cache, args.start, args.end)
    if args.scaling:
        part_two(args.scaling, args.cache, args.start, args.end)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
