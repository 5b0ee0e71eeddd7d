"""Chart drawing and the chapter helpers around it, in CPU seconds (issue 13).

Prints, for the sample month's internal report (51 KPIs):

* **draw**: every KPI's SPC chart drawn and written as the report's PNG, no chart cache
  (``charts.spc_chart(..., cache_dir=None)``), CPU ms per chart;
* **helpers**: every pillar's ``ctx.trend_figures`` with every chart already cached (the reading,
  the alt text, the chart's data tables, the cache key), CPU ms per KPI.

CPU time (``time.process_time``), the best of ``--repeat`` runs: the machine is shared, and wall
time measures the neighbours. ``--against SRC`` runs the same measurements with another checkout's
``src`` (e.g. a worktree of the previous commit) in a child process, alternating with this one, and prints the ratio.

    git worktree add /tmp/before HEAD~1
    PYTHONPATH=src python3 benchmarks/bench_charts.py --against /tmp/before/src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(repeat: int) -> dict:
    """This interpreter's torbayreport: best CPU ms per chart drawn and per KPI section."""
    import IPython.display

    IPython.display.display = lambda *args, **kwargs: None  # the sections' markdown is built, not shown
    from torbayreport.metrics.registry import PILLARS
    from torbayreport.publish import load_context
    from torbayreport.report import charts

    with tempfile.TemporaryDirectory(prefix="bench-charts-") as tmp:
        ctx = load_context(month="2020-12", audience="internal", data=str(ROOT / "data" / "sample"))
        kpis = list(ctx.current()["kpi_id"])
        args = dict(la_name=ctx.la_name, disclosure=False, trend_months=int(ctx.meta["trend_months"]))
        charts.spc_chart(ctx.series(kpis[0]), ctx.month, **args)  # fonts and imports loaded
        draw = []
        for _ in range(repeat):
            start = time.process_time()
            drawn = sum(charts.spc_chart(ctx.series(k), ctx.month, **args).png is not None for k in kpis)
            draw.append((time.process_time() - start) / drawn * 1000)
        ctx.folder = Path(tmp) / "context"  # chart cache beside it, in the temporary folder
        for pillar in PILLARS:
            ctx.trend_figures(pillar)  # every chart drawn into the cache
        helpers = []
        for _ in range(repeat):
            start = time.process_time()
            for pillar in PILLARS:
                ctx.trend_figures(pillar)
            helpers.append((time.process_time() - start) / len(kpis) * 1000)
    return {"charts": drawn, "kpis": len(kpis), "draw_ms": min(draw), "helpers_ms": min(helpers)}


def _child(src: str, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, __file__, "--json", "--repeat", str(repeat)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", help="another checkout's src folder to compare with, measured alternately")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.json:
        print(json.dumps(measure(opts.repeat)))
        return
    here = str(ROOT / "src")
    rounds = {"this": [], "against": []}
    for _ in range(2 if opts.against else 1):  # alternate, so both see the same load
        rounds["this"].append(_child(here, opts.repeat))
        if opts.against:
            rounds["against"].append(_child(opts.against, opts.repeat))
    print(f"load average {os.getloadavg()[0]:.1f} (CPU time, best of {opts.repeat} x {len(rounds['this'])})")
    best = {name: {k: min(r[k] for r in runs) for k in ("draw_ms", "helpers_ms")} | {"charts": runs[0]["charts"]}
            for name, runs in rounds.items() if runs}
    for name, label in (("this", here), ("against", opts.against)):
        if name in best:
            b = best[name]
            print(f"{label}: draw {b['draw_ms']:.1f} ms per chart ({b['charts']} charts); "
                  f"chapter helpers, charts cached {b['helpers_ms']:.1f} ms per KPI")
    if "against" in best:
        for key, what in (("draw_ms", "draw"), ("helpers_ms", "helpers")):
            print(f"{what}: {best['against'][key] / best['this'][key]:.2f}x faster than {opts.against}")


if __name__ == "__main__":
    main()
