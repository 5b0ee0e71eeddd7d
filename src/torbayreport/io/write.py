"""Write canonical tables as a folder of CSVs, byte for byte the same for the same input.

Why byte-deterministic: the build's manifest records the sha256 of every input file, and the
synthetic sample is committed; the same tables must always give the same bytes so a re-run shows
no spurious change. So: every canonical table is written (header only when empty), columns in
schema order, rows sorted by the table key (ties broken by the other columns' text), fixed text
formats per dtype, ``\\n`` line endings, UTF-8 without a byte-order mark.

Text formats (also what :func:`torbayreport.io.load` reads back exactly):

=========  ======================
dtype      written as
=========  ======================
date       ``YYYY-MM-DD``
datetime   ``YYYY-MM-DDTHH:MM``
month      ``YYYY-MM``
bool       ``Y`` / ``N``
int        ``12``
float      shortest round-trip repr (``0.5``, ``1.0``)
missing    blank
=========  ======================
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Mapping

import pandas as pd

from torbayreport.io.schema import SCHEMA, Table

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def format_column(values: pd.Series, dtype: str) -> pd.Series:
    """The canonical text of one column (missing -> empty string), vectorised."""
    if dtype == "date":
        text = pd.to_datetime(values).dt.strftime(DATE_FORMAT)
    elif dtype == "datetime":
        text = pd.to_datetime(values).dt.strftime(DATETIME_FORMAT)
    elif dtype == "month":
        text = values.astype("string")
    elif dtype == "bool":
        flags = values.astype("boolean")
        text = pd.Series(pd.NA, index=values.index, dtype="string")
        text = text.mask(flags.fillna(False).astype(bool), "Y")
        text = text.mask((~flags).fillna(False).astype(bool), "N")
    elif dtype == "int":
        text = values.astype("Int64").astype("string")
    elif dtype == "float":
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        text = numbers.astype(str).astype("string").mask(numbers.isna())
    else:
        text = values.astype("string")
    return text.astype("string").fillna("").astype(object)


def format_table(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` coerced to the canonical dtypes, as canonical text, sorted by the table key."""
    typed = table.coerce(frame)
    text = pd.DataFrame(
        {name: format_column(typed[name], col.dtype) for name, col in table.columns.items()},
        index=typed.index,
    )
    if len(typed):
        # Sort on the typed key (dates and months order correctly), then on the text of every
        # column so that rows with equal keys still come out in one fixed order.
        sort_frame = pd.DataFrame(index=typed.index)
        keys = []
        for i, name in enumerate(table.key):
            sort_frame[f"k{i}"] = typed[name]
            keys.append(f"k{i}")
        for i, name in enumerate(table.column_names):
            sort_frame[f"t{i}"] = text[name]
            keys.append(f"t{i}")
        order = sort_frame.sort_values(keys, kind="mergesort", na_position="last").index
        text = text.loc[order]
    return text.reset_index(drop=True)


def table_csv_bytes(table: Table, frame: pd.DataFrame, columns: list[str] | None = None) -> bytes:
    """The exact bytes of one canonical CSV (optionally only some columns, in schema order)."""
    text = format_table(table, frame)
    if columns is not None:
        text = text[[c for c in table.column_names if c in set(columns)]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(text.columns))
    writer.writerows(text.itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8")


def write_csv_folder(tables: Mapping[str, pd.DataFrame], out_dir) -> list[Path]:
    """Write one ``<table>.csv`` per canonical table into ``out_dir``; return the paths written.

    Tables missing from ``tables`` are written header-only. A name that is not a canonical table
    is an error (it would otherwise vanish silently).
    """
    unknown = sorted(set(tables) - set(SCHEMA.table_names))
    if unknown:
        raise KeyError(f"not canonical tables: {', '.join(unknown)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in SCHEMA:
        frame = tables.get(table.name)
        if frame is None:
            frame = table.empty_frame()
        path = out / f"{table.name}.csv"
        path.write_bytes(table_csv_bytes(table, frame))
        paths.append(path)
    return paths
