"""Prepare a month's report folder once, and cache it for notebooks opened without a build.

Why: ``prepare`` loads the extracts, computes every KPI over the window, assesses and applies
disclosure control *once* for a month and audience, and writes small artefacts to a folder
(``build/<month>/<audience>/`` in a build). Every notebook then only *reads* that folder through
:mod:`torbayreport.report` (:class:`~torbayreport.report.context.ReportContext`), so seven notebooks
cannot disagree and a build does not pay seven data loads.

* **The public path never holds record-level data.** For an audience with disclosure on,
  ``prepare`` writes only the disclosed metric table (suppressed numbers blanked, SPC lines blanked
  for any series with a suppressed month), a *summary* of data-quality findings and the plan
  tracker; no exception lists, no drill-down, no identifiers. Before finishing it scans every
  artefact it wrote with the one public guard (``disclose.guard_public_outputs``) and refuses to
  finish if an identifier from the extracts is found.
* **Every CSV is safe to open in a spreadsheet**: written with ``disclose.csvsafe.write_csv``
  (a cell from input text starting ``=``, ``+``, ``-``, ``@`` gets a leading ``'``), read back by
  the report with ``csvsafe.read_csv`` so it shows the text that came in.
* **An analyst can open any notebook and run it with no build.** :func:`load_context` with an
  empty ``build_dir`` prepares into a cache folder keyed by the inputs' contents, so the first
  notebook opened pays for the computation and the others reuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from torbayreport import config
from torbayreport.disclose import DisclosureError, blank_for_public, csvsafe
from torbayreport.disclose import guard_public_outputs as _guard_outputs
from torbayreport.metrics.period import as_month, report_window
# report.frames, not report.context: the context imports the charts and so matplotlib (0.3-0.5 s),
# which the prepare step never uses; load_context imports it when a notebook asks for it
from torbayreport.report.frames import ARTEFACT_VERSION

if TYPE_CHECKING:
    from torbayreport.report.context import ReportContext

#: disclose.apply's two modes, chosen by the audience's ``disclosure`` flag (not by its name), so a
#: new audience declared in _quarto.yml needs no change here.
DISCLOSE_MODE = {True: "public", False: "internal"}
#: Keys of the month's file that are the analyst's commentary: stored under ``commentary`` in
#: context.json and shaping nothing else in the prepared folder, so a build whose only change is
#: the commentary restores the folder from the cache and rewrites that entry (:func:`refresh_commentary`).
COMMENTARY_KEYS = ("summary", "pillars", "commentary")
#: Keys of the month's commentary file: stored under ``commentary`` in context.json, not ``params``.
MONTH_KEYS = ("month", "as_at", *COMMENTARY_KEYS)


def commentary_of(settings) -> dict:
    """context.json's ``commentary``: the summary, the pillars' overviews and the KPIs' text."""
    return {
        "summary": settings.summary,
        "pillars": settings.pillars or {},
        "kpis": {str(k): v for k, v in (settings.commentary or {}).items()},
    }


