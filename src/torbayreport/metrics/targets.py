"""Read KPI targets and tolerances from the parameters file (``params/defaults.yaml``).

Why here and not in ``assess``: the ``kpis`` listing needs a KPI's target next to its definition,
and the metrics layer must not import from downstream. This reader only finds and parses the file;
``assess`` decides what a target means for RAG.

Which file: an explicit path (``--params FILE``) wins; otherwise ``$TORBAYREPORT_PARAMS``; otherwise
``params/defaults.yaml`` in the current directory or the nearest parent that has one (so commands
work from anywhere inside a project checkout); otherwise the project root of this source tree
(an editable install). If none exists the error says where it looked.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

DEFAULTS_RELATIVE = Path("params") / "defaults.yaml"
ENV_VAR = "TORBAYREPORT_PARAMS"


def find_params(explicit: str | os.PathLike | None = None) -> Path:
    """The parameters file to use (see the module docstring for the search order)."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"parameters file not found: {path}")
        return path
    if os.environ.get(ENV_VAR):
        return find_params(os.environ[ENV_VAR])
    tried = []
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULTS_RELATIVE
        tried.append(candidate)
        if candidate.is_file():
            return candidate
    # src/torbayreport/metrics/targets.py -> project root is three folders above the package
    candidate = Path(__file__).resolve().parents[3] / DEFAULTS_RELATIVE
    tried.append(candidate)
    if candidate.is_file():
        return candidate
    raise FileNotFoundError(
        f"no {DEFAULTS_RELATIVE} found (looked in the current folder and its parents, and at {candidate}); "
        f"pass --params FILE or set {ENV_VAR}"
    )


def load_params(path: str | os.PathLike | None = None) -> dict:
    """The parsed parameters file."""
    found = find_params(path)
    with found.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{found}: expected a mapping at the top level")
    return data


def kpi_targets(path: str | os.PathLike | None = None) -> dict[str, dict]:
    """{kpi_id: {"target": number or None, "tolerance": number or None}} from the ``kpis:`` section.

    An explicit ``path`` is a council's params file merged over the defaults (the same rule as the
    build's, ``assess.params.params_for``): a KPI it does not mention keeps its default target. A
    KPI with ``target: null`` has no target (context only).
    """
    section = dict(load_params().get("kpis") or {})
    if path is not None:
        for kpi_id, spec in (load_params(path).get("kpis") or {}).items():
            section[kpi_id] = {**(section.get(kpi_id) or {}), **(spec or {})}
    out = {}
    for kpi_id, spec in section.items():
        spec = spec or {}
        out[str(kpi_id)] = {"target": spec.get("target"), "tolerance": spec.get("tolerance")}
    return out
