"""The report context: compute once, write small artefacts, and give each notebook cell one helper.

Why this layer exists:

* **Once, not seven times.** ``prepare`` loads the extracts, computes every KPI over the window,
  assesses and applies disclosure control *once* for a month and audience, and writes the results
  to a folder (``build/<month>/<audience>/`` in a build). Every notebook then only *reads* those
  artefacts, so seven notebooks cannot disagree and a build does not pay seven data loads.
* **The public path never holds record-level data.** For the public audience ``prepare`` writes
  only the disclosed metric table (suppressed numbers blanked, SPC lines blanked for any series
  with a suppressed month), a *summary* of data-quality findings and the plan tracker; no
  exception lists, no drill-down, no identifiers. Before finishing it scans every artefact it
  wrote for identifier values taken from the extracts and refuses to finish if one is found.
* **An analyst can open any notebook and run it with no build.** ``load`` with an empty
  ``build_dir`` runs ``prepare`` into a cache folder keyed by the inputs' contents, so the first
  notebook opened pays for the computation and the others reuse it.
* **No metric logic in notebooks.** ``ReportContext`` offers one helper per notebook cell
  (``ctx.scorecard("practice")``, ``ctx.trend_figures("practice")``, ``ctx.exceptions(...)``);
  each returns markdown (or displays figures) built by :mod:`torbayreport.tables` and
  :mod:`torbayreport.charts` from the artefacts.

Exception lists are *derived from the KPI members frames* (who was in a denominator but not in the
numerator); the only extra lookups are descriptive (team, worker, last visit date) plus one list
the catalogue has no KPI for: assessments still open past 45 working days at month end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import yaml

from torbayreport import charts, tables
from torbayreport.tables import Markdown

AUDIENCES = ("internal", "public")
WINDOW_MONTHS = 36
NUMERIC_COLUMNS = (
    "numerator", "denominator", "value", "target", "tolerance", "previous_value", "benchmark_value",
    "spc_mean", "spc_lpl", "spc_upl",
)
BOOL_SUFFIX = "_suppressed"
ARTEFACT_VERSION = 1

#: Exception lists: name -> (KPI, which members, heading, explanation for the reader).
EXCEPTION_LISTS = {
    "cp_visits_overdue": ("P13", False, "Children on a child protection plan whose visit is overdue",
                          "Children on a plan at month end who were not seen in the last 10 working days (P13)."),
    "cin_visits_overdue": ("P16", False, "Children in need whose visit is overdue",
                           "Children in need at month end not seen in the last 20 working days (P16)."),
    "cla_visits_overdue": ("P17", False, "Children looked after whose visit is overdue",
                           "Children looked after at month end not visited in the last 6 weeks (P17)."),
    "assessments_late": ("P04", False, "Assessments completed late this month",
                         "Assessments authorised this month more than 45 working days after they started (P04)."),
    "reaudits_awaited": ("Q04", False, "Inadequate audits awaiting re-audit",
                         "Audits graded inadequate whose re-audit fell due and was not done within 2 months (Q04)."),
    "caseload_over_limit": ("L02", True, "Social workers over the caseload limit",
                            "Case-holding social workers with more than 22 children at month end (L02)."),
    "asye_over_limit": ("W06", True, "Newly qualified social workers (ASYE) over 18 children",
                        "ASYE social workers whose month-end caseload is above 18 (W06)."),
}
#: What the date part of a members record id is, per list (record ids are "<person>|<date>...").
RECORD_LABELS = {"assessments_late": "assessment_start"}

#: Measures in the team drill-down: practice standards a team manager acts on, workers' supervision
#: and caseloads. Kept short so the table fits an A4 page (teams are rows, measures columns).
TEAM_KPIS = ("P13", "P14", "P16", "P17", "L04", "L03", "L02")

NO_COMMENTARY = "No commentary was provided for this month."


# ============================================================================== small helpers

def _month(month) -> pd.Period:
    try:
        return pd.Period(str(month), "M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"month must be written YYYY-MM (e.g. 2020-12); got {month!r}") from exc


def _check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose one of: {', '.join(AUDIENCES)}")
    return audience


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


def month_params_path(params_file, month) -> Path | None:
    """``params/<YYYY-MM>.yaml`` beside the params file (commentary, as-at date), if present."""
    if not params_file:
        return None
    candidate = Path(params_file).parent / f"{_month(month)}.yaml"
    return candidate if candidate.is_file() else None


def read_month_params(params_file, month) -> dict:
    """The month's commentary file as a dict: as_at, summary, pillars{}, commentary{kpi_id: text}."""
    path = month_params_path(params_file, month)
    if path is None:
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with as_at, summary and commentary; got {type(data).__name__}")
    stated = data.get("month")
    if stated is not None and str(stated) != str(_month(month)):
        raise ValueError(f"{path}: says month {stated!r} but is read for {_month(month)}")
    commentary = data.get("commentary") or {}
    if not isinstance(commentary, dict):
        raise ValueError(f"{path}: 'commentary' must map KPI ids to text")
    return data


