"""Load a folder of canonical CSVs, or an Annex A workbook (.xlsx/.xlsm/.xls/.ods) plus CSVs, into canonical tables.

Why one entry point: the build, the notebooks and ``torbayreport validate`` must see the same
tables and the same findings. Every cell goes text -> parser (``parse.py``) -> rules
(``rules.py``); the readers only locate cells (file, row as the user sees it, header as written).

Order of checks for one table: file/column rules -> cell rules (unreadable values left blank) ->
table rules in registry order (rows whose key or required date is blank are excluded, then blank
required values, then repeated keys (later row excluded), then date order). When a workbook and
a supplement CSV both feed a table, each source first loses rows with a blank/repeated key, the two
are matched by key (the CSV's non-blank values win) and then the full table rules run. Last, the
reference rules check every table against the tables it names (a visit's child, an allocation's
worker).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from torbayreport.io import annex_read, rules
from torbayreport.io.annex_spec import latest_only_tables, period_columns, spec
from torbayreport.io.codes import tidy
from torbayreport.io.findings import Finding, LoadedTables, LoadResult, Source, TableOrigin
from torbayreport.io.parse import parse_column
from torbayreport.io.schema import SCHEMA, Table
from torbayreport.io.workbook import WORKBOOK_SUFFIXES


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (the one file hash the toolkit uses: loader
    sources, the build manifest, and the cache key all agree)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _column_key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", tidy(header))


def _typed_na(table: Table, name: str, index) -> pd.Series:
    col = table.columns[name]
    return pd.Series(pd.NaT if col.is_date else pd.NA, index=index).astype(col.pandas_dtype)


def read_csv_table(path: Path, table: Table, label: str, supplement: bool):
    """One canonical CSV -> (typed frame with location columns or None, findings, header names)."""
    findings: list[Finding] = []
    data = path.read_bytes()
    if not data.strip():
        findings.append(rules.make_finding("file_empty", label, None, None,
                                           f"file is empty (no header row); table {table.name} not loaded", table.name))
        return None, findings, {}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        findings.append(rules.make_finding("encoding", label, None, None,
                                           "file is not UTF-8; read as Windows-1252", table.name))
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                          skip_blank_lines=False)
    except Exception as exc:  # noqa: BLE001 - a parse failure is reported, not raised
        message, line = str(exc).strip(), None
        # pandas counts rows from 0 at the header line; the user's editor counts lines from 1.
        where = re.search(r"starting at row (\d+)", message)
        if where:
            line = int(where.group(1)) + 1
            message = message.replace(where.group(0), f"starting at line {line}")
        findings.append(rules.make_finding("file_unreadable", label, line, None,
                                           f"cannot read as CSV: {message}", table.name))
        return None, findings, {}
    headers: dict[str, str] = {}
    for header in raw.columns:
        key = _column_key(header)
        if key in table.columns and key not in headers:
            headers[key] = header
        else:
            findings.append(rules.make_finding("unknown_column", label, 1, header,
                                               f"column {header!r} is not a column of {table.name}; ignored",
                                               table.name))
    needed = list(table.key) if supplement else table.required_columns
    missing = [c for c in needed if c not in headers]
    for name in missing:
        what = "key column of a supplement to Annex A" if supplement else "required column"
        findings.append(rules.make_finding("missing_column", label, None, name,
                                           f"{what} {name!r} is missing; table {table.name} not loaded "
                                           f"({len(raw)} rows)", table.name))
    if missing:
        return None, findings, headers
    raw = raw[list(headers.values())].rename(columns={v: k for k, v in headers.items()})
    filled = raw.ne("").any(axis=1) if len(raw.columns) else pd.Series(False, index=raw.index)
    raw = raw[filled]
    # the columns are gathered and framed once: inserting them one by one into a frame was a
    # tenth of the time of reading a table
    out: dict[str, object] = {}
    row_numbers = raw.index.to_series() + 2
    for name, col in table.columns.items():
        if name not in raw:
            out[name] = _typed_na(table, name, raw.index)
            continue
        cells = raw[name].astype("string")
        parsed, bad = parse_column(cells, col.dtype, col.codes)
        parsed, bad, hits = rules.apply_cell_rules(col, cells, parsed, bad)
        out[name] = parsed.astype(col.pandas_dtype)
        out[f"__bad::{name}"] = bad
        for code, mask, messages in hits:
            for i in mask[mask].index:
                findings.append(rules.make_finding(code, label, row_numbers.loc[i], headers[name],
                                                   f"{messages.loc[i]}; left blank", table.name))
    out["__file"] = label
    out["__row"] = row_numbers
    return pd.DataFrame(out, index=raw.index).reset_index(drop=True), findings, headers


@lru_cache(maxsize=None)
def _dtype(spec) -> object:
    """A schema dtype ("string", "Int64", ...) as the pandas dtype object it names."""
    return pd.api.types.pandas_dtype(spec)


def _keys_only(table: Table) -> Table:
    """The table with only its key required and no order rules: checks for one source of two."""
    columns = {n: dataclasses.replace(c, required=n in table.key) for n, c in table.columns.items()}
    return dataclasses.replace(table, columns=columns, order=())


def _merge(table: Table, book: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Workbook rows matched to supplement rows by key; supplement's non-blank values win."""
    key = list(table.key)
    merged = book.merge(extra, on=key, how="outer", suffixes=("", "__c"), indicator=True)
    from_csv_row = (merged["_merge"] == "right_only").to_numpy()
    has_csv = (merged["_merge"] != "left_only").to_numpy()
    out = merged[key].copy()
    for name in table.column_names:
        if name in key:
            continue
        wv, cv = merged[name], merged[f"{name}__c"]
        use_csv = has_csv & (cv.notna().to_numpy() | from_csv_row)
        out[name] = wv.where(~use_csv, cv).astype(table.columns[name].pandas_dtype)
        out[rules.csv_flag(name)] = use_csv
        wb, cb = merged.get(f"__bad::{name}"), merged.get(f"__bad::{name}__c")
        wb = wb.fillna(False).astype(bool) if wb is not None else pd.Series(False, index=merged.index)
        cb = cb.fillna(False).astype(bool) if cb is not None else pd.Series(False, index=merged.index)
        out[f"__bad::{name}"] = wb.where(~use_csv, cb)
    for name in key:
        out[rules.csv_flag(name)] = from_csv_row
    out["__file"] = merged["__file"].where(~from_csv_row, merged["__file__c"])
    out["__row"] = merged["__row"].where(~from_csv_row, merged["__row__c"])
    out["__cfile"] = merged["__file__c"]
    out["__crow"] = merged["__row__c"]
    return out


