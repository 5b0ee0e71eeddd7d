"""Write the regional outputs: Parquet for programs, CSV for people (both the same rows).

Files under the output folder:

=================  ===============================================================
metrics.parquet    every computed council's tidy metrics, ``la_code`` first
metrics.csv        the same
region.parquet     the regional table (``region.table.REGION_COLUMNS``)
region.csv         the same
councils.csv       one row per council: status, reason, rows, findings, time, CPU time, memory
findings.csv       every council's data-quality findings (file, row, column, message)
=================  ===============================================================

CSV text is inert: a text cell that a spreadsheet would run as a formula (starting ``=``, ``+``,
``-``, ``@``, tab or carriage return) is written with a leading apostrophe, so the text is kept
whole and shown as typed (OWASP "CSV injection" guidance). Numbers are never touched. A failed run
never leaves half-written files: each file is written beside its final name and moved into place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with formula-like cells prefixed by an apostrophe (numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False)
            if risky.any():
                out[col] = text.mask(risky, "'" + text)
    return out


def _replace(path: Path, write) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)
    return path


def write_frame(frame: pd.DataFrame, out: Path, stem: str, *, parquet: bool = True) -> list[Path]:
    """``stem.csv`` (and ``stem.parquet``) under ``out``; month Periods written as ``YYYY-MM``."""
    out.mkdir(parents=True, exist_ok=True)
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.PeriodDtype):
            frame[col] = frame[col].astype(str)
    paths = []
    if parquet:
        paths.append(_replace(out / f"{stem}.parquet", lambda p: frame.to_parquet(p, index=False)))
    paths.append(_replace(out / f"{stem}.csv",
                          lambda p: inert_text(frame).to_csv(p, index=False, float_format="%.6g", lineterminator="\n")))
    return paths
