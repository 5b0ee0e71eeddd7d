"""``torbayreport metrics`` (compute the KPI catalogue into metrics.csv) and ``torbayreport kpis``.

Why a CLI beside the engine: an analyst answering an ad hoc question wants the tidy metrics table
for a dataset and a window without building the whole report, and a reviewer wants to see the
catalogue (ids, refs, titles, polarity, targets) without opening the code. Heavy imports happen
inside the handlers so ``torbayreport --help`` stays instant.
"""

from __future__ import annotations

import argparse
import re
import sys

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LISTING_KEYS = ("id", "pillar", "ref", "title", "polarity", "target")


def _month(text: str) -> str:
    if not MONTH.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM")
    return text


def as_at_date(text: str):
    """``--as-at`` of ``metrics`` and ``build``: a calendar date written YYYY-MM-DD."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def summary_counts(metrics) -> str:
    """Rows by availability, in the order of ``metrics.coverage.AVAILABILITY`` ("612 rows: 226 ok,
    2 no_events (nothing to count), 384 missing_source ..."), so the summary says why values are empty."""
    from torbayreport.metrics.coverage import AVAILABILITY

    meaning = {"no_events": "nothing to count", "missing_source": "not in the extracts",
               "short_history": "history too short"}
    counts = metrics["availability"].astype("string").value_counts()
    parts = [f"{int(counts.get(a, 0))} {a}" + (f" ({meaning[a]})" if a in meaning else "") for a in AVAILABILITY]
    return f"{len(metrics)} rows: " + ", ".join(parts)


def register(subparsers) -> None:
    """Add the ``metrics`` and ``kpis`` sub-commands to the ``torbayreport`` parser."""
    metrics = subparsers.add_parser(
        "metrics",
        help="compute every KPI for a window of months into a tidy CSV",
        description=(
            "Load a dataset (CSV folder or Annex A workbook + extracts), compute the KPI catalogue "
            "for every month from --from to --to, and write month, kpi_id, numerator, denominator, "
            "value, unit, availability to --out. A month the data cannot support has an empty value "
            "and says why in availability: no_events (nothing to count), missing_source (a needed "
            "table or column is not in the extracts) or short_history (too short a history)."
        ),
    )
    metrics.add_argument("--data", required=True, metavar="PATH", help="dataset folder or workbook")
    metrics.add_argument("--from", dest="start", required=True, type=_month, metavar="YYYY-MM")
    metrics.add_argument("--to", dest="end", required=True, type=_month, metavar="YYYY-MM")
    metrics.add_argument("--out", default="metrics.csv", metavar="FILE", help="output CSV (default metrics.csv)")
    metrics.add_argument("--as-at", type=as_at_date, default=None, metavar="YYYY-MM-DD",
                         help="the date the extracts were taken, when an Annex A workbook has no Front_Sheet "
                              "date (default: the latest event date in the data)")
    metrics.add_argument("--kpi", nargs="+", metavar="ID", help="only these KPI ids (default: all)")
    metrics.set_defaults(func=run_metrics)

    kpis = subparsers.add_parser(
        "kpis",
        help="list the KPI catalogue with targets",
        description=(
            "List every KPI: id, pillar, plan ref, title, polarity and target (from params/defaults.yaml "
            "found in the current folder or a parent, $TORBAYREPORT_PARAMS, or --params FILE)."
        ),
    )
    kpis.add_argument("--json", action="store_true", help="print a JSON list of objects with keys " + ", ".join(LISTING_KEYS))
    kpis.add_argument("--params", metavar="FILE", help="parameters file with the kpis: targets section")
    kpis.set_defaults(func=run_kpis)


def run_metrics(args) -> int:
    import time

    import pandas as pd

    from torbayreport.metrics import REGISTRY, compute
    from torbayreport.metrics.period import PeriodError, check_month
    from torbayreport.metrics.windows import month_window

    if pd.Period(args.start, "M") > pd.Period(args.end, "M"):
        print(f"error: --from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    unknown = sorted(set(args.kpi or []) - set(REGISTRY))
    if unknown:
        print(f"error: unknown KPI id(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    from torbayreport.io import load

    loaded = load(args.data, as_at=args.as_at)
    if not loaded.ok:
        try:
            loaded.raise_for_errors()
        except Exception as exc:  # the loader's error names file, row and column
            print(f"error: {args.data} cannot be used:\n{exc}", file=sys.stderr)
            return 1
    try:  # the one reporting-period rule (metrics.period), as the build uses
        for month in (args.start, args.end):
            check_month(month, loaded.tables)
    except PeriodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    months = month_window(args.start, args.end)
    began = time.perf_counter()
    metrics = compute(loaded.tables, months, args.kpi)
    elapsed = time.perf_counter() - began
    out = metrics.assign(month=metrics["month"].astype(str))
    out.to_csv(args.out, index=False, float_format="%.6g")
    warnings = len(loaded.findings) if loaded.findings is not None else 0
    as_at = f"; as at {loaded.as_at:%Y-%m-%d} ({loaded.as_at_source})" if loaded.as_at is not None else ""
    print(
        f"{metrics['kpi_id'].nunique()} KPIs x {len(months)} months ({args.start} to {args.end}) "
        f"computed in {elapsed:.2f} s; {summary_counts(metrics)}; "
        f"{warnings} data-quality finding(s) from loading{as_at}; written to {args.out}"
    )
    return 0


def catalogue(params_file: str | None = None) -> list[dict]:
    """The KPI catalogue as a list of {id, pillar, ref, title, polarity, target} in registry order,
    targets from the build's parameters (:func:`torbayreport.config.load_params`)."""
    from torbayreport.config import load_params
    from torbayreport.metrics import REGISTRY

    kpis = load_params(params_file).kpis
    return [
        {
            "id": k.id,
            "pillar": k.pillar,
            "ref": k.ref,
            "title": k.title,
            "polarity": k.polarity,
            "target": kpis[k.id].target if kpis.get(k.id) else None,
        }
        for k in REGISTRY.values()
    ]


def run_kpis(args) -> int:
    import json

    try:
        rows = catalogue(args.params)
    except ValueError as exc:  # ParamsError: names the file and the key
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    widths = {key: max(len(key), *(len("" if r[key] is None else str(r[key])) for r in rows)) for key in LISTING_KEYS}
    widths["title"] = min(widths["title"], 64)
    print("  ".join(key.ljust(widths[key]) for key in LISTING_KEYS))
    for row in rows:
        cells = []
        for key in LISTING_KEYS:
            text = "—" if row[key] is None else str(row[key])
            cells.append(text[: widths[key]].ljust(widths[key]))
        print("  ".join(cells).rstrip())
    return 0
