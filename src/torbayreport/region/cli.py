"""``torbayreport region``: many councils' data -> the regional table (Parquet + CSV) on Dask.

Why a command of its own: a regional improvement alliance runs it once a month over every
council's extracts (see :mod:`torbayreport.region`); each council's own report is still built by
``torbayreport build``. Heavy imports (pandas, dask) happen inside :func:`run`.

Exit status: 0 every council computed; 3 the region was written but some councils were left out
(each listed with its findings); 2 bad arguments or inputs (nothing written); 1 no council could
be computed.
"""

from __future__ import annotations

import argparse
import re

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
EXIT_PARTIAL = 3

EPILOG = """\
examples:
  torbayreport synth --las 20 --out data/region
  torbayreport region --data-root data/region --month 2020-12 --out build/region/2020-12
  torbayreport region --data-root /shared/region --month 2020-12 --out out --scheduler tcp://HOST:8786

The data root holds one folder per council named by its DfE LA code (canonical CSVs, or an Annex A
workbook plus CSVs), optionally <code>.yaml beside it (the council's params: name, targets) and
neighbours.csv (statistical-neighbour sets; or pass --neighbours). With --scheduler every worker
must be able to read the data root at the same path. Outputs: metrics.parquet/.csv,
region.parquet/.csv, councils.csv, findings.csv. Exit status 3: written, but some councils were
left out (listed with their findings).

then: torbayreport region-report --region-dir OUT --month YYYY-MM   (the regional report, HTML + PDF)
      torbayreport build ... --region OUT/region.parquet           (a council's "how we compare")
"""


def _month(text: str) -> str:
    if not MONTH.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM")
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(subparsers) -> None:
    """Add the ``region`` sub-command to the ``torbayreport`` parser."""
    p = subparsers.add_parser(
        "region", help="compute and compare many councils' KPIs on Dask (regional table)",
        description=("Validate, load and compute every council under --data-root (one Dask task per "
                     "council, on a local cluster or --scheduler), then compare them per KPI and month: "
                     "regional median and quartiles, rank and quartile by polarity, statistical "
                     "neighbours and England. A council whose data fail validation is listed with its "
                     "findings and left out; the others carry on."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-root", required=True, metavar="DIR", help="one folder per council, named by LA code")
    p.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="the report month")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://HOST:8786 "
                   "(default: start a local cluster)")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="local cluster worker processes (default 2; ignored with --scheduler)")
    p.add_argument("--params", metavar="FILE", help="the region's params (targets used for ranking), merged "
                   "over params/defaults.yaml")
    p.add_argument("--neighbours", metavar="FILE", help="statistical-neighbour sets (default: "
                   "DATA_ROOT/neighbours.csv if present)")
    p.add_argument("--months", type=_positive, default=None, metavar="N",
                   help="months of history per council ending at --month (default: the params' report.window_months, "
                   "as the council's own build)")
    p.add_argument("--kpi", nargs="+", metavar="ID", help="only these KPI ids (default: all)")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from rich.console import Console
    from rich.markup import escape as e  # data text (names, paths, messages) is never markup

    from torbayreport.region import session

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if args.scheduler and args.workers:
        console.print("[yellow]note:[/yellow] --workers is ignored with --scheduler (the cluster has its own workers)")
    try:
        plan = session.prepare(args.data_root, params=args.params, neighbours=args.neighbours, kpi_ids=args.kpi,
                               months=args.months)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {e(str(exc))}")
        return 2
    for name in plan.discovery.ignored:
        console.print(f"[yellow]note:[/yellow] {e(name)}/ is not named by a three-digit LA code; ignored")
    total = len(plan.discovery.councils)
    where = args.scheduler or f"a local cluster of {args.workers or session.DEFAULT_WORKERS} worker(s)"
    console.print(f"Region: {total} councils under {e(args.data_root)}, month {args.month}, "
                  f"{plan.months} months each, on {e(where)}")
    done = [0]

    def report(result) -> None:
        done[0] += 1
        name = e(plan.names.get(result.code, result.code))
        if result.status == "ok":
            console.print(f"  [{done[0]}/{total}] [green]ok[/green]     {result.code} {name}: "
                          f"{len(result.metrics):,} rows in {result.seconds:.1f} s")
        else:
            console.print(f"  [{done[0]}/{total}] [red]failed[/red] {result.code} {name}: {e(result.reason)}")

    try:
        outcome = session.execute(plan, args.month, Path(args.out), scheduler=args.scheduler,
                                  workers=args.workers, on_result=report)
    except OSError as exc:
        console.print(f"[red]error:[/red] cannot reach the Dask cluster or write the outputs: {e(str(exc))}")
        return 1
    for result in outcome.run.failed:
        console.print(f"[red]left out[/red] {result.code} {e(plan.names.get(result.code, result.code))}: {e(result.reason)}")
        errors = result.findings[result.findings["severity"] == "error"]
        for _, f in errors.head(5).iterrows():
            at = f["file"] + (f", row {int(f['row'])}" if f["row"] == f["row"] and f["row"] is not None else "") + (
                f", column {f['column']!r}" if isinstance(f["column"], str) and f["column"] else "")
            console.print(f"    - {e(at)}: {e(str(f['message']))}")
        if len(errors) > 5:
            console.print(f"    … and {len(errors) - 5} more in findings.csv")
    ok = len(outcome.run.ok)
    console.print(f"{ok} of {total} councils computed in {outcome.run.seconds:.1f} s "
                  f"(cluster start {outcome.cluster_seconds:.1f} s); written to {e(args.out)}")
    if not ok:
        return 1
    sys.stdout.flush()
    return 0 if ok == total else EXIT_PARTIAL
