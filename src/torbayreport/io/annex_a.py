"""Write Ofsted ILACS Annex A workbooks (Lists 1-11) from canonical tables; map lists to tables.

The reader is ``annex_read.py`` (workbook formats ``workbook.py``, the layout ``annex_spec.py``);
this module holds what reader and writer share (one list's fields -> canonical table pieces) and
the writer.

Why Annex A: it is the one extract every English LA can produce in the same shape, so a council
can start with the workbook it already sends Ofsted. But it is a 6-month snapshot that keeps only
the *latest* review, visit and health assessment per episode and has no contact decision date,
S47 completion, placement end, worker allocation or any workforce/quality data. Hence the design:

**What the workbook carries** (``annex_a.yaml`` maps every header; the reader and writer share it):

* List 1 -> contacts (child, date, source); List 2 -> early_help (start, end = "Assessment
  completion date", organisation); List 3 -> referrals (id derived as
  ``SCHEMA['referrals'].derived_id`` unless the optional extension column ``Referral ID`` is there);
  List 4 -> assessments (start, authorisation, needs support); List 5 -> s47 (strategy date, ICPC
  fields); List 6 -> cin_episodes + the CIN visit "Date Child Was Last Seen"; List 7 -> cp_plans +
  the latest review conference (cp_reviews) + the last statutory visit and seen-alone (visits);
  List 8 -> cla_periods + the most recent placement (placements, no end date) + latest review,
  health assessment and social-work visit; List 9 -> care_leavers, a snapshot (the writer puts the
  latest month's care leavers in it), month from the optional extension column ``Month`` (or, when
  absent, the month of the extract's as-at date, with a finding; see ``annex_read``). Every list feeds ``children`` from its common block (first
  non-blank value per child across lists; disability only from Lists 4-9).
* The look-back counts are read into optional columns: referrals.referrals_last_12m (List 3),
  s47.s47_last_12m / icpc_last_12m (List 5), cp_plans.previous_cp_plans (List 7),
  cla_periods.placements_last_12m (List 8). Columns the metrics do not use (Age, Allocated
  Team/Worker, case status, UASC, permanence plan ...) are recognised (no finding) but not read;
  the writer leaves them blank. Lists 10 and 11 (adoption) are checked for presence only and written header-only.

**What the CSVs carry**: a ``<table>.csv`` beside the workbook, for a table the workbook feeds, is a
*supplement*: it must have the table's key columns; it is matched to the workbook rows by key, its
non-blank values win, and its rows with no workbook match are added (e.g. every visit, not just
the latest; decision dates; placement ends). Tables Annex A does not feed (staff, audits,
allocations ...) come from CSVs exactly as in a folder of canonical CSVs.

:func:`write_annex_a` writes the workbook from canonical tables, then works out what the loader
would read back from it and writes, per table, only the rows and columns that differ as the
supplement CSV, so ``load(folder)`` returns exactly the input tables. Headers are matched on their
letters and digits, case-folded, so drift (``Age`` for ``Age of Child (Years)``, trailing spaces,
curly quotes, doubled ``)``, capitalisation) is tolerated.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Mapping

import pandas as pd

from torbayreport.io.annex_spec import (ALL_LISTS, CHILD_FIELDS, LISTS_READ, annex_tables, collapse_tables,
                                        list_spec, spec)
from torbayreport.io.schema import SCHEMA, Column
from torbayreport.io.write import table_csv_bytes, write_csv_folder

WORKBOOK_NAME = "annex_a.xlsx"
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)


# ---------------------------------------------------------------------------------------------
# Shared: from per-list typed field frames to canonical tables
# ---------------------------------------------------------------------------------------------
def pieces_from_list(ls, fields: pd.DataFrame, label: str) -> dict[str, pd.DataFrame]:
    """The rows one list contributes to each canonical table (typed, with location columns)."""
    out = {}
    for m in ls.tables:
        table = SCHEMA[m.table]
        rows = fields
        if m.when:
            rows = rows[rows[m.when].notna()]
        piece = pd.DataFrame(index=rows.index)
        for name, col in table.columns.items():
            if name in m.columns and m.columns[name] in rows:
                piece[name] = rows[m.columns[name]]
                flag = f"__bad::{m.columns[name]}"
                piece[f"__bad::{name}"] = rows[flag] if flag in rows else False
            elif name in m.constants:
                piece[name] = pd.Series(m.constants[name], index=rows.index, dtype=col.pandas_dtype)
            else:
                piece[name] = pd.Series(pd.NA if col.dtype not in ("date", "datetime") else pd.NaT,
                                        index=rows.index).astype(col.pandas_dtype)
        piece["__file"] = rows["__file"] if "__file" in rows else label
        piece["__row"] = rows["__row"] if "__row" in rows else 0
        if m.table == "referrals":
            derive = table.derived_id
            todo = piece[derive.column].isna() & piece["child_id"].notna() & piece["referral_date"].notna()
            if todo.any():
                piece.loc[todo, derive.column] = derive.derive(piece.loc[todo])
        if m.collapse:
            piece = piece.dropna(subset=list(table.key))
        out[m.table] = piece
    return out


def combine_pieces(pieces: dict[str, list[pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """One frame per table; collapsed tables keep the first non-blank value per key."""
    out = {}
    collapsed = collapse_tables()
    for name, frames in pieces.items():
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        if name in collapsed and len(frame):
            key = list(SCHEMA[name].key)
            dtypes = frame.dtypes
            frame = frame.groupby(key, sort=False, dropna=False).first().reset_index()
            frame = frame.astype({c: dtypes[c] for c in frame.columns if c in dtypes and not c.startswith("__")})
        out[name] = frame
    return out


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------
def _latest_in_window(parents: pd.DataFrame, start: str, end: str, events: pd.DataFrame, date: str,
                      take: list[str], match: tuple[str, ...] = ("child_id",)) -> pd.DataFrame:
    """Per parent row, the latest event with ``start <= date <= end`` (end blank = open)."""
    left = parents[list(dict.fromkeys([*match, start, end]))].reset_index(names="__parent")
    right = events[list(dict.fromkeys([*match, date, *take]))]
    joined = left.merge(right, on=list(match), how="inner")
    inside = (joined[date] >= joined[start]) & (joined[end].isna() | (joined[date] <= joined[end]))
    joined = joined[inside.fillna(False).astype(bool)]
    joined = joined.sort_values(["__parent", date], kind="mergesort")
    latest = joined.drop_duplicates("__parent", keep="last").set_index("__parent")
    return latest[list(dict.fromkeys([date, *take]))].reindex(parents.index)


def field_frames(tables: Mapping[str, pd.DataFrame]) -> dict[int, pd.DataFrame]:
    """Per list, the typed field values the workbook will hold (rows in key order)."""
    t = {name: SCHEMA[name].coerce(tables[name]) if name in tables else SCHEMA[name].empty_frame()
         for name in SCHEMA.table_names}

    def base(name: str) -> pd.DataFrame:
        key = list(SCHEMA[name].key)
        return t[name].sort_values(key, kind="mergesort").reset_index(drop=True)

    frames: dict[int, pd.DataFrame] = {}
    frames[1] = base("contacts")[["child_id", "contact_date", "contact_source"]]
    frames[2] = base("early_help")[["child_id", "eh_start", "eh_end", "organisation"]]
    refs = base("referrals")
    derived = SCHEMA["referrals"].derived_id.derive(refs) if len(refs) else refs["referral_id"]
    cols = ["child_id", "referral_date", "referral_source", "referral_nfa", "referrals_last_12m"]
    if len(refs) and not (derived == refs["referral_id"]).fillna(False).all():
        cols.append("referral_id")
    frames[3] = refs[cols]
    frames[4] = base("assessments")[["child_id", "assessment_start", "authorised_date", "needs_support"]]
    frames[5] = base("s47")[["child_id", "strategy_date", "icpc_not_required", "icpc_date", "icpc_led_to_plan",
                             "s47_last_12m", "icpc_last_12m"]]
    visits = t["visits"]
    cin = base("cin_episodes")
    cin_visits = visits[visits["visit_type"] == "CIN"]
    cin["last_seen"] = _latest_in_window(cin, "cin_start", "cin_end", cin_visits, "visit_date", [])["visit_date"]
    frames[6] = cin
    cp = base("cp_plans")
    reviews = t["cp_reviews"].rename(columns={"review_date": "r_date"})
    rv = _latest_in_window(cp, "cp_start", "cp_end", reviews.assign(r_start=reviews["cp_start"]), "r_date", [],
                           match=("child_id", "cp_start"))
    cp["review_date"] = rv["r_date"]
    cp_visits = visits[visits["visit_type"] == "CP"]
    lv = _latest_in_window(cp, "cp_start", "cp_end", cp_visits, "visit_date", ["seen_alone"])
    cp["last_visit"], cp["seen_alone"] = lv["visit_date"], lv["seen_alone"]
    frames[7] = cp
    cla = base("cla_periods")
    pl = _latest_in_window(cla, "cla_start", "cla_end", t["placements"], "placement_start",
                           ["placement_type", "provider", "postcode"])
    for c in pl.columns:
        cla[c] = pl[c]
    cla["review_date"] = _latest_in_window(cla, "cla_start", "cla_end", t["cla_reviews"], "review_date", [])["review_date"]
    cla["health_date"] = _latest_in_window(cla, "cla_start", "cla_end", t["health_assessments"],
                                           "assessment_date", [])["assessment_date"]
    cla["last_visit"] = _latest_in_window(cla, "cla_start", "cla_end", visits[visits["visit_type"] == "CLA"],
                                          "visit_date", [])["visit_date"]
    frames[8] = cla
    # List 9 is a snapshot: the care leavers of the latest month (the rest travel in the CSV)
    leavers = base("care_leavers")
    frames[9] = leavers[leavers["month"] == leavers["month"].max()].reset_index(drop=True)
    children = t["children"].drop_duplicates("child_id")
    for number in LISTS_READ:
        ls = list_spec(number)
        frame = frames[number].drop(columns=[c for c in CHILD_FIELDS if c != "child_id" and c in frames[number]])
        frame = frame.merge(children, on="child_id", how="left")
        keep = [f for f in ls.fields if f in frame.columns]
        frames[number] = frame[keep].reset_index(drop=True)
    return frames


def derived_tables(frames: dict[int, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What the loader reads back from a workbook holding ``frames`` (used to size the CSVs)."""
    pieces: dict[str, list[pd.DataFrame]] = {}
    for number, frame in frames.items():
        for table, piece in pieces_from_list(list_spec(number), frame, "").items():
            pieces.setdefault(table, []).append(piece)
    return {name: frame[SCHEMA[name].column_names] for name, frame in combine_pieces(pieces).items()}


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    both_na = a.isna() & b.isna()
    same = (a == b)
    same = same.fillna(False).astype(bool) if hasattr(same, "fillna") else same
    return (same | both_na).astype(bool)


