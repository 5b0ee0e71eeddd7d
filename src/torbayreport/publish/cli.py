"""``torbayreport build`` and ``torbayreport demo``: the monthly report from the command line.

The flags are the notebooks' parameter names (``--month --audience --data --params --build-root``);
the audiences and their help text come from ``_quarto.yml`` (:mod:`torbayreport.config`).

Errors an analyst can fix (bad month, missing data, failing notebook) print one clear message and
exit with status 1, without a Python traceback; the build log has the detail.
"""

from __future__ import annotations

import argparse
import os
import sys

from torbayreport import config
from torbayreport.metrics.cli import as_at_date

DEFAULT_DATA = "data/sample"
DEFAULT_OUT = "reports"
#: ``--audience all``: every audience declared in _quarto.yml in one build (one prepare, one pool)
ALL = "all"
DEFAULT_JOBS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


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
    build.add_argument("--audience", default=first, choices=[*declared, ALL],
                       help="; ".join(f"{a.name}: {a.label}" for a in declared.values())
                       + f"; {ALL}: every declared audience in one command (default {first})")
    build.add_argument("--data", default=DEFAULT_DATA, help=f"folder of extracts (default {DEFAULT_DATA})")
    build.add_argument("--params", default=None, help="the council's parameters YAML, merged over params/defaults.yaml "
                       "(default: defaults.yaml alone); the month's <YYYY-MM>.yaml beside it adds the commentary")
    build.add_argument("--as-at", type=as_at_date, default=None, metavar="YYYY-MM-DD",
                       help="the date the extracts were taken, when an Annex A workbook has no Front_Sheet date "
                            "(overrides the params' as_at; default: the latest event date in the data)")
    build.add_argument("--out", default=DEFAULT_OUT, help=f"where reports are published (default {DEFAULT_OUT})")
    build.add_argument("--build-root", default="build", help="staging folder for executed notebooks (default build)")
    build.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                       help=f"notebooks executed at once (default: the number of cores, {DEFAULT_JOBS})")
    build.add_argument("--force", action="store_true",
                       help="rebuild every step, ignoring the build cache (build/.cache)")
    build.add_argument("--no-progress", action="store_true", help="no progress display")
    build.add_argument("--region", default=None, metavar="FILE", help="the regional table (region.parquet or "
                       "region.csv from `torbayreport region`): adds the \"how we compare\" chapter")
    build.set_defaults(func=_build)

    demo = subparsers.add_parser(
        "demo", help="generate the synthetic sample if needed and build its latest month for every audience",
        description="Create data/sample/ from the synthetic generator if it is missing, then build the "
                    "last month of its reporting period for every audience declared in reports/_quarto.yml.")
    demo.add_argument("--data", default=DEFAULT_DATA, help=f"sample folder (default {DEFAULT_DATA})")
    demo.add_argument("--out", default=DEFAULT_OUT, help=f"where reports are published (default {DEFAULT_OUT})")
    demo.add_argument("--month", default=None, help="month to build (default: latest in the data)")
    demo.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                      help=f"notebooks executed at once (default: the number of cores, {DEFAULT_JOBS})")
    demo.add_argument("--force", action="store_true", help="rebuild every step, ignoring the build cache")
    demo.set_defaults(func=_demo)


def _build(args: argparse.Namespace) -> int:
    from torbayreport.publish import multi
    from torbayreport.publish.execute import BuildError

    audiences = list(config.audiences()) if args.audience == ALL else [args.audience]
    try:
        # several audiences: one prepare, one pool of --jobs kernels, then each renders and publishes
        results = multi.build_audiences(args.month, audiences=audiences, data_dir=args.data,
                                        params_file=args.params, out_dir=args.out, build_root=args.build_root,
                                        jobs=args.jobs, progress=not args.no_progress, force=args.force,
                                        region=args.region, as_at=args.as_at)
    except BuildError as exc:
        return _print_failure(exc, several=len(audiences) > 1)
    for result in results:
        _print_result(result)
    return 0


def _print_failure(exc, *, several: bool) -> int:
    """The audiences that did publish, then one line per failed audience (or the one error)."""
    for result in exc.published:
        _print_result(result)
    failures = exc.failures
    if several and failures:
        for audience, error in failures.items():
            print(f"error ({audience}): {error}", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)
    return 1


def _print_result(result) -> None:
    print(f"{result.month} {result.audience} (build {result.build_id}, {result.renderer})")
    for fmt, path in result.outputs.items():
        print(f"  {fmt.upper() + ':':<5} {path}")
    print(f"  manifest: {result.manifest_path}; executed notebooks and build.log: {result.stage_dir}")
    reused = result.reused or {}
    if reused.get("prepare") or reused.get("notebooks") or reused.get("render"):
        print(f"  reused from the build cache: prepare {'yes' if reused.get('prepare') else 'no'}, "
              f"{len(reused.get('notebooks') or [])} notebook(s), render {'yes' if reused.get('render') else 'no'}")


def _demo(args: argparse.Namespace) -> int:
    from torbayreport.publish import multi
    from torbayreport.publish.execute import BuildError
    from torbayreport.publish.pipeline import ensure_sample, latest_month

    audiences = list(config.audiences())
    try:
        if ensure_sample(args.data):
            print(f"generated the synthetic sample in {args.data}/")
        month = args.month or latest_month(args.data)
        results = multi.build_audiences(month, audiences=audiences, data_dir=args.data, out_dir=args.out,
                                        jobs=args.jobs, force=args.force)
    except BuildError as exc:
        return _print_failure(exc, several=len(audiences) > 1)
    for result in results:
        _print_result(result)
    return 0
