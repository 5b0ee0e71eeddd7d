"""``torbayreport synth``: write a synthetic data set (canonical CSV folder or Annex A workbook).

Why a command: the demo build, the committed sample (``data/sample``), the benchmarks and anyone
trying the toolkit without real data all start from the same reproducible synthetic extract.
Writing goes through the io package's writers, so the files are exactly what the loaders read.
"""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Generate a realistic synthetic children's services data set for a council in intervention
(Torbay-sized at --scale 1: about 26,000 children, 650 contacts and 160 referrals a month, about
250 children on CP plans and 360 looked after) and write it to --out.

The data tell the story of the 2019 Improvement Plan: weak and drifting practice until October 2019,
uneven improvement after, with special-cause months (re-referral spike March 2019, late assessments
February 2019, staffing crisis summer 2019). The same --seed and options always give the same files.
"""

EPILOG = """\
examples:
  torbayreport synth --out data/demo
  torbayreport synth --out data/county --scale 10 --start 2019-04 --end 2021-03
  torbayreport synth --out data/annex --format annex-a
  torbayreport synth --las 20 --out data/region          (20 councils: a regional data root)

Formats: csv writes one canonical <table>.csv per table; annex-a writes an Ofsted Annex A workbook
plus the local extracts Annex A lacks (as the io writer defines). Every child and worker is fictional.

With --las N: N councils (real English LA codes and names, Torbay always included) of different
sizes (--scale multiplies each council's size) and stories (improving, stuck, declining), one folder
per council named by its LA code, its params file <code>.yaml beside it, and neighbours.csv
(synthetic statistical-neighbour sets). This is the data root `torbayreport region` reads.
"""


def register(subparsers) -> None:
    """Add the ``synth`` sub-command to the ``torbayreport`` parser."""
    p = subparsers.add_parser(
        "synth", help="generate a synthetic data set (CSV folder or Annex A)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="volume multiplier: 1 = Torbay-sized, 10 = a large county (default 1)")
    p.add_argument("--start", default="2018-01", metavar="YYYY-MM", help="first report month (default 2018-01)")
    p.add_argument("--end", default="2020-12", metavar="YYYY-MM",
                   help="last report month; its last day is the extract date (default 2020-12)")
    p.add_argument("--format", choices=["csv", "annex-a"], default="csv",
                   help="csv: canonical CSV folder (default); annex-a: Annex A workbook + extracts")
    p.add_argument("--las", type=int, metavar="N",
                   help="write N councils (one folder per LA code) for `torbayreport region`")
    p.set_defaults(func=run)


def run(args) -> int:
    import time
    from pathlib import Path

    import pandas as pd
    from rich.console import Console

    from torbayreport.synth import generate

    console = Console(stderr=True)
    try:
        pd.Period(args.start, "M"), pd.Period(args.end, "M")
    except ValueError as exc:
        console.print(f"[red]error:[/red] --start/--end must be YYYY-MM ({exc})")
        return 2
    if args.scale <= 0:
        console.print("[red]error:[/red] --scale must be positive")
        return 2
    out = Path(args.out)
    t0 = time.perf_counter()
    if args.las is not None:
        return _run_region(args, out, console)
    console.print(f"Generating synthetic data: seed {args.seed}, scale {args.scale:g}, "
                  f"{args.start} to {args.end}")
    with console.status("starting…") as status:
        tables = generate(seed=args.seed, scale=args.scale, start=args.start, end=args.end,
                          progress=lambda stage: status.update(stage))
    rows = sum(len(f) for f in tables.values())
    console.print(f"  generated {len(tables)} tables, {rows:,} rows in {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    if args.format == "csv":
        from torbayreport.io import write_csv_folder as writer
    else:
        from torbayreport.io import write_annex_a as writer
    paths = writer(tables, out)
    size = sum(Path(p).stat().st_size for p in paths)
    console.print(f"  wrote {len(paths)} files ({size / 1e6:.2f} MB) to {out} in {time.perf_counter() - t1:.1f} s")
    return 0


def _run_region(args, out, console) -> int:
    """``--las N``: many councils into one data root (see :mod:`torbayreport.synth.councils`)."""
    import time

    from torbayreport.synth.councils import la_codes, write_region

    if not 1 <= args.las <= len(la_codes()):
        console.print(f"[red]error:[/red] --las must be between 1 and {len(la_codes())}")
        return 2
    t0 = time.perf_counter()
    console.print(f"Generating {args.las} synthetic councils: seed {args.seed}, scale x{args.scale:g}, "
                  f"{args.start} to {args.end}")

    def say(council, i, total):
        console.print(f"  [{i + 1}/{total}] {council.code} {council.name}: scale {council.scale:g}, "
                      f"{council.trajectory}", highlight=False)

    councils = write_region(out, args.las, seed=args.seed, scale=args.scale, start=args.start, end=args.end,
                            fmt="csv" if args.format == "csv" else "annex-a", progress=say)
    console.print(f"  wrote {len(councils)} councils and neighbours.csv to {out} in {time.perf_counter() - t0:.1f} s")
    return 0
