"""``torbayreport validate PATH [--json]``: load a data folder and print its findings.

Exit status: 0 when there are no errors (warnings are data-quality findings that the report's
appendix lists), 1 when any error (the contract is broken and the build would stop), 2 when PATH
does not exist.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    """Add ``validate`` to the ``torbayreport`` parser."""
    parser = subparsers.add_parser(
        "validate",
        help="check a data folder (canonical CSVs, or an Annex A workbook plus CSVs) against the schema",
        description="Load PATH exactly as the build does and list every finding with file, row and column.",
    )
    parser.add_argument("path", metavar="PATH",
                        help="folder of canonical CSVs, or of an Annex A workbook (.xlsx/.xlsm/.xls/.ods) plus CSVs")
    parser.add_argument("--as-at", metavar="YYYY-MM-DD", default=None,
                        help="the extract's as-at date (an Annex A Front_Sheet date wins; default: the latest event date)")
    parser.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    parser.set_defaults(func=run)


def run(args) -> int:
    import json
    from collections import Counter
    from pathlib import Path

    from torbayreport.io.loader import load

    path = Path(args.path)
    if not path.exists():
        print(f"torbayreport validate: {path}: no such file or folder", file=sys.stderr)
        return 2
    try:
        result = load(path, as_at=getattr(args, "as_at", None))
    except ValueError as exc:  # an --as-at that is not a date
        print(f"torbayreport validate: --as-at: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([f.to_dict() for f in result.findings], indent=2))
        return 0 if result.ok else 1

    from rich.console import Console
    from rich.table import Table

    console = Console()
    if result.findings:
        table = Table(title=f"Findings for {path}", show_lines=False)
        for name in ("Severity", "File", "Row", "Column", "Message"):
            table.add_column(name, overflow="fold")
        for f in result.findings:
            table.add_row(f.severity.upper() if f.severity == "error" else f.severity, f.file,
                          "" if f.row is None else str(f.row), f.column or "", f.message)
        console.print(table)
    counts = Counter((f.table or "(files)", f.severity) for f in result.findings)
    per_table = "; ".join(
        f"{t}: {counts[(t, 'error')]} error(s), {counts[(t, 'warning')]} warning(s)"
        for t in sorted({t for t, _ in counts}))
    rows = sum(len(frame) for frame in result.tables.values())
    summary = (f"{len(result.errors)} error(s), {len(result.warnings)} warning(s) in {len(result.sources)} file(s), "
               f"{rows} rows loaded" + (f" — {per_table}" if per_table else ""))
    if result.as_at is not None:
        summary += f"; as-at date {result.as_at:%Y-%m-%d} ({result.as_at_source})"
    console.print(summary, highlight=False, soft_wrap=True)
    return 0 if result.ok else 1