def supplement(name: str, full: pd.DataFrame, carried: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    """Rows/columns of ``full`` the workbook does not reproduce: (rows, columns to write)."""
    table = SCHEMA[name]
    key = list(table.key)
    if carried is None or not len(carried):
        return full, table.column_names
    merged = full.merge(carried, on=key, how="left", suffixes=("", "__w"), indicator=True)
    stray = carried.merge(full[key], on=key, how="left", indicator=True)
    if (stray["_merge"] == "left_only").any():
        raise ValueError(
            f"write_annex_a: {name} would gain {int((stray['_merge'] == 'left_only').sum())} row(s) from the "
            f"workbook that are not in the input (e.g. a child in an Annex A list missing from 'children'); "
            f"the tables are inconsistent")
    in_w = (merged["_merge"] == "both").to_numpy()
    out = full.copy()
    keep_row = ~in_w
    keep_cols = list(key)
    for col in table.column_names:
        if col in key:
            continue
        differ = ~in_w | ~_equal(merged[col], merged[f"{col}__w"]).to_numpy()
        lost = in_w & merged[col].isna().to_numpy() & merged[f"{col}__w"].notna().to_numpy()
        if lost.any():
            raise ValueError(f"write_annex_a: {name}.{col} blank in the input but filled from the workbook")
        out[col] = full[col].where(differ)
        has = differ & full[col].notna().to_numpy()
        keep_row |= has
        if has.any() or (~in_w).any():
            keep_cols.append(col)
    return out[keep_row], keep_cols


def _spell(values: pd.Series, col: Column, fld: str) -> list:
    """Canonical values -> Annex A cell values (codes spelled, dates as datetimes, blanks None)."""
    spellings = spec()["spellings"]
    if col.dtype == "bool":
        mapping = spellings.get(fld, spellings["bool"])
        text = values.astype("boolean").map({True: mapping["Y"], False: mapping["N"]}, na_action="ignore")
        return [None if pd.isna(v) else v for v in text]
    if col.dtype == "code":
        mapping = spellings.get(col.codes, {})
        return [None if pd.isna(v) else mapping.get(v, v) for v in values]
    if col.dtype in ("date", "datetime"):
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if col.dtype == "month":
        return [None if pd.isna(v) else str(v) for v in values]
    return [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in values]


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack an xlsx with fixed entry timestamps so equal workbooks are equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(frames: dict[int, pd.DataFrame]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    wb.properties.creator = "torbayreport"
    wb.properties.created = FIXED_TIMESTAMP
    for number in ALL_LISTS:
        ls = list_spec(number)
        ws = wb.create_sheet(ls.sheet)
        frame = frames.get(number)
        headers = [h for h in ls.headers if not h.extension or (frame is not None and h.field in frame)]
        ws.append([h.header for h in headers])
        if frame is None or not len(frame):
            continue
        columns = []
        for h in headers:
            if h.field and h.field in frame:
                col = ls.field_column(h.field)
                columns.append((_spell(frame[h.field], col, h.field), col.is_date))
            else:
                columns.append(([None] * len(frame), False))
        for i in range(len(frame)):
            row = []
            for values, is_date in columns:
                value = values[i]
                if is_date and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "dd/mm/yyyy"
                    row.append(cell)
                else:
                    row.append(value)
            ws.append(row)
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = FIXED_TIMESTAMP
    ExcelWriter(wb, archive).save()
    return _deterministic_zip(buffer.getvalue())


def write_annex_a(tables: Mapping[str, pd.DataFrame], out_dir) -> list[Path]:
    """Write ``annex_a.xlsx`` plus the CSVs for what Annex A does not carry; return the paths.

    ``load(out_dir)`` gives back exactly ``tables`` (see module docstring for the split).
    """
    unknown = sorted(set(tables) - set(SCHEMA.table_names))
    if unknown:
        raise KeyError(f"not canonical tables: {', '.join(unknown)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    full = {name: SCHEMA[name].coerce(tables[name]) if name in tables else SCHEMA[name].empty_frame()
            for name in SCHEMA.table_names}
    frames = field_frames(full)
    carried = derived_tables(frames)
    book = out / WORKBOOK_NAME
    book.write_bytes(workbook_bytes(frames))
    paths = [book]
    fed = annex_tables()
    plain = {name: full[name] for name in SCHEMA.table_names if name not in fed}
    for path in write_csv_folder(plain, out):
        if path.stem in plain:
            paths.append(path)
        else:
            path.unlink()
    for name in SCHEMA.table_names:
        if name not in fed:
            continue
        rows, columns = supplement(name, full[name], carried.get(name))
        path = out / f"{name}.csv"
        if len(rows):
            path.write_bytes(table_csv_bytes(SCHEMA[name], rows, columns))
            paths.append(path)
        elif path.exists():
            path.unlink()
    return sorted(paths)
