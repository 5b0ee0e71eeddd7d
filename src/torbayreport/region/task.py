"""The per-council task: validate, load and compute one council's KPIs on a Dask worker.

Why one task per council, returning only the tidy metrics: a council's raw tables are tens to
hundreds of MB in memory; its metrics are a few thousand rows. Loading on the worker and sending
back only metrics and findings keeps the client's memory flat however many councils there are
(the issue's aim), and a council's data never cross the network.

Why the task never raises: one council's broken extract must not stop the others (and Dask would
retry a raising task elsewhere). Every failure becomes a ``failed`` result carrying its findings
(file, row, column, message from ``io.load``) or the error text.

For the public audience the task also runs the toolkit's disclosure control
(``disclose.apply(audience="public")``, the rule every council's own public report uses) on the
report month's rows and returns which values the public may not see: the regional statistics for
public outputs are computed only from values the public may see, so no median or neighbour
average can give a withheld figure back. (The kpi-month relations do not link months, so the
month's flags are those of a whole-window run; one month costs a tenth of the window.)

The metrics are exactly what ``torbayreport metrics --from F --to T`` gives for the council's
window: the same ``io.load`` and ``metrics.compute`` calls.
"""

from __future__ import annotations

import os
import resource
import socket
import time
from dataclasses import dataclass

import pandas as pd

from torbayreport.io.findings import FINDING_COLUMNS

AVAILABILITY_OK = "ok"
AVAILABILITY_NO_EVENTS = "no_events"


@dataclass
class CouncilResult:
    """What a worker sends back for one council (small: metrics and findings, no records)."""

    code: str
    status: str  # "ok" | "failed"
    reason: str
    metrics: pd.DataFrame | None
    findings: pd.DataFrame
    seconds: float
    peak_rss_mb: float
    worker: str
    public: pd.DataFrame | None = None  # la_code, month, kpi_id, public_suppressed (report month)
    cpu_seconds: float = float("nan")  # CPU time the task used (wall time is ``seconds``)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def council_window(tables: dict, month: str, months: int) -> pd.PeriodIndex:
    """The council's window: the one reporting-period rule every command uses
    (``metrics.period.report_window``: ``months`` months ending at ``month``, not before the
    extracts' first month; a month outside the period is refused)."""
    from torbayreport.metrics.period import report_window

    return report_window(month, tables, months)


def with_availability(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics with an ``availability`` column: kept when the engine provides one, else
    ``ok`` where there is a value and ``no_events`` where the denominator was 0."""
    if "availability" in metrics.columns:
        return metrics
    words = metrics["value"].notna().map({True: AVAILABILITY_OK, False: AVAILABILITY_NO_EVENTS})
    return metrics.assign(availability=words.astype("string"))


def _findings(loaded_findings: list, code: str) -> pd.DataFrame:
    rows = [f.to_dict() for f in loaded_findings]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS).assign(la_code=code)[["la_code", *FINDING_COLUMNS]]


def _message(code: str, text: str, kind: str = "error") -> pd.DataFrame:
    return pd.DataFrame([{"la_code": code, "severity": "error", "table": None, "file": code, "row": None,
                          "column": None, "code": kind, "message": text}], columns=["la_code", *FINDING_COLUMNS])


def public_flags(metrics: pd.DataFrame, month: str, threshold: int) -> pd.DataFrame:
    """Which of ``month``'s values the public report withholds (``disclose.apply``, public)."""
    from torbayreport import disclose

    rows = metrics[metrics["month"] == pd.Period(month, "M")].reset_index(drop=True)
    shown = disclose.apply(rows[["month", "kpi_id", "numerator", "denominator", "value", "unit"]],
                           audience="public", threshold=threshold)
    return pd.DataFrame({"month": rows["month"], "kpi_id": rows["kpi_id"],
                         "public_suppressed": shown["value_suppressed"].to_numpy(dtype=bool)})


def run_council(code: str, data: str, month: str, months: int, kpi_ids: list[str] | None = None,
                threshold: int | None = None) -> CouncilResult:
    """Load ``data`` (one council's folder), compute its window ending ``month``; never raises.

    ``threshold``: the public small-number threshold; None skips the public flags."""
    began, cpu = time.perf_counter(), time.process_time()
    where = f"{socket.gethostname()}:{os.getpid()}"

    def done(status, reason, metrics, findings, public=None):
        return CouncilResult(code, status, reason, metrics, findings, time.perf_counter() - began,
                             peak_rss_mb(), where, public, time.process_time() - cpu)

    try:
        from torbayreport.io import load
        from torbayreport.metrics import compute

        loaded = load(data)
        findings = _findings(loaded.findings, code)
        if not loaded.ok:
            n = len(loaded.errors)
            return done("failed", f"{n} error(s) in the extracts", None, findings)
        window = council_window(loaded.tables, month, months)
        metrics = with_availability(compute(loaded.tables, window, kpi_ids))
        del loaded
        public = None if threshold is None else public_flags(metrics, month, threshold).assign(la_code=code)
        return done("ok", "", metrics.assign(la_code=code), findings, public)
    except Exception as exc:  # noqa: BLE001 - reported per council, never stops the region
        return done("failed", f"{type(exc).__name__}: {exc}", None, _message(code, f"{type(exc).__name__}: {exc}"))
