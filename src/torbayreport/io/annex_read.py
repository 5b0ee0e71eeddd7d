"""Read an Ofsted Annex A workbook, as councils actually send it, into per-table frames.

What "as it exists" means (research: ``/work/shared/research/annex_a_ecosystem.md`` 1.2a):

* any of .xlsx/.xlsm/.xls/.ods (``workbook.py``); sheets named ``List_1``, ``List 1``,
  ``LIST 1 - Contacts`` or by topic (``Contacts``, ``Sec47 and ICPC``) - a sheet whose name is not
  a list name is recognised by its header row; Ofsted's guidance tabs (Front_Sheet, Guidance ...)
  are skipped quietly;
* a title row (``List 1: Contacts``) above the header row: the header row is the first of the
  sheet's top rows that holds the list's id header;
* headers in the template's, the LA's or Data to Insight's SSD spelling (``annex_a.yaml`` aliases)
  plus a council's own (``aliases`` = {header text: canonical column});
* no Month column in List 9: the care leavers are a snapshot at the extract's as-at date, taken
  from the Front_Sheet, else the ``as_at`` argument, else the latest event date in the workbook.

Nothing is dropped silently: every row that cannot be placed is a finding (file[sheet], row,
column); faults that make a list untrustworthy (two sheets claiming it, no header row, a required
column missing) are errors, so the build stops with one message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from torbayreport.io import rules
from torbayreport.io.annex_a import combine_pieces, pieces_from_list
from torbayreport.io.annex_spec import ALL_LISTS, LISTS_READ, ListSpec, header_key, list_number, list_spec, spec
from torbayreport.io.findings import Finding
from torbayreport.io.parse import parse_column, parse_date
from torbayreport.io.workbook import Workbook, WorkbookError, column_text

HEADER_SEARCH_ROWS = 20  # a header row below this is not looked for (title rows are 1-3 rows)


@dataclass
class BookRead:
    """What one workbook gave: per-table frames (typed, located), findings, headers as written."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    display: dict[str, dict[str, str]] = field(default_factory=dict)
    as_at: pd.Timestamp | None = None
    as_at_source: str | None = None  # "front sheet" | "given" | "latest event date"


def _key_row(row) -> list[str]:
    return [header_key(v) if isinstance(v, str) else "" for v in row]


