"""``torbayreport build`` and ``torbayreport demo``: the monthly report from the command line.

The flags are the notebooks' parameter names (``--month --audience --data --params --build-root``);
the audiences and their help text come from ``_quarto.yml`` (:mod:`torbayreport.config`).

Errors an analyst can fix (bad month, missing data, failing notebook) print one clear message and
exit with status 1, without a Python traceback; the build log has the detail.
"""

from __future__ import annotations

import argparse
import sys

from torbayreport import config
from torbayreport.metrics.cli import as_at_date

DEFAULT_DATA = "data/sample"
DEFAULT_OUT = "reports"


def register(subparsers) -> None:
    """Add ``build`` and ``demo`` to the ``torbayreport`` parser."""
    build = subparsers.add_parser(
        "build", help="build one month's report (HTML + PDF) for one audience",
        description="Prepare the month's metrics once, execute every notebook of the audience with "
                    "papermill, and render reports/<YYYY-MM>/<audience>/<la>-children-<YYYY-MM>-"
                    "<audience>.html and .pdf. A failed build leaves the previous report untouched.")
    build.add_argument("--month", required=True, help="reporting month, YYYY-MM")
    declared = config.audiences()
    first = next(iter(declared))
    build.add_argument("--audience", default=first, choices=list(declared),
                       help="; ".join(f"{a.name}: {a.label}" for a in declared.values()) + f" (default {first})")
    build.add_argument("--data", default=DEFAULT_DATA, help=f"folder of extracts (default {DEFAULT_DATA})")
    build.add_argument("--params", default=None, help="the council's parameters YAML, merged over params/defaults.yaml "
                       "(default: defaults.yaml alone); the month's <YYYY-MM>.yaml beside it adds the commentary")
    build.add_argument("--as-at", type=as_at_date, default=None, metavar="YYYY-MM-DD",
                       help="the date the extracts were taken, when an Annex A workbook has no Front_Sheet date "
                            "(overrides the params' as_at; default: the latest event date in the data)")
    build.add_argument("--out", default=DEFAULT_OUT, help=f"where reports are published (default {DEFAULT_OUT})")
    build.add_argument("--build-root", default="build", help="staging folder for executed notebooks (default build)")
    build.add_argument("--jobs", type=int, default=1, help="notebooks executed at once (default 1)")
    build.add_argument("--no-progress", action="store_true", help="no progress display")
    build.set_defaults(func=_build)

    demo = subparsers.add_parser(
        "demo", help="generate the synthetic sample if needed and build its latest month for every audience",
        description="Create data/sample/ from the synthetic generator if it is missing, then build the "
                    "last month of its reporting period for every audience declared in reports/_quarto.yml.")
    demo.add_argument("--data", default=DEFAULT_DATA, help=f"sample folder (default {DEFAULT_DATA})")
    demo.add_argument("--out", default=DEFAULT_OUT, help=f"where reports are published (default {DEFAULT_OUT})")
    demo.add_argument("--month", default=None, help="month to build (default: latest in the data)")
    demo.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    demo.set_defaults(func=_demo)


def _build(args: argparse.Namespace) -> int:
    import functools

    from torbayreport.publish.execute import BuildError
    from torbayreport.publish.pipeline import build_month
    from torbayreport.publish.prepare import prepare

    # build_month's ``prepare`` hook carries the as-at date into the one prepare step
    prepare_step = functools.partial(prepare, as_at=args.as_at) if getattr(args, "as_at", None) else None
    try:
        result = build_month(args.month, audience=args.audience, data_dir=args.data,
                             params_file=args.params, out_dir=args.out,
                             build_root=args.build_root, jobs=args.jobs, progress=not args.no_progress,
                             prepare=prepare_step)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_result(result)
    return 0


def _print_result(result) -> None:
    print(f"{result.month} {result.audience} (build {result.build_id}, {result.renderer})")
    for fmt, path in result.outputs.items():
        print(f"  {fmt.upper() + ':':<5} {path}")
    print(f"  manifest: {result.manifest_path}; executed notebooks and build.log: {result.stage_dir}")


def _demo(args: argparse.Namespace) -> int:
    from torbayreport.publish.execute import BuildError
    from torbayreport.publish.pipeline import build_month, ensure_sample, latest_month

    try:
        if ensure_sample(args.data):
            print(f"generated the synthetic sample in {args.data}/")
        month = args.month or latest_month(args.data)
        for audience in config.audiences():
            result = build_month(month, audience=audience, data_dir=args.data, out_dir=args.out, jobs=args.jobs)
            _print_result(result)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