def _write_context(out: Path, meta: dict) -> Path:
    path = Path(out) / "context.json"
    path.write_text(json.dumps(_jsonable(meta), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def refresh_commentary(out_dir, *, month, params_file=None) -> None:
    """Put the params' current commentary into a prepared folder's context.json (a folder restored
    from the build cache, prepared from the same inputs but for the commentary); the bytes are
    those :func:`prepare` writes. A public build's identifier check still reads the whole file."""
    path = Path(out_dir) / "context.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["commentary"] = commentary_of(config.load_params(params_file, str(as_month(month))))
    _write_context(Path(out_dir), meta)


def _jsonable(obj):
    """Params and sources as plain JSON (dates -> ISO strings, numpy scalars -> numbers)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime, pd.Timestamp, pd.Period)):
        return str(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "__dataclass_fields__"):
        return _jsonable({k: getattr(obj, k) for k in obj.__dataclass_fields__})
    if isinstance(obj, pd.DataFrame):
        return _jsonable(obj.astype(object).where(obj.notna(), None).to_dict("records"))
    return obj



def _load_data(data_dir, *, as_at=None, aliases=None):
    """The extracts, or a LoadError when they break the contract (a missing required column, an
    unreadable file, a missing Annex A sheet): a report must not be built on a table that was not
    loaded. Warnings are kept for the data-quality appendix.

    ``as_at`` (``--as-at``, else the params' ``as_at``) and ``aliases`` (params
    ``extracts: aliases:``) go to :func:`torbayreport.io.load`, which chooses the as-at date
    (Front_Sheet, else this, else the latest event date) and says which in the findings."""
    from torbayreport.io import load

    loaded = load(Path(data_dir), as_at=as_at, aliases=aliases or None)
    loaded.raise_for_errors()
    return loaded


# ============================================================================== prepare

def _plan_tracker_frames(tables_: dict, month) -> dict[str, pd.DataFrame]:
    """Plan tracker frames (counts, overdue, changes) from torbayreport.assess.plan_tracker."""
    from torbayreport.assess import plan_tracker

    result = plan_tracker(tables_.get("plan_actions"), as_month(month))
    return {"counts": result.counts, "overdue": result.overdue, "changes": result.changes}


def _narrative(frame: pd.DataFrame, month, disclosure: bool) -> list[str]:
    """Executive-summary sentences; with disclosure on, they quote the disclosed display values."""
    from torbayreport.assess.narrative import summary_sentences

    if disclosure:
        def value_text(row) -> str:
            shown = row.get("value_display")
            return str(shown) if not pd.isna(shown) else "figure withheld"

        return [str(s) for s in summary_sentences(frame, as_month(month), brief=True, value_text=value_text)]
    return [str(s) for s in summary_sentences(frame, as_month(month), brief=True)]


@dataclass
class MonthData:
    """What every audience of a month shares: the params, the loaded extracts, the window, the KPIs
    with their members, the assessed table and the plan tracker. Computed once by
    :func:`compute_month`, then written for each audience by :func:`write_audience` (``torbayreport
    build --audience all`` loads the data and computes the metrics once for both audiences)."""

    period: pd.Period
    settings: object
    loaded: object
    months: pd.PeriodIndex
    members: object
    assessed: pd.DataFrame
    plan: dict

    @property
    def tables(self) -> dict:
        return self.loaded.tables


def compute_month(*, month, data_dir, params_file=None, as_at=None) -> MonthData:
    """Load the extracts, compute every KPI over the window and assess it (audience-independent)."""
    from torbayreport.assess import assess
    from torbayreport.metrics import compute

    period = as_month(month)
    settings = config.load_params(params_file, str(period))
    loaded = _load_data(data_dir, as_at=as_at or settings.as_at,
                        aliases=settings.extracts.aliases if settings.extracts else None)
    params = {k: v for k, v in settings.as_dict().items() if k not in MONTH_KEYS}
    months = report_window(period, loaded.tables, settings.report.window_months)
    metrics, members = compute(loaded.tables, months, with_members=True)
    assessed = assess(metrics, params)
    return MonthData(period, settings, loaded, months, members, assessed, _plan_tracker_frames(loaded.tables, period))


def prepare(*, month, audience, data_dir, params_file=None, out_dir, as_at=None) -> Path:
    """Compute the month's report context once and write it to ``out_dir``; return ``out_dir``.

    ``as_at``: the extracts' as-at date from the command line (``--as-at``); it overrides the
    params' ``as_at``. metrics.csv carries ``availability`` and ``availability_reason`` (the
    words every display prints for a month the data cannot support).

    Writes metrics.csv (assessed and disclosed, month as YYYY-MM), findings.csv, plan_*.csv and
    context.json; for the internal audience also exceptions/<list>.csv and teams.csv.
    """
    shared = compute_month(month=month, data_dir=data_dir, params_file=params_file, as_at=as_at)
    return write_audience(shared, audience=audience, out_dir=out_dir)


def write_audience(shared: MonthData, *, audience, out_dir) -> Path:
    """One audience's report folder from the month's shared computation (see :func:`prepare`):
    disclosure, the availability reasons, the findings, the narrative, the internal drill-downs."""
    from torbayreport.disclose import apply as disclose
    from torbayreport.metrics.drilldown import exception_lists, team_drilldown

    period, settings, loaded, months, members = (shared.period, shared.settings, shared.loaded, shared.months,
                                                 shared.members)
    reader = config.audience(audience)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # a folder reused for another audience must not keep the other audience's artefacts
    shutil.rmtree(out / "exceptions", ignore_errors=True)
    for stale in [out / "teams.csv", out / "context.json", *out.glob("plan_*.csv")]:
        stale.unlink(missing_ok=True)

    params = {k: v for k, v in settings.as_dict().items() if k not in MONTH_KEYS}
    tables_ = loaded.tables
    assessed = shared.assessed.copy()   # the shared table stays as computed for the next audience
    disclosed = disclose(assessed, audience=DISCLOSE_MODE[reader.disclosure], threshold=settings.disclosure.threshold)
    if reader.disclosure:
        from torbayreport.disclose import withhold_derived

        # a RAG rating, direction or SPC reading of a withheld value gives it back within a band
        disclosed = withhold_derived(blank_for_public(disclosed))
    from torbayreport.metrics.coverage import reasons

    disclosed["availability_reason"] = reasons(disclosed, tables_)
    assessed["availability_reason"] = disclosed["availability_reason"].to_numpy()

    written: list[Path] = []
    frame = disclosed.copy()
    frame["month"] = frame["month"].astype(str)
    path = csvsafe.write_csv(frame, out / "metrics.csv")
    written.append(path)

    findings = loaded.findings_frame()
    if reader.disclosure and len(findings):
        keys = [c for c in ("severity", "file", "column", "code") if c in findings.columns]
        findings = findings.groupby(keys, dropna=False).size().rename("count").reset_index()
    path = csvsafe.write_csv(findings, out / "findings.csv")
    written.append(path)

    for name, table in shared.plan.items():
        path = csvsafe.write_csv(table, out / f"plan_{name}.csv")
        written.append(path)

    narrative_frame = disclosed if reader.disclosure else assessed
    summary_sentences = _narrative(narrative_frame, period, reader.disclosure)

    meta = {
        "artefact_version": ARTEFACT_VERSION,
        "month": str(period),
        "audience": audience,
        "la": settings.la.model_dump(),
        "title": settings.report.title,
        "trend_months": settings.report.trend_months,
        # the date io used (Front_Sheet, else --as-at / params, else the latest event date)
        "as_at": str(loaded.as_at.date()) if loaded.as_at is not None else (str(settings.as_at) if settings.as_at else None),
        "as_at_source": loaded.as_at_source,
        "window": {"start": str(months[0]), "end": str(months[-1])},
        "commentary": commentary_of(settings),
        "summary_sentences": summary_sentences,
        "params": params,
        "params_files": [str(p) for p in settings.files],
        # file names and hashes only: no local paths in the report
        "inputs": [{"file": src.name, "kind": src.kind, "sha256": src.sha256} for src in loaded.sources],
        "disclosure_key": _disclosure_key(),
    }
    if not reader.disclosure:
        exc_dir = out / "exceptions"
        exc_dir.mkdir(exist_ok=True)
        for name, table in exception_lists(members, tables_, period).items():
            csvsafe.write_csv(table, exc_dir / f"{name}.csv")
        teams = team_drilldown(members, tables_, period)
        csvsafe.write_csv(teams, out / "teams.csv")
    written.append(_write_context(out, meta))

    if reader.disclosure:
        try:
            _guard_outputs(written, tables_, as_at=meta["as_at"], window=(str(months[0]), str(months[-1])))
        except DisclosureError:  # nothing identifying is left behind in the build folder
            for p in written:
                p.unlink(missing_ok=True)
            raise
    return out

def write_region_compare(region_file, *, month, audience, params_file=None, out_dir) -> Path:
    """``out_dir/how_we_compare.csv``: the council's "how we compare" rows for ``audience``.

    The regional table (``torbayreport region``'s region.parquet/.csv) is read once here; the
    rows are made audience-safe by :func:`torbayreport.region.compare.how_we_compare` (public: only
    publishable statistics, a withheld value ``[c]`` with no rank) and written as text, headed
    for the reader, so the notebook only lays them out. The council is ``la.code`` of the params.
    """
    from torbayreport.disclose.csvsafe import write_csv
    from torbayreport.region.compare import how_we_compare, read_region_table, reader_headings

    settings = config.load_params(params_file, str(as_month(month)))
    mode = DISCLOSE_MODE[config.audience(audience).disclosure]
    rows = how_we_compare(read_region_table(region_file), settings.la.code, mode, month=str(as_month(month)))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return write_csv(reader_headings(rows), Path(out_dir) / "how_we_compare.csv")


def _disclosure_key() -> str:
    from torbayreport.disclose import key_markdown

    return str(key_markdown())


# ============================================================================== cache

def _cache_dir(month, audience, data_dir, params_file) -> Path:
    """A cache folder keyed by everything the context depends on (inputs' sizes and times, params)."""
    from torbayreport import __version__

    digest = hashlib.sha256()
    digest.update(f"{as_month(month)}|{audience}|{__version__}|{ARTEFACT_VERSION}".encode())
    data_path = Path(data_dir).resolve()
    digest.update(str(data_path).encode())
    files = sorted(p for p in data_path.rglob("*") if p.is_file()) if data_path.is_dir() else [data_path]
    for p in files:
        stat = p.stat()
        digest.update(f"{p.relative_to(data_path.parent)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for p in config.load_params(params_file, str(as_month(month))).files:
        digest.update(Path(p).read_bytes())
    src = Path(__file__).resolve().parents[1]
    for p in sorted(src.rglob("*.py")):  # code changes invalidate the cache too
        digest.update(f"{p.name}|{p.stat().st_mtime_ns}".encode())
    root = Path(os.environ.get("TORBAYREPORT_CACHE", Path(tempfile.gettempdir()) / "torbayreport-context"))
    return root / digest.hexdigest()[:20]


def _prepare_cached(month, audience, data_dir, params_file) -> Path:
    target = _cache_dir(month, audience, data_dir, params_file)
    if (target / "context.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        prepare(month=month, audience=audience, data_dir=data_dir, params_file=params_file, out_dir=staging)
        try:
            staging.rename(target)  # atomic; another notebook may have won the race
        except OSError:
            pass
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target

def load_context(*, month, audience, data, params="", build_root="") -> ReportContext:
    """The context a notebook uses: read from ``build_root/<month>/<audience>`` (a build prepared
    it), or, with ``build_root`` empty, prepared into a cache keyed by the inputs.

    The arguments are the notebooks' parameters, named as the ``build`` command's flags
    (``--month``, ``--audience``, ``--data``, ``--params``, ``--build-root``).
    """
    config.audience(audience)
    params = params or None
    if build_root:
        folder = Path(build_root) / str(as_month(month)) / audience
        if not (folder / "context.json").is_file():
            raise FileNotFoundError(f"{folder}: no context.json; run `torbayreport build` or leave build_root empty")
    else:
        folder = _prepare_cached(month, audience, data, params)
    from torbayreport.report.context import ReportContext

    return ReportContext.read(folder, month=month, audience=audience, data=data)
