"""Time the whole KPI catalogue over 36 months: vectorised engine vs. a month-by-month baseline.

Why: the engine computes every KPI for all months of the window at once (records expanded to the
months they belong to, then grouped). Snapshot tools instead recompute each month separately. This
script measures both on synthetic data at scale 1 and scale 10, checks they give the same numbers,
and prints the times and the ratio. It prints figures; it asserts nothing about speed.

    python benchmarks/bench_metrics.py                 # scales 1 and 10, 2018-01..2020-12
    python benchmarks/bench_metrics.py --scales 1 --repeat 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping

import numpy as np
import pandas as pd

from torbayreport.metrics import REGISTRY, compute
from torbayreport.metrics.windows import month_window


def synthetic_tables(scale: float, start: str, end: str) -> Mapping[str, pd.DataFrame]:
    from torbayreport.synth import generate

    data = generate(scale=scale, start=start, end=end)
    return data.tables if hasattr(data, "tables") else data


def vectorised(tables, months) -> pd.DataFrame:
    return compute(tables, months)


def month_by_month(tables, months) -> pd.DataFrame:
    """The naive baseline: the engine called once per month with a one-month window."""
    return pd.concat([compute(tables, months[i : i + 1]) for i in range(len(months))], ignore_index=True)


def best_of(func, repeat: int, *args) -> tuple[float, pd.DataFrame]:
    times, out = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        out = func(*args)
        times.append(time.perf_counter() - began)
    return min(times), out


def same_numbers(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["kpi_id", "month"]
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    cols = ["numerator", "denominator", "value"]
    return bool(
        (a[key].astype(str).to_numpy() == b[key].astype(str).to_numpy()).all()
        and np.allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), equal_nan=True)
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--start", default="2018-01")
    parser.add_argument("--end", default="2020-12")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs (default 1)")
    args = parser.parse_args(argv)
    months = month_window(args.start, args.end)
    print(f"{len(REGISTRY)} KPIs x {len(months)} months ({args.start} to {args.end})")
    print(f"{'scale':>5}  {'rows':>9}  {'generate s':>10}  {'vectorised s':>12}  {'per-month s':>11}  {'ratio':>6}  same")
    for scale in args.scales:
        began = time.perf_counter()
        tables = synthetic_tables(scale, args.start, args.end)
        generated = time.perf_counter() - began
        rows = sum(len(frame) for frame in tables.values())
        fast, out_fast = best_of(vectorised, args.repeat, tables, months)
        slow, out_slow = best_of(month_by_month, args.repeat, tables, months)
        print(
            f"{scale:>5g}  {rows:>9,}  {generated:>10.2f}  {fast:>12.2f}  {slow:>11.2f}  "
            f"{slow / fast:>5.1f}x  {'yes' if same_numbers(out_fast, out_slow) else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
