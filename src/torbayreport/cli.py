"""The ``torbayreport`` command line.

Each sub-command lives beside the code it drives (``synth/cli.py``, ``io/cli.py``,
``metrics/cli.py``, ``publish/cli.py``) and exposes ``register(subparsers)``, which adds its parser
and sets ``func``. Heavy imports happen inside ``func`` so that ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from torbayreport import __version__

COMMAND_MODULES = (
    "torbayreport.synth.cli",
    "torbayreport.io.cli",
    "torbayreport.metrics.cli",
    "torbayreport.publish.cli",
    "torbayreport.region.cli",
    "torbayreport.publish.region_report",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torbayreport",
        description=(
            "Reproducible monthly performance reports for a council's children's services "
            "improvement programme: generate synthetic data, validate extracts, compute the KPI "
            "catalogue, and build the HTML/PDF report for the Improvement Board (internal) or "
            "Overview & Scrutiny (public)."
        ),
        epilog="Start with `torbayreport demo`, which builds the latest month of the bundled synthetic sample.",
    )
    parser.add_argument("--version", action="version", version=f"torbayreport {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` or similar, which stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