# ============================================================================== upstream adapters
# The modules below are called through these thin adapters so that the contract each relies on is
# written down in one place.

def _load_data(data_dir):
    """The extracts, or a LoadError when they break the contract (a missing required column, an
    unreadable file, a missing Annex A sheet): a report must not be built on a table that was not
    loaded. Warnings are kept for the data-quality appendix."""
    from torbayreport.io import load

    loaded = load(Path(data_dir))
    loaded.raise_for_errors()
    return loaded


def _load_params(params_file):
    from torbayreport.assess.params import params_for

    return params_for(params_file)


def _first_data_month(tables_: dict) -> pd.Period | None:
    """The first month of the extracts' reporting period.

    Extracts carry look-back history for some tables (referrals a year back for re-referrals,
    open plans and periods of care from whenever they started) but the reporting period is where
    every front-door list has activity: the *latest* of the contacts' and referrals' first months.
    Starting earlier would put months with half-empty tables into the trends and SPC limits.
    """
    firsts = []
    for name, column in (("contacts", "contact_date"), ("referrals", "referral_date")):
        frame = tables_.get(name)
        if frame is not None and column in frame.columns and frame[column].notna().any():
            firsts.append(pd.Timestamp(frame[column].min()).to_period("M"))
    return max(firsts) if firsts else None


def _last_data_month(tables_: dict) -> pd.Period | None:
    """The last month the extracts cover: the earlier of the contacts' and referrals' last months."""
    lasts = []
    for name, column in (("contacts", "contact_date"), ("referrals", "referral_date")):
        frame = tables_.get(name)
        if frame is not None and column in frame.columns and frame[column].notna().any():
            lasts.append(pd.Timestamp(frame[column].max()).to_period("M"))
    return min(lasts) if lasts else None


def report_window(month, tables_: dict) -> pd.PeriodIndex:
    """Months from ``month - 35`` (or the reporting period's first month, if later) to ``month``.

    A month outside the extracts' reporting period is refused: a report for it would show empty
    flows and stale snapshots as if they were that month's performance.
    """
    end = _month(month)
    first, last = _first_data_month(tables_), _last_data_month(tables_)
    if last is not None and end > last:
        raise ValueError(
            f"{end} is after the last month the extracts cover ({last}): check --month, or --data points "
            "at the right folder"
        )
    if first is not None and end < first:
        raise ValueError(f"{end} is before the first month the extracts cover ({first})")
    start = end - (WINDOW_MONTHS - 1)
    if first is not None and first > start:
        start = min(first, end)
    return pd.period_range(start, end, freq="M", name="month")


def _disclose(assessed: pd.DataFrame, audience: str, threshold: int) -> pd.DataFrame:
    from torbayreport import disclose

    return disclose.apply(assessed, audience=audience, threshold=threshold)