def assemble(table: Table, book: pd.DataFrame | None, extra: pd.DataFrame | None, display: dict,
             ctx: rules.Context = rules.Context()):
    """One canonical table from its sources, with the table rules applied.

    Returns (the canonical frame, findings, the located frame the rules saw or None).
    """
    findings: list[Finding] = []
    if book is None and extra is None:
        return table.empty_frame(), findings, None
    if book is not None and extra is not None:
        light = _keys_only(table)
        book, f1 = rules.run_table_rules(light, book, display, ctx)
        extra, f2 = rules.run_table_rules(light, extra, display, ctx)
        findings += f1 + f2
        frame = _merge(table, book, extra)
    else:
        frame = book if book is not None else extra
    frame, f3 = rules.run_table_rules(table, frame, display, ctx)
    findings += f3
    result = frame[table.column_names]
    # cast only the columns not already in their canonical dtype (the readers made most of them
    # so): a cast of every column was a third of the time of assembling a table
    cast = {name: dtype for name, dtype in table.dtypes.items() if result[name].dtype != _dtype(dtype)}
    if cast:
        result = result.astype(cast)
    result = result.sort_values(list(table.key), kind="mergesort").reset_index(drop=True)
    return result, findings, frame


def load(path, *, as_at=None, aliases: dict[str, str] | None = None) -> LoadResult:
    """Read ``path`` (a folder of canonical CSVs, or of an Annex A workbook plus CSVs, or one file).

    ``as_at``: the extract's as-at date (``--as-at``); an Annex A Front_Sheet date wins over it and,
    failing both, a workbook's latest event date is used. Dates after it are findings; Annex A
    List 9 rows are placed in its month. ``aliases``: a council's {header text: canonical column}
    for Annex A headers the toolkit does not know (``"Ref Date": "referral_date"``).

    Returns every canonical table (empty when absent) in canonical dtypes, the findings, the
    files read with their sha256 and the as-at date used (``as_at``, ``as_at_source``). Raises
    FileNotFoundError when ``path`` does not exist.
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or folder")
    findings: list[Finding] = []
    sources: list[Source] = []
    display: dict[str, dict[str, str]] = {}
    if root.is_file():
        folder, workbooks, csvs = root.parent, [root] if root.suffix.lower() in WORKBOOK_SUFFIXES else [], []
        if root.suffix.lower() == ".csv":
            csvs = [root]
    else:
        folder = root
        workbooks = sorted(p for p in root.iterdir()
                           if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".~lock")))
        csvs = sorted(root.glob("*.csv"))
    if not workbooks and not csvs:
        findings.append(rules.make_finding(
            "no_input", str(root), None, None,
            "no canonical CSV (e.g. children.csv) and no Annex A workbook (.xlsx, .xlsm, .xls, .ods) found"))
    as_at = None if as_at is None else pd.Timestamp(as_at).normalize()
    as_at_source = None if as_at is None else "given"
    book_tables: dict[str, pd.DataFrame] = {}
    if len(workbooks) > 1:
        findings.append(rules.make_finding("several_workbooks", str(root), None, None,
                                           f"more than one workbook: {', '.join(p.name for p in workbooks)}; "
                                           "keep only the Annex A workbook in the folder"))
    elif workbooks:
        book = workbooks[0]
        sources.append(Source(book.name, book.resolve(), sha256_file(book), "annex_a"))
        read = annex_read.read_workbook(book, book.name, as_at=as_at, aliases=aliases)
        book_tables = read.tables
        findings += read.findings
        display.update(read.display)
        as_at, as_at_source = read.as_at, read.as_at_source
    csv_tables: dict[str, pd.DataFrame] = {}
    for csv_path in csvs:
        label = str(csv_path.relative_to(folder)) if csv_path.is_relative_to(folder) else csv_path.name
        if csv_path.stem not in SCHEMA.tables:
            findings.append(rules.make_finding("unknown_file", label, None, None,
                                               f"{csv_path.name} is not named after a canonical table; not read"))
            continue
        sources.append(Source(label, csv_path.resolve(), sha256_file(csv_path), "csv"))
        table = SCHEMA[csv_path.stem]
        frame, f, headers = read_csv_table(csv_path, table, label, supplement=table.name in book_tables)
        findings += f
        display[label] = dict(headers)
        if frame is not None:
            csv_tables[table.name] = frame
    tables, located = {}, {}
    # an as-at date inferred from the latest event proves nothing about later dates: check only a stated one
    ctx = rules.Context(as_at=as_at if as_at_source in ("front sheet", "given") else None)
    for table in SCHEMA:
        tables[table.name], f, located[table.name] = assemble(
            table, book_tables.get(table.name), csv_tables.get(table.name), display, ctx)
        findings += f
    for table in SCHEMA:
        if located[table.name] is None:
            continue
        for r in rules.REFERENCE_RULES:
            for hit in r.func(table, located[table.name], tables):
                findings += rules.findings_for(table, located[table.name], hit, r.code, display)
    origins = table_origins(book_tables, csv_tables, located, as_at, findings, display)
    return LoadResult(tables=LoadedTables(tables, origins), findings=findings, sources=sources, as_at=as_at,
                      as_at_source=as_at_source)


def annex_period_start(book_tables: dict[str, pd.DataFrame], as_at, findings: list[Finding] | None = None,
                       display: dict | None = None):
    """The first month of an Annex A extract's period: the month of the earliest date in the lists
    Ofsted scopes to events "received in the period" (``annex_a.yaml`` ``period_from``: Lists 1
    and 3), leaving out months with fewer than ``period_min_share`` of the median month's events
    (stray early dates; each such month is a ``period_outlier`` finding, located at its first row).
    With neither list holding a date, nothing shows how far back the lists reach, so the period is
    taken to start at the as-at month (no history claimed)."""
    parts = [book_tables[t][[c, "__file", "__row"]].rename(columns={c: "date"}).assign(__column=c)
             for t, c in period_columns() if t in book_tables and c in book_tables[t]]
    events = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["date"])
    events = events[events["date"].notna()]
    if not len(events):
        return None if as_at is None else pd.Period(as_at, "M")
    month = pd.PeriodIndex(pd.to_datetime(events["date"]), freq="M")
    per_month = pd.Series(month).value_counts().sort_index()
    typical = per_month[per_month >= per_month.median() * spec()["period_min_share"]]
    start = typical.index.min()
    if findings is not None:
        stray = events[(month < start)]
        for m, rows in stray.groupby(month[month < start], sort=True):
            first = rows.sort_values("__row").iloc[0]
            header = (display or {}).get(str(first["__file"]), {}).get(first["__column"], first["__column"])
            findings.append(rules.make_finding(
                "period_outlier", str(first["__file"]), first["__row"], header,
                f"{len(rows)} date(s) in {m} (e.g. {first['date']:%Y-%m-%d}), before the lists' period, which starts "
                f"in {start} ({int(typical.iloc[0])} contacts and referrals that month); kept, but the history is "
                f"judged from {start}"))
    return start


def table_origins(book_tables: dict, csv_tables: dict, located: dict, as_at,
                  findings: list[Finding] | None = None, display: dict | None = None) -> dict[str, TableOrigin]:
    """Per canonical table, where its rows came from and from which month they are a full history
    (:class:`TableOrigin`). The one rule, for every table a workbook feeds: its history starts at
    the extract's period start (:func:`annex_period_start`), or at the as-at month for a table of
    latest events only (:func:`annex_spec.latest_only_tables`); unless a supplement CSV adds rows
    the workbook does not have, when the rows are the council's event history and are judged by
    their dates, as a table from CSV is."""
    start = annex_period_start(book_tables, as_at, findings, display) if book_tables else None
    latest = latest_only_tables()
    as_at_month = None if as_at is None else pd.Period(as_at, "M")
    origins = {}
    for table in SCHEMA:
        name = table.name
        in_book, in_csv = name in book_tables, name in csv_tables
        if not in_book:
            origins[name] = TableOrigin("csv" if in_csv else "none")
            continue
        frame = located.get(name)
        added = in_csv and frame is not None and bool(frame.get(rules.csv_flag(table.key[0]), pd.Series(False)).any())
        if added:
            origins[name] = TableOrigin("annex_a+csv", as_at=as_at)
        elif name in latest:
            origins[name] = TableOrigin("annex_a+csv" if in_csv else "annex_a", as_at_month, True, as_at)
        else:
            origins[name] = TableOrigin("annex_a+csv" if in_csv else "annex_a", start, False, as_at)
    return origins
