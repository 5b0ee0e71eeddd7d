"""Open a spreadsheet (.xlsx, .xlsm, .xls, .ods) and hand back its sheets as rows of cell values.

Why python-calamine: one reader for all four formats Ofsted issues the Annex A template in, and
several times faster than openpyxl (openpyxl stays for writing). Why sniff the bytes first: the
two commonest "workbooks" that are not workbooks — an HTML table saved with an ``.xls`` name (a
frequent case-management export) and a password-protected file (an encrypted OLE container even
when named ``.xlsx``) — deserve a message that says what to do, not a parser's error. A real
workbook with the wrong extension (.xlsx content named .xls) is read by its content.

Cells become text column by column (:func:`column_text`), vectorised, in the spellings the
parsers read: dates as ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM`` with a time), whole numbers without
``.0``, booleans ``True``/``False``, blanks ``<NA>``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says why and what to do."""


def sniff(path: Path) -> str | None:
    """Why the bytes are not a readable workbook (HTML, encrypted, empty), or None."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        return "the file is empty"
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) or b"<html" in text or b"<table" in text:
        return ("the file is an HTML page saved with a spreadsheet name (a common export); open it in "
                "Excel and save it as .xlsx")
    if head.startswith(_OLE_MAGIC) and "EncryptionInfo".encode("utf-16-le") in head:
        return "the workbook is password-protected (encrypted); save an unprotected copy and load that"
    return None


class Workbook:
    """A read-only workbook: sheet names and, per sheet, its rows as lists of cell values."""

    def __init__(self, path: Path):
        import python_calamine

        reason = sniff(path)
        if reason:
            raise WorkbookError(reason)
        try:
            # from a file object, calamine judges the format by content, so an .xlsx saved with an
            # .xls name (or the reverse) still opens
            with open(path, "rb") as handle:
                self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
        except python_calamine.PasswordError:
            raise WorkbookError("the workbook is password-protected; save an unprotected copy and load that") from None
        except Exception as exc:  # noqa: BLE001 - any failure to open is reported with its reason
            raise WorkbookError(f"cannot open workbook ({type(exc).__name__}: {exc}); it may be corrupt") from None
        self.sheet_names: list[str] = list(self._book.sheet_names)

    def rows(self, name: str) -> list[list]:
        """Every row of a sheet (blank cells are ``''``), from the sheet's first row."""
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001
            raise WorkbookError(f"cannot read sheet {name!r} ({type(exc).__name__}: {exc}); it may be corrupt") from None
        return rows

    def close(self) -> None:
        self._book.close()


# cell type -> kind code; a type not listed is "other" (9). Looked up with map() so no Python code
# runs per cell (a defaultdict calls its factory once per new type, then stays in C).
_KIND = defaultdict(lambda: 9, {type(None): 0, str: 1, float: 2, int: 3, bool: 4, dt.datetime: 5, dt.date: 5})


def column_text(values) -> pd.Series:
    """One column of cell values -> ``string`` Series in the parsers' spellings (see module doc)."""
    values = list(values)
    out = pd.Series(pd.NA, index=pd.RangeIndex(len(values)), dtype="string")
    if not values:
        return out
    kinds = np.fromiter(map(_KIND.__getitem__, map(type, values)), dtype=np.int8, count=len(values))
    s = pd.Series(values, dtype=object)
    is_str = kinds == 1
    if is_str.any():
        text = s[is_str].astype("string").str.strip()
        out[is_str] = text.mask(text == "")
    is_float = kinds == 2
    if is_float.any():
        numbers = s[is_float].astype("float64")
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers.abs() < 1e15)
        text = numbers.astype(str).astype("string")
        text[whole] = numbers[whole].astype("int64").astype(str)
        out[is_float] = text
    is_int = kinds == 3
    if is_int.any():
        out[is_int] = s[is_int].astype(str)
    is_bool = kinds == 4
    if is_bool.any():
        out[is_bool] = s[is_bool].map({True: "True", False: "False"})
    is_stamp = kinds == 5
    if is_stamp.any():
        stamps = pd.to_datetime(s[is_stamp], errors="coerce")
        timed = (stamps != stamps.dt.normalize()).fillna(False).to_numpy()
        text = stamps.dt.strftime("%Y-%m-%d").astype("string")
        if timed.any():
            text[timed] = stamps[timed].dt.strftime("%Y-%m-%dT%H:%M")
        beyond = stamps.isna().to_numpy()  # e.g. 9999-12-31: outside pandas' range; the parser judges the text
        if beyond.any():
            text[beyond] = s[is_stamp][beyond].map(lambda v: v.isoformat())
        out[is_stamp] = text
    rest = kinds == 9
    if rest.any():  # times of day, durations: their text, which the parsers will judge
        out[rest] = s[rest].map(str)
    return out
