"""CSV outputs that are safe to open in a spreadsheet (no formula injection).

Why: the report's CSVs (metrics, plan tracker, exception lists, teams) carry text from the input
files and the params -- action titles, leads, team names, commentary. Excel, LibreOffice Calc and
Google Sheets treat a cell whose first character is ``=``, ``+``, ``-``, ``@``, tab or carriage
return as a formula, so ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` typed into a plan tracker
would run on the machine of whoever opens the CSV. The OWASP "CSV Injection" guidance (and ASVS
1.2.10, which adds the null character) is to prefix such a cell with a single quote, which the
spreadsheet reads as "this is text" and does not show, and to quote fields per RFC 4180 (the
``csv`` module / pandas do that: fields with commas, quotes or line breaks are quoted).

What counts: text cells only (``str`` values, in any column, and the column names). A number is
a number: numeric columns, and numbers inside object columns, are written as numbers, so -3 stays
-3. Beyond the first character, a cell whose first non-blank character is a trigger (`` =1+1``)
and the full-width forms (``＝``, ``＋``, ``－``, ``＠``, which some locales' spreadsheets fold
to ASCII) are neutralised too. Nothing else in the cell changes.

Round trip: a cell that already starts with quotes followed by a trigger (``'=x``) gets one more
quote as well, so :func:`restore` (drop one leading quote where quotes precede a trigger) is the
exact inverse and the report, reading its own CSVs back, shows the text that came in.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["neutralise", "neutralise_value", "restore", "restore_value", "write_csv", "read_csv", "TRIGGERS"]

#: characters that make a spreadsheet read a cell as a formula when they come first
TRIGGERS = "=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20"
# A trigger first, or after quotes: a cell that already starts with quotes and then a trigger
# gets one more, so :func:`restore` (drop one quote) gives back exactly what was written.
_DANGEROUS = re.compile(r"^'*(?:[\t\r\n\0]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])")
_NEUTRALISED = re.compile(r"^'+(?:[\t\r\n\0]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])")


def neutralise_value(value):
    """One value: a ``str`` starting (after blanks) with a formula trigger gets a leading ``'``."""
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def restore_value(value):
    """The inverse of :func:`neutralise_value` (for the project reading its own CSVs back)."""
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return value[1:]
    return value


def _matches(values: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """Which cells are ``str`` (exactly) and match ``pattern``, as a numpy mask.

    The pattern runs once per *distinct* value, not per cell: a report column repeats a few
    texts (titles, pillars, team names) over every month, and ``Series.str.match`` over the
    cells of every text column was most of the time of writing the prepared CSVs."""
    cells = values.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(cells)
    except TypeError:  # an unhashable cell (a list, a dict): every cell is its own value
        codes, uniques = np.arange(len(cells)), cells
    if not len(uniques):
        return np.zeros(len(values), dtype=bool)
    hit = np.fromiter((type(u) is str and pattern.match(u) is not None for u in uniques), dtype=bool,
                      count=len(uniques))
    return (codes >= 0) & hit[np.maximum(codes, 0)]


def _map_text(frame: pd.DataFrame, pattern: re.Pattern, change) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        values = series.astype(object)  # pyarrow-backed strings cannot be compared with ``str``
        hit = pd.Series(_matches(values, pattern), index=values.index)
        if hit.any():
            text = values.where(hit)
            fixed = series.astype(object).copy()
            fixed[hit] = change(text[hit])
            out[col] = fixed.astype(series.dtype)
    return out


def restore(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise`: one leading quote dropped where neutralise added it.

    For the report reading back the CSVs it wrote (context's plan tracker and metrics), so the
    text it shows is the text that came in. Cells and column names; numbers untouched.
    """
    out = _map_text(frame, _NEUTRALISED, lambda s: s.str[1:])
    out.columns = [restore_value(c) for c in out.columns]
    return out


def read_csv(path, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` then :func:`restore`: what :func:`write_csv` wrote, as it was."""
    return restore(pd.read_csv(path, **kwargs))


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which every text cell (and column name) a spreadsheet would run is quoted.

    Numeric and boolean columns are returned unchanged; object and string columns are checked
    cell by cell (vectorised), non-``str`` values in them are left as they are.
    """
    out = _map_text(frame, _DANGEROUS, lambda s: "'" + s)
    out.columns = [neutralise_value(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` (no index, UTF-8, ``\\n`` line ends) after :func:`neutralise`; returns the path.

    The file is written beside the target and renamed into place, so a failure never leaves a
    half-written CSV where a good one was.
    """
    path = Path(path)
    safe = neutralise(frame)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            safe.to_csv(handle, index=False, lineterminator="\n")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide a published CSV from its readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process umask (read by setting and restoring it: the only portable way)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
