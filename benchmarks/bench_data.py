"""Time synthetic data generation and loading (io.load of the CSV folder) at scale 1 and 10.

Run: ``python benchmarks/bench_data.py [--scales 1 10]``. Prints seconds, rows and MB; asserts
nothing (figures go in reports, not in timed tests).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from torbayreport.io import load, write_csv_folder
from torbayreport.synth import generate


def bench(scale: float, start: str, end: str) -> dict:
    t0 = time.perf_counter()
    tables = generate(seed=1, scale=scale, start=start, end=end)
    t_gen = time.perf_counter() - t0
    rows = sum(len(f) for f in tables.values())
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        paths = write_csv_folder(tables, tmp)
        t_write = time.perf_counter() - t1
        mb = sum(Path(p).stat().st_size for p in paths) / 1e6
        t2 = time.perf_counter()
        result = load(tmp)
        t_load = time.perf_counter() - t2
    return {"scale": scale, "rows": rows, "mb": mb, "generate_s": t_gen, "write_s": t_write,
            "load_s": t_load, "findings": len(result.findings)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--start", default="2018-01")
    ap.add_argument("--end", default="2020-12")
    args = ap.parse_args()
    print(f"window {args.start}..{args.end}, seed 1")
    print(f"{'scale':>6} {'rows':>11} {'CSV MB':>8} {'generate s':>11} {'write s':>8} {'load s':>8} {'findings':>9}")
    for scale in args.scales:
        r = bench(scale, args.start, args.end)
        print(f"{r['scale']:>6g} {r['rows']:>11,} {r['mb']:>8.1f} {r['generate_s']:>11.1f} "
              f"{r['write_s']:>8.1f} {r['load_s']:>8.1f} {r['findings']:>9}")


if __name__ == "__main__":
    main()
