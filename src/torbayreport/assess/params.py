"""Report parameters: params/defaults.yaml deep-merged with a council's and a month's overrides.

Where defaults.yaml is found: ``path`` if given, else :func:`defaults_path` (the toolkit's one
search rule, shared with the ``kpis`` command).

There is deliberately no second copy inside the package: two copies of the targets would drift.

Merging: mappings merge key by key (recursively); anything else (numbers, lists, null) in a later
file replaces the earlier value. Each file is validated *before* merging so that an error names the
file it is in: KPI ids under ``kpis:`` must be in the registry, targets and tolerances must be
numbers (target may be null), and SPC options must be known.

SPC options (all optional), as a top-level ``spc:`` block (defaults for every KPI) or per KPI as
``kpis: {P02: {spc: {...}}}``: ``chart`` (``xmr`` default, ``p``, ``pprime``), ``rebase`` (list of
months ``YYYY-MM`` where a new set of limits starts), ``fix_after_n_points``, ``screen_outliers``,
``limit_constant``, ``run_length``, ``trend_length``.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from torbayreport.metrics.targets import find_params

SPC_CHARTS = ("xmr", "p", "pprime")
SPC_OPTIONS = {
    "chart", "rebase", "fix_after_n_points", "screen_outliers", "limit_constant", "run_length", "trend_length",
    "min_segment_points",  # spc branch: stop-gap until the Params model (refactor branch) replaces this file
}
KPI_KEYS = {"target", "tolerance", "spc"}


class ParamsError(ValueError):
    """A params file is malformed; the message names the file and the offending key."""


def defaults_path() -> Path:
    """The params/defaults.yaml this build uses.

    One search rule for the whole toolkit (``metrics.targets.find_params``): ``$TORBAYREPORT_PARAMS``,
    then ``params/defaults.yaml`` in the current folder or its parents (a council's own reporting
    folder), then the project that holds this package's source (an editable install).
    """
    return find_params()


def deep_merge(base: Mapping, override: Mapping) -> dict:
    """A new dict: ``override`` merged into ``base`` (mappings recursively, other values replaced)."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(source: str | Path | Mapping, label: str) -> tuple[dict, str]:
    if isinstance(source, Mapping):
        return dict(source), label
    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}, str(path)
    if not isinstance(data, Mapping):
        raise ParamsError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return dict(data), str(path)


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _validate_spc(spc: Any, where: str) -> None:
    if not isinstance(spc, Mapping):
        raise ParamsError(f"{where}: spc must be a mapping of options, got {spc!r}")
    unknown = sorted(set(spc) - SPC_OPTIONS)
    if unknown:
        raise ParamsError(f"{where}: unknown spc option(s) {unknown}; known: {sorted(SPC_OPTIONS)}")
    if "chart" in spc and spc["chart"] not in SPC_CHARTS:
        raise ParamsError(f"{where}: spc chart {spc['chart']!r} is not one of {SPC_CHARTS}")
    rebase = spc.get("rebase")
    if rebase is not None:
        if not isinstance(rebase, list):
            raise ParamsError(f"{where}: spc rebase must be a list of months (YYYY-MM), got {rebase!r}")
        for month in rebase:
            text = month.strftime("%Y-%m") if isinstance(month, (dt.date, dt.datetime)) else str(month)
            try:
                dt.datetime.strptime(text[:7], "%Y-%m")
            except ValueError:
                raise ParamsError(f"{where}: spc rebase month {month!r} is not YYYY-MM") from None
    for key in ("fix_after_n_points", "run_length", "trend_length", "min_segment_points"):
        value = spc.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 2):
            raise ParamsError(f"{where}: spc {key} must be a whole number ≥ 2, got {value!r}")
    if "limit_constant" in spc and not (_is_number(spc["limit_constant"]) and spc["limit_constant"] > 0):
        raise ParamsError(f"{where}: spc limit_constant must be a positive number, got {spc['limit_constant']!r}")
    if "screen_outliers" in spc and not isinstance(spc["screen_outliers"], bool):
        raise ParamsError(f"{where}: spc screen_outliers must be true or false, got {spc['screen_outliers']!r}")


def validate(params: Mapping, known_ids: Iterable[str], label: str = "params") -> None:
    """Check one params mapping (a file's content); raise :class:`ParamsError` naming ``label``."""
    known = set(known_ids)
    kpis = params.get("kpis") or {}
    if not isinstance(kpis, Mapping):
        raise ParamsError(f"{label}: kpis must be a mapping of KPI id to settings")
    for kpi_id, entry in kpis.items():
        where = f"{label}: kpis: {kpi_id}"
        if kpi_id not in known:
            near = sorted(k for k in known if str(k)[:1] == str(kpi_id)[:1])
            raise ParamsError(f"{where}: unknown KPI id {kpi_id!r} (known ids: {', '.join(near or sorted(known))})")
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            raise ParamsError(f"{where}: expected {{target: ..., tolerance: ...}}, got {entry!r}")
        unknown = sorted(set(entry) - KPI_KEYS)
        if unknown:
            raise ParamsError(f"{where}: unknown setting(s) {unknown}; known: {sorted(KPI_KEYS)}")
        target = entry.get("target")
        if target is not None and not _is_number(target):
            raise ParamsError(f"{where}: target must be a number or null, got {target!r}")
        tolerance = entry.get("tolerance")
        if tolerance is not None and not (_is_number(tolerance) and tolerance >= 0):
            raise ParamsError(f"{where}: tolerance must be a number ≥ 0, got {tolerance!r}")
        if "spc" in entry:
            _validate_spc(entry["spc"], where)
    if "spc" in params and params["spc"] is not None:
        _validate_spc(params["spc"], f"{label}: spc")


def load_params(
    path: str | Path | None = None,
    overrides: str | Path | Mapping | Iterable[str | Path | Mapping] | None = None,
    *,
    registry: Mapping | None = None,
) -> dict:
    """defaults.yaml (or ``path``) deep-merged with ``overrides`` (a file, a dict, or a list of them,
    applied in order), each validated against the KPI registry (default: the full catalogue)."""
    if registry is None:
        from torbayreport.metrics import REGISTRY as registry  # noqa: N811 - the catalogue
    known = set(registry)
    base, label = _read(path or defaults_path(), "defaults")
    validate(base, known, label)
    if overrides is None:
        sources = []
    elif isinstance(overrides, (str, Path, Mapping)):
        sources = [overrides]
    else:
        sources = list(overrides)
    merged = base
    for n, source in enumerate(sources, start=1):
        data, where = _read(source, f"overrides[{n}]")
        validate(data, known, where)
        merged = deep_merge(merged, data)
    return merged


def params_for(params_file: str | Path | None = None, **kwargs) -> dict:
    """The parameters a build uses: defaults.yaml with ``params_file`` merged over it.

    A council's file need only say what differs (its name, a target); passing defaults.yaml
    itself (the build's default) is the same as passing nothing. The one rule every caller uses
    (the report context, the cover page, the ``kpis`` listing reads the same files).
    """
    defaults = defaults_path()
    if params_file is None or Path(params_file).resolve() == defaults.resolve():
        return load_params(defaults, **kwargs)
    return load_params(defaults, overrides=Path(params_file), **kwargs)


def kpi_settings(params: Mapping, kpi_id: str) -> dict:
    """target, tolerance and the effective SPC options (global ``spc:`` then per-KPI) for one KPI."""
    entry = (params.get("kpis") or {}).get(kpi_id) or {}
    spc = deep_merge(params.get("spc") or {}, entry.get("spc") or {})
    return {"target": entry.get("target"), "tolerance": entry.get("tolerance"), "spc": spc}
