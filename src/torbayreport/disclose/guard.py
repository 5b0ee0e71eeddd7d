"""The one public identifier guard: one scan of every output file, one allow-list.

Why one place: the build used to check twice with two copies of the logic -- ``context.prepare``
over the CSVs and context.json it writes, and ``pipeline.guard_public_outputs`` over the rendered
HTML, the PDF's text, the executed notebooks, the CSVs and the manifest -- and each read files its
own way (a CSV as one string, so a match could run across fields). Here:

* :func:`searchable_text` turns each file into the text a reader could see, with fields kept
  apart: HTML without tags but with the attribute text a reader or screen reader meets (alt,
  title, aria-label, ...) and entities decoded; a PDF's extracted text; a CSV cell by cell; JSON
  (manifest, context.json, notebooks) string by string, notebook images dropped. Fields are
  joined by :data:`~torbayreport.disclose.identifiers.FIELD`, which no match crosses. A CSV cell
  under a column named like a date of birth ("dob", "date_of_birth") carries its header so the
  date is read in that context.
* :func:`allow_list` is the one allow-list: dates the report prints for its own reasons.
* :func:`find_leaks` scans files with one :class:`IdentifierIndex`; :func:`guard_public_outputs`
  raises :class:`DisclosureError` listing what was found where. Whether to delete files or keep
  the last good report is the caller's decision (the build must not publish either way).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from torbayreport.disclose.cells import DisclosureError
from torbayreport.disclose.identifiers import FIELD, IdentifierIndex, report_dates, sensitive_identifiers

__all__ = ["searchable_text", "allow_list", "public_index", "find_leaks", "guard_public_outputs"]

_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+")
_TAG = re.compile(r"<!--|-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_ATTR = re.compile(r"""\b(?:alt|title|aria-label|aria-description|content|value|placeholder|summary|label)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_BLOCK = re.compile(r"</?(?:p|div|td|th|tr|li|ul|ol|table|h[1-6]|section|header|footer|figure|figcaption|br|hr|dt|dd|caption|nav|main|article)\b", re.I)
_DOB_HEADER = re.compile(r"birth|\bdob\b|^dob|dob$", re.I)


def _html_text(text: str) -> str:
    """Visible text of HTML plus attribute text; block elements end a field, inline tags do not."""
    text = _DATA_URI.sub("data:", text)

    def tag(m: re.Match) -> str:
        found = m.group()
        attrs = " ".join(v.strip("\"'") for v in _ATTR.findall(found))
        sep = FIELD if _BLOCK.match(found) else " "
        return f"{sep} {attrs} {sep}" if attrs else sep

    return html.unescape(_TAG.sub(tag, text))


def _csv_text(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ""
    header = rows[0]
    dob = {i for i, h in enumerate(header) if _DOB_HEADER.search(h)}
    cells = list(header)
    for row in rows[1:]:
        cells.extend(f"{header[i]}: {c}" if i in dob and i < len(header) else c for i, c in enumerate(row))
    return FIELD.join(cells)


def _json_strings(obj, out: list[str]) -> None:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            out.append(str(key))
            if isinstance(key, str) and key.startswith("image/"):
                continue  # notebook image outputs: base64, nothing a reader sees as text
            _json_strings(value, out)
    elif isinstance(obj, list):
        if obj and all(isinstance(v, str) for v in obj):
            out.append("".join(obj))  # notebook source / text outputs are lists of lines
        else:
            for value in obj:
                _json_strings(value, out)
    elif obj is not None:
        out.append(str(obj))


def searchable_text(path) -> str:
    """The text a reader could see in ``path``, fields separated by FIELD (see module docstring)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return FIELD.join(_pdf_pages(path))
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm", ".xhtml", ".svg"):
        return _html_text(text)
    if suffix == ".csv":
        return _csv_text(text)
    if suffix in (".json", ".ipynb"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return _DATA_URI.sub("data:", text)
        strings: list[str] = []
        _json_strings(data, strings)
        return _DATA_URI.sub("data:", FIELD.join(strings))
    return _DATA_URI.sub("data:", text)


def allow_list(tables: Mapping[str, pd.DataFrame], *, as_at=None, window: tuple | None = None) -> set[str]:
    """The one allow-list: :func:`~torbayreport.disclose.identifiers.report_dates` for this report
    (as-at date, build date, month ends and days of ``window`` = (first, last month), plan due dates)."""
    plan = tables.get("plan_actions")
    due = plan["due_date"].dropna() if plan is not None and "due_date" in plan.columns else ()
    return report_dates(as_at=as_at, window=window, other_dates=due)


def public_index(tables: Mapping[str, pd.DataFrame], *, as_at=None, window: tuple | None = None) -> IdentifierIndex:
    """The identifier index for a public report: every sensitive value of ``tables``, with the allow-list."""
    return IdentifierIndex(sensitive_identifiers(tables), allow=allow_list(tables, as_at=as_at, window=window))


def find_leaks(paths: Iterable, index: IdentifierIndex, *, per_file: int = 5) -> list[str]:
    """"file: value" for identifiers found in each of ``paths`` (at most ``per_file`` per file)."""
    leaks = []
    for path in paths:
        hits = index.find(searchable_text(path))
        leaks.extend(f"{Path(path).name}: {value!r}" for value, _ in hits[:per_file])
    return leaks


def guard_public_outputs(
    paths: Iterable,
    tables: Mapping[str, pd.DataFrame],
    *,
    as_at=None,
    window: tuple | None = None,
) -> None:
    """Raise :class:`DisclosureError` if any identifier from ``tables`` appears in any of ``paths``.

    ``paths``: every file that leaves the building (HTML, PDF, executed notebooks, CSVs, manifest,
    context.json). ``tables``: the loaded input tables (a name not in the schema is a KeyError:
    its columns' sensitivity would be unknown).
    ``as_at`` and ``window`` (first, last month as "YYYY-MM") feed :func:`allow_list`.
    """
    paths = [Path(p) for p in paths]
    leaks = find_leaks(paths, public_index(tables, as_at=as_at, window=window))
    if leaks:
        raise DisclosureError(
            "the public report would carry identifiers from the input data "
            f"({len(leaks)} found; remove them from the commentary, notebooks or data and rebuild): "
            + "; ".join(leaks[:20]),
            leaks,
        )


def _pdf_pages(path: Path) -> list[str]:
    """Each page's text: poppler's ``pdftotext`` when installed (about ten times faster than pypdf
    on a 40-page report, which matters because every public build is scanned), else pypdf."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool:
        done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace").split("\f")
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]
