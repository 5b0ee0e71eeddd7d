"""Time and memory of ``torbayreport region`` for 10, 50 and 150 councils on 1 and 2 workers.

Run (about 10 minutes on 2 free cores; each run is its own process, so it can be split)::

    python3 benchmarks/bench_region.py                         # 10, 50, 150 councils x 1, 2 workers
    python3 benchmarks/bench_region.py --las 10 50 --workers 1 2
    python3 benchmarks/bench_region.py --las 150 --workers 2 --results /tmp/region-bench.json

Synthetic councils are generated once (``synth --las 150``, in a subprocess) under
``--root`` (default a temporary folder; reused when it already holds enough councils); a run of N
councils uses N of them spread evenly over the LA codes (small and large alike). Each (N, workers)
run is a fresh Python process with a fresh local cluster, so the peaks are that run's alone.

Printed per run: councils, workers, seconds (excluding the cluster start, printed apart), client
peak memory (the process that gathers the results), each worker's peak memory (its process's
``ru_maxrss``, reported back by the tasks), and the ratios the issue asks about:

* 1-worker time ÷ 2-worker time (aim ≥ 1.7 on 2 cores),
* time of the largest N ÷ time of 10 (aim ≤ 16 for 150: linear in councils),
* client peak of the largest N ÷ client peak of 10 (aim: flat, about 1),
* the largest worker peak (aim ≤ 2 GiB).

"task CPU s" and "cores used" (task CPU seconds ÷ wall seconds) show how much CPU the run really
got: on a machine shared with other work, 2 workers cannot beat 1 unless 2 cores are free.

``--results FILE`` appends each run to a JSON file and prints the ratios over every run in it, so
split runs still give the ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MONTH = "2020-12"
START = "2019-01"
GENERATED = 150  # always generate this many, so every run's councils come from one region


def _generate(root: Path, n: int, scale: float) -> None:
    have = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    if len(have) >= n:
        return
    print(f"generating {n} councils (scale x{scale:g}, {START} to {MONTH}) under {root} ...", flush=True)
    subprocess.run([sys.executable, "-m", "torbayreport.cli", "synth", "--las", str(n), "--scale", str(scale),
                    "--start", START, "--end", MONTH, "--out", str(root)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _subset(root: Path, n: int, work: Path) -> Path:
    """A data root of ``n`` of the generated councils (symlinks), spread evenly over the codes."""
    codes = sorted(p.name for p in root.iterdir() if p.is_dir())
    step = len(codes) / n
    chosen = [codes[int(i * step)] for i in range(n)]
    sub = work / f"root-{n}"
    sub.mkdir(parents=True, exist_ok=True)
    for code in chosen:
        for name in (code, f"{code}.yaml"):
            link = sub / name
            if not link.exists() and (root / name).exists():
                link.symlink_to((root / name).resolve())
    return sub


def _one(root: str, workers: int, out: str) -> dict:
    """One run, in this process (called in a child process by :func:`main`)."""
    import resource
    import time

    from torbayreport.region.session import execute, prepare

    began = time.perf_counter()
    plan = prepare(root, months=24)
    outcome = execute(plan, MONTH, Path(out), workers=workers)
    total = time.perf_counter() - began
    per_worker: dict[str, float] = {}
    for r in outcome.run.results:
        per_worker[r.worker] = max(per_worker.get(r.worker, 0.0), r.peak_rss_mb)
    return {
        "councils": len(plan.discovery.councils), "ok": len(outcome.run.ok), "workers": workers,
        "seconds": round(outcome.run.seconds, 2), "cluster_start": round(outcome.cluster_seconds, 2),
        "total_seconds": round(total, 2),
        "client_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_mb": sorted(round(v, 1) for v in per_worker.values()),
        # CPU the tasks got: sum of task CPU seconds / wall seconds. On a machine shared with other
        # work this shows how many cores the run really had (2 workers cannot beat 1 without 2 free cores).
        "task_cpu_seconds": round(sum(r.cpu_seconds for r in outcome.run.results), 1),
        "cores_used": round(sum(r.cpu_seconds for r in outcome.run.results) / max(outcome.run.seconds, 1e-9), 2),
    }


def _ratios(runs: list[dict]) -> None:
    by = {(r["councils"], r["workers"]): r for r in runs}
    ns = sorted({r["councils"] for r in runs})
    print("\nratios")
    for n in ns:
        if (n, 1) in by and (n, 2) in by:
            print(f"  {n:>4} councils: 1 worker / 2 workers = {by[(n, 1)]['seconds'] / by[(n, 2)]['seconds']:.2f}x "
                  "(aim >= 1.7)")
    for w in (1, 2):
        have = [n for n in ns if (n, w) in by]
        if len(have) >= 2:
            lo, hi = by[(have[0], w)], by[(have[-1], w)]
            print(f"  {w} worker(s): time {have[-1]} / {have[0]} councils = {hi['seconds'] / lo['seconds']:.2f} "
                  f"(councils x{have[-1] / have[0]:g}; aim <= {have[-1] / have[0] * 16 / 15:.0f} for linear); "
                  f"client peak {hi['client_peak_mb']:.0f} / {lo['client_peak_mb']:.0f} MB = "
                  f"{hi['client_peak_mb'] / lo['client_peak_mb']:.2f} (aim ~1, flat)")
    worst = max((max(r["worker_peak_mb"] or [0]) for r in runs), default=0)
    print(f"  largest worker peak: {worst:.0f} MB (aim <= 2048)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", type=int, nargs="+", default=[10, 50, 150])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scale", type=float, default=0.25, help="multiplies every council's size (default 0.25)")
    parser.add_argument("--root", help="generated councils (default: a temporary folder)")
    parser.add_argument("--results", help="append runs to this JSON file and print ratios over all of them")
    parser.add_argument("--one", nargs=3, metavar=("ROOT", "WORKERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]), args.one[2])))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-region-"))
    root = Path(args.root) if args.root else work / "all"
    _generate(root, max(GENERATED, *args.las), args.scale)
    runs = []
    print(f"{'councils':>8} {'workers':>7} {'seconds':>8} {'start':>6} {'task CPU s':>10} {'cores used':>10} "
          f"{'client MB':>10}  worker peaks MB", flush=True)
    for n in args.las:
        sub = _subset(root, n, work)
        for w in args.workers:
            done = subprocess.run([sys.executable, __file__, "--one", str(sub), str(w), str(work / f"out-{n}-{w}")],
                                  check=True, capture_output=True, text=True)
            run = json.loads(done.stdout.strip().splitlines()[-1])
            run["scale"] = args.scale
            runs.append(run)
            print(f"{run['councils']:>8} {w:>7} {run['seconds']:>8.1f} {run['cluster_start']:>6.1f} "
                  f"{run.get('task_cpu_seconds', float('nan')):>10.1f} {run.get('cores_used', float('nan')):>10.2f} "
                  f"{run['client_peak_mb']:>10.0f}  {run['worker_peak_mb']}", flush=True)
    if args.results:
        path = Path(args.results)
        previous = json.loads(path.read_text()) if path.exists() else []
        runs = previous + runs
        path.write_text(json.dumps(runs, indent=1))
    _ratios(runs)


if __name__ == "__main__":
    main()
