"""Build times against the kernel floor, with the build cache (issue 13). Prints figures; asserts nothing.

    python3 benchmarks/bench_build.py                     # real notebooks on data/sample, 2020-12
    python3 benchmarks/bench_build.py --fixtures          # the small test notebooks and a stand-in prepare

In one run, each in a fresh temporary folder (nothing under reports/ or build/ is touched):

* kernel floor: papermill a one-cell notebook that imports torbayreport, pandas and matplotlib;
* first build (empty cache) of one audience;
* the same build again, nothing changed (every step reused from build/.cache);
* the same build after one KPI's commentary changed (the month's commentary file): only the
  chapter showing that KPI re-executes;
* ``--audience all`` (every declared audience in one build: one prepare, one pool of ``--jobs``
  kernels) with an empty cache, then again with nothing changed;
* for comparison, the audiences built one after the other (``build_month`` per audience, as
  ``--audience all`` did before), empty cache (``--no-loop`` skips it);
* each as a ratio to the floor, the steps reused, the chapters re-executed, chart-cache hits
  (the manifest's ``charts``: drawn and reused), and the idle wall time around the notebooks
  (build.log: prepared -> first notebook, last notebook -> render).

Why ratios: the machine is shared, so seconds move with the load; a ratio to a floor measured in
the same run moves much less. CPU seconds of this process and its children are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def kernel_floor(tmp: Path) -> float:
    """Seconds to papermill a one-cell notebook importing the report's heavy modules."""
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torbayreport, pandas, matplotlib.pyplot")]
    source = tmp / "floor.ipynb"
    nbformat.write(nb, source)
    started = time.perf_counter()
    papermill.execute_notebook(str(source), str(tmp / "floor-out.ipynb"), kernel_name="python3",
                               progress_bar=False, log_output=False)
    return time.perf_counter() - started


def chart_hits(result) -> str:
    """Charts drawn and reused, from the manifest's ``charts`` (the pipeline reads charts.log)."""
    manifest = json.loads(Path(result.manifest_path).read_text(encoding="utf-8"))
    charts = manifest.get("charts")
    return f"{charts['drawn']} drawn, {charts['reused']} reused" if charts else ""