def _header_row(rows: list[list], id_keys: frozenset[str]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if id_keys & set(_key_row(row)):
            return i
    return None


def _recognise(rows: list[list]) -> tuple[int | None, str]:
    """Which list a sheet not named after one holds, judged by its header row; (number, why not)."""
    for row in rows[:HEADER_SEARCH_ROWS]:
        keys = set(_key_row(row)) - {""}
        scores = {n: len(keys & list_spec(n).own_keys) for n in ALL_LISTS if keys & list_spec(n).headers[0].keys}
        if not scores:
            continue
        best = max(scores.values())
        top = [n for n, s in scores.items() if s == best]
        if best and len(top) == 1:
            return top[0], ""
        return None, ("its headers fit " + " and ".join(f"List {n}" for n in top) + " equally" if best
                      else "its headers are only the common child columns")
    return None, f"no row in its first {HEADER_SEARCH_ROWS} holds an Annex A list's headers"


def _council_keys(aliases: Mapping[str, str] | None, label: str, findings: list[Finding]) -> dict[int, dict[str, str]]:
    """Per list: header key -> field, from a council's {header text: canonical column} aliases."""
    out: dict[int, dict[str, str]] = {n: {} for n in ALL_LISTS}
    for text, column in (aliases or {}).items():
        hits = 0
        for n in LISTS_READ:
            fld = list_spec(n).field_for_column(str(column))
            if fld:
                out[n][header_key(text)] = fld
                hits += 1
        if not hits:
            findings.append(rules.make_finding(
                "unknown_alias", label, None, str(text),
                f"alias {text!r} -> {column!r}: no Annex A list reads a column {column!r}; alias not used"))
    return out


def _match_headers(ls: ListSpec, cells: list, extra: dict[str, str], label: str, row_number: int):
    """Header cells -> ({field: column index}, {field: header as written}, findings)."""
    findings: list[Finding] = []
    position: dict[str, int] = {}
    written: dict[str, str] = {}
    used: dict[int, int] = {}
    for j, cell in enumerate(cells):
        text = str(cell).strip() if cell is not None else ""
        key = header_key(text)
        if not key:
            continue
        specs = {k for k, h in enumerate(ls.headers) if key in h.keys}
        specs |= {k for k, h in enumerate(ls.headers) if h.field and extra.get(key) == h.field}
        if not specs:
            findings.append(rules.make_finding("unknown_column", label, row_number, text,
                                               f"column {text!r} is not an Annex A {ls.sheet} column; ignored", ls.primary))
            continue
        if len(specs) > 1:
            names = " and ".join(repr(ls.headers[k].field or ls.headers[k].header) for k in sorted(specs))
            findings.append(rules.make_finding("ambiguous_header", label, row_number, text,
                                               f"header {text!r} matches {names}; column not read", ls.primary))
            continue
        k = specs.pop()
        if k in used:
            findings.append(rules.make_finding(
                "duplicate_column", label, row_number, text,
                f"a second column for {ls.headers[k].header!r} (sheet column {j + 1}); the first (column "
                f"{used[k] + 1}) is read, this one ignored", ls.primary))
            continue
        used[k] = j
        h = ls.headers[k]
        if h.field:
            position[h.field] = j
            written[h.field] = text
    for h in ls.headers:
        if h.field and h.field not in position and not h.extension:
            required = ls.field_required(h.field)
            findings.append(rules.make_finding(
                "missing_column" if required else "missing_optional_column", label, None, h.header,
                f"expected column '{h.header}' not found" + ("; sheet not read" if required else "; values left blank"),
                ls.primary))
    return position, written, findings


def read_list(ls: ListSpec, rows: list[list], label: str, extra: dict[str, str]):
    """One list sheet -> (typed field frame with location columns or None, findings, field -> header)."""
    header_index = _header_row(rows, ls.headers[0].keys | {k for k, f in extra.items() if f == "child_id"})
    if header_index is None:
        return None, [rules.make_finding(
            "no_header_row", label, None, ls.headers[0].header,
            f"no '{ls.headers[0].header}' header in the first {HEADER_SEARCH_ROWS} rows (a title row but no "
            f"header row?); {max(len(rows) - 1, 0)} row(s) not read", ls.primary)], {}
    position, written, findings = _match_headers(ls, rows[header_index], extra, label, header_index + 1)
    if any(f.code == "missing_column" for f in findings):
        return None, findings, written
    data = rows[header_index + 1:]
    width = max(map(len, data), default=0)
    if any(len(r) != width for r in data):  # calamine gives rectangular rows; other sources may not
        data = [list(r) + [""] * (width - len(r)) for r in data]
    # a row counts when any cell holds something: any() first (in C); 0 and False are values too
    filled = np.fromiter(map(any, data), dtype=bool, count=len(data))
    for i in np.flatnonzero(~filled):
        filled[i] = any(v is not None and v != "" for v in data[i])
    data = [r for r, keep in zip(data, filled) if keep]
    index = pd.RangeIndex(len(data))
    out = pd.DataFrame(index=index)
    row_numbers = pd.Series(np.flatnonzero(filled) + header_index + 2, index=index, dtype="int64")
    for fld, j in position.items():
        text = column_text(map(itemgetter(j), data))
        col = ls.field_column(fld)
        parsed, bad = parse_column(text, col.dtype, col.codes)
        parsed, bad, hits = rules.apply_cell_rules(col, text, parsed, bad)
        out[fld] = parsed
        out[f"__bad::{fld}"] = bad
        for code, mask, messages in hits:
            for i in mask[mask].index:
                findings.append(rules.make_finding(code, label, row_numbers[i], written[fld],
                                                   f"{messages.loc[i]}; left blank", ls.primary))
    for fld in ls.fields:
        if fld not in out:
            col = ls.field_column(fld)
            out[fld] = pd.Series(pd.NA, index=index).astype(col.pandas_dtype)
    out["__file"] = label
    out["__row"] = row_numbers
    return out, findings, written


def front_sheet_as_at(rows: list[list]) -> pd.Timestamp | None:
    """The date beside (or below) an 'as at' / 'extract date' label on the Front_Sheet."""
    labels = spec()["as_at_labels"]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or header_key(cell) not in labels:
                continue
            candidates = [v for v in row[j + 1:] if v not in ("", None)][:1]
            if i + 1 < len(rows) and j < len(rows[i + 1]):
                candidates.append(rows[i + 1][j])
            for value in candidates:
                parsed, _ = parse_date(column_text([value]))
                if parsed.notna().all():
                    return parsed.iloc[0]
    return None


def _sheets(book: Workbook, label: str, findings: list[Finding]):
    """Classify sheets: {list number: [(sheet name, rows or None)]}, front sheet rows."""
    claims: dict[int, list] = {}
    front = None
    guidance = spec()["guidance_sheets"]
    for name in book.sheet_names:
        if header_key(name) in guidance:
            if header_key(name).startswith("front"):
                front = book.rows(name)
            continue
        number = list_number(name)
        rows = None
        if number is None:
            rows = book.rows(name)
            number, why = _recognise(rows)
            if number is None:
                if any(any(v not in ("", None) for v in r) for r in rows):
                    findings.append(rules.make_finding("unknown_sheet", label, None, None,
                                                       f"sheet {name!r} is not an Annex A list ({why}); not read"))
                continue
        claims.setdefault(number, []).append((name, rows))
    return claims, front


def read_workbook(path: Path, label: str, *, as_at=None, aliases: Mapping[str, str] | None = None) -> BookRead:
    """Read an Annex A workbook (see module docstring) into located per-table frames and findings."""
    result = BookRead()
    findings = result.findings
    try:
        book = Workbook(Path(path))
    except WorkbookError as exc:
        findings.append(rules.make_finding("file_unreadable", label, None, None, f"cannot read workbook: {exc}"))
        return result
    try:
        claims, front = _sheets(book, label, findings)
        for number in ALL_LISTS:
            sheets = claims.get(number, [])
            if len(sheets) > 1:
                findings.append(rules.make_finding(
                    "duplicate_sheet", label, None, None,
                    f"sheets {' and '.join(repr(s) for s, _ in sheets)} both hold List {number} "
                    f"({list_spec(number).name}); keep one"))
            elif not sheets:
                findings.append(rules.make_finding(
                    "missing_sheet" if number in LISTS_READ else "missing_optional_sheet", label, None, None,
                    f"no sheet for List {number} ({list_spec(number).name}); expected a sheet named 'List {number}' "
                    f"or 'List_{number}' or one with its headers; found "
                    f"{', '.join(repr(s) for s in book.sheet_names) or 'none'}"))
        council = _council_keys(aliases, label, findings)
        fields_by_list: dict[int, tuple[pd.DataFrame, str, dict]] = {}
        for number in LISTS_READ:
            if len(claims.get(number, [])) != 1:
                continue
            name, rows = claims[number][0]
            sheet_label = f"{label}[{name}]"
            ls = list_spec(number)
            fields, f, written = read_list(ls, rows if rows is not None else book.rows(name), sheet_label, council[number])
            findings.extend(f)
            if fields is not None:
                fields_by_list[number] = (fields, sheet_label, written)
    except WorkbookError as exc:
        findings.append(rules.make_finding("file_unreadable", label, None, None, f"cannot read workbook: {exc}"))
        return result
    finally:
        book.close()
    _settle_as_at(result, front, as_at, fields_by_list, label)
    pieces: dict[str, list[pd.DataFrame]] = {}
    for number, (fields, sheet_label, written) in fields_by_list.items():
        ls = list_spec(number)
        result.display[sheet_label] = {}
        for m in ls.tables:
            for canon, fld in m.columns.items():
                if fld in written:
                    result.display[sheet_label].setdefault(canon, written[fld])
        if number == 9 and "month" not in written and not _place_leavers(result, fields, sheet_label):
            continue
        for table, piece in pieces_from_list(ls, fields, sheet_label).items():
            pieces.setdefault(table, []).append(piece)
    result.tables = combine_pieces(pieces)
    return result


def _settle_as_at(result: BookRead, front, given, fields_by_list: dict, label: str) -> None:
    """The extract's as-at date: Front_Sheet, else the given value, else the latest event date."""
    given = None if given is None else pd.Timestamp(given).normalize()
    on_front = front_sheet_as_at(front) if front else None
    if on_front is not None:
        result.as_at, result.as_at_source = on_front, "front sheet"
        if given is not None and given != on_front:
            result.findings.append(rules.make_finding(
                "as_at_conflict", label, None, None,
                f"the Front_Sheet gives the as-at date {on_front:%Y-%m-%d} but {given:%Y-%m-%d} was given; "
                "the Front_Sheet's is used"))
    elif given is not None:
        result.as_at, result.as_at_source = given, "given"
    else:
        latest = [fields[c].max() for fields, _, _ in fields_by_list.values() for c in fields.columns
                  if not c.startswith("__") and c != "date_of_birth"
                  and pd.api.types.is_datetime64_any_dtype(fields[c]) and fields[c].notna().any()]
        if latest:
            result.as_at, result.as_at_source = max(latest).normalize(), "latest event date"


def _place_leavers(result: BookRead, fields: pd.DataFrame, sheet_label: str) -> bool:
    """List 9 has no Month: every care leaver is placed in the as-at month (False: cannot be)."""
    if not len(fields):  # an empty list needs no month (and no finding)
        fields["month"] = pd.Series(dtype="period[M]", index=fields.index)
        return True
    if result.as_at is None:
        result.findings.append(rules.make_finding(
            "no_as_at", sheet_label, None, "Month",
            f"no Month column and no as-at date (no Front_Sheet date, none given, no event dates in the "
            f"workbook): {len(fields)} care leaver row(s) cannot be placed in a month; give the extract's "
            "as-at date", "care_leavers"))
        return False
    month = result.as_at.to_period("M")
    fields["month"] = pd.Series(month, index=fields.index, dtype="period[M]")
    result.findings.append(rules.make_finding(
        "as_at", sheet_label, None, "Month",
        f"no Month column: the {len(fields)} care leaver row(s) are a snapshot at the extract's as-at date "
        f"{result.as_at:%Y-%m-%d} (from the {result.as_at_source}), month {month}", "care_leavers"))
    return True
