"""Find the councils under a regional data root: one folder per council, named by DfE LA code.

Layout (what ``torbayreport synth --las N`` writes)::

    ROOT/<la_code>/          canonical CSVs, or an Annex A workbook plus CSVs (as ``io.load`` reads)
    ROOT/<la_code>.yaml      optional: the council's params (la name, targets), beside its folder
    ROOT/neighbours.csv      optional: statistical-neighbour sets (see ``region.neighbours``)

Why by LA code: it is the key every DfE publication and the statistical-neighbour tool use, so the
regional table joins to England and neighbour figures without a lookup. A folder whose name is not
a three-digit code is ignored (and named in :attr:`Discovery.ignored`, so nothing vanishes
silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LA_CODE = re.compile(r"^\d{3}$")
NEIGHBOURS_FILE = "neighbours.csv"


@dataclass(frozen=True)
class CouncilSource:
    """One council's data: its LA code, data folder and params file (None when absent)."""

    code: str
    data: Path
    params: Path | None


@dataclass
class Discovery:
    councils: list[CouncilSource]
    neighbours: Path | None
    ignored: list[str] = field(default_factory=list)


def discover(root: str | Path) -> Discovery:
    """The councils under ``root`` in LA-code order; raises ``FileNotFoundError`` / ``ValueError``
    with the folder named when the root is missing or holds no council."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"data root {root} is not a folder")
    councils, ignored = [], []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and LA_CODE.match(entry.name):
            params = root / f"{entry.name}.yaml"
            councils.append(CouncilSource(entry.name, entry.resolve(), params.resolve() if params.is_file() else None))
        elif entry.is_dir() and not entry.name.startswith("."):
            ignored.append(entry.name)
    if not councils:
        raise ValueError(f"{root}: no council folders (expected one folder per council named by its "
                         "three-digit DfE LA code, e.g. 880)")
    neighbours = root / NEIGHBOURS_FILE
    return Discovery(councils, neighbours.resolve() if neighbours.is_file() else None, ignored)