def _long_date(value) -> str:
    """'2021-01-08' -> '8 January 2021' (the cover page's form); other text is shown as given."""
    try:
        day = pd.Timestamp(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


# ============================================================================== public guard

def guard_public(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank every raw number a public reader could use to recover a suppressed count.

    Disclosure control decides *what* is suppressed; this makes sure the public artefact cannot
    carry it anyway: suppressed numerators/denominators/values become empty, last month's value is
    blanked (shown ``[c]``) where last month was suppressed, and a KPI with any suppressed month in the window
    loses its SPC mean and limits (with one month hidden, the mean of the others gives it back).
    """
    out = frame.copy()
    for name in ("numerator", "denominator", "value"):
        flag = f"{name}{BOOL_SUFFIX}"
        if flag in out.columns and name in out.columns:
            hide = out[flag].fillna(False).astype(bool)
            out[name] = out[name].astype("float64").where(~hide)
    if "value_suppressed" in out.columns:
        hidden = out["value_suppressed"].fillna(False).astype(bool)
        prev_hidden = (
            out.assign(_h=hidden).sort_values(["kpi_id", "month"]).groupby("kpi_id")["_h"].shift(1)
            .reindex(out.index).fillna(False).astype(bool)
        )
        if "previous_value" in out.columns:
            out["previous_value"] = out["previous_value"].astype("float64").where(~prev_hidden)
            out["previous_display"] = pd.Series(pd.NA, index=out.index, dtype="string").mask(prev_hidden, "[c]")
        series_hidden = hidden.groupby(out["kpi_id"]).transform("any")
        for column in ("spc_mean", "spc_lpl", "spc_upl"):
            if column in out.columns:
                out[column] = out[column].astype("float64").where(~series_hidden)
    return out


def _scan_for_identifiers(paths: Iterable[Path], tables_: dict, allow: Iterable[str]) -> list[str]:
    """Identifier values (``disclose.sensitive_values``) found in the text of ``paths``.

    ``allow``: dates the artefacts legitimately print (``disclose.identifiers.report_dates``), which
    a young child's date of birth could equal.
    """
    from torbayreport.disclose import IdentifierIndex, sensitive_values

    index = IdentifierIndex(sensitive_values(tables_), allow=allow)
    found = []
    for path in paths:
        hits = index.find(Path(path).read_text(encoding="utf-8", errors="replace"))
        found.extend(f"{Path(path).name}: {value!r}" for value, _ in hits[:5])
    return found


# ============================================================================== drill-down

def _person(record_id: pd.Series) -> pd.Series:
    """The child or worker a members record belongs to: the part of ``record_id`` before "|"."""
    return record_id.astype("string").str.split("|", n=1).str[0]


def _record_detail(record_id: pd.Series) -> pd.Series:
    rest = record_id.astype("string").str.split("|", n=1).str.get(1).astype("string").fillna("")
    return rest.str.replace("|", ", ", regex=False)


def _allocated_worker(tables_: dict, month_end: pd.Timestamp) -> pd.DataFrame:
    """child_id -> worker_id, team of the most recent allocation open at month end."""
    alloc = tables_.get("allocations")
    staff = tables_.get("staff")
    if alloc is None or staff is None or alloc.empty:
        return pd.DataFrame(columns=["child_id", "worker_id", "team"])
    open_ = alloc[(alloc["alloc_start"] <= month_end) & (alloc["alloc_end"].isna() | (alloc["alloc_end"] > month_end))]
    latest = open_.sort_values(["child_id", "alloc_start", "worker_id"]).drop_duplicates("child_id", keep="last")
    return latest[["child_id", "worker_id"]].merge(staff[["worker_id", "team"]], on="worker_id", how="left")


def exception_lists(members: dict, tables_: dict, month) -> dict[str, pd.DataFrame]:
    """Internal exception lists for ``month`` from the KPI members frames (see EXCEPTION_LISTS)."""
    period = _month(month)
    month_end = period.to_timestamp(how="end").normalize()
    alloc = _allocated_worker(tables_, month_end)
    staff = tables_.get("staff", pd.DataFrame(columns=["worker_id", "team", "role"]))
    out: dict[str, pd.DataFrame] = {}
    for name, (kpi_id, in_numerator, _heading, _why) in EXCEPTION_LISTS.items():
        frame = members.get(kpi_id)
        if frame is None:
            continue
        rows = frame[(frame["month"] == period) & (frame["in_numerator"].astype(bool) == in_numerator)]
        person = _person(rows["record_id"])
        detail = _record_detail(rows["record_id"])
        if kpi_id == "Q04":  # members are audits: show the audited child and the audit
            audits = tables_.get("audits", pd.DataFrame(columns=["audit_id", "child_id", "audit_date"]))
            listed = pd.DataFrame({"audit_id": person.to_numpy()}).merge(
                audits[["audit_id", "child_id", "audit_date"]], on="audit_id", how="left"
            ).merge(alloc, on="child_id", how="left")
            listed["audit_date"] = pd.to_datetime(listed["audit_date"]).dt.strftime("%Y-%m-%d")
        elif kpi_id in ("L02", "W06"):
            listed = pd.DataFrame({"worker_id": person.to_numpy()}).merge(
                staff[[c for c in ("worker_id", "worker_name", "team", "role") if c in staff.columns]],
                on="worker_id", how="left",
            )
        else:
            listed = pd.DataFrame({"child_id": person.to_numpy(), "record": detail.to_numpy()}).merge(
                alloc, on="child_id", how="left"
            )
            if kpi_id in ("P13", "P16", "P17"):
                listed = listed.merge(_last_visits(tables_, month_end, {"P13": "CP", "P16": "CIN", "P17": "CLA"}[kpi_id]),
                                      on="child_id", how="left").drop(columns=["record"])
        if "record" in listed.columns:
            listed = listed.rename(columns={"record": RECORD_LABELS.get(name, "record")})
        out[name] = listed.sort_values(list(listed.columns[:2])).reset_index(drop=True)
    out["assessments_open_overdue"] = _open_assessments_overdue(tables_, month_end, alloc)
    return out


def _last_visits(tables_: dict, month_end: pd.Timestamp, visit_type: str) -> pd.DataFrame:
    visits = tables_.get("visits")
    if visits is None or visits.empty:
        return pd.DataFrame(columns=["child_id", "last_visit"])
    v = visits[(visits["visit_type"] == visit_type) & (visits["visit_date"] <= month_end)]
    last = v.groupby("child_id", as_index=False)["visit_date"].max().rename(columns={"visit_date": "last_visit"})
    last["last_visit"] = last["last_visit"].dt.strftime("%Y-%m-%d")
    return last


def _open_assessments_overdue(tables_: dict, month_end: pd.Timestamp, alloc: pd.DataFrame) -> pd.DataFrame:
    """Assessments open at month end past the limit (counted in metrics), with their worker and team."""
    from torbayreport.metrics.practice_front_door import open_assessments_overdue

    columns = ["child_id", "assessment_start", "working_days_open", "worker_id", "team"]
    late = open_assessments_overdue(tables_, pd.PeriodIndex([month_end.to_period("M")], name="month"))
    late = late.drop(columns="month").merge(alloc, on="child_id", how="left")
    late["assessment_start"] = late["assessment_start"].dt.strftime("%Y-%m-%d")
    return late.sort_values(["working_days_open", "child_id"], ascending=[False, True])[columns].reset_index(drop=True)


def team_drilldown(members: dict, tables_: dict, month) -> pd.DataFrame:
    """Per team and KPI: numerator, denominator and value for ``month`` (children via their allocated
    worker at month end, workers via their own team). Records that are neither are left out."""
    from torbayreport.metrics import REGISTRY

    period = _month(month)
    month_end = period.to_timestamp(how="end").normalize()
    alloc = _allocated_worker(tables_, month_end)
    staff = tables_.get("staff", pd.DataFrame(columns=["worker_id", "team"]))
    child_team = dict(zip(alloc["child_id"], alloc["team"]))
    worker_team = dict(zip(staff["worker_id"], staff["team"]))
    frames = []
    for kpi_id, frame in members.items():
        kpi = REGISTRY.get(kpi_id)
        if kpi is None or kpi.unit != "percent" or kpi_id not in TEAM_KPIS:
            continue
        rows = frame[frame["month"] == period]
        if rows.empty:
            continue
        person = _person(rows["record_id"])
        # A members record belongs to a worker when its id is a worker id, else to a child.
        team = person.map(worker_team) if person.isin(list(worker_team)).all() else person.map(child_team)
        if team.isna().all():
            continue
        team = team.fillna("Not allocated")
        grouped = rows.assign(team=team.to_numpy()).groupby("team")["in_numerator"].agg(["sum", "size"])
        frames.append(
            pd.DataFrame({
                "team": grouped.index, "kpi_id": kpi_id, "title": kpi.title,
                "numerator": grouped["sum"].to_numpy(dtype=float), "denominator": grouped["size"].to_numpy(dtype=float),
            })
        )
    if not frames:
        return pd.DataFrame(columns=["team", "kpi_id", "title", "numerator", "denominator", "value"])
    out = pd.concat(frames, ignore_index=True)
    out["value"] = (100 * out["numerator"] / out["denominator"]).round(1)
    return out.sort_values(["kpi_id", "team"]).reset_index(drop=True)


# ============================================================================== prepare

def _plan_tracker_frames(tables_: dict, month, params: dict) -> dict[str, pd.DataFrame]:
    """Plan tracker frames (counts, overdue, changes) from torbayreport.assess.plan_tracker."""
    from torbayreport.assess import plan_tracker

    result = plan_tracker(tables_.get("plan_actions"), _month(month))
    if isinstance(result, dict):
        items = result.items()
    else:
        items = ((k, getattr(result, k)) for k in ("counts", "overdue", "changes") if hasattr(result, k))
    return {k: v for k, v in items if isinstance(v, pd.DataFrame)}


def _narrative(frame: pd.DataFrame, month, audience: str) -> list[str]:
    """Executive-summary sentences; the public build quotes the disclosed display values."""
    from torbayreport.assess.narrative import summary_sentences

    if audience == "public":
        def value_text(row) -> str:
            shown = row.get("value_display")
            return str(shown) if not tables._missing(shown) else "figure withheld"

        return [str(s) for s in summary_sentences(frame, _month(month), brief=True, value_text=value_text)]
    return [str(s) for s in summary_sentences(frame, _month(month), brief=True)]


def prepare(*, month, audience, data_dir, params_file=None, out_dir) -> Path:
    """Compute the month's report context once and write it to ``out_dir``; return ``out_dir``.

    Writes metrics.csv (assessed and disclosed, month as YYYY-MM), findings.csv, plan_*.csv and
    context.json; for the internal audience also exceptions/<list>.csv and teams.csv.
    """
    from torbayreport.metrics import compute
    from torbayreport.assess import assess

    period = _month(month)
    _check_audience(audience)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # a folder reused for another audience must not keep the other audience's artefacts
    shutil.rmtree(out / "exceptions", ignore_errors=True)
    for stale in [out / "teams.csv", out / "context.json", *out.glob("plan_*.csv")]:
        stale.unlink(missing_ok=True)

    loaded = _load_data(data_dir)
    params = _load_params(params_file)
    month_params = read_month_params(params_file, period)
    tables_ = loaded.tables
    months = report_window(period, tables_)
    metrics, members = compute(tables_, months, with_members=True)
    assessed = assess(metrics, params)
    threshold = int((params.get("disclosure") or {}).get("threshold", 5))
    disclosed = _disclose(assessed, audience, threshold)
    if audience == "public":
        disclosed = guard_public(disclosed)

    written: list[Path] = []
    frame = disclosed.copy()
    frame["month"] = frame["month"].astype(str)
    (path := out / "metrics.csv").write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    written.append(path)

    findings = loaded.findings_frame() if hasattr(loaded, "findings_frame") else pd.DataFrame()
    if audience == "public" and len(findings):
        keys = [c for c in ("severity", "file", "column", "code") if c in findings.columns]
        findings = findings.groupby(keys, dropna=False).size().rename("count").reset_index()
    (path := out / "findings.csv").write_text(findings.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    written.append(path)

    plan = _plan_tracker_frames(tables_, period, params)
    for name, table in plan.items():
        (path := out / f"plan_{name}.csv").write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        written.append(path)

    narrative_frame = disclosed if audience == "public" else assessed
    summary_sentences = _narrative(narrative_frame, period, audience)

    la = params.get("la") or {}
    report = params.get("report") or {}
    sources = getattr(loaded, "sources", None)  # file names and hashes only: no local paths in the report
    meta = {
        "artefact_version": ARTEFACT_VERSION,
        "month": str(period),
        "audience": audience,
        "la": {"name": la.get("name", ""), "code": str(la.get("code", "")), "slug": la.get("slug", "")},
        "title": report.get("title", "Children's services performance report"),
        "trend_months": int(report.get("trend_months", 24)),
        "as_at": str(month_params.get("as_at")) if month_params.get("as_at") else None,
        "window": {"start": str(months[0]), "end": str(months[-1])},
        "commentary": {
            "summary": month_params.get("summary"),
            "pillars": month_params.get("pillars") or {},
            "kpis": {str(k): v for k, v in (month_params.get("commentary") or {}).items()},
        },
        "summary_sentences": summary_sentences,
        "params": params,
        "params_files": [str(p) for p in (params_file, month_params_path(params_file, period)) if p],
        "inputs": [{"file": getattr(src, "name", str(src)), "kind": getattr(src, "kind", ""),
                    "sha256": getattr(src, "sha256", "")} for src in (sources or [])],
        "disclosure_key": _disclosure_key(),
    }
    if audience == "internal":
        exc_dir = out / "exceptions"
        exc_dir.mkdir(exist_ok=True)
        for name, table in exception_lists(members, tables_, period).items():
            (path := exc_dir / f"{name}.csv").write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        teams = team_drilldown(members, tables_, period)
        (out / "teams.csv").write_text(teams.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    (path := out / "context.json").write_text(json.dumps(_jsonable(meta), indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    written.append(path)

    if audience == "public":
        from torbayreport.disclose.identifiers import report_dates

        allow = report_dates(as_at=meta["as_at"], window=(str(months[0]), str(months[-1])),
                             other_dates=tables_["plan_actions"]["due_date"].dropna())
        leaks = _scan_for_identifiers(written, tables_, allow)
        if leaks:
            for p in written:
                p.unlink(missing_ok=True)
            raise ValueError(
                "public artefacts would carry identifiers (fix the commentary or the data and rebuild): "
                + "; ".join(leaks[:10])
            )
    return out


def _disclosure_key() -> str:
    try:
        from torbayreport.disclose import key_markdown
    except ImportError:
        return ""
    return str(key_markdown())


# ============================================================================== load

def _cache_dir(month, audience, data_dir, params_file) -> Path:
    """A cache folder keyed by everything the context depends on (inputs' sizes and times, params)."""
    from torbayreport import __version__

    digest = hashlib.sha256()
    digest.update(f"{_month(month)}|{audience}|{__version__}|{ARTEFACT_VERSION}".encode())
    data_path = Path(data_dir).resolve()
    digest.update(str(data_path).encode())
    files = sorted(p for p in data_path.rglob("*") if p.is_file()) if data_path.is_dir() else [data_path]
    for p in files:
        stat = p.stat()
        digest.update(f"{p.relative_to(data_path.parent)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for p in (params_file, month_params_path(params_file, month)):
        if p and Path(p).is_file():
            digest.update(Path(p).read_bytes())
    src = Path(__file__).resolve().parent
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


def _read_metrics(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in [c for c in frame.columns if c.endswith(BOOL_SUFFIX)]:
        frame[column] = frame[column].map({"True": True, "False": False, "true": True, "false": False}).astype("boolean")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file() or path.stat().st_size == 0 or path.read_text(encoding="utf-8").strip() == "":
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def load(*, month, audience, data_dir, params_file, build_dir="") -> "ReportContext":
    """The context a notebook uses: read from ``build_dir``, or prepare into a cache when it is empty."""
    _check_audience(audience)
    params_file = params_file or None
    if build_dir:
        folder = Path(build_dir)
        if not (folder / "context.json").is_file():
            raise FileNotFoundError(f"{folder}: no context.json; run `torbayreport build` or leave build_dir empty")
    else:
        folder = _prepare_cached(month, audience, data_dir, params_file)
    return ReportContext.read(folder, month=month, audience=audience)


load_context = load


# ============================================================================== the notebook API

@dataclass
class ReportContext:
    """Everything a report notebook shows, read from the prepared artefacts."""

    folder: Path
    month: pd.Period
    audience: str
    meta: dict
    metrics: pd.DataFrame
    findings: pd.DataFrame
    plan: dict[str, pd.DataFrame] = field(default_factory=dict)
    exception_frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    teams: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def read(cls, folder, *, month, audience) -> "ReportContext":
        folder = Path(folder)
        meta = json.loads((folder / "context.json").read_text(encoding="utf-8"))
        if meta.get("month") != str(_month(month)) or meta.get("audience") != audience:
            raise ValueError(
                f"{folder} holds the {meta.get('month')} {meta.get('audience')} context, "
                f"not {_month(month)} {audience}"
            )
        plan = {p.stem.removeprefix("plan_"): _read_csv(p) for p in sorted(folder.glob("plan_*.csv"))}
        exceptions_ = {}
        teams = pd.DataFrame()
        if audience == "internal":
            exceptions_ = {p.stem: _read_csv(p) for p in sorted((folder / "exceptions").glob("*.csv"))}
            teams = _read_csv(folder / "teams.csv")
        return cls(folder, _month(month), audience, meta, _read_metrics(folder / "metrics.csv"),
                   _read_csv(folder / "findings.csv"), plan, exceptions_, teams)

    # ------------------------------------------------------------------ basics
    @property
    def la_name(self) -> str:
        return self.meta.get("la", {}).get("name", "")

    @property
    def month_words(self) -> str:
        return self.month.strftime("%B %Y")

    def current(self, pillar: str | None = None) -> pd.DataFrame:
        """The report month's rows (optionally one pillar), in registry order."""
        rows = self.metrics[self.metrics["month"] == self.month]
        if pillar is not None:
            rows = rows[rows["pillar"] == pillar]
        return rows.reset_index(drop=True)

    def kpi_ids(self, pillar: str) -> list[str]:
        return list(self.current(pillar)["kpi_id"])

    def series(self, kpi_id: str) -> pd.DataFrame:
        return self.metrics[self.metrics["kpi_id"] == kpi_id].sort_values("month").reset_index(drop=True)

    # ------------------------------------------------------------------ front matter
    def title_block(self) -> Markdown:
        as_at = self.meta.get("as_at")
        audience = {"internal": "Improvement Board (internal, contains child-level information)",
                    "public": "Overview and Scrutiny Board (public)"}[self.audience]
        lines = [
            f"**{self.meta.get('title', '')}** for {self.la_name}, {self.month_words}.",
            "",
            f"- Audience: {audience}",
            f"- Data as at: {_long_date(as_at) if as_at else 'not stated'}",
            f"- Trend period: {pd.Period(self.meta['window']['start'], 'M').strftime('%B %Y')} to {self.month_words}",
        ]
        return Markdown("\n".join(lines))

    # ------------------------------------------------------------------ scorecards and charts
    def scorecard(self, pillar: str) -> Markdown:
        return tables.scorecard(self.current(pillar))

    def chart(self, kpi_id: str) -> charts.Chart:
        return charts.spc_chart(self.series(kpi_id), self.month, la_name=self.la_name, audience=self.audience,
                                trend_months=int(self.meta.get("trend_months", 24)))

    def commentary(self, kpi_id: str) -> Markdown:
        text = (self.meta.get("commentary", {}).get("kpis") or {}).get(kpi_id)
        if not text or not str(text).strip():
            return Markdown(f"*Analyst's commentary:* {NO_COMMENTARY}")
        return Markdown(f"*Analyst's commentary:* {' '.join(str(text).split())}")

    def pillar_commentary(self, pillar: str) -> Markdown:
        text = (self.meta.get("commentary", {}).get("pillars") or {}).get(pillar)
        return Markdown(" ".join(str(text).split()) if text else NO_COMMENTARY)

    def kpi_section(self, kpi_id: str, level: int = 3) -> None:
        """Display one KPI: a heading, its SPC chart (or why there is none), its reading, the commentary."""
        from IPython.display import Markdown as IPyMarkdown, display

        row = self.current().set_index("kpi_id").loc[kpi_id]
        display(IPyMarkdown(f"{'#' * level} {kpi_id} {row['title']} (plan ref {row['ref']})"))
        chart = self.chart(kpi_id)
        display(IPyMarkdown(chart.markdown()))
        display(IPyMarkdown(self.reading(kpi_id)))
        display(IPyMarkdown(self.commentary(kpi_id)))

    def reading(self, kpi_id: str) -> Markdown:
        """The latest month in words: value, RAG, direction, SPC variation and assurance."""
        row = self.current().set_index("kpi_id").loc[kpi_id].to_dict()
        row["kpi_id"] = kpi_id
        return Markdown(
            f"{self.month_words}: {tables.latest_label(row)}; target {tables.target_label(row.get('target'), str(row.get('polarity')), str(row.get('unit')), row.get('tolerance'), tables.decimals_for(kpi_id))}; "
            f"RAG {tables.rag_label(row.get('rag'))}; direction {tables.direction_label(row.get('direction'), row.get('value'), row.get('previous_value'))}; "
            f"SPC variation {tables.variation_label(row.get('point_type'))}; assurance {tables.assurance_label(row.get('assurance'))}."
        )

    def trend_figures(self, pillar: str) -> None:
        """Display every KPI of a pillar, in registry order (see :meth:`kpi_section`)."""
        for kpi_id in self.kpi_ids(pillar):
            self.kpi_section(kpi_id)

    # ------------------------------------------------------------------ summary
    def executive_summary(self) -> Markdown:
        sentences = self.meta.get("summary_sentences") or []
        bullets = "\n".join(f"- {s}" for s in sentences) or "- No automatic summary is available."
        summary = self.meta.get("commentary", {}).get("summary")
        analyst = " ".join(str(summary).split()) if summary else NO_COMMENTARY
        return Markdown(f"{bullets}\n\n**Analyst's summary.** {analyst}")

    def rag_summary(self) -> Markdown:
        from torbayreport.metrics.registry import PILLARS

        return tables.markdown_table(tables.rag_counts_frame(self.current(), PILLARS))

    def special_cause(self) -> Markdown:
        rows = self.current()
        rows = rows[rows["point_type"].astype("string").str.startswith("special_cause", na=False)]
        return tables.markdown_table(tables.kpi_list_frame(rows),
                                     empty="No measure shows special-cause variation in the latest month.")

    def consistently_failing(self) -> Markdown:
        rows = self.current()
        rows = rows[rows["assurance"].astype("string") == "consistent_fail"]
        return tables.markdown_table(
            tables.kpi_list_frame(rows),
            empty="No measure is consistently failing its target (the target is within or beyond the process limits).",
        )

    # ------------------------------------------------------------------ plan tracker
    def _plan_frame(self, name: str, pillar: str | None) -> pd.DataFrame:
        frame = self.plan.get(name, pd.DataFrame())
        if pillar is not None and "pillar" in frame.columns:
            frame = frame[frame["pillar"].str.lower() == pillar.lower()]
        return frame

    def plan_headline(self) -> Markdown:
        return tables.plan_counts_table(self._plan_frame("counts", None))

    def plan_tracker(self, pillar: str) -> Markdown:
        counts = tables.plan_counts_table(self._plan_frame("counts", pillar))
        overdue = tables.plan_overdue_table(self._plan_frame("overdue", pillar).drop(columns=["pillar"], errors="ignore"))
        changes = tables.plan_changes_table(self._plan_frame("changes", pillar).drop(columns=["pillar"], errors="ignore"))
        return Markdown(
            f"**Actions by RAG rating, this month and last.**\n\n{counts}\n\n"
            f"**Overdue actions.**\n\n{overdue}\n\n"
            f"**Actions whose RAG rating changed, with the evidence recorded.**\n\n{changes}"
        )

    # ------------------------------------------------------------------ appendix
    def definitions(self, pillar: str | None = None) -> Markdown:
        from torbayreport.metrics import REGISTRY

        kpis = [k for k in REGISTRY.values() if pillar is None or k.pillar == pillar]
        return tables.definitions_table(kpis)

    def method_notes(self) -> Markdown:
        """How RAG, direction of travel and SPC are worked out, with the parameters this build used."""
        params = self.meta.get("params") or {}
        spc = params.get("spc") or {}
        run = spc.get("run_length", 7)
        trend = spc.get("trend_length", 7)
        threshold = (params.get("disclosure") or {}).get("threshold", 5)
        text = [
            "**RAG rating.** Each measure with a target is rated on the latest month: for a measure where higher "
            "is better, Green ✔ when the figure meets the target, Amber ▲ when it is below the target by no more "
            "than the agreed tolerance, Red ✖ otherwise (the reverse for lower-is-better measures; for a measure "
            "with a target range, the distance from the target). Targets and tolerances come from the Improvement "
            "Plan and the 2016-17 action tracker and are listed in the parameters of each build.",
            "**Direction of travel** compares the latest month with the month before: ↑ or ↓ shows which way the "
            "figure moved and the word says whether that is better or worse. It is a two-point comparison and "
            "is often just normal month-to-month variation, so read it with the SPC reading.",
            "**SPC (statistical process control)** follows the NHS *Making Data Count* method. The average and the "
            "process limits (average ± 2.66 × the average moving range) show the range the figures normally vary "
            f"within. A month is a *special-cause* signal when it is outside the limits, part of a run of {run} or "
            f"more months on one side of the average, part of {trend} or more months each higher (or lower) than "
            "the last, or 2 of 3 months close to a limit. Signals are called *improvement* or *concern* according "
            "to the measure's polarity. *Assurance* compares the target with the limits: consistently passing or "
            "failing when the target lies outside them, hit and miss when it lies between them.",
            "**Months with nothing to count** (for example no review conferences due) show *no data*, never 0% "
            "or 100%.",
        ]
        if self.audience == "public":
            text.append(
                f"**Small numbers.** In this public report any count from 1 to {threshold} is shown as [c], with "
                "further figures withheld where they would let it be worked out. A measure whose monthly numbers "
                "are small is described in words without a chart, because a chart's average line would reveal "
                "the withheld months."
            )
        return Markdown("\n\n".join(text))

    def data_quality(self) -> Markdown:
        return tables.findings_summary(self.findings)

    def symbol_key(self) -> Markdown:
        return tables.symbol_key(self.meta.get("disclosure_key") or None)

    def inputs(self) -> Markdown:
        """Input files and their SHA-256 hashes (for reproducibility)."""
        sources = self.meta.get("inputs") or []
        if isinstance(sources, dict):
            sources = [{"file": k, **(v if isinstance(v, dict) else {"sha256": v})} for k, v in sources.items()]
        frame = pd.DataFrame(sources)
        keep = [c for c in ("file", "kind", "sha256") if c in frame.columns]
        frame = frame[keep].rename(columns={"file": "File", "kind": "Format", "sha256": "SHA-256"})
        return tables.markdown_table(frame, empty="No input files were recorded.")

    # ------------------------------------------------------------------ internal only
    def _internal_only(self) -> Markdown | None:
        if self.audience != "internal":
            return Markdown("This section is for the internal report only and is not included in the public report.")
        return None

    def exceptions(self, name: str) -> Markdown:
        """One exception list (internal only); ``name`` is a key of EXCEPTION_LISTS or
        ``assessments_open_overdue``."""
        blocked = self._internal_only()
        if blocked is not None:
            return blocked
        if name == "assessments_open_overdue":
            from torbayreport.metrics.practice_front_door import ASSESSMENT_LIMIT_WD

            why = f"Assessments open at month end that have run more than {ASSESSMENT_LIMIT_WD} working days."
        elif name in EXCEPTION_LISTS:
            why = EXCEPTION_LISTS[name][3]
        else:
            raise KeyError(f"unknown exception list {name!r}; choose from {sorted(EXCEPTION_LISTS) + ['assessments_open_overdue']}")
        frame = self.exception_frames.get(name, pd.DataFrame())
        n = len(frame)
        label = {"child_id": "Child", "worker_id": "Worker", "worker_name": "Name", "team": "Team", "role": "Role",
                 "record": "Record", "last_visit": "Last visit", "assessment_start": "Assessment started",
                 "audit_id": "Audit", "audit_date": "Audit date",
                 "working_days_open": "Working days open"}
        table = tables.markdown_table(frame.rename(columns=label), empty="None this month.")
        return Markdown(f"{why} **{n}** this month.\n\n{table}")

    def team_drilldown(self) -> Markdown:
        """Teams as rows, the drill-down measures as columns (value and n/d), with a key to the ids."""
        blocked = self._internal_only()
        if blocked is not None:
            return blocked
        frame = self.teams
        if frame.empty:
            return Markdown("No team-level breakdown is available.")
        numbers = frame.assign(**{c: pd.to_numeric(frame[c]) for c in ("numerator", "denominator", "value")})
        numbers["cell"] = [f"{v:.1f}% ({n:.0f}/{d:.0f})" for v, n, d in
                           zip(numbers["value"], numbers["numerator"], numbers["denominator"])]
        order = [k for k in TEAM_KPIS if k in set(numbers["kpi_id"])]
        wide = numbers.pivot(index="team", columns="kpi_id", values="cell").reindex(columns=order).fillna("")
        wide = wide.reset_index().rename(columns={"team": "Team"})
        titles = dict(zip(numbers["kpi_id"], numbers["title"]))
        key = "; ".join(f"{k} {titles[k]}" for k in order)
        return Markdown(f"{tables.markdown_table(wide)}\n\nMeasures: {key}.")