def idle_gaps(result) -> str:
    """Wall seconds with no notebook running, from build.log's timestamps: between the audience's
    folder being prepared and its first notebook starting, and between its last notebook ending
    and its render starting (the manifest line). "" when no notebook ran. For the second audience
    of one build the first gap includes the first audience's notebooks, which run before its own."""
    import datetime as dt

    stamps = []
    for line in (Path(result.stage_dir) / "build.log").read_text(encoding="utf-8").splitlines():
        found = re.match(r"(\S+ \S+),(\d+) \S+ \S+ (.*)", line)
        if found:
            at = dt.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S").timestamp() + int(found[2]) / 1000
            stamps.append((at, found[3]))
    ran = [(at, float(re.search(r"in ([\d.]+) s", msg)[1])) for at, msg in stamps if msg.startswith("executed ")]
    prepared = next((at for at, msg in stamps if msg.startswith("prepared context")), None)
    render = next((at for at, msg in stamps if msg.startswith("manifest ")), None)
    if not ran or prepared is None or render is None:
        return ""
    first = min(at - seconds for at, seconds in ran)
    return (f"idle: prepared -> first notebook {first - prepared:.2f} s, "
            f"last notebook -> render {render - max(at for at, _ in ran):.2f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", default="2020-12")
    from torbayreport import config

    audiences = list(config.audiences())
    parser.add_argument("--audience", default=audiences[0], choices=audiences)
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"))
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--fixtures", action="store_true", help="use tests/build fixture notebooks")
    parser.add_argument("--kpi", default="L01", help="the KPI whose commentary is changed (default L01)")
    parser.add_argument("--no-all", action="store_true", help="skip the --audience all runs (a shorter run)")
    parser.add_argument("--no-loop", action="store_true",
                        help="skip the audiences-one-after-the-other comparison run")
    args = parser.parse_args(argv)

    from torbayreport.publish.multi import build_audiences
    from torbayreport.publish.pipeline import build_month

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    data = Path(args.data)
    extra: dict = {}
    if args.fixtures:
        sys.path.insert(0, str(ROOT / "tests" / "build"))
        from build_fixtures import NOTEBOOKS, fake_prepare, make_data

        extra = {"notebooks_dir": NOTEBOOKS, "prepare": fake_prepare, "renderer": "pandoc"}
        data = make_data(tmp / "data")
    # a council params file and the month's commentary, copied so the commentary can be changed
    params_dir = tmp / "params"
    params_dir.mkdir()
    shutil.copy(ROOT / "params" / "defaults.yaml", params_dir / "council.yaml")
    month_file = ROOT / "params" / f"{args.month}.yaml"
    if month_file.is_file():
        shutil.copy(month_file, params_dir / month_file.name)
    params = params_dir / "council.yaml"

    floor = kernel_floor(tmp)
    print(f"build of {args.month}; notebooks: {'fixtures' if args.fixtures else 'notebooks/'}; data: {data}; "
          f"jobs {args.jobs}; cores {len(os.sched_getaffinity(0))}")
    print(f"kernel floor (papermill, 1 cell importing torbayreport, pandas, matplotlib): {floor:.2f} s")
    print(f"{'run':<34} {'wall s':>7} {'CPU s':>7} {'x floor':>8}  reused (prepare / notebooks / render)")

    def run(label: str, audiences_: list[str], build_root: Path, *, loop: bool = False) -> None:
        cpu0, t0 = _cpu(), time.perf_counter()
        common = dict(data_dir=data, params_file=params, out_dir=tmp / "reports", build_root=build_root,
                      jobs=args.jobs, progress=False, **extra)
        if loop:
            results = [build_month(args.month, audience=a, **common) for a in audiences_]
        else:
            results = build_audiences(args.month, audiences=audiences_, **common)
        wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
        reused = "; ".join(f"{r.audience}: {'yes' if r.reused['prepare'] else 'no'} / "
                           f"{len(r.reused['notebooks'])} of {len(r.notebook_seconds)} / "
                           f"{'yes' if r.reused['render'] else 'no'}" for r in results)
        print(f"{label:<34} {wall:>7.2f} {cpu:>7.2f} {wall / floor:>8.2f}  {reused}")
        for r in results:
            steps = ", ".join(f"{k} {v:.2f}" for k, v in r.timings.items())
            ran = [n for n in r.notebook_seconds if n not in r.reused["notebooks"]]
            hits = chart_hits(r)
            idle = idle_gaps(r)
            print(f"{'':<36}{r.audience}: {steps}; executed: {', '.join(ran) or 'none'}"
                  + (f"; charts: {hits}" if hits else "") + (f"; {idle}" if idle else ""))

    one = tmp / "build-one"
    run(f"first build ({args.audience})", [args.audience], one)
    run("rebuild, nothing changed", [args.audience], one)
    commentary = params_dir / f"{args.month}.yaml"
    if commentary.is_file():
        text = commentary.read_text(encoding="utf-8")
        changed = re.sub(rf"(\n  {args.kpi}: >\n)", r"\1    A sentence added for the benchmark.\n", text, count=1)
        if changed == text:
            print(f"(no {args.kpi} commentary in {commentary.name}: commentary change skipped)")
        else:
            commentary.write_text(changed, encoding="utf-8")
            run(f"rebuild, {args.kpi} commentary changed", [args.audience], one)
    if not args.no_all:
        run("--audience all (empty cache)", audiences, tmp / "build-all")
        run("--audience all again, no change", audiences, tmp / "build-all")
        if not args.no_loop:
            run("audiences one after the other", audiences, tmp / "build-loop", loop=True)
    print(f"outputs under {tmp}")
    print(json.dumps({"floor_seconds": round(floor, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
