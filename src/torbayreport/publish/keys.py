"""Cache keys of a build's notebooks, one per chapter, covering only what the chapter can read.

Why: every chapter reads the same prepared folder, but the month's commentary in context.json is
shown piecemeal (the summary in the summary chapter, a pillar's and its KPIs' text in that
pillar's chapter). Keying every notebook on the whole folder re-executed all of them when one
KPI's commentary changed. Here a chapter's key covers every prepared artefact except the
commentary, plus the part of the commentary it shows, as declared once in
:mod:`torbayreport.report.chapters` (an undeclared chapter keys on all of it).
"""

from __future__ import annotations

import json
from pathlib import Path

from torbayreport.publish.cache import digest
from torbayreport.report.chapters import commentary_shown

CONTEXT = "context.json"
METRICS = "metrics.csv"


def notebook_keys(notebooks: dict[str, Path], *, notebook_hashes: dict[str, str], parameters: dict,
                  artefacts: dict[str, str], stage: Path, code: str) -> dict[str, str]:
    """chapter name -> cache key of its executed notebook.

    ``notebook_hashes``: sha256 of each notebook's source by chapter name; ``artefacts``: sha256 of
    every prepared file by relative path (``cache.tree_hashes`` of ``stage``); ``parameters``: what
    the notebooks are given, minus where the artefacts are."""
    context = _read_context(Path(stage) / CONTEXT)
    commentary = context.get("commentary") if context is not None else None
    if not isinstance(commentary, dict):   # nothing to narrow: every chapter keys on the whole folder
        return {name: digest({"notebook": notebook_hashes[name], "parameters": parameters,
                              "artefacts": artefacts, "code": code}) for name in notebooks}
    rest = dict(artefacts)
    rest[CONTEXT] = digest({k: v for k, v in context.items() if k != "commentary"})
    kpi_pillars = _kpi_pillars(Path(stage) / METRICS)
    keys = {}
    for name in notebooks:
        shown = commentary_shown(name, commentary, kpi_pillars)
        keys[name] = digest({"notebook": notebook_hashes[name], "parameters": parameters, "artefacts": rest,
                             "commentary": commentary if shown is None else shown, "code": code})
    return keys


def _read_context(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _kpi_pillars(path: Path) -> dict[str, str] | None:
    """KPI id -> pillar from the prepared metrics.csv (None when it has no such columns: then a
    pillar chapter keys on the whole commentary)."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, usecols=["kpi_id", "pillar"], dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return None
    return dict(zip(frame["kpi_id"], frame["pillar"]))


def inputs_without_commentary(hashes: dict[str, str], *, params_file, month: str) -> dict[str, str]:
    """The input hashes for the default prepare's cache key: the month's file counted without its
    commentary (``prepare.COMMENTARY_KEYS``; its other keys, e.g. ``as_at``, still count), because
    the commentary shapes only context.json's ``commentary``, which ``prepare.refresh_commentary``
    rewrites on a cache hit. So a commentary change restores the prepared folder instead of loading
    the data and computing every KPI again."""
    from torbayreport import config
    from torbayreport.config.params import read_yaml
    from torbayreport.publish.prepare import COMMENTARY_KEYS

    path = config.month_file(params_file, month)
    label = f"params/{path.name}" if path is not None else None
    if label not in hashes:
        return hashes
    content, _ = read_yaml(path)
    return {**hashes, label: digest({k: v for k, v in content.items() if k not in COMMENTARY_KEYS})}
