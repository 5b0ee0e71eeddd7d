"""The regional report (issue 14, part 3): ``torbayreport region-report``, HTML + PDF per audience.

Why here and not in ``region``: rendering is this layer's job, and the regional report goes through
exactly the council reports' path — ``notebooks/region.ipynb`` executed by papermill
(:func:`.execute.execute_notebooks`), then :func:`.render.render_report` with its renderer registry,
templates and HTML checks. ``region`` (layer 6) cannot import publish, so the command is its own
(``torbayreport region ... --out DIR`` first, then ``torbayreport region-report --region-dir DIR``).

Outputs: ``<out>/region-<month>-<audience>.html`` and ``.pdf`` (``<out>`` defaults to the region
folder), swapped into place only after every format of the audience rendered, so a failed build
never replaces the last good report. The executed notebook and build.log stay in
``<build-root>/region-<month>/<audience>/``. The regional outputs hold no record-level data (only
each council's KPI table), and the public audience shows each council's figures as its own public
report does (see :mod:`torbayreport.region.report`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import os
import shutil
import sys
import uuid
from pathlib import Path

from torbayreport import config
from torbayreport.publish.execute import (
    BuildError,
    attach_log,
    check_audience,
    check_month,
    check_parameters,
    detach_log,
    execute_notebooks,
)
from torbayreport.publish.render import ReportMeta, render_report

log = logging.getLogger("torbayreport.region_report")

NOTEBOOK = "region"
TITLE = "Children's services: how the region's councils compare"


def report_stem(month: str, audience: str) -> str:
    """``region-<YYYY-MM>-<audience>``: the file name of every format."""
    return f"region-{month}-{audience}"


def build_region_report(region_dir, month: str, *, audience: str, out_dir=None, params_file=None,
                        build_root="build", renderer: str = "auto", timeout: int = 600,
                        notebooks_dir=None) -> dict[str, Path]:
    """Render the regional report of ``region_dir`` (``torbayreport region``'s output) for one
    audience; returns format -> published file. Raises BuildError with a message for the analyst."""
    from torbayreport.region.document import region_file

    check_month(month)
    check_audience(audience)
    region_dir = Path(region_dir).resolve()
    try:
        table_path = region_file(region_dir)
    except FileNotFoundError as exc:
        raise BuildError(str(exc)) from None
    if not (region_dir / "councils.csv").is_file():
        raise BuildError(f"{region_dir}: no councils.csv (written by `torbayreport region`)")
    if params_file is not None and not Path(params_file).is_file():
        raise BuildError(f"params file not found: {params_file}")
    try:
        config.load_params(params_file, month)
    except config.ParamsError as exc:
        raise BuildError(str(exc)) from None
    notebook = Path(notebooks_dir or config.NOTEBOOKS_DIR).resolve() / f"{NOTEBOOK}.ipynb"
    if not notebook.is_file():
        raise BuildError(f"notebook not found: {notebook}")
    out = Path(out_dir).resolve() if out_dir else region_dir
    stage = Path(build_root).resolve() / f"region-{month}" / audience
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "executed").mkdir(parents=True)
    parameters = {"month": month, "audience": audience, "region": str(region_dir),
                  "params": str(Path(params_file).resolve()) if params_file else ""}
    check_parameters(notebook, parameters)
    handler = attach_log(stage / "build.log", mode="w")
    staging = out / f".staging-region-{audience}-{uuid.uuid4().hex[:8]}"
    try:
        executed, _ = execute_notebooks({NOTEBOOK: notebook}, stage / "executed", parameters, jobs=1,
                                        timeout=timeout, notify=lambda *a, **k: None)
        digest = hashlib.sha256(table_path.read_bytes() + f"|{month}|{audience}".encode()).hexdigest()[:10]
        import pandas as pd

        councils = pd.read_csv(region_dir / "councils.csv", dtype={"la_code": str})
        now = dt.datetime.now(dt.timezone.utc)
        meta = ReportMeta(title=TITLE, council=f"{int((councils['status'] == 'ok').sum())} councils in the region", month=month,
                          audience=audience, as_at="as each council's data", build_id=f"{month}-region-{digest}",
                          built_at=now.strftime("%d %B %Y %H:%M UTC").lstrip("0"))
        staging.mkdir(parents=True)
        rendered = render_report(executed, staging, report_stem(month, audience), meta, renderer=renderer)
        published = {}
        for fmt, path in rendered.outputs.items():
            os.replace(path, out / path.name)
            published[fmt] = out / path.name
        log.info("published %s", ", ".join(str(p) for p in published.values()))
        return published
    except BuildError as exc:
        log.error("regional report failed: %s", exc)
        raise
    finally:
        detach_log(handler)
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------------------------- command

def register(subparsers) -> None:
    """Add ``region-report`` to the ``torbayreport`` parser."""
    audiences = list(config.audiences())
    p = subparsers.add_parser(
        "region-report", help="the regional report (HTML + PDF) from `torbayreport region`'s output",
        description="Render the regional report — a scorecard of councils × headline KPIs (value, RAG, quarter), "
                    "quartile charts per KPI and data coverage per council — for each audience, through the same "
                    "notebook and render path as a council's report. Writes <out>/region-<month>-<audience>.html/.pdf.")
    p.add_argument("--region-dir", required=True, metavar="DIR", help="the --out folder of `torbayreport region`")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the report month (as given to `region`)")
    p.add_argument("--audience", choices=audiences, nargs="+", default=audiences,
                   help=f"audiences to render (default: all: {', '.join(audiences)})")
    p.add_argument("--out", default=None, metavar="DIR", help="where the reports go (default: --region-dir)")
    p.add_argument("--params", default=None, metavar="FILE", help="the region's params (region.headline: the "
                   "scorecard's KPIs), merged over params/defaults.yaml")
    p.add_argument("--build-root", default="build", help="staging folder for the executed notebook (default build)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    for audience in args.audience:
        try:
            outputs = build_region_report(args.region_dir, args.month, audience=audience, out_dir=args.out,
                                          params_file=args.params, build_root=args.build_root)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{args.month} region {audience}")
        for fmt, path in outputs.items():
            print(f"  {fmt.upper() + ':':<5} {path}")
    return 0
